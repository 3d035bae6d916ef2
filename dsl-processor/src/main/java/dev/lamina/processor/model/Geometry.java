package dev.lamina.processor.model;

/** The arithmetic of sliding windows along one axis, shared by checks, model and generator. */
public final class Geometry {
  private Geometry() {}

  /**
   * Multiplication of non-negative values that saturates at {@code Long.MAX_VALUE / 2}, so that a
   * saturated product plus a bias still reads as huge rather than negative.
   */
  public static long mul(long a, long b) {
    try {
      return Math.multiplyExact(a, b);
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE / 2;
    }
  }

  /** Addition of non-negative values that saturates like {@link #mul}. */
  public static long add(long a, long b) {
    return Math.min(Long.MAX_VALUE / 2, a + Math.min(b, Long.MAX_VALUE / 2));
  }

  /** {@code 2} or {@code 2x1}. */
  public static String pair(int h, int w) {
    return h == w ? Integer.toString(h) : h + "x" + w;
  }

  /** {@code " pad 1"}, {@code " pad 1x0"}, {@code " pad 0,0,1,1"} (top, left, bottom, right). */
  public static String padding(int top, int left, int bottom, int right) {
    if (top == bottom && left == right) {
      return top == 0 && left == 0 ? "" : " pad " + pair(top, left);
    }
    return " pad " + top + "," + left + "," + bottom + "," + right;
  }

  /** Effective extent of a dilated kernel: {@code d·(k-1)+1}. */
  public static long effectiveKernel(int kernel, int dilation) {
    return (long) dilation * (kernel - 1) + 1;
  }

  /**
   * Output size along one axis with padding {@code begin} before and {@code end} after the input:
   * {@code floor((in + begin + end - k_eff) / s) + 1}, or with {@code ceil} the division rounded up
   * and, as in PyTorch and ONNX, a last window that would start in the end padding ({@code
   * (out-1)·s >= in + begin}) dropped. A value below 1 means the window does not fit (a window
   * larger than the padded input never fits, in either mode).
   */
  public static long outputSize(int in, int kernel, int stride, int begin, int end, int dilation,
      boolean ceil) {
    long span = (long) in + begin + end - effectiveKernel(kernel, dilation);
    if (span < 0) {
      return 0;
    }
    if (!ceil) {
      return span / stride + 1;
    }
    long out = (span + stride - 1) / stride + 1;
    if ((out - 1) * stride >= (long) in + begin) {
      out--;
    }
    return out;
  }

  /**
   * Input rows/columns past the last window along one axis that no output reads (beyond those that
   * are end padding): {@code max(0, (in + begin + end - k_eff) mod s - end)}; none in ceil mode.
   */
  public static long unread(int in, int kernel, int stride, int begin, int end, int dilation,
      boolean ceil) {
    long span = (long) in + begin + end - effectiveKernel(kernel, dilation);
    if (span < 0 || ceil) {
      return 0;
    }
    return Math.max(0, span % stride - end);
  }

  /**
   * The first output position along one axis whose window reads padding only (every tap {@code
   * i·s - begin + u·d} outside {@code [0, in)}), or -1 when every window reads the input.
   */
  public static long firstEmptyWindow(int in, int kernel, int stride, int begin, int dilation,
      long out) {
    long keff = effectiveKernel(kernel, dilation);
    // Windows lying inside the input from their first tap on read it; only those starting in the
    // begin padding or reaching past the input's end need a look.
    long head = Math.min(out, ((long) begin + stride - 1) / stride);
    long tail = Math.max(head, Math.floorDiv((long) in - keff + begin, stride) + 1);
    for (long i = 0; i < head; i++) {
      if (!readsInput(in, kernel, dilation, i * stride - begin)) {
        return i;
      }
    }
    for (long i = Math.max(head, tail); i < out; i++) {
      if (!readsInput(in, kernel, dilation, i * stride - begin)) {
        return i;
      }
    }
    return -1;
  }

  private static boolean readsInput(int in, int kernel, int dilation, long first) {
    long u = first >= 0 ? 0 : (-first + dilation - 1) / dilation;
    return u < kernel && first + u * dilation < in;
  }

  /**
   * The padding {@code {begin, end}} along one axis that {@code SAME_UPPER} ({@code upper}) or
   * {@code SAME_LOWER} gives: output {@code ceil(in / s)}, total padding {@code max(0, (out-1)·s +
   * k_eff - in)}, the odd pixel at the end (upper) or the beginning (lower).
   */
  public static int[] samePadding(int in, int kernel, int stride, int dilation, boolean upper) {
    long out = ((long) in + stride - 1) / stride;
    long total = Math.max(0, (out - 1) * stride + effectiveKernel(kernel, dilation) - in);
    int small = (int) Math.min(Integer.MAX_VALUE, total / 2);
    int large = (int) Math.min(Integer.MAX_VALUE, total - total / 2);
    return upper ? new int[] {small, large} : new int[] {large, small};
  }
}
