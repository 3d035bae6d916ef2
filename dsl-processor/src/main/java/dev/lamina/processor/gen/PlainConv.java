package dev.lamina.processor.gen;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import java.util.List;

/**
 * A convolution on plain loops, for any stride, dilation and padding: over samples, output
 * channels and input channels; kernels of up to {@value ConvEmitter#UNROLL_LIMIT} taps are
 * unrolled tap by tap, each with its literal output range from {@link Axis}, and the innermost
 * loop always runs along an output row. Larger kernels loop over the taps. A layer the plan gives
 * {@link ConvPlan#columns()} runs {@link ColumnConv}'s passes instead.
 */
final class PlainConv extends ConvStrategy {
  /** The passes on im2col columns, when the plan says so; else null. */
  private final ColumnConv columns;

  PlainConv(ConvPlan plan) {
    super(plan);
    this.columns = plan.columns() ? new ColumnConv(plan) : null;
  }

  @Override
  List<LayerEmitter.Buffer> buffers(LayerContext ctx) {
    return columns == null ? List.of() : columns.buffers(ctx, true);
  }

  /**
   * The names the loops of one output channel use: its index {@code k}, the start {@code zk} of
   * its output plane and, inside {@link #openInputChannels}, the input channel {@code c} and the
   * start {@code xc} of its plane. With a single channel there is no loop and the index is a
   * literal; the plane is then the sample's, {@code zs} or {@code xs}.
   */
  private record Channels(Loop k, String zk, Loop c, String xc) {}

  @Override
  List<MethodSpec> forward(LayerContext ctx) {
    if (columns != null) {
      return columns.forward(ctx, "Forward");
    }
    String t = ctx.num().t();
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("$L[] p = $L", t, ctx.forwardParameters());
    b.addStatement("$L[] z = $L", t, ctx.forwardOutput());
    Channels ch = openOutputChannels(b, ctx, "xOff");
    b.addStatement("$T.fill(z, $L, $L + $L, $L)", ARRAYS, ch.zk(), ch.zk(), g.ohw(),
        biasOrZero(ctx, ch.k().at()));
    channelTaps(b, ctx, ch, (zi, xi) -> "z[" + zi + "] += w * x[" + xi + "]");
    if (ctx.foldsActivation()) {
      ctx.copyOut(b, "z", ch.zk(), "z", ch.zk(), String.valueOf(g.ohw()));
    }
    ch.k().close(b);
    b.endControlFlow();
    return List.of(ctx.inputMethod("Forward")
        .addJavadoc("$L: forward, into $L.\n", ctx.header(), ctx.preBuffer())
        .addCode(b.build()).build());
  }

  @Override
  List<MethodSpec> backwardParams(LayerContext ctx) {
    if (columns != null) {
      return columns.backwardParams(ctx);
    }
    String t = ctx.num().t();
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("$L[] g = this.g", t);
    b.addStatement("$L[] dz = this.$L", t, ctx.deltaBuffer());
    Channels outer = openOutputChannels(b, ctx, "xOff");
    if (op.bias()) {
      biasSum(b, ctx, outer.k().at(), outer.zk(), g.ohw());
    }
    Channels ch = openInputChannels(b, ctx, outer);
    g.rows().forEachTap(b, "u", g.unroll(), (b1, u) ->
        g.cols().forEachTap(b1, "v", g.unroll(), (b2, v) -> {
          b2.add("{\n").indent();
          b2.addStatement("$L acc = 0", t);
          windowRows(b2, ch, u, v, (zi, xi) -> "acc += dz[" + zi + "] * x[" + xi + "]");
          b2.addStatement("g[$L] += acc", Src.plus("wb", weightIndex(u, v)));
          b2.unindent().add("}\n");
        }));
    ch.c().close(b);
    outer.k().close(b);
    b.endControlFlow();
    return List.of(ctx.inputMethod("BackwardParams")
        .addJavadoc("$L: adds dL/dweight and dL/dbias to the gradients.\n", ctx.header())
        .addCode(b.build()).build());
  }

  @Override
  List<MethodSpec> backwardData(LayerContext ctx) {
    if (columns != null) {
      return columns.backwardData(ctx);
    }
    String t = ctx.num().t();
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("$L[] p = this.p", t);
    b.addStatement("$L[] dz = this.$L", t, ctx.deltaBuffer());
    Channels ch = openOutputChannels(b, ctx, null);
    channelTaps(b, ctx, ch, (zi, xi) -> "dx[" + xi + "] += w * dz[" + zi + "]");
    ch.k().close(b);
    b.endControlFlow();
    return List.of(ctx.dataMethod()
        .addJavadoc("$L: adds dL/dx to dx.\n", ctx.header())
        .addCode(b.build()).build());
  }

