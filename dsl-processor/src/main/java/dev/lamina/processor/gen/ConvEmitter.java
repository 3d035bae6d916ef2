package dev.lamina.processor.gen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import dev.lamina.processor.model.Op;
import dev.lamina.processor.model.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * Convolution (cross-correlation, zero padding, stride, dilation, any kernel shape):
 * {@code z[k,i,j] = b[k] + Σ_c Σ_u Σ_v w[k,c,u,v] · x[c, i·sh - ph + u·dh, j·sw - pw + v·dw]}.
 *
 * <p>Loops run over samples, output channels and input channels; kernels of up to {@value
 * #UNROLL_LIMIT} taps are unrolled tap by tap, each with its literal output range from {@link
 * Axis}; the innermost loop always runs along an output row. Larger kernels loop over the taps.
 */
final class ConvEmitter implements LayerEmitter {
  /** Kernels with at most this many taps (7×7) are unrolled. */
  static final int UNROLL_LIMIT = 49;

  /**
   * Batches of at least this many samples take the weight gradient on per-lane partial sums
   * (reduced once per call); smaller ones keep one dot product per tap and sample.
   */
  static final int LANES_MIN_BATCH = 4;

  private static final ClassName ARRAYS = ClassName.get("java.util", "Arrays");

  private final Op.Conv op;

  ConvEmitter(Op.Conv op) {
    this.op = op;
  }

  @Override
  public boolean hasParameters() {
    return true;
  }

  private record Geo(int c, int h, int w, int k, int oh, int ow, Axis rows, Axis cols,
      boolean unroll) {
    int hw() {
      return h * w;
    }

    int ohw() {
      return oh * ow;
    }
  }

  private Geo geo(LayerContext ctx) {
    Shape in = ctx.node().inputShape();
    Shape out = ctx.node().outputShape();
    return new Geo(in.channels(), in.height(), in.width(), out.channels(), out.height(),
        out.width(),
        new Axis(in.height(), out.height(), op.kh(), op.sh(), op.ph(), op.dh()),
        new Axis(in.width(), out.width(), op.kw(), op.sw(), op.pw(), op.dw()),
        op.kh() * op.kw() <= UNROLL_LIMIT);
  }

  /** The stride-1 grid of the forward pass (and weight gradient), or null for plain loops. */
  private Grid forwardGrid(LayerContext ctx) {
    Geo g = geo(ctx);
    if (op.sh() != 1 || op.sw() != 1 || !g.unroll()) {
      return null;
    }
    Grid grid = new Grid(g.c(), g.h(), g.w(), op.ph(), op.pw(), op.kh(), op.kw(), op.dh(),
        op.dw());
    return grid.scratch(g.k()) + (long) g.k() * grid.length() <= Grid.BUDGET ? grid : null;
  }

  /** Whether the weight gradient's per-lane partial sums fit the scratch budget. */
  private boolean lanes(LayerContext ctx, Grid grid) {
    Geo g = geo(ctx);
    return (long) g.k() * g.c() * grid.taps() * grid.length() <= Grid.BUDGET;
  }

  /**
   * The grid of the input gradient: a stride-1 correlation of dz, padded by {@code (k-1)·d - p},
   * with the kernel rotated by 180° and input and output channels swapped; or null.
   */
  private Grid backwardGrid(LayerContext ctx) {
    Geo g = geo(ctx);
    int ph = (op.kh() - 1) * op.dh() - op.ph();
    int pw = (op.kw() - 1) * op.dw() - op.pw();
    if (forwardGrid(ctx) == null || ph < 0 || pw < 0) {
      return null;
    }
    Grid grid = new Grid(g.k(), g.oh(), g.ow(), ph, pw, op.kh(), op.kw(), op.dh(), op.dw());
    return grid.scratch(g.c()) <= Grid.BUDGET ? grid : null;
  }

