package dev.lamina.processor.gen;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import dev.lamina.processor.model.ConvOp;
import dev.lamina.processor.model.Shape;
import java.util.List;

/**
 * A grouped convolution ({@code groups > 1}; {@code groups = C} is a depthwise convolution) as
 * direct loops: for each filter k, each input channel of its group, each tap (u, v), the output
 * rows and columns whose input position lies inside the input, found once per tap, so the inner
 * loop over an output row has no bounds test. Forward, the weight gradient and the input gradient
 * all walk the same taps.
 *
 * <p>Shapes: x [N][C][H][W], z [N][K][OH][OW], weight [K][C/groups][kh][kw]; filter k reads the
 * channels {@code (k / (K/groups))·(C/groups) ..} of its group. The input position of output
 * {@code (oy, ox)} and tap {@code (u, v)} is {@code (oy·sh - ph + u·dh, ox·sw - pw + v·dw)}.
 */
public final class GroupedConvEmitter implements LayerEmitter {
  private final ConvOp op;

  public GroupedConvEmitter(ConvOp op) {
    this.op = op;
  }

  @Override
  public boolean hasParameters() {
    return true;
  }

  /** Input planes, filters and channels per group, plane sizes. */
  private record Sizes(int c, int h, int w, int k, int oh, int ow, int cg, int kg) {
    static Sizes of(LayerContext ctx, ConvOp op) {
      Shape in = ctx.node().inputShape();
      Shape out = ctx.node().outputShape();
      return new Sizes(in.channels(), in.height(), in.width(), out.channels(), out.height(),
          out.width(), in.channels() / op.groups(), out.channels() / op.groups());
    }
  }

  /**
   * Opens the loops over samples, filters, their group's channels and the taps, with {@code zk}
   * (filter k's output plane), {@code xc} (channel c's input plane, {@code xBase} added),
   * {@code wi} (the tap's weight index), the first and last output row {@code oy0, oy1} and column
   * {@code ox0, ox1} whose tap reads the input, and {@code xo}, the input index of output (0, 0)
   * for this tap (valid only inside those bounds). Closed by {@link #closeTaps}.
   */
  private void openTaps(CodeBlock.Builder b, LayerContext ctx, Sizes s, String xBase) {
    b.beginControlFlow("for (int n = 0; n < batch; n++)");
    b.beginControlFlow("for (int k = 0; k < $L; k++)", s.k());
    b.addStatement("int zk = (n * $L + k) * $L", s.k(), s.oh() * s.ow());
    b.add("// the first input channel of k's group\n");
    b.addStatement("int c0 = k / $L * $L", s.kg(), s.cg());
    b.beginControlFlow("for (int cl = 0; cl < $L; cl++)", s.cg());
    b.addStatement("int xc = $L(n * $L + c0 + cl) * $L", xBase, s.c(), s.h() * s.w());
    b.beginControlFlow("for (int u = 0; u < $L; u++)", op.kh());
    b.add("// the output rows whose input row oy*$L - $L + u*$L lies in [0, $L)\n", op.sh(),
        op.ph(), op.dh(), s.h());
    b.addStatement("int oy0 = Math.max(0, -Math.floorDiv(u * $L - $L, $L))", op.dh(), op.ph(),
        op.sh());
    b.addStatement("int oy1 = Math.min($L, Math.floorDiv($L - u * $L, $L))", s.oh() - 1,
        s.h() - 1 + op.ph(), op.dh(), op.sh());
    b.beginControlFlow("for (int v = 0; v < $L; v++)", op.kw());
    b.addStatement("int ox0 = Math.max(0, -Math.floorDiv(v * $L - $L, $L))", op.dw(), op.pw(),
        op.sw());
    b.addStatement("int ox1 = Math.min($L, Math.floorDiv($L - v * $L, $L))", s.ow() - 1,
        s.w() - 1 + op.pw(), op.dw(), op.sw());
    b.addStatement("int wi = $L + ((k * $L + cl) * $L + u) * $L + v", ctx.offset("weight"),
        s.cg(), op.kh(), op.kw());
    b.addStatement("int xo = xc + (u * $L - $L) * $L + v * $L - $L", op.dh(), op.ph(), s.w(),
        op.dw(), op.pw());
  }

