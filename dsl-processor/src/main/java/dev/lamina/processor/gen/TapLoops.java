package dev.lamina.processor.gen;

import com.palantir.javapoet.CodeBlock;
import dev.lamina.processor.model.SlidingWindow;

/**
 * The taps of a strided window between a dense grid, walked one position per loop step, and a
 * sparse one: dense position {@code (i, j)} meets sparse position {@code (i·sh - ph + u·dh, j·sw -
 * pw + v·dw)} through tap {@code (u, v)}. A convolution's output is the dense grid and its input
 * the sparse one; a transposed convolution's input is dense and its output sparse. For each tap
 * the dense rows {@code i0..i1} and columns {@code j0..j1} whose sparse position lies inside the
 * sparse grid are found once, so the loops over a row test no bounds.
 *
 * @param denseH the dense grid's height
 * @param denseW the dense grid's width
 * @param sparseH the sparse grid's height
 * @param sparseW the sparse grid's width
 * @param window kernel, stride, padding (before) and dilation
 */
record TapLoops(int denseH, int denseW, int sparseH, int sparseW, SlidingWindow window) {
  /**
   * Opens the loops over the taps {@code u, v}, with the bounds {@code i0, i1, j0, j1} and {@code
   * so}: the sparse index of dense position (0, 0) for the tap, from {@code sparsePlane} (an
   * expression: the sparse plane's first index). Closed by {@link #close}.
   */
  void open(CodeBlock.Builder b, String sparsePlane) {
    SlidingWindow w = window;
    b.beginControlFlow("for (int u = 0; u < $L; u++)", w.kh());
    b.add("// the dense rows i whose sparse row i*$L - $L + u*$L lies in [0, $L)\n", w.sh(),
        w.ph(), w.dh(), sparseH);
    b.addStatement("int i0 = Math.max(0, -Math.floorDiv(u * $L - $L, $L))", w.dh(), w.ph(),
        w.sh());
    b.addStatement("int i1 = Math.min($L, Math.floorDiv($L - u * $L, $L))", denseH - 1,
        sparseH - 1 + w.ph(), w.dh(), w.sh());
    b.beginControlFlow("for (int v = 0; v < $L; v++)", w.kw());
    b.addStatement("int j0 = Math.max(0, -Math.floorDiv(v * $L - $L, $L))", w.dw(), w.pw(),
        w.sw());
    b.addStatement("int j1 = Math.min($L, Math.floorDiv($L - v * $L, $L))", denseW - 1,
        sparseW - 1 + w.pw(), w.dw(), w.sw());
    b.addStatement("int so = $L + (u * $L - $L) * $L + v * $L - $L", sparsePlane, w.dh(), w.ph(),
        sparseW, w.dw(), w.pw());
  }

  /**
   * The loops over the valid dense rows and columns of the open tap, with {@code dr} (the dense
   * row's first index, from {@code densePlane}) and {@code sr} (the sparse row's, for the tap);
   * {@code body} is a statement in which {@code $L} stands for the sparse column offset of column
   * j ({@code j} or {@code j * sw}).
   */
  void rows(CodeBlock.Builder b, String densePlane, String body) {
    b.beginControlFlow("for (int i = i0; i <= i1; i++)");
    b.addStatement("int dr = $L", Src.plus(densePlane, Src.times("i", denseW)));
    b.addStatement("int sr = so + i * $L", window.sh() * sparseW);
    b.beginControlFlow("for (int j = j0; j <= j1; j++)");
    b.addStatement(body, window.sw() == 1 ? "j" : "j * " + window.sw());
    b.endControlFlow();
    b.endControlFlow();
  }

  /**
   * Starts each output plane of {@code z} ({@code channels} planes of {@code plane} values per
   * sample) at its filter's bias, or at zero without one.
   */
  static void startAtBias(CodeBlock.Builder b, LayerContext ctx, int channels, int plane,
      boolean bias) {
    b.beginControlFlow("for (int q = 0; q < batch * $L; q++)", channels);
    b.addStatement("$T.fill(z, q * $L, (q + 1) * $L, $L)", java.util.Arrays.class, plane, plane,
        bias ? "p[" + ctx.offset("bias") + " + q % " + channels + "]" : ctx.num().lit(0));
    b.endControlFlow();
  }

  /** Adds each output plane's sum of {@code dz} to its filter's bias gradient. */
  static void biasGradient(CodeBlock.Builder b, LayerContext ctx, int channels, int plane) {
    b.beginControlFlow("for (int q = 0; q < batch * $L; q++)", channels);
    b.addStatement("$L sum = 0", ctx.num().t());
    b.beginControlFlow("for (int i = q * $L; i < (q + 1) * $L; i++)", plane, plane);
    b.addStatement("sum += dz[i]");
    b.endControlFlow();
    b.addStatement("g[$L + q % $L] += sum", ctx.offset("bias"), channels);
    b.endControlFlow();
  }

  /** Closes the two tap loops. */
  static void close(CodeBlock.Builder b) {
    b.endControlFlow();
    b.endControlFlow();
  }
}