  @Override
  public List<Buffer> buffers(LayerContext ctx) {
    List<Buffer> b = new ArrayList<>();
    Geo g = geo(ctx);
    Grid f = forwardGrid(ctx);
    if (f != null) {
      if (f.padded()) {
        b.add(Buffer.scratch(ctx.buffer("Pad"), 1, g.c() * f.paddedPlane(),
            "one sample's input, zero-padded to " + f.hp() + "x" + f.wp()));
      }
      b.add(Buffer.scratch(ctx.buffer("Shift"), f.taps(), f.length(),
          "one input channel shifted by each kernel tap, on the " + f.wp() + "-wide grid"));
      b.add(Buffer.scratch(ctx.buffer("Grid"), g.k(), f.length(),
          "one sample's output channels on the grid"));
      b.add(Buffer.scratch(ctx.buffer("DzGrid"), g.k(), f.length(),
          "one sample's dL/dz on the grid, zero outside the output"));
      if (lanes(ctx, f)) {
        b.add(Buffer.scratch(ctx.buffer("Lanes"), g.k() * g.c() * f.taps(), f.length(),
            "per weight, partial sums of dL/dweight per grid position over the batch (zero "
            + "between calls)"));
        if (op.bias()) {
          b.add(Buffer.scratch(ctx.buffer("BiasLanes"), g.k(), f.length(),
              "per output channel, partial sums of dL/dbias per grid position over the batch "
              + "(zero between calls)"));
        }
      }
    }
    Grid d = backwardGrid(ctx);
    if (d != null) {
      if (d.padded()) {
        b.add(Buffer.scratch(ctx.buffer("BackPad"), 1, g.k() * d.paddedPlane(),
            "one sample's dL/dz, zero-padded to " + d.hp() + "x" + d.wp()));
      }
      b.add(Buffer.scratch(ctx.buffer("BackShift"), d.taps(), d.length(),
          "one dL/dz channel shifted by each kernel tap, on the " + d.wp() + "-wide grid"));
      b.add(Buffer.scratch(ctx.buffer("BackGrid"), g.c(), d.length(),
          "one sample's dL/dx channels on the grid"));
    }
    return b;
  }

  private List<MethodSpec> tapHelpers(LayerContext ctx) {
    List<MethodSpec> m = new ArrayList<>();
    Grid f = forwardGrid(ctx);
    if (f != null) {
      for (int size : f.groupSizes()) {
        m.add(Grid.taps(ctx, size));
      }
    }
    return m;
  }

  private List<MethodSpec> with(MethodSpec first, List<MethodSpec> helpers) {
    List<MethodSpec> all = new ArrayList<>();
    all.add(first);
    all.addAll(helpers);
    return all;
  }

  private String weightIndex(Axis.Tap u, Axis.Tap v) {
    if (u.literal() && v.literal()) {
      return Integer.toString(u.value() * op.kw() + v.value());
    }
    return Src.times(u.index(), op.kw()) + " + " + v.index();
  }

  private String inputIndex(Axis.Tap v) {
    return Src.plus(Src.plus("xr", v.shift()), Src.times("j", op.sw()));
  }

  private String channelBase(Geo g) {
    String kc = g.c() == 1 ? "k" : "(k * " + g.c() + " + c)";
    int taps = op.kh() * op.kw();
    return taps == 1 ? kc.replace("(", "").replace(")", "") : kc + " * " + taps;
  }

  @Override
  public List<MethodSpec> forward(LayerContext ctx) {
    Grid grid = forwardGrid(ctx);
    if (grid != null) {
      return with(gridForward(ctx, grid), tapHelpers(ctx));
    }
    Geo g = geo(ctx);
    String t = ctx.num().t();
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("$L[] p = this.p", t);
    b.addStatement("$L[] z = this.$L", t, ctx.preBuffer());
    b.beginControlFlow("for (int n = 0; n < batch; n++)");
    b.addStatement("int xs = xOff + n * $L", ctx.inSize());
    b.addStatement("int zs = n * $L", ctx.outSize());
    b.beginControlFlow("for (int k = 0; k < $L; k++)", g.k());
    b.addStatement("int zk = zs + k * $L", g.ohw());
    b.addStatement("$T.fill(z, zk, zk + $L, $L)", ARRAYS, g.ohw(),
        op.bias() ? "p[" + ctx.offset("bias") + " + k]" : ctx.num().lit(0));
    channelTaps(b, ctx, g, "z[zr + j] += w * x[$L]");
    b.endControlFlow();
    b.endControlFlow();
    return List.of(ctx.inputMethod("Forward")
        .addJavadoc("$L: forward, into $L.\n", ctx.header(), ctx.preBuffer())
        .addCode(b.build()).build());
  }

