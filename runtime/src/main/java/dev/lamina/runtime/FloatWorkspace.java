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
