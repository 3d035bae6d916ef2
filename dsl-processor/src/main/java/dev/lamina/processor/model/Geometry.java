package dev.lamina.processor.model;

/** The arithmetic of sliding windows along one axis, shared by checks, model and generator. */
public final class Geometry {
  private Geometry() {}

  /** Effective extent of a dilated kernel: {@code d·(k-1)+1}. */
  public static long effectiveKernel(int kernel, int dilation) {
    return (long) dilation * (kernel - 1) + 1;
  }

  /**
   * Output size along one axis: {@code floor((in + 2p - d·(k-1) - 1) / s) + 1}; a value below 1
   * means the window does not fit.
   */
  public static long outputSize(int in, int kernel, int stride, int padding, int dilation) {
    long span = (long) in + 2L * padding - effectiveKernel(kernel, dilation);
    if (span < 0) {
      return 0;
    }
    return span / stride + 1;
  }

  /**
   * Padded input rows/columns past the last window along one axis, which no output ever reads:
   * {@code (in + 2p - k_eff) mod s}.
   */
  public static long unreadRemainder(int in, int kernel, int stride, int padding, int dilation) {
    long span = (long) in + 2L * padding - effectiveKernel(kernel, dilation);
    return span < 0 ? 0 : span % stride;
  }
}