  @Override
  public List<MethodSpec> backwardParams(LayerContext ctx) {
    Grid grid = forwardGrid(ctx);
    if (grid != null) {
      List<MethodSpec> helpers = new ArrayList<>();
      for (int size : grid.groupSizes()) {
        helpers.add(Grid.dots(ctx, size));
      }
      if (lanes(ctx, grid)) {
        helpers.add(gridWeightLanes(ctx, grid));
        for (int size : grid.groupSizes()) {
          helpers.add(Grid.lanes(ctx, size));
        }
        helpers.add(Grid.laneSums(ctx));
        if (op.bias()) {
          helpers.add(Grid.addLane(ctx));
        }
      }
      return with(gridBackwardParams(ctx, grid), helpers);
    }
    Geo g = geo(ctx);
    String t = ctx.num().t();
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("$L[] g = this.g", t);
    b.addStatement("$L[] dz = this.$L", t, ctx.deltaBuffer());
    b.beginControlFlow("for (int n = 0; n < batch; n++)");
    b.addStatement("int xs = xOff + n * $L", ctx.inSize());
    b.addStatement("int zs = n * $L", ctx.outSize());
    b.beginControlFlow("for (int k = 0; k < $L; k++)", g.k());
    b.addStatement("int zk = zs + k * $L", g.ohw());
    if (op.bias()) {
      b.addStatement("$L bacc = 0", t);
      b.beginControlFlow("for (int q = zk; q < zk + $L; q++)", g.ohw());
      b.addStatement("bacc += dz[q]");
      b.endControlFlow();
      b.addStatement("g[$L + k] += bacc", ctx.offset("bias"));
    }
    b.beginControlFlow("for (int c = 0; c < $L; c++)", g.c());
    b.addStatement("int xc = xs + c * $L", g.hw());
    b.addStatement("int wb = $L + $L", ctx.offset("weight"), channelBase(g));
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
    b.endControlFlow();
    b.endControlFlow();
    b.endControlFlow();
    return List.of(ctx.inputMethod("BackwardParams")
        .addJavadoc("$L: adds dL/dweight and dL/dbias to the gradients.\n", ctx.header())
        .addCode(b.build()).build());
  }

  @Override
  public List<MethodSpec> backwardData(LayerContext ctx) {
    Grid grid = backwardGrid(ctx);
    if (grid != null) {
      return List.of(gridBackwardData(ctx, grid));
    }
    Geo g = geo(ctx);
    String t = ctx.num().t();
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("$L[] p = this.p", t);
    b.addStatement("$L[] dz = this.$L", t, ctx.deltaBuffer());
    b.beginControlFlow("for (int n = 0; n < batch; n++)");
    b.addStatement("int xs = n * $L", ctx.inSize());
    b.addStatement("int zs = n * $L", ctx.outSize());
    b.beginControlFlow("for (int k = 0; k < $L; k++)", g.k());
    b.addStatement("int zk = zs + k * $L", g.ohw());
    channelTaps(b, ctx, g, "dx[$L] += w * dz[zr + j]");
    b.endControlFlow();
    b.endControlFlow();
    return List.of(ctx.dataMethod()
        .addJavadoc("$L: adds dL/dx to dx.\n", ctx.header())
        .addCode(b.build()).build());
  }

  /**
   * The loop over input channels with every kernel tap unrolled around one loop over the output
   * columns the tap reaches (its ranges computed here, so padding needs no branches), shared by the
   * forward pass and the input gradient; {@code update} is the inner statement, with {@code $L}
   * standing for the input index.
   */
  private void channelTaps(CodeBlock.Builder b, LayerContext ctx, Geo g, String update) {
    String t = ctx.num().t();
    b.beginControlFlow("for (int c = 0; c < $L; c++)", g.c());
    b.addStatement("int xc = xs + c * $L", g.hw());
    b.addStatement("int wb = $L + $L", ctx.offset("weight"), channelBase(g));
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
    b.endControlFlow();
  }

