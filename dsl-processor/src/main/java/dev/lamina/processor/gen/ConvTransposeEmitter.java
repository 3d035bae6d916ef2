package dev.lamina.processor.gen;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import dev.lamina.processor.model.ConvTransposeOp;
import dev.lamina.processor.model.Shape;
import java.util.List;

/**
 * Transposed convolution as direct loops over its taps: the input is the dense grid, the output
 * the sparse one ({@link TapLoops}), so forward scatters each input row into every output row its
 * taps reach, and the input gradient gathers the same positions back; the loops are a
 * convolution's with input and output exchanged.
 *
 * <p>Shapes: x [N][C][H][W], z [N][K][OH][OW], weight [C][K][kh][kw]. Input {@code (i, j)} reaches
 * output {@code (i·sh - ph + u·dh, j·sw - pw + v·dw)} through tap {@code (u, v)}.
 */
public final class ConvTransposeEmitter implements LayerEmitter {
  private final ConvTransposeOp op;

  public ConvTransposeEmitter(ConvTransposeOp op) {
    this.op = op;
  }

  @Override
  public boolean hasParameters() {
    return true;
  }

  /**
   * Opens the loops over samples, input channels c, filters k and the taps, with {@code wi} (the
   * tap's weight index); the input plane is the dense grid ({@code xBase} added to its indices),
   * filter k's output plane the sparse one. Closed by {@link #close}.
   */
  private TapLoops open(CodeBlock.Builder b, LayerContext ctx, String xBase) {
    Shape in = ctx.node().inputShape();
    Shape out = ctx.node().outputShape();
    Loop cl = new Loop("c", in.channels());
    Loop kl = new Loop("k", out.channels());
    b.beginControlFlow("for (int n = 0; n < batch; n++)");
    cl.open(b);
    b.addStatement("int xc = $L", Src.plus(xBase, Src.product(
        Src.plus(Src.times("n", in.channels()), cl.at()), in.height() * in.width())));
    kl.open(b);
    TapLoops taps = new TapLoops(in.height(), in.width(), out.height(), out.width(), op);
    taps.open(b, Src.product(Src.plus(Src.times("n", out.channels()), kl.at()),
        out.height() * out.width()));
    String pair = Src.plus(Src.times(cl.at(), out.channels()), kl.at());
    b.addStatement("int wi = $L", Src.plus(ctx.offset("weight"),
        Src.plus(Src.product(Src.plus(Src.product(pair, op.kh()), "u"), op.kw()), "v")));
    return taps;
  }

  /** Closes the loops {@link #open} opened. */
  private void close(CodeBlock.Builder b, LayerContext ctx) {
    TapLoops.close(b);
    new Loop("k", ctx.node().outputShape().channels()).close(b);
    new Loop("c", ctx.node().inputShape().channels()).close(b);
    b.endControlFlow();
  }

  @Override
  public List<MethodSpec> forward(LayerContext ctx) {
    String t = ctx.num().t();
    Shape out = ctx.node().outputShape();
    int plane = out.height() * out.width();
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("$L[] z = this.$L", t, ctx.preBuffer());
    TapLoops.startAtBias(b, ctx, out.channels(), plane, op.bias());
    TapLoops taps = open(b, ctx, "xOff");
    b.addStatement("$L wt = p[wi]", t);
    taps.rows(b, "xc", "z[sr + $L] += wt * x[dr + j]");
    close(b, ctx);
    return List.of(ctx.inputMethod("Forward")
        .addJavadoc("$L: forward, into $L.\n", ctx.header(), ctx.preBuffer())
        .addCode(b.build()).build());
  }

  @Override
  public List<MethodSpec> backwardParams(LayerContext ctx) {
    String t = ctx.num().t();
    Shape out = ctx.node().outputShape();
    int plane = out.height() * out.width();
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("$L[] dz = this.$L", t, ctx.deltaBuffer());
    if (op.bias()) {
      TapLoops.biasGradient(b, ctx, out.channels(), plane);
    }
    TapLoops taps = open(b, ctx, "xOff");
    b.addStatement("$L sum = 0", t);
    taps.rows(b, "xc", "sum += dz[sr + $L] * x[dr + j]");
    b.addStatement("g[wi] += sum");
    close(b, ctx);
    return List.of(ctx.inputMethod("BackwardParams")
        .addJavadoc("$L: adds dL/dweight$L.\n", ctx.header(), op.bias() ? " and dL/dbias" : "")
        .addCode(b.build()).build());
  }

  @Override
  public List<MethodSpec> backwardData(LayerContext ctx) {
    String t = ctx.num().t();
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("$L[] dz = this.$L", t, ctx.deltaBuffer());
    TapLoops taps = open(b, ctx, "0");
    b.addStatement("$L wt = p[wi]", t);
    taps.rows(b, "xc", "dx[dr + j] += wt * dz[sr + $L]");
    close(b, ctx);
    return List.of(ctx.dataMethod()
        .addJavadoc("$L: adds dL/dx, gathering dL/dz from every output the input reached.\n",
            ctx.header())
        .addCode(b.build()).build());
  }
}