  private static void closeTaps(CodeBlock.Builder b) {
    for (int i = 0; i < 5; i++) {
      b.endControlFlow();
    }
  }

  /** The loop over one output row's valid columns: {@code zr} and {@code xr} index row oy. */
  private void rows(CodeBlock.Builder b, Sizes s, String body) {
    b.beginControlFlow("for (int oy = oy0; oy <= oy1; oy++)");
    b.addStatement("int zr = zk + oy * $L", s.ow());
    b.addStatement("int xr = xo + oy * $L", op.sh() * s.w());
    b.beginControlFlow("for (int ox = ox0; ox <= ox1; ox++)");
    b.addStatement(body, op.sw() == 1 ? "ox" : "ox * " + op.sw());
    b.endControlFlow();
    b.endControlFlow();
  }

  @Override
  public List<MethodSpec> forward(LayerContext ctx) {
    String t = ctx.num().t();
    Sizes s = Sizes.of(ctx, op);
    int plane = s.oh() * s.ow();
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("$L[] z = this.$L", t, ctx.preBuffer());
    b.beginControlFlow("for (int q = 0; q < batch * $L; q++)", s.k());
    b.addStatement("$T.fill(z, q * $L, (q + 1) * $L, $L)", java.util.Arrays.class, plane, plane,
        op.bias() ? "p[" + ctx.offset("bias") + " + q % " + s.k() + "]" : ctx.num().lit(0));
    b.endControlFlow();
    openTaps(b, ctx, s, "xOff + ");
    b.addStatement("$L wt = p[wi]", t);
    rows(b, s, "z[zr + ox] += wt * x[xr + $L]");
    closeTaps(b);
    return List.of(ctx.inputMethod("Forward")
        .addJavadoc("$L: forward, into $L.\n", ctx.header(), ctx.preBuffer())
        .addCode(b.build()).build());
  }

  @Override
  public List<MethodSpec> backwardParams(LayerContext ctx) {
    String t = ctx.num().t();
    Sizes s = Sizes.of(ctx, op);
    int plane = s.oh() * s.ow();
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("$L[] dz = this.$L", t, ctx.deltaBuffer());
    if (op.bias()) {
      b.beginControlFlow("for (int q = 0; q < batch * $L; q++)", s.k());
      b.addStatement("$L sum = 0", t);
      b.beginControlFlow("for (int i = q * $L; i < (q + 1) * $L; i++)", plane, plane);
      b.addStatement("sum += dz[i]");
      b.endControlFlow();
      b.addStatement("g[$L + q % $L] += sum", ctx.offset("bias"), s.k());
      b.endControlFlow();
    }
    openTaps(b, ctx, s, "xOff + ");
    b.addStatement("$L sum = 0", t);
    rows(b, s, "sum += dz[zr + ox] * x[xr + $L]");
    b.addStatement("g[wi] += sum");
    closeTaps(b);
    return List.of(ctx.inputMethod("BackwardParams")
        .addJavadoc("$L: adds dL/dweight$L.\n", ctx.header(), op.bias() ? " and dL/dbias" : "")
        .addCode(b.build()).build());
  }

  @Override
  public List<MethodSpec> backwardData(LayerContext ctx) {
    String t = ctx.num().t();
    Sizes s = Sizes.of(ctx, op);
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("$L[] dz = this.$L", t, ctx.deltaBuffer());
    openTaps(b, ctx, s, "");
    b.addStatement("$L wt = p[wi]", t);
    rows(b, s, "dx[xr + $L] += wt * dz[zr + ox]");
    closeTaps(b);
    return List.of(ctx.dataMethod()
        .addJavadoc("$L: adds dL/dx, each tap's weight times dL/dz.\n", ctx.header())
        .addCode(b.build()).build());
  }
}