  // ---------------------------------------------------------------- stride 1: on a grid

  /** {@code WEIGHT + (k·C + c)·taps}. */
  private String weightBase(LayerContext ctx, Geo g) {
    return Src.plus(ctx.offset("weight"), channelBase(g));
  }

  private MethodSpec gridForward(LayerContext ctx, Grid gr) {
    Geo g = geo(ctx);
    String t = ctx.num().t();
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("$L[] p = this.p", t);
    b.addStatement("$L[] z = this.$L", t, ctx.preBuffer());
    b.addStatement("$L[][] s = this.$L", t, ctx.buffer("Shift"));
    b.addStatement("$L[][] acc = this.$L", t, ctx.buffer("Grid"));
    if (gr.padded()) {
      b.addStatement("$L[] xp = this.$L[0]", t, ctx.buffer("Pad"));
    }
    b.beginControlFlow("for (int n = 0; n < batch; n++)");
    b.addStatement("int xs = xOff + n * $L", ctx.inSize());
    b.addStatement("int zs = n * $L", ctx.outSize());
    if (gr.padded()) {
      gr.pad(b, "x", "xs", "xp");
    }
    b.beginControlFlow("for (int k = 0; k < $L; k++)", g.k());
    b.addStatement("$T.fill(acc[k], $L)", ARRAYS,
        op.bias() ? "p[" + ctx.offset("bias") + " + k]" : ctx.num().lit(0));
    b.endControlFlow();
    b.beginControlFlow("for (int c = 0; c < $L; c++)", g.c());
    gr.shifts(b, gr.padded() ? "xp" : "x",
        gr.padded() ? "c * " + gr.paddedPlane() : "xs + c * " + g.hw(), "s");
    b.beginControlFlow("for (int k = 0; k < $L; k++)", g.k());
    b.addStatement("int wb = $L", weightBase(ctx, g));
    gr.accumulate(b, ctx, "acc[k]", "s", tap -> Src.plus("wb", tap));
    b.endControlFlow();
    b.endControlFlow();
    b.beginControlFlow("for (int k = 0; k < $L; k++)", g.k());
    b.beginControlFlow("for (int i = 0; i < $L; i++)", g.oh());
    b.addStatement("System.arraycopy(acc[k], i * $L, z, zs + k * $L + i * $L, $L)", gr.wp(),
        g.ohw(), g.ow(), g.ow());
    b.endControlFlow();
    b.endControlFlow();
    b.endControlFlow();
    return ctx.inputMethod("Forward")
        .addJavadoc("$L: forward, into $L; per sample and input channel, one shifted copy per "
            + "tap, then $L-tap vectorized loops over each output channel's grid.\n",
            ctx.header(), ctx.preBuffer(), Grid.GROUP)
        .addCode(b.build()).build();
  }

  private MethodSpec gridBackwardParams(LayerContext ctx, Grid gr) {
    CodeBlock.Builder b = CodeBlock.builder();
    if (lanes(ctx, gr)) {
      b.beginControlFlow("if (batch >= $L)", LANES_MIN_BATCH);
      b.addStatement("$LWeightLanes(x, xOff, batch)", ctx.name());
      b.addStatement("return");
      b.endControlFlow();
    }
    gridWeightLoops(b, ctx, gr, false);
    return ctx.inputMethod("BackwardParams")
        .addJavadoc("$L: adds dL/dweight and dL/dbias to the gradients; dL/dweight as dot "
            + "products of dz on the grid (zero outside the output) with the shifted input "
            + "copies of the forward pass$L.\n", ctx.header(), lanes(ctx, gr)
                ? " (from " + LANES_MIN_BATCH + " samples on, per-lane partial sums instead)" : "")
        .addCode(b.build()).build();
  }

