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
   * Opens the loops over samples, filters, their group's channels and the taps (output dense,
   * input sparse: see {@link TapLoops}), with {@code zk} (filter k's output plane) and {@code wi}
   * (the tap's weight index); {@code xBase} is added to the input's indices. Closed by {@link
   * #close}.
   */
  private TapLoops open(CodeBlock.Builder b, LayerContext ctx, Sizes s, String xBase) {
    b.beginControlFlow("for (int n = 0; n < batch; n++)");
    b.beginControlFlow("for (int k = 0; k < $L; k++)", s.k());
    b.addStatement("int zk = (n * $L + k) * $L", s.k(), s.oh() * s.ow());
    b.add("// the first input channel of k's group\n");
    b.addStatement("int c0 = k / $L * $L", s.kg(), s.cg());
    b.beginControlFlow("for (int cl = 0; cl < $L; cl++)", s.cg());
    TapLoops taps = new TapLoops(s.oh(), s.ow(), s.h(), s.w(), op);
    taps.open(b, xBase + "(n * " + s.c() + " + c0 + cl) * " + s.h() * s.w());
    b.addStatement("int wi = $L + ((k * $L + cl) * $L + u) * $L + v", ctx.offset("weight"),
        s.cg(), op.kh(), op.kw());
    return taps;
  }

  private static void close(CodeBlock.Builder b) {
    TapLoops.close(b);
    for (int i = 0; i < 3; i++) {
      b.endControlFlow();
    }
  }

  @Override
  public List<MethodSpec> forward(LayerContext ctx) {
    String t = ctx.num().t();
    Sizes s = Sizes.of(ctx, op);
    int plane = s.oh() * s.ow();
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("$L[] z = this.$L", t, ctx.preBuffer());
    TapLoops.startAtBias(b, ctx, s.k(), plane, op.bias());
    TapLoops taps = open(b, ctx, s, "xOff + ");
    b.addStatement("$L wt = p[wi]", t);
    taps.rows(b, "zk", "z[dr + j] += wt * x[sr + $L]");
    close(b);
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
      TapLoops.biasGradient(b, ctx, s.k(), plane);
    }
    TapLoops taps = open(b, ctx, s, "xOff + ");
    b.addStatement("$L sum = 0", t);
    taps.rows(b, "zk", "sum += dz[dr + j] * x[sr + $L]");
    b.addStatement("g[wi] += sum");
    close(b);
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
    TapLoops taps = open(b, ctx, s, "");
    b.addStatement("$L wt = p[wi]", t);
    taps.rows(b, "zk", "dx[sr + $L] += wt * dz[dr + j]");
    close(b);
    return List.of(ctx.dataMethod()
        .addJavadoc("$L: adds dL/dx, each tap's weight times dL/dz.\n", ctx.header())
        .addCode(b.build()).build());
  }
}
