package dev.lamina.runtime;

/** The {@code double} counterpart of {@link FloatWorkspace}. Not thread-safe. */
public interface DoubleWorkspace {
  DoubleNetwork network();

  int maxBatch();

  double[] forward(double[] input, int offset, int batch, boolean training);

  void backward(double[] gradOutput, int offset, int batch);

  double[] outputGradientBuffer();

  double[] gradients();

  void zeroGradients();

  void setInputGradientEnabled(boolean enabled);

  double[] inputGradient();

  /** See {@link FloatWorkspace#reseed}. */
  default void reseed(long seed) {}

  /** See {@link FloatWorkspace#setDeferredStatistics}. */
  default void setDeferredStatistics(boolean deferred) {}

  /** See {@link FloatWorkspace#mergeStatistics}. */
  default void mergeStatistics(DoubleWorkspace other) {}

  /** See {@link FloatWorkspace#commitStatistics}. */
  default void commitStatistics() {}

  /** See {@link FloatWorkspace#pendingStatisticsLength}. */
  default int pendingStatisticsLength() {
    return 0;
  }

  /** See {@link FloatWorkspace#exportStatistics}: the same layout. */
  default void exportStatistics(double[] into, int offset) {}

  /**
   * See {@link FloatWorkspace#mergeStatistics(double[], int)}: the arithmetic of {@link
   * #mergeStatistics(DoubleWorkspace)}.
   */
  default void mergeStatistics(double[] exported, int offset) {}

  default double lossAndGradients(
      double[] input, int offset, int[] labels, int labelOffset, int batch, double gradScale) {
    double[] out = forward(input, offset, batch, true);
    double[] g = outputGradientBuffer();
    double loss =
        Losses.forwardBackward(network().summary().loss(), out, batch, network().outputSize(),
            labels, labelOffset, g, gradScale);
    backward(g, 0, batch);
    return loss;
  }

  default double lossAndGradients(
      double[] input, int offset, double[] targets, int targetOffset, int batch, double gradScale) {
    double[] out = forward(input, offset, batch, true);
    double[] g = outputGradientBuffer();
    double loss =
        Losses.forwardBackward(network().summary().loss(), out, batch, network().outputSize(),
            targets, targetOffset, g, gradScale);
    backward(g, 0, batch);
    return loss;
  }
}