  /**
   * The weight gradient for larger batches: per weight, element-wise partial sums {@code
   * lane[q] += dz[q]·tap[q]} over the grid positions and the batch (a loop C2 vectorizes), then
   * one reduction per weight in a fixed order.
   */
  private MethodSpec gridWeightLanes(LayerContext ctx, Grid gr) {
    CodeBlock.Builder b = CodeBlock.builder();
    gridWeightLoops(b, ctx, gr, true);
    return ctx.inputMethod("WeightLanes")
        .addJavadoc("$L: dL/dweight (and dL/dbias) as per-lane partial sums of dz·tap (and dz) "
            + "on the grid over the batch, reduced once at the end.\n", ctx.header())
        .addCode(b.build()).build();
  }

  private void gridWeightLoops(CodeBlock.Builder b, LayerContext ctx, Grid gr, boolean lanes) {
    Geo g = geo(ctx);
    String t = ctx.num().t();
    b.addStatement("$L[] g = this.g", t);
    b.addStatement("$L[] dz = this.$L", t, ctx.deltaBuffer());
    b.addStatement("$L[][] s = this.$L", t, ctx.buffer("Shift"));
    b.addStatement("$L[][] dg = this.$L", t, ctx.buffer("DzGrid"));
    if (lanes) {
      b.addStatement("$L[][] l = this.$L", t, ctx.buffer("Lanes"));
      if (op.bias()) {
        b.addStatement("$L[][] bl = this.$L", t, ctx.buffer("BiasLanes"));
      }
    }
    if (gr.padded()) {
      b.addStatement("$L[] xp = this.$L[0]", t, ctx.buffer("Pad"));
    }
    b.beginControlFlow("for (int n = 0; n < batch; n++)");
    b.addStatement("int xs = xOff + n * $L", ctx.inSize());
    b.addStatement("int zs = n * $L", ctx.outSize());
    if (gr.padded()) {
      gr.pad(b, "x", "xs", "xp");
    }
    b.beginControlFlow("for (int k = 0; k < $L; k++)", g.k());
    b.addStatement("int zk = zs + k * $L", g.ohw());
    if (op.bias() && !lanes) {
      b.addStatement("$L bacc = 0", t);
      b.beginControlFlow("for (int q = zk; q < zk + $L; q++)", g.ohw());
      b.addStatement("bacc += dz[q]");
      b.endControlFlow();
      b.addStatement("g[$L + k] += bacc", ctx.offset("bias"));
    }
    b.beginControlFlow("for (int i = 0; i < $L; i++)", g.oh());
    b.addStatement("System.arraycopy(dz, zk + i * $L, dg[k], i * $L, $L)", g.ow(), gr.wp(),
        g.ow());
    b.endControlFlow();
    if (op.bias() && lanes) {
      // dz on the grid is zero outside the output: its lanes sum to dL/dbias
      b.addStatement("$LAddLane(dg[k], bl[k], $L)", ctx.name(), gr.length());
    }
    b.endControlFlow();
    b.beginControlFlow("for (int c = 0; c < $L; c++)", g.c());
    gr.shifts(b, gr.padded() ? "xp" : "x",
        gr.padded() ? "c * " + gr.paddedPlane() : "xs + c * " + g.hw(), "s");
    b.beginControlFlow("for (int k = 0; k < $L; k++)", g.k());
    // the weight's index relative to WEIGHT, also its lane array's index
    b.addStatement("int wi = $L", channelBase(g));
    int taps = op.kh() * op.kw();
    int full = taps / Grid.GROUP * Grid.GROUP;
    String helper = lanes ? "Lanes" : "Dots";
    if (full > 0) {
      b.beginControlFlow("for (int t = 0; t < $L; t += $L)", full, Grid.GROUP);
      b.addStatement("$L$L$L($L)", ctx.name(), helper, Grid.GROUP,
          lanes ? laneArgs(gr, "t", Grid.GROUP) : dotArgs(ctx, gr, "t", Grid.GROUP));
      b.endControlFlow();
    }
    if (full < taps) {
      String first = Integer.toString(full);
      b.addStatement("$L$L$L($L)", ctx.name(), helper, taps - full,
          lanes ? laneArgs(gr, first, taps - full) : dotArgs(ctx, gr, first, taps - full));
    }
    b.endControlFlow();
    b.endControlFlow();
    b.endControlFlow();
    if (lanes) {
      b.addStatement("$LLaneSums(l, g, $L)", ctx.name(), ctx.offset("weight"));
      if (op.bias()) {
        b.addStatement("$LLaneSums(bl, g, $L)", ctx.name(), ctx.offset("bias"));
      }
    }
  }

