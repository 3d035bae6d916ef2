package dev.lamina.processor.gen;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import java.util.List;

/**
 * A convolution on plain loops, for any stride, dilation and padding: over samples, output
 * channels and input channels; kernels of up to {@value ConvEmitter#UNROLL_LIMIT} taps are
 * unrolled tap by tap, each with its literal output range from {@link Axis}, and the innermost
 * loop always runs along an output row. Larger kernels loop over the taps.
 */
final class PlainConv extends ConvStrategy {
  PlainConv(ConvPlan plan) {
    super(plan);
  }

  @Override
  List<LayerEmitter.Buffer> buffers(LayerContext ctx) {
    return List.of();
  }

  @Override
  List<MethodSpec> forward(LayerContext ctx) {
    String t = ctx.num().t();
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("$L[] p = this.p", t);
    b.addStatement("$L[] z = this.$L", t, ctx.preBuffer());
    openOutputChannels(b, ctx, "xOff + ");
    b.addStatement("$T.fill(z, zk, zk + $L, $L)", ARRAYS, g.ohw(), biasOrZero(ctx));
    channelTaps(b, ctx, "z[zr + j] += w * x[$L]");
    b.endControlFlow();
    b.endControlFlow();
    return List.of(ctx.inputMethod("Forward")
        .addJavadoc("$L: forward, into $L.\n", ctx.header(), ctx.preBuffer())
        .addCode(b.build()).build());
  }

  @Override
  List<MethodSpec> backwardParams(LayerContext ctx) {
    String t = ctx.num().t();
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("$L[] g = this.g", t);
    b.addStatement("$L[] dz = this.$L", t, ctx.deltaBuffer());
    openOutputChannels(b, ctx, "xOff + ");
    if (op.bias()) {
      biasSum(b, ctx, g.ohw());
    }
    Loop c = openInputChannels(b, ctx);
    g.rows().forEachTap(b, "u", g.unroll(), (b1, u) ->
        g.cols().forEachTap(b1, "v", g.unroll(), (b2, v) -> {
          b2.add("{\n").indent();
          b2.addStatement("$L acc = 0", t);
          b2.beginControlFlow("for (int i = $L; i < $L; i++)", u.lo(), u.hi());
          b2.addStatement("int zr = $L", Src.plus("zk", Src.times("i", g.ow())));
          b2.addStatement("int xr = $L",
              Src.plus("xc", Src.scaled("i", op.sh(), u.shift(), g.w())));
          b2.beginControlFlow("for (int j = $L; j < $L; j++)", v.lo(), v.hi());
          b2.addStatement("acc += dz[zr + j] * x[$L]", inputIndex(v));
          b2.endControlFlow();
          b2.endControlFlow();
          b2.addStatement("g[$L] += acc", Src.plus("wb", weightIndex(u, v)));
          b2.unindent().add("}\n");
        }));
    c.close(b);
    b.endControlFlow();
    b.endControlFlow();
    return List.of(ctx.inputMethod("BackwardParams")
        .addJavadoc("$L: adds dL/dweight and dL/dbias to the gradients.\n", ctx.header())
        .addCode(b.build()).build());
  }

  @Override
  List<MethodSpec> backwardData(LayerContext ctx) {
    String t = ctx.num().t();
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("$L[] p = this.p", t);
    b.addStatement("$L[] dz = this.$L", t, ctx.deltaBuffer());
    openOutputChannels(b, ctx, "");
    channelTaps(b, ctx, "dx[$L] += w * dz[zr + j]");
    b.endControlFlow();
    b.endControlFlow();
    return List.of(ctx.dataMethod()
        .addJavadoc("$L: adds dL/dx to dx.\n", ctx.header())
        .addCode(b.build()).build());
  }

  /**
   * Opens the loops over samples and output channels: {@code xs}, {@code zs} and {@code zk} locate
   * sample {@code n}'s input ({@code xBase} before the sample's offset), its output and channel
   * {@code k} of its output.
   */
  private void openOutputChannels(CodeBlock.Builder b, LayerContext ctx, String xBase) {
    b.beginControlFlow("for (int n = 0; n < batch; n++)");
    b.addStatement("int xs = $Ln * $L", xBase, ctx.inSize());
    b.addStatement("int zs = n * $L", ctx.outSize());
    b.beginControlFlow("for (int k = 0; k < $L; k++)", g.k());
    b.addStatement("int zk = zs + k * $L", g.ohw());
  }

  /**
   * The loop over input channels with every kernel tap unrolled around one loop over the output
   * columns the tap reaches (its ranges computed here, so padding needs no branches), shared by the
   * forward pass and the input gradient; {@code update} is the inner statement, with {@code $L}
   * standing for the input index.
   */
  private void channelTaps(CodeBlock.Builder b, LayerContext ctx, String update) {
    String t = ctx.num().t();
    Loop c = openInputChannels(b, ctx);
    g.rows().forEachTap(b, "u", g.unroll(), (b1, u) -> {
      b1.beginControlFlow("for (int i = $L; i < $L; i++)", u.lo(), u.hi());
      b1.addStatement("int zr = $L", Src.plus("zk", Src.times("i", g.ow())));
      b1.addStatement("int xr = $L", Src.plus("xc", Src.scaled("i", op.sh(), u.shift(), g.w())));
      g.cols().forEachTap(b1, "v", g.unroll(), (b2, v) -> {
        b2.add("{\n").indent();
        b2.addStatement("$L w = p[$L]", t, Src.plus("wb", weightIndex(u, v)));
        b2.beginControlFlow("for (int j = $L; j < $L; j++)", v.lo(), v.hi());
        b2.addStatement(update, inputIndex(v));
        b2.endControlFlow();
        b2.unindent().add("}\n");
      });
      b1.endControlFlow();
    });
    c.close(b);
  }

  /**
   * Opens the loop over input channels (none for a single channel): {@code xc} locates channel
   * {@code c} of the sample's input, {@code wb} its kernel for output channel {@code k}.
   */
  private Loop openInputChannels(CodeBlock.Builder b, LayerContext ctx) {
    Loop c = new Loop("c", g.c());
    c.open(b);
    b.addStatement("int xc = $L", Src.plus("xs", c.times(g.hw())));
    b.addStatement("int wb = $L", weightBase(ctx));
    return c;
  }

  /** The tap's index in the kernel of one (output, input) channel pair. */
  private String weightIndex(Axis.Tap u, Axis.Tap v) {
    if (u.literal() && v.literal()) {
      return Integer.toString(u.value() * op.kw() + v.value());
    }
    return Src.times(u.index(), op.kw()) + " + " + v.index();
  }

  /** The input index tap {@code v} reads for output column {@code j} of the row at {@code xr}. */
  private String inputIndex(Axis.Tap v) {
    return Src.plus(Src.plus("xr", v.shift()), Src.times("j", op.sw()));
  }
}
