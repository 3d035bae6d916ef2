package dev.lamina.processor.gen;

import com.palantir.javapoet.CodeBlock;

/**
 * One spatial axis of a sliding window (convolution or pooling), and the generator's single
 * mechanism for stride, padding and dilation: for kernel tap {@code u} the output positions
 * {@code i} whose input position {@code i·stride - pad + u·dilation} lies inside the unpadded
 * input form one contiguous range {@code [lo(u), hi(u))}. Loops run over exactly that range, so
 * padding costs no branch and no padded copy; the same ranges serve forward, backward-data and
 * backward-weights.
 *
 * <p>With {@code unroll} the taps are enumerated at generation time and every bound is a literal;
 * otherwise (large kernels) a loop over the taps computes the same bounds from literals at run
 * time.
 */
record Axis(int in, int out, int kernel, int stride, int pad, int dilation) {

  /** First output index reading tap {@code u} inside the input. */
  int lo(int u) {
    int a = pad - u * dilation;
    return a <= 0 ? 0 : Math.min(out, (a + stride - 1) / stride);
  }

  /** One past the last output index reading tap {@code u} inside the input. */
  int hi(int u) {
    int b = in - 1 + pad - u * dilation;
    return b < 0 ? 0 : Math.min(out, b / stride + 1);
  }

  /** Input position of output 0 for tap {@code u}: {@code u·dilation - pad}. */
  int shift(int u) {
    return u * dilation - pad;
  }

  /**
   * A tap as the loop body sees it: its number (a literal, or the loop variable), the output range
   * and the input shift, each as source text.
   */
  record Tap(String index, int value, String lo, String hi, String shift) {
    boolean literal() {
      return value >= 0;
    }
  }

  interface Body {
    void emit(CodeBlock.Builder b, Tap tap);
  }

  /** Emits {@code body} once per tap with a non-empty range (unrolled) or inside a tap loop. */
  void forEachTap(CodeBlock.Builder b, String var, boolean unroll, Body body) {
    if (unroll) {
      for (int u = 0; u < kernel; u++) {
        if (lo(u) >= hi(u)) {
          continue; // this tap only ever reads padding
        }
        body.emit(b, new Tap(Integer.toString(u), u, Integer.toString(lo(u)),
            Integer.toString(hi(u)), Integer.toString(shift(u))));
      }
      return;
    }
    b.beginControlFlow("for (int $L = 0; $L < $L; $L++)", var, var, kernel, var);
    String offset = Src.plus(Src.times(var, dilation), -pad);
    b.addStatement("int $LShift = $L", var, offset);
    b.addStatement("int $LLo = Math.max(0, $L)", var,
        stride == 1 ? "-" + var + "Shift"
            : "(" + (stride - 1) + " - " + var + "Shift) / " + stride);
    b.addStatement("int $LHi = Math.min($L, Math.floorDiv($L - $LShift, $L) + 1)", var, out,
        in - 1, var, stride);
    body.emit(b, new Tap(var, -1, var + "Lo", var + "Hi", var + "Shift"));
    b.endControlFlow();
  }
}