  private static String laneArgs(Grid gr, String first, int m) {
    StringBuilder args = new StringBuilder("dg[k]");
    for (int t = 0; t < m; t++) {
      args.append(", s[").append(Src.plus(first, t)).append(']');
    }
    for (int t = 0; t < m; t++) {
      args.append(", l[").append(Src.plus(Src.plus("wi", first), t)).append(']');
    }
    return args.append(", ").append(gr.length()).toString();
  }

  private static String dotArgs(LayerContext ctx, Grid gr, String first, int m) {
    StringBuilder args = new StringBuilder("dg[k]");
    for (int t = 0; t < m; t++) {
      args.append(", s[").append(Src.plus(first, t)).append(']');
    }
    return args.append(", g, ").append(Src.plus(ctx.offset("weight") + " + wi", first))
        .append(", ").append(gr.length()).toString();
  }

  private MethodSpec gridBackwardData(LayerContext ctx, Grid gr) {
    Geo g = geo(ctx);
    String t = ctx.num().t();
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("$L[] p = this.p", t);
    b.addStatement("$L[] dz = this.$L", t, ctx.deltaBuffer());
    b.addStatement("$L[][] s = this.$L", t, ctx.buffer("BackShift"));
    b.addStatement("$L[][] acc = this.$L", t, ctx.buffer("BackGrid"));
    if (gr.padded()) {
      b.addStatement("$L[] dp = this.$L[0]", t, ctx.buffer("BackPad"));
    }
    b.beginControlFlow("for (int n = 0; n < batch; n++)");
    b.addStatement("int xs = n * $L", ctx.inSize());
    b.addStatement("int zs = n * $L", ctx.outSize());
    if (gr.padded()) {
      gr.pad(b, "dz", "zs", "dp");
    }
    b.beginControlFlow("for (int c = 0; c < $L; c++)", g.c());
    b.addStatement("$T.fill(acc[c], $L)", ARRAYS, ctx.num().lit(0));
    b.endControlFlow();
    b.beginControlFlow("for (int k = 0; k < $L; k++)", g.k());
    gr.shifts(b, gr.padded() ? "dp" : "dz",
        gr.padded() ? "k * " + gr.paddedPlane() : "zs + k * " + g.ohw(), "s");
    b.beginControlFlow("for (int c = 0; c < $L; c++)", g.c());
    b.addStatement("int wb = $L", weightBase(ctx, g));
    // the rotated kernel: tap t of the correlation reads weight taps - 1 - t
    b.addStatement("int wr = $L", Src.plus("wb", op.kh() * op.kw() - 1));
    gr.accumulate(b, ctx, "acc[c]", "s", tap -> tap.equals("0") ? "wr"
        : "wr - " + (Src.isInt(tap) ? tap : "(" + tap + ")"));
    b.endControlFlow();
    b.endControlFlow();
    b.beginControlFlow("for (int c = 0; c < $L; c++)", g.c());
    b.addStatement("$L[] a = acc[c]", t);
    b.beginControlFlow("for (int i = 0; i < $L; i++)", g.h());
    b.addStatement("int xr = xs + c * $L + i * $L", g.hw(), g.w());
    b.addStatement("int ar = i * $L", gr.wp());
    b.beginControlFlow("for (int j = 0; j < $L; j++)", g.w());
    b.addStatement("dx[xr + j] += a[ar + j]");
    b.endControlFlow();
    b.endControlFlow();
    b.endControlFlow();
    b.endControlFlow();
    return ctx.dataMethod()
        .addJavadoc("$L: adds dL/dx to dx, as the stride-1 correlation of dz (padded on the "
            + "grid) with the kernel rotated by 180°.\n", ctx.header())
        .addCode(b.build()).build();
  }
}
