package dev.lamina.processor.gen;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * A stride-1 convolution on a {@link Grid}: per sample and input channel, one shifted copy of the
 * plane per kernel tap, then vectorized loops over each output channel's grid. The weight gradient
 * is dot products of dz on the grid with the same shifted copies (from {@value
 * ConvEmitter#LANES_MIN_BATCH} samples on, per-lane partial sums when they fit); the input gradient
 * is the stride-1 correlation of dz with the kernel rotated by 180°, on its own grid when the
 * plan has one, else on plain loops. In the float variant the Vector API kernels read the windows
 * in place instead.
 */
class GridConv extends ConvStrategy {
  final Grid gr;

  GridConv(ConvPlan plan) {
    super(plan);
    this.gr = plan.grid();
  }

  /** The scratch of the forward pass: the padded sample, the shifted taps, the output grids. */
  final List<LayerEmitter.Buffer> forwardBuffers(LayerContext ctx) {
    List<LayerEmitter.Buffer> b = new ArrayList<>();
    if (gr.padded()) {
      b.add(LayerEmitter.Buffer.scratch(ctx.buffer("Pad"), 1, g.c() * gr.paddedPlane(),
          "one sample's input, zero-padded to " + gr.hp() + "x" + gr.wp()));
    }
    b.add(LayerEmitter.Buffer.scratch(ctx.buffer("Shift"), gr.taps(), gr.length(),
        "one input channel shifted by each kernel tap, on the " + gr.wp() + "-wide grid"));
    b.add(LayerEmitter.Buffer.scratch(ctx.buffer("Grid"), g.k(), gr.length(),
        "one sample's output channels on the grid"));
    return b;
  }

  @Override
  List<LayerEmitter.Buffer> buffers(LayerContext ctx) {
    List<LayerEmitter.Buffer> b = forwardBuffers(ctx);
    b.add(LayerEmitter.Buffer.scratch(ctx.buffer("DzGrid"), g.k(), gr.length(),
        "one sample's dL/dz on the grid, zero outside the output"));
    if (plan.lanes()) {
      b.add(LayerEmitter.Buffer.scratch(ctx.buffer("Lanes"), g.k() * g.c() * gr.taps(),
          gr.length(), "per weight, partial sums of dL/dweight per grid position over the batch "
          + "(zero between calls)"));
      if (op.bias()) {
        b.add(LayerEmitter.Buffer.scratch(ctx.buffer("BiasLanes"), g.k(), gr.length(),
            "per output channel, partial sums of dL/dbias per grid position over the batch "
            + "(zero between calls)"));
      }
    }
    Grid d = plan.backGrid();
    if (d != null) {
      if (d.padded()) {
        b.add(LayerEmitter.Buffer.scratch(ctx.buffer("BackPad"), 1, g.k() * d.paddedPlane(),
            "one sample's dL/dz, zero-padded to " + d.hp() + "x" + d.wp()));
      }
      b.add(LayerEmitter.Buffer.scratch(ctx.buffer("BackShift"), d.taps(), d.length(),
          "one dL/dz channel shifted by each kernel tap, on the " + d.wp() + "-wide grid"));
      b.add(LayerEmitter.Buffer.scratch(ctx.buffer("BackGrid"), g.c(), d.length(),
          "one sample's dL/dx channels on the grid"));
    }
    return b;
  }

  @Override
  List<MethodSpec> forward(LayerContext ctx) {
    List<MethodSpec> m = new ArrayList<>();
    m.add(gridForward(ctx));
    for (int size : gr.groupSizes()) {
      m.add(Grid.taps(ctx, size));
    }
    return m;
  }

  /**
   * What the forward method runs first (a patch-row convolution's Vector API branch); returns
   * whether that branch returns whenever the Vector API is in use, so that the rest of the method
   * needs no Vector API branch of its own.
   */
  boolean forwardPrologue(CodeBlock.Builder b, LayerContext ctx) {
    return false;
  }

  private MethodSpec gridForward(LayerContext ctx) {
    String t = ctx.num().t();
    CodeBlock.Builder b = CodeBlock.builder();
    boolean vectorDone = forwardPrologue(b, ctx);
    b.addStatement("$L[] p = $L", t, ctx.forwardParameters());
    b.addStatement("$L[] z = $L", t, ctx.forwardOutput());
    b.addStatement("$L[][] s = this.$L", t, ctx.buffer("Shift"));
    b.addStatement("$L[][] acc = this.$L", t, ctx.buffer("Grid"));
    if (gr.padded()) {
      b.addStatement("$L[] xp = this.$L[0]", t, ctx.buffer("Pad"));
    }
    beginSamples(b, ctx, gr);
    Loop k = new Loop("k", g.k());
    k.open(b);
    b.addStatement("$T.fill(acc[$L], $L)", ARRAYS, k.at(), biasOrZero(ctx, k.at()));
    k.close(b);
    Loop c = new Loop("c", g.c());
    c.open(b);
    b.add(c.single()
        ? "// acc[k] += Σ_t W[k, 0, t] · (input shifted by tap t) for every output channel k\n"
        : "// acc[k] += Σ_t W[k, c, t] · (channel c shifted by tap t) for every output channel "
            + "k\n");
    windows(b, ctx, vectorDone, gr, gr.padded() ? "xp" : "x", planeBase(c), g.k(),
        Src.plus(ctx.offset("weight"), c.times(gr.taps())), g.c() * gr.taps(), 1, () -> {
          Runnable weights = () -> b.addStatement("int wb = $L",
              weightBase(ctx, k.at(), c.at()));
          gr.accumulate(b, ctx, new Grid.Outputs("k", g.k(), weights), "acc[" + k.at() + "]",
              "s", tap -> Src.plus("wb", tap));
        });
    c.close(b);
    k.open(b);
    Loop i = new Loop("i", g.oh());
    i.open(b);
    ctx.copyOut(b, "acc[" + k.at() + "]", i.times(gr.wp()), "z",
        Src.plus(Src.plus("zs", k.times(g.ohw())), i.times(g.ow())), String.valueOf(g.ow()));
    i.close(b);
    k.close(b);
    b.endControlFlow();
    return ctx.inputMethod("Forward")
        .addJavadoc("$L: forward, into $L; per sample and input channel, one shifted copy per "
            + "tap, then $L-tap vectorized loops over each output channel's grid.\n",
            ctx.header(), ctx.preBuffer(), Grid.GROUP)
        .addCode(b.build()).build();
  }

  /** Where input channel {@code c} of the sample starts: in the padded copy, or in x. */
  private String planeBase(Loop c) {
    return gr.padded() ? c.times(gr.paddedPlane()) : Src.plus("xs", c.times(g.hw()));
  }

  /**
   * The stride-1 correlation of one source plane with every tap, added into {@code acc}: on the
   * Vector API the kernel reads each tap's window of the plane in place; otherwise one shifted
   * copy per tap, then the layer's tap loops ({@code plain}); only those when {@code vectorDone}
   * (the method has returned already on the Vector API).
   */
  private void windows(CodeBlock.Builder b, LayerContext ctx, boolean vectorDone, Grid grid,
      String src, String base, int outs, String coefOff, int outStride, int sumStride,
      Runnable plain) {
    Runnable loops = () -> {
      grid.shifts(b, src, base, "s");
      plain.run();
    };
    if (vectorDone) {
      loops.run();
      return;
    }
    kernelOr(b, ctx, "accumulateWindows", "acc, " + outs + ", " + src + ", " + base + ", "
        + op.kh() + ", " + op.kw() + ", " + op.dh() * grid.wp() + ", " + op.dw() + ", p, "
        + coefOff + ", " + outStride + ", " + sumStride + ", " + grid.length(), loops);
  }

  @Override
  List<MethodSpec> backwardParams(LayerContext ctx) {
    List<MethodSpec> m = new ArrayList<>();
    m.add(gridBackwardParams(ctx));
    for (int size : gr.groupSizes()) {
      m.add(Grid.dots(ctx, size));
    }
    if (plan.lanes()) {
      m.add(gridWeightLanes(ctx));
      for (int size : gr.groupSizes()) {
        m.add(Grid.lanes(ctx, size));
      }
      m.add(Grid.laneSums(ctx));
      if (op.bias()) {
        m.add(Grid.addLane(ctx));
      }
    }
    return m;
  }

  private MethodSpec gridBackwardParams(LayerContext ctx) {
    CodeBlock.Builder b = CodeBlock.builder();
    if (plan.lanes()) {
      // the Vector API's dot products beat the lanes at any batch size
      b.beginControlFlow(ctx.num().isFloat() ? "if (!$T.VECTOR && batch >= $L)"
          : "if (batch >= $L)", ctx.num().isFloat()
              ? new Object[] {KERNELS, ConvEmitter.LANES_MIN_BATCH}
              : new Object[] {ConvEmitter.LANES_MIN_BATCH});
      b.addStatement("$LWeightLanes(x, xOff, batch)", ctx.name());
      b.addStatement("return");
      b.endControlFlow();
    }
    gridWeightLoops(b, ctx, false);
    return ctx.inputMethod("BackwardParams")
        .addJavadoc("$L: adds dL/dweight and dL/dbias to the gradients; dL/dweight as dot "
            + "products of dz on the grid (zero outside the output) with the shifted input "
            + "copies of the forward pass$L.\n", ctx.header(), plan.lanes()
                ? " (from " + ConvEmitter.LANES_MIN_BATCH
                    + " samples on, per-lane partial sums instead)" : "")
        .addCode(b.build()).build();
  }

  /**
   * The weight gradient for larger batches: per weight, element-wise partial sums {@code
   * lane[q] += dz[q]·tap[q]} over the grid positions and the batch (a loop C2 vectorizes), then
   * one reduction per weight in a fixed order.
   */
  private MethodSpec gridWeightLanes(LayerContext ctx) {
    CodeBlock.Builder b = CodeBlock.builder();
    gridWeightLoops(b, ctx, true);
    return ctx.inputMethod("WeightLanes")
        .addJavadoc("$L: dL/dweight (and dL/dbias) as per-lane partial sums of dz·tap (and dz) "
            + "on the grid over the batch, reduced once at the end.\n", ctx.header())
        .addCode(b.build()).build();
  }

  private void gridWeightLoops(CodeBlock.Builder b, LayerContext ctx, boolean lanes) {
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
    beginSamples(b, ctx, gr);
    Loop k = new Loop("k", g.k());
    k.open(b);
    String zk = k.start(b, "zk", "zs", g.ohw());
    if (op.bias() && !lanes) {
      biasSum(b, ctx, k.at(), zk, g.ohw());
    }
    b.beginControlFlow("for (int i = 0; i < $L; i++)", g.oh());
    b.addStatement("System.arraycopy(dz, $L, dg[$L], i * $L, $L)",
        Src.plus(zk, Src.times("i", g.ow())), k.at(), gr.wp(), g.ow());
    b.endControlFlow();
    if (op.bias() && lanes) {
      // dz on the grid is zero outside the output: its lanes sum to dL/dbias
      b.addStatement("$LAddLane(dg[$L], bl[$L], $L)", ctx.name(), k.at(), k.at(), gr.length());
    }
    k.close(b);
    Loop c = new Loop("c", g.c());
    c.open(b);
    String src = gr.padded() ? "xp" : "x";
    String base = planeBase(c);
    boolean vector = !lanes && ctx.num().isFloat();
    int taps = plan.taps();
    int full = taps / Grid.GROUP * Grid.GROUP;
    String helper = lanes ? "Lanes" : "Dots";
    // the weight's index relative to WEIGHT, also its lane array's index
    String weightIndex = channelBase(k.at(), c.at());
    String wi = Src.isInt(weightIndex) ? weightIndex : "wi";
    Runnable calls = () -> {
      if (full == Grid.GROUP) {
        b.addStatement("$L$L$L($L)", ctx.name(), helper, Grid.GROUP,
            lanes ? laneArgs(k, wi, "0", Grid.GROUP) : dotArgs(ctx, k, wi, "0", Grid.GROUP));
      } else if (full > 0) {
        b.beginControlFlow("for (int t = 0; t < $L; t += $L)", full, Grid.GROUP);
        b.addStatement("$L$L$L($L)", ctx.name(), helper, Grid.GROUP,
            lanes ? laneArgs(k, wi, "t", Grid.GROUP) : dotArgs(ctx, k, wi, "t", Grid.GROUP));
        b.endControlFlow();
      }
      if (full < taps) {
        String first = Integer.toString(full);
        b.addStatement("$L$L$L($L)", ctx.name(), helper, taps - full,
            lanes ? laneArgs(k, wi, first, taps - full)
                : dotArgs(ctx, k, wi, first, taps - full));
      }
    };
    Runnable loops = () -> {
      gr.shifts(b, src, base, "s");
      k.open(b);
      if (!Src.isInt(weightIndex)) {
        b.addStatement("int wi = $L", weightIndex);
      }
      calls.run();
      k.close(b);
    };
    if (vector) {
      b.beginControlFlow("if ($T.VECTOR)", KERNELS);
      b.add("// dot products of every dz row with every tap's window, read in place (no shifted\n"
          + "// copies), with vector partial sums in registers\n");
      KernelCalls.call(b, "dotsWindows", String.join(", ", "dg", "" + g.k(), src, base,
          "" + op.kh(), "" + op.kw(), "" + op.dh() * gr.wp(), "" + op.dw(), "g",
          Src.plus(ctx.offset("weight"), c.times(taps)), "" + g.c() * taps,
          "" + gr.length()));
      b.nextControlFlow("else");
      loops.run();
      b.endControlFlow();
    } else {
      loops.run();
    }
    c.close(b);
    b.endControlFlow();
    if (lanes) {
      b.addStatement("$LLaneSums(l, g, $L)", ctx.name(), ctx.offset("weight"));
      if (op.bias()) {
        b.addStatement("$LLaneSums(bl, g, $L)", ctx.name(), ctx.offset("bias"));
      }
    }
  }

  /** Output channel {@code k}'s lane call for taps {@code first..first+m}, its weights at wi. */
  private String laneArgs(Loop k, String wi, String first, int m) {
    StringBuilder args = new StringBuilder("dg[" + k.at() + "]");
    for (int t = 0; t < m; t++) {
      args.append(", s[").append(Src.plus(first, t)).append(']');
    }
    for (int t = 0; t < m; t++) {
      args.append(", l[").append(Src.plus(Src.plus(wi, first), t)).append(']');
    }
    return args.append(", ").append(gr.length()).toString();
  }

  /** Output channel {@code k}'s dot call for taps {@code first..first+m}, its weights at wi. */
  private String dotArgs(LayerContext ctx, Loop k, String wi, String first, int m) {
    StringBuilder args = new StringBuilder("dg[" + k.at() + "]");
    for (int t = 0; t < m; t++) {
      args.append(", s[").append(Src.plus(first, t)).append(']');
    }
    return args.append(", g, ").append(Src.plus(Src.plus(ctx.offset("weight"), wi), first))
        .append(", ").append(gr.length()).toString();
  }

  @Override
  List<MethodSpec> backwardData(LayerContext ctx) {
    Grid back = plan.backGrid();
    return back == null ? new PlainConv(plan).backwardData(ctx)
        : List.of(gridBackwardData(ctx, back));
  }

  private MethodSpec gridBackwardData(LayerContext ctx, Grid back) {
    String t = ctx.num().t();
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("$L[] p = this.p", t);
    b.addStatement("$L[] dz = this.$L", t, ctx.deltaBuffer());
    b.addStatement("$L[][] s = this.$L", t, ctx.buffer("BackShift"));
    b.addStatement("$L[][] acc = this.$L", t, ctx.buffer("BackGrid"));
    if (back.padded()) {
      b.addStatement("$L[] dp = this.$L[0]", t, ctx.buffer("BackPad"));
    }
    b.beginControlFlow("for (int n = 0; n < batch; n++)");
    b.addStatement("int xs = n * $L", ctx.inSize());
    b.addStatement("int zs = n * $L", ctx.outSize());
    if (back.padded()) {
      back.pad(b, "dz", "zs", "dp");
    }
    Loop c = new Loop("c", g.c());
    c.open(b);
    b.addStatement("$T.fill(acc[$L], $L)", ARRAYS, c.at(), ctx.num().lit(0));
    c.close(b);
    Loop k = new Loop("k", g.k());
    Grid.Outputs cs = new Grid.Outputs("c", g.c(), null);
    k.open(b);
    // the rotated kernel: tap t of the correlation reads weight W[k, c, taps - 1 - t]
    b.add(cs.count() == 1
        ? "// acc[0] += Σ_t W[k, 0, taps - 1 - t] · (dz channel k shifted by tap t)\n"
        : "// acc[c] += Σ_t W[k, c, taps - 1 - t] · (dz channel k shifted by tap t)\n"
            + "// for every input channel c\n");
    windows(b, ctx, false, back, back.padded() ? "dp" : "dz",
        back.padded() ? k.times(back.paddedPlane()) : Src.plus("zs", k.times(g.ohw())), g.c(),
        Src.plus(Src.plus(ctx.offset("weight"), k.times(g.c() * back.taps())),
            back.taps() - 1), back.taps(), -1, () -> {
          Runnable weights = () -> {
            b.addStatement("int wb = $L", weightBase(ctx, k.at(), cs.at()));
            b.addStatement("int wr = $L", Src.plus("wb", plan.taps() - 1));
          };
          back.accumulate(b, ctx, new Grid.Outputs("c", g.c(), weights), "acc[" + cs.at() + "]",
              "s",
              tap -> Src.isInt(tap) ? Src.plus("wr", -Integer.parseInt(tap))
                  : "wr - " + (tap.contains(" ") ? "(" + tap + ")" : tap));
        });
    k.close(b);
    c.open(b);
    b.addStatement("$L[] a = acc[$L]", t, c.at());
    b.beginControlFlow("for (int i = 0; i < $L; i++)", g.h());
    b.addStatement("int xr = $L", Src.plus(Src.plus("xs", c.times(g.hw())), "i * " + g.w()));
    b.addStatement("int ar = i * $L", back.wp());
    b.beginControlFlow("for (int j = 0; j < $L; j++)", g.w());
    b.addStatement("dx[xr + j] += a[ar + j]");
    b.endControlFlow();
    b.endControlFlow();
    c.close(b);
    b.endControlFlow();
    return ctx.dataMethod()
        .addJavadoc("$L: adds dL/dx to dx, as the stride-1 correlation of dz (padded on the "
            + "grid) with the kernel rotated by 180°.\n", ctx.header())
        .addCode(b.build()).build();
  }
}