  /**
   * Opens the loops over samples and output channels: {@code xs}, {@code zs} and {@code zk} locate
   * sample {@code n}'s input ({@code xBase}, if not null, before the sample's offset), its output
   * and channel {@code k} of its output.
   */
  private Channels openOutputChannels(CodeBlock.Builder b, LayerContext ctx, String xBase) {
    b.beginControlFlow("for (int n = 0; n < batch; n++)");
    String xs = Src.times("n", ctx.inSize());
    b.addStatement("int xs = $L", xBase == null ? xs : Src.plus(xBase, xs));
    b.addStatement("int zs = $L", Src.times("n", ctx.outSize()));
    Loop k = new Loop("k", g.k());
    k.open(b);
    return new Channels(k, k.start(b, "zk", "zs", g.ohw()), null, null);
  }

  /** The statement for one output position and input index: {@code (zi, xi) -> statement}. */
  private interface Update {
    String at(String outputIndex, String inputIndex);
  }

  /**
   * The loop over input channels with every kernel tap unrolled around one loop over the output
   * columns the tap reaches (its ranges computed here, so padding needs no branches), shared by the
   * forward pass and the input gradient; {@code update} is the inner statement.
   */
  private void channelTaps(CodeBlock.Builder b, LayerContext ctx, Channels outer, Update update) {
    String t = ctx.num().t();
    Channels ch = openInputChannels(b, ctx, outer);
    g.rows().forEachTap(b, "u", g.unroll(), (b1, u) -> {
      Loop i = new Loop("i", u.lo(), u.hi());
      i.open(b1);
      String[] row = rowStarts(b1, ch, u, i);
      g.cols().forEachTap(b1, "v", g.unroll(), (b2, v) -> {
        b2.add("{\n").indent();
        b2.addStatement("$L w = p[$L]", t, Src.plus("wb", weightIndex(u, v)));
        columns(b2, row, v, update);
        b2.unindent().add("}\n");
      });
      i.close(b1);
    });
    ch.c().close(b);
  }

  /** The loops over the output rows and columns that tap {@code (u, v)} reaches. */
  private void windowRows(CodeBlock.Builder b, Channels ch, Axis.Tap u, Axis.Tap v,
      Update update) {
    Loop i = new Loop("i", u.lo(), u.hi());
    i.open(b);
    columns(b, rowStarts(b, ch, u, i), v, update);
    i.close(b);
  }

  /**
   * The starts of output row {@code i} and of the input row tap {@code u} reads for it: declared
   * as {@code zr} and {@code xr} inside a loop over rows, folded expressions for a single row.
   */
  private String[] rowStarts(CodeBlock.Builder b, Channels ch, Axis.Tap u, Loop i) {
    if (i.single()) {
      int row = Integer.parseInt(i.at());
      return new String[] {Src.plus(ch.zk(), row * g.ow()),
          Src.plus(ch.xc(), (row * op.sh() + Integer.parseInt(u.shift())) * g.w())};
    }
    b.addStatement("int zr = $L", Src.plus(ch.zk(), Src.times("i", g.ow())));
    b.addStatement("int xr = $L", Src.plus(ch.xc(), Src.scaled("i", op.sh(), u.shift(), g.w())));
    return new String[] {"zr", "xr"};
  }

  /** The loop over the output columns tap {@code v} reaches, from the row starts {@code row}. */
  private void columns(CodeBlock.Builder b, String[] row, Axis.Tap v, Update update) {
    Loop j = new Loop("j", v.lo(), v.hi());
    j.open(b);
    b.addStatement("$L", update.at(Src.plus(row[0], j.at()),
        Src.plus(Src.plus(row[1], v.shift()), j.times(op.sw()))));
    j.close(b);
  }

  /**
   * Opens the loop over input channels (none for a single channel): {@code xc} locates channel
   * {@code c} of the sample's input, {@code wb} its kernel for output channel {@code k}.
   */
  private Channels openInputChannels(CodeBlock.Builder b, LayerContext ctx, Channels outer) {
    Loop c = new Loop("c", g.c());
    c.open(b);
    String xc = c.start(b, "xc", "xs", g.hw());
    b.addStatement("int wb = $L", weightBase(ctx, outer.k().at(), c.at()));
    return new Channels(outer.k(), outer.zk(), c, xc);
  }

  /** The tap's index in the kernel of one (output, input) channel pair. */
  private String weightIndex(Axis.Tap u, Axis.Tap v) {
    if (u.literal() && v.literal()) {
      return Integer.toString(u.value() * op.kw() + v.value());
    }
    return Src.times(u.index(), op.kw()) + " + " + v.index();
  }
}
