package dev.lamina.runtime;

/**
 * Activations, scratch buffers and a gradient buffer for one thread running a {@link
 * FloatNetwork}, allocated once for batches of up to {@link #maxBatch()} samples. Not thread-safe:
 * give each thread its own workspace. Its passes allocate nothing.
 */
public interface FloatWorkspace {
  /** The network whose parameters this workspace reads. */
  FloatNetwork network();

  /** Largest batch this workspace holds. */
  int maxBatch();

  /**
   * Forward pass on {@code batch} samples starting at {@code input[offset]}. In training mode it
   * keeps what {@link #backward} needs. Returns this workspace's output buffer ({@code batch *
   * outputSize} values are valid) until the next call.
   */
  float[] forward(float[] input, int offset, int batch, boolean training);

  /**
   * Backward pass after a training-mode {@link #forward} of the same batch: takes dL/d(output)
   * from {@code gradOutput[offset..]}, accumulates dL/d(parameters) into {@link #gradients()} and,
   * if enabled, writes dL/d(input) to {@link #inputGradient()}.
   */
  void backward(float[] gradOutput, int offset, int batch);

  /** A scratch buffer of {@code maxBatch * outputSize} for the loss gradient. */
  float[] outputGradientBuffer();

  /** This workspace's gradient buffer, laid out like the parameters. */
  float[] gradients();

  /** Sets every gradient to 0. */
  void zeroGradients();

  /** Whether {@link #backward} also computes dL/d(input) (off by default: it costs time). */
  void setInputGradientEnabled(boolean enabled);

  /** dL/d(input) of the last backward pass ({@code batch * inputSize} values). */
  float[] inputGradient();

  /**
   * Restarts this workspace's random streams (the masks of dropout layers) from {@code seed}: the
   * same seed and the same sequence of training passes give the same masks. Workspaces start from
   * a fixed seed, so give each of several workspaces training at once its own seed (the {@code
   * Trainer} does). A no-op for networks without random layers.
   */
  default void reseed(long seed) {}

  /**
   * Chooses how training passes update running statistics (batch normalization's running mean and
   * variance, {@link ParameterTensor.Role#STATISTIC} tensors). A no-op for networks without them.
   *
   * <ul>
   *   <li>Immediate (the default, {@code false}): each training-mode {@link #forward} updates the
   *       running statistics of the shared parameters with its batch's statistics, as a single
   *       thread training through this workspace wants.
   *   <li>Deferred ({@code true}): a training-mode forward leaves the parameters alone and adds its
   *       batch's statistics (per channel: count, mean and sum of squared deviations) to this
   *       workspace's pending statistics; {@link #mergeStatistics} and {@link #commitStatistics}
   *       then combine the pending statistics of several workspaces and apply them once, in an
   *       order the caller fixes. This is how data-parallel training keeps the running statistics
   *       deterministic and equal (up to rounding) to those of one thread on the whole batch.
   * </ul>
   *
   * <p>Calling it, even with the current mode, discards the pending statistics.
   */
  default void setDeferredStatistics(boolean deferred) {}

  /**
   * Adds the pending statistics of {@code other} (a workspace of the same network) to this
   * workspace's, exactly as if this workspace had seen the other's batches too (counts add; means
   * combine weighted by count; squared deviations add, plus the spread between the two means), and
   * clears {@code other}'s. A no-op for networks without running statistics.
   *
   * @throws IllegalArgumentException if {@code other} belongs to another network or is this one
   */
  default void mergeStatistics(FloatWorkspace other) {}

  /**
   * Applies the pending statistics (see {@link #setDeferredStatistics}) to the running statistics
   * in one update per layer, {@code r = (1 - momentum)·r + momentum·s} with the pending mean and
   * the unbiased variance {@code M2/(m - 1)} over all m pending values, and clears them. A no-op
   * when nothing is pending. Not thread-safe: call it while no other thread reads or writes the
   * parameters.
   */
  default void commitStatistics() {}

  /**
   * Doubles {@link #exportStatistics} writes and {@link #mergeStatistics(double[], int)} reads:
   * {@code 1 + 2·C} for each batch-normalization layer of C channels, 0 for a network without
   * running statistics.
   */
  default int pendingStatisticsLength() {
    return 0;
  }

  /**
   * Copies the pending statistics (see {@link #setDeferredStatistics}) into {@code
   * into[offset..offset + pendingStatisticsLength())} as plain numbers, so that they can leave
   * this process, and leaves them pending. The layout: one block per batch-normalization layer,
   * in the network's layer order; the block of a layer of C channels is {@code 1 + 2·C} doubles:
   * the count m of values per channel behind the statistics (a whole number; 0 when nothing is
   * pending, and then the rest of the block is 0), the C pending means, then the C sums of
   * squared deviations M2 (as {@link #mergeStatistics(FloatWorkspace)} keeps them). The generated
   * workspace's documentation of this method gives each layer's offsets. A no-op for networks
   * without running statistics.
   *
   * @throws IllegalArgumentException if the array has fewer than {@code pendingStatisticsLength()}
   *     doubles from {@code offset}
   */
  default void exportStatistics(double[] into, int offset) {}

  /**
   * Adds pending statistics that {@link #exportStatistics} wrote (from a workspace of the same
   * network, in any process) to this workspace's, with the arithmetic of {@link
   * #mergeStatistics(FloatWorkspace)}: merging a workspace's exported statistics gives the bits of
   * merging the workspace itself, so several machines' statistics merged in a fixed order and
   * committed once give the running statistics of as many threads merged in that order. The array
   * is only read. A no-op for networks without running statistics.
   *
   * @throws IllegalArgumentException if the array has fewer than {@code pendingStatisticsLength()}
   *     doubles from {@code offset}, or a layer's count is not a whole number in 0..2<sup>53</sup>
   *     (the message names the layer and the index); nothing is merged then
   */
  default void mergeStatistics(double[] exported, int offset) {}

  /**
   * Forward, loss and backward on class labels. Returns the loss summed over the batch; the
   * gradients accumulated are those of the per-sample losses times {@code gradScale} (pass {@code
   * 1/N} for the mean over a batch of N).
   */
  default float lossAndGradients(
      float[] input, int offset, int[] labels, int labelOffset, int batch, float gradScale) {
    float[] out = forward(input, offset, batch, true);
    float[] g = outputGradientBuffer();
    float loss =
        Losses.forwardBackward(network().summary().loss(), out, batch, network().outputSize(),
            labels, labelOffset, g, gradScale);
    backward(g, 0, batch);
    return loss;
  }

  /** As {@link #lossAndGradients(float[], int, int[], int, int, float)} for regression targets. */
  default float lossAndGradients(
      float[] input, int offset, float[] targets, int targetOffset, int batch, float gradScale) {
    float[] out = forward(input, offset, batch, true);
    float[] g = outputGradientBuffer();
    float loss =
        Losses.forwardBackward(network().summary().loss(), out, batch, network().outputSize(),
            targets, targetOffset, g, gradScale);
    backward(g, 0, batch);
    return loss;
  }
}
