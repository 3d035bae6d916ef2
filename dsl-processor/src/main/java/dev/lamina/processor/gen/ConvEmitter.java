package dev.lamina.processor.gen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import dev.lamina.processor.model.ConvOp;
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
public final class ConvEmitter implements LayerEmitter {
  /** Kernels with at most this many taps (7×7) are unrolled. */
  static final int UNROLL_LIMIT = 49;

  /**
   * Batches of at least this many samples take the weight gradient on per-lane partial sums
   * (reduced once per call); smaller ones keep one dot product per tap and sample.
   */
  static final int LANES_MIN_BATCH = 4;

  /**
   * Smallest patch row ({@code C·kh·kw}) for which the gradients run on transposed im2col rows:
   * shorter rows leave too little work per vectorized loop.
   */
  static final int COLS_MIN_ROW = 64;

  /** The fewest output channels for which {@link #channelLanes} holds. */
  static final int CHANNEL_LANES_MIN = 8;

  private static final ClassName ARRAYS = ClassName.get("java.util", "Arrays");
  private static final ClassName KERNELS = ClassName.get("dev.lamina.runtime.kernel", "Kernels");

  private final ConvOp op;

  public ConvEmitter(ConvOp op) {
    this.op = op;
  }

  @Override
  public boolean hasParameters() {
    return true;
  }

  private WindowGeo geo(LayerContext ctx) {
    return WindowGeo.of(ctx, op);
  }


  /** The stride-1 grid of the forward pass (and weight gradient), or null for plain loops. */
  private Grid forwardGrid(LayerContext ctx) {
    WindowGeo g = geo(ctx);
    if (op.sh() != 1 || op.sw() != 1 || !g.unroll() || !op.symmetric()) {
      return null; // the grid pads both sides of an axis equally
    }
    Grid grid = new Grid(g.c(), g.h(), g.w(), op.ph(), op.pw(), op.kh(), op.kw(), op.dh(),
        op.dw());
    return grid.scratch(g.k()) + (long) g.k() * grid.length() <= Grid.BUDGET ? grid : null;
  }

  /** Whether the weight gradient's per-lane partial sums fit the scratch budget. */
  private boolean lanes(LayerContext ctx, Grid grid) {
    WindowGeo g = geo(ctx);
    return !cols(ctx) && (long) g.k() * g.c() * grid.taps() * grid.length() <= Grid.BUDGET;
  }

  /** The length of one patch row, {@code C·kh·kw}: also the length of one output channel's kernel. */
  private int row(WindowGeo g) {
    return g.c() * op.kh() * op.kw();
  }

  /**
   * Whether both gradients run on <em>patch rows</em> (a transposed im2col): per sample, one
   * separate array per output position holding the {@code C·kh·kw} inputs its window reads, in
   * kernel order. Then {@code dW_k += Σ_q dz[k,q]·row_q} and {@code drow_q = Σ_k dz[k,q]·W_k} are
   * both the vectorized tap loop over a whole kernel, with no partial sums and no padding work.
   */
  private boolean cols(LayerContext ctx) {
    WindowGeo g = geo(ctx);
    long r = row(g);
    return forwardGrid(ctx) != null && r >= COLS_MIN_ROW
        && (g.ohw() + (long) g.k()) * r <= Grid.BUDGET;
  }

  /**
   * Whether, on the Vector API, the forward pass and the weight gradient of a patch-row
   * convolution run with the output channels as vector lanes ({@code Kernels.windowProducts},
   * {@code Kernels.outerWindows}): only output positions are computed and no patch rows are
   * gathered, which pays when the channels fill at least half of a 16-lane vector.
   */
  private boolean channelLanes(LayerContext ctx) {
    return ctx.num().isFloat() && cols(ctx) && geo(ctx).k() >= CHANNEL_LANES_MIN;
  }

  /**
   * The grid of the input gradient: a stride-1 correlation of dz, padded by {@code (k-1)·d - p},
   * with the kernel rotated by 180° and input and output channels swapped; or null.
   */
  private Grid backwardGrid(LayerContext ctx) {
    WindowGeo g = geo(ctx);
    int ph = (op.kh() - 1) * op.dh() - op.ph();
    int pw = (op.kw() - 1) * op.dw() - op.pw();
    if (forwardGrid(ctx) == null || cols(ctx) || ph < 0 || pw < 0) {
      return null;
    }
    Grid grid = new Grid(g.k(), g.oh(), g.ow(), ph, pw, op.kh(), op.kw(), op.dh(), op.dw());
    return grid.scratch(g.c()) <= Grid.BUDGET ? grid : null;
  }

  @Override
  public List<Buffer> buffers(LayerContext ctx) {
    List<Buffer> b = new ArrayList<>();
    WindowGeo g = geo(ctx);
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
      if (cols(ctx)) {
        b.add(Buffer.scratch(ctx.buffer("Cols"), g.ohw(), row(g),
            "one sample's patch rows: per output position, the " + row(g) + " inputs its window "
            + "reads (weight gradient), or their dL/d (input gradient)"));
        b.add(Buffer.scratch(ctx.buffer("Rows"), g.k(), row(g),
            "per output channel, dL/dweight over the batch (weight gradient) or the kernel "
            + "(input gradient)"));
        if (f.padded()) {
          b.add(Buffer.scratch(ctx.buffer("DxPad"), 1, g.c() * f.paddedPlane(),
              "one sample's dL/dx, on the zero-padded " + f.hp() + "x" + f.wp() + " planes"));
        }
        if (channelLanes(ctx)) {
          b.add(Buffer.scratch(ctx.buffer("ByPosition"), 1, g.ohw() * g.k(), "one sample's "
              + "output or dL/dz with the " + g.k() + " channels of each position together "
              + "(Vector API)"));
          b.add(Buffer.scratch(ctx.buffer("ByTap"), 1, row(g) * g.k(), "the kernel (forward) "
              + "or dL/dweight over the batch, one row of " + g.k() + " output channels per tap "
              + "(Vector API)"));
        }
      } else {
        b.add(Buffer.scratch(ctx.buffer("DzGrid"), g.k(), f.length(),
            "one sample's dL/dz on the grid, zero outside the output"));
      }
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

  private String channelBase(WindowGeo g) {
    String kc = g.c() == 1 ? "k" : "(k * " + g.c() + " + c)";
    int taps = op.kh() * op.kw();
    return taps == 1 ? kc.replace("(", "").replace(")", "") : kc + " * " + taps;
  }

  @Override
  public List<MethodSpec> forward(LayerContext ctx) {
    Grid grid = forwardGrid(ctx);
    if (grid != null) {
      List<MethodSpec> m = new ArrayList<>(with(gridForward(ctx, grid), tapHelpers(ctx)));
      if (channelLanes(ctx)) {
        m.add(1, channelLanesForward(ctx, grid));
      }
      return m;
    }
    WindowGeo g = geo(ctx);
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
    if (grid != null && cols(ctx)) {
      return colsBackwardParams(ctx, grid);
    }
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
    WindowGeo g = geo(ctx);
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
      biasSum(b, ctx, g.ohw());
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

  /**
   * {@code g[BIAS + k] += Σ dz[zk .. zk + n)} in a fixed order: in the float variant by {@code
   * Kernels.sum} (vector partial sums on the Vector API), in the double variant with eight partial
   * sums as {@code Kernels.sum}'s plain path (one running sum would wait for each add in turn).
   */
  private static void biasSum(CodeBlock.Builder b, LayerContext ctx, int n) {
    String t = ctx.num().t();
    if (ctx.num().isFloat()) {
      b.addStatement("g[$L + k] += $T.sum(dz, zk, $L)", ctx.offset("bias"), KERNELS, n);
      return;
    }
    b.add("{\n").indent();
    b.addStatement("$L b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0, b6 = 0, b7 = 0", t);
    b.addStatement("int q = zk");
    b.beginControlFlow("for (; q + 7 < zk + $L; q += 8)", n);
    for (int l = 0; l < 8; l++) {
      b.addStatement("b$L += dz[q$L]", l, l == 0 ? "" : " + " + l);
    }
    b.endControlFlow();
    b.beginControlFlow("for (; q < zk + $L; q++)", n);
    b.addStatement("b0 += dz[q]");
    b.endControlFlow();
    b.addStatement("g[$L + k] += ((b0 + b1) + (b2 + b3)) + ((b4 + b5) + (b6 + b7))",
        ctx.offset("bias"));
    b.unindent().add("}\n");
  }

  @Override
  public List<MethodSpec> backwardData(LayerContext ctx) {
    if (cols(ctx)) {
      return colsBackwardData(ctx, forwardGrid(ctx));
    }
    Grid grid = backwardGrid(ctx);
    if (grid != null) {
      return List.of(gridBackwardData(ctx, grid));
    }
    WindowGeo g = geo(ctx);
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
  private void channelTaps(CodeBlock.Builder b, LayerContext ctx, WindowGeo g, String update) {
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

  /**
   * In the float variant, {@code if (Kernels.VECTOR) Kernels.accumulate(args); else {plain}}: the
   * register-blocked Vector API kernel when the JVM offers it (JDK 21+ with the incubating module),
   * else the layer's own loops, which HotSpot compiles per layer and vectorizes on any JDK. The
   * double variant always takes the plain loops.
   */
  private static void kernelOr(CodeBlock.Builder b, LayerContext ctx, String args,
      Runnable plain) {
    kernelOr(b, ctx, "accumulate", args, plain);
  }

  private static void kernelOr(CodeBlock.Builder b, LayerContext ctx, String kernel, String args,
      Runnable plain) {
    if (!ctx.num().isFloat()) {
      plain.run();
      return;
    }
    b.beginControlFlow("if ($T.VECTOR)", KERNELS);
    b.addStatement("$T.$L($L)", KERNELS, kernel, args);
    b.nextControlFlow("else");
    plain.run();
    b.endControlFlow();
  }

  /**
   * The stride-1 correlation of one source plane with every tap, added into {@code acc}: on the
   * Vector API the kernel reads each tap's window of the plane in place; otherwise one shifted
   * copy per tap, then the layer's tap loops ({@code plain}).
   */
  private void windows(CodeBlock.Builder b, LayerContext ctx, Grid gr, String src, String base,
      int outs, String coefOff, int outStride, int sumStride, Runnable plain) {
    kernelOr(b, ctx, "accumulateWindows", "acc, " + outs + ", " + src + ", " + base + ", "
        + op.kh() + ", " + op.kw() + ", " + op.dh() * gr.wp() + ", " + op.dw() + ", p, " + coefOff
        + ", " + outStride + ", " + sumStride + ", " + gr.length(), () -> {
          gr.shifts(b, src, base, "s");
          plain.run();
        });
  }

  // ---------------------------------------------------------------- stride 1: on a grid

  /** {@code WEIGHT + (k·C + c)·taps}. */
  private String weightBase(LayerContext ctx, WindowGeo g) {
    return Src.plus(ctx.offset("weight"), channelBase(g));
  }

  private MethodSpec gridForward(LayerContext ctx, Grid gr) {
    WindowGeo g = geo(ctx);
    String t = ctx.num().t();
    CodeBlock.Builder b = CodeBlock.builder();
    if (channelLanes(ctx)) {
      ctx.vectorFirst(b, v -> v.addStatement("$LForwardVector(x, xOff, batch)", ctx.name()));
    }
    b.addStatement("$L[] p = this.p", t);
    b.addStatement("$L[] z = this.$L", t, ctx.preBuffer());
    b.addStatement("$L[][] s = this.$L", t, ctx.buffer("Shift"));
    b.addStatement("$L[][] acc = this.$L", t, ctx.buffer("Grid"));
    if (gr.padded()) {
      b.addStatement("$L[] xp = this.$L[0]", t, ctx.buffer("Pad"));
    }
    beginSamples(b, ctx, gr);
    b.beginControlFlow("for (int k = 0; k < $L; k++)", g.k());
    b.addStatement("$T.fill(acc[k], $L)", ARRAYS,
        op.bias() ? "p[" + ctx.offset("bias") + " + k]" : ctx.num().lit(0));
    b.endControlFlow();
    b.beginControlFlow("for (int c = 0; c < $L; c++)", g.c());
    b.add("// acc[k] += Σ_t W[k, c, t] · (channel c shifted by tap t) for every output channel k\n");
    windows(b, ctx, gr, gr.padded() ? "xp" : "x",
        gr.padded() ? "c * " + gr.paddedPlane() : "xs + c * " + g.hw(), g.k(),
        Src.plus(ctx.offset("weight"), Src.times("c", gr.taps())), g.c() * gr.taps(), 1, () -> {
          Runnable weights = () -> b.addStatement("int wb = $L", weightBase(ctx, g));
          gr.accumulate(b, ctx, new Grid.Outputs("k", g.k(), weights), "acc[k]", "s",
              tap -> Src.plus("wb", tap));
        });
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
      // the Vector API's dot products beat the lanes at any batch size
      b.beginControlFlow(ctx.num().isFloat() ? "if (!$T.VECTOR && batch >= $L)"
          : "if (batch >= $L)", ctx.num().isFloat() ? new Object[] {KERNELS, LANES_MIN_BATCH}
          : new Object[] {LANES_MIN_BATCH});
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
    WindowGeo g = geo(ctx);
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
    b.beginControlFlow("for (int k = 0; k < $L; k++)", g.k());
    b.addStatement("int zk = zs + k * $L", g.ohw());
    if (op.bias() && !lanes) {
      biasSum(b, ctx, g.ohw());
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
    String src = gr.padded() ? "xp" : "x";
    String base = gr.padded() ? "c * " + gr.paddedPlane() : "xs + c * " + g.hw();
    boolean vector = !lanes && ctx.num().isFloat();
    int taps = op.kh() * op.kw();
    int full = taps / Grid.GROUP * Grid.GROUP;
    String helper = lanes ? "Lanes" : "Dots";
    Runnable calls = () -> {
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
    };
    Runnable loops = () -> {
      gr.shifts(b, src, base, "s");
      b.beginControlFlow("for (int k = 0; k < $L; k++)", g.k());
      // the weight's index relative to WEIGHT, also its lane array's index
      b.addStatement("int wi = $L", channelBase(g));
      calls.run();
      b.endControlFlow();
    };
    if (vector) {
      b.beginControlFlow("if ($T.VECTOR)", KERNELS);
      b.add("// dot products of every dz row with every tap's window, read in place (no shifted "
          + "copies), with vector partial sums in registers\n");
      b.addStatement("$T.dotsWindows(dg, $L, $L, $L, $L, $L, $L, $L, g, $L, $L, $L)", KERNELS,
          g.k(), src, base, op.kh(), op.kw(), op.dh() * gr.wp(), op.dw(),
          Src.plus(ctx.offset("weight"), Src.times("c", taps)), g.c() * taps, gr.length());
      b.nextControlFlow("else");
      loops.run();
      b.endControlFlow();
    } else {
      loops.run();
    }
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
    WindowGeo g = geo(ctx);
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
    // the rotated kernel: tap t of the correlation reads weight W[k, c, taps - 1 - t]
    b.add("// acc[c] += Σ_t W[k, c, taps - 1 - t] · (dz channel k shifted by tap t) for every "
        + "input channel c\n");
    windows(b, ctx, gr, gr.padded() ? "dp" : "dz",
        gr.padded() ? "k * " + gr.paddedPlane() : "zs + k * " + g.ohw(), g.c(),
        Src.plus(Src.plus(ctx.offset("weight"), Src.times("k", g.c() * gr.taps())),
            gr.taps() - 1), gr.taps(), -1, () -> {
          Runnable weights = () -> {
            b.addStatement("int wb = $L", weightBase(ctx, g));
            b.addStatement("int wr = $L", Src.plus("wb", op.kh() * op.kw() - 1));
          };
          gr.accumulate(b, ctx, new Grid.Outputs("c", g.c(), weights), "acc[c]", "s",
              tap -> tap.equals("0") ? "wr" : "wr - " + (Src.isInt(tap) ? tap : "(" + tap + ")"));
        });
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

  // ---------------------------------------------------------------- stride 1: on patch rows

  /** The helpers {@link Grid#tapCalls} needs for {@code count} terms. */
  private static List<MethodSpec> tapHelpers(LayerContext ctx, int count) {
    List<MethodSpec> m = new ArrayList<>();
    if (count >= Grid.GROUP) {
      m.add(Grid.taps(ctx, Grid.GROUP));
    }
    if (count % Grid.GROUP != 0) {
      m.add(Grid.taps(ctx, count % Grid.GROUP));
    }
    return m;
  }

  /**
   * {@code dz[base + t]}, or {@code dz[base + t·stride]}, as a weight of {@link Grid#tapCalls}.
   */
  private static java.util.function.UnaryOperator<String> dzAt(String base, int stride) {
    return t -> "dz[" + (stride == 1 ? Src.plus(base, t)
        : Src.isInt(t) ? Src.plus(base, Integer.parseInt(t) * stride)
        : base + " + " + (t.contains(" ") ? "(" + t + ")" : t) + " * " + stride) + "]";
  }

  /**
   * Opens the loop over the batch: {@code xs} and {@code zs} locate sample {@code n}'s input and
   * output; a padded grid first copies the input into the zero-padded {@code xp}.
   */
  private static void beginSamples(CodeBlock.Builder b, LayerContext ctx, Grid gr) {
    b.beginControlFlow("for (int n = 0; n < batch; n++)");
    b.addStatement("int xs = xOff + n * $L", ctx.inSize());
    b.addStatement("int zs = n * $L", ctx.outSize());
    if (gr.padded()) {
      gr.pad(b, "x", "xs", "xp");
    }
  }

  /** {@code dx += } the interior of the zero-padded planes {@code dp} (one sample at xs). */
  private void addInterior(CodeBlock.Builder b, WindowGeo g, Grid gr) {
    b.beginControlFlow("for (int c = 0; c < $L; c++)", g.c());
    b.beginControlFlow("for (int i = 0; i < $L; i++)", g.h());
    b.addStatement("int xr = xs + c * $L + i * $L", g.hw(), g.w());
    b.addStatement("int pp = $L", Src.plus("c * " + gr.paddedPlane() + " + i * " + gr.wp(),
        op.ph() * gr.wp() + op.pw()));
    b.beginControlFlow("for (int j = 0; j < $L; j++)", g.w());
    b.addStatement("dx[xr + j] += dp[pp + j]");
    b.endControlFlow();
    b.endControlFlow();
    b.endControlFlow();
  }

  /** The distance between two input planes: of the padded copy, or of the input. */
  private static int plane(WindowGeo g, Grid gr) {
    return gr.padded() ? gr.paddedPlane() : g.hw();
  }

  /**
   * The arguments locating every tap's window after {@code src, base}: {@code channels, plane,
   * kh, kw, rowStep, colStep, oh, ow, posRowStep} (see {@code Kernels.outerWindows}).
   */
  private String windowArgs(WindowGeo g, Grid gr) {
    return windowArgs(g, gr, g.c());
  }

  /** {@link #windowArgs(WindowGeo, Grid)} for the first {@code channels} input channels. */
  private String windowArgs(WindowGeo g, Grid gr, int channels) {
    return channels + ", " + plane(g, gr) + ", " + op.kh() + ", " + op.kw() + ", " + op.dh() * gr.wp()
        + ", " + op.dw() + ", " + g.oh() + ", " + g.ow() + ", " + gr.wp();
  }

  /**
   * The forward pass on the Vector API: the kernel transposed once per call (tap-major), then per
   * sample {@code Kernels.windowProducts} over the output positions only, with the output
   * channels as lanes, and the result written back channel-major with the bias.
   */
  private MethodSpec channelLanesForward(LayerContext ctx, Grid gr) {
    WindowGeo g = geo(ctx);
    int len = row(g);
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("float[] p = this.p");
    b.addStatement("float[] z = this.$L", ctx.preBuffer());
    b.addStatement("float[] zt = this.$L[0]", ctx.buffer("ByPosition"));
    b.addStatement("float[] wt = this.$L[0]", ctx.buffer("ByTap"));
    if (gr.padded()) {
      b.addStatement("float[] xp = this.$L[0]", ctx.buffer("Pad"));
    }
    b.add("// wt[t·$L + k] = W[k, t]\n", g.k());
    b.beginControlFlow("for (int k = 0; k < $L; k++)", g.k());
    b.addStatement("int wk = $L + k * $L", ctx.offset("weight"), len);
    b.beginControlFlow("for (int t = 0; t < $L; t++)", len);
    b.addStatement("wt[t * $L + k] = p[wk + t]", g.k());
    b.endControlFlow();
    b.endControlFlow();
    beginSamples(b, ctx, gr);
    b.addStatement("$T.fill(zt, 0.0f)", ARRAYS);
    b.add("// zt[q·$L + k] = Σ_t (input under tap t at position q) · W[k, t]\n", g.k());
    b.addStatement("$T.windowProducts(zt, 0, wt, 0, $L, $L, $L)", KERNELS, g.k(),
        gr.padded() ? "xp, 0" : "x, xs", windowArgs(g, gr));
    b.beginControlFlow("for (int k = 0; k < $L; k++)", g.k());
    b.addStatement("float bk = $L", op.bias() ? "p[" + ctx.offset("bias") + " + k]" : "0.0f");
    b.addStatement("int zk = zs + k * $L", g.ohw());
    b.beginControlFlow("for (int q = 0; q < $L; q++)", g.ohw());
    b.addStatement("z[zk + q] = zt[q * $L + k] + bk", g.k());
    b.endControlFlow();
    b.endControlFlow();
    b.endControlFlow();
    return ctx.inputMethod("ForwardVector")
        .addJavadoc("$L: $LForward on the Vector API: per sample, the output positions with the "
            + "$L channels as lanes, the input read in place, then written back channel-major "
            + "with the bias.\n", ctx.header(), ctx.name(), g.k())
        .addCode(b.build()).build();
  }

  /**
   * The weight gradient on the Vector API: no patch rows; per sample, dz transposed so that the
   * output channels of a position are adjacent, then {@code Kernels.outerWindows} reads the input
   * windows in place with the channels as vector lanes.
   */
  private MethodSpec colsParamsVector(LayerContext ctx, Grid gr) {
    WindowGeo g = geo(ctx);
    int len = row(g);
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("float[] g = this.g");
    b.addStatement("float[] dz = this.$L", ctx.deltaBuffer());
    b.addStatement("float[] dt = this.$L[0]", ctx.buffer("ByPosition"));
    b.addStatement("float[] gt = this.$L[0]", ctx.buffer("ByTap"));
    if (gr.padded()) {
      b.addStatement("float[] xp = this.$L[0]", ctx.buffer("Pad"));
    }
    b.addStatement("$T.fill(gt, 0.0f)", ARRAYS);
    beginSamples(b, ctx, gr);
    b.beginControlFlow("for (int k = 0; k < $L; k++)", g.k());
    b.addStatement("int zk = zs + k * $L", g.ohw());
    if (op.bias()) {
      biasSum(b, ctx, g.ohw());
    }
    b.add("// dt[q·$L + k] = dz[k, q]\n", g.k());
    b.beginControlFlow("for (int q = 0; q < $L; q++)", g.ohw());
    b.addStatement("dt[q * $L + k] = dz[zk + q]", g.k());
    b.endControlFlow();
    b.endControlFlow();
    b.add("// gt[t·$L + k] += Σ_q (input under tap t at position q) · dz[k, q]\n", g.k());
    b.addStatement("$T.outerWindows(gt, 0, dt, 0, $L, $L, $L)", KERNELS, g.k(),
        gr.padded() ? "xp, 0" : "x, xs", windowArgs(g, gr));
    b.endControlFlow();
    b.beginControlFlow("for (int k = 0; k < $L; k++)", g.k());
    b.addStatement("int gk = $L + k * $L", ctx.offset("weight"), len);
    b.beginControlFlow("for (int t = 0; t < $L; t++)", len);
    b.addStatement("g[gk + t] += gt[t * $L + k]", g.k());
    b.endControlFlow();
    b.endControlFlow();
    return ctx.inputMethod("ParamsVector")
        .addJavadoc("$L: $LBackwardParams on the Vector API: dL/dweight as sums over the output "
            + "positions of (input under each tap) × (dL/dz of the $L channels), the input read "
            + "in place, accumulated tap-major in $L over the batch.\n", ctx.header(), ctx.name(),
            g.k(), ctx.buffer("ByTap"))
        .addCode(b.build()).build();
  }

  /**
   * The input gradient on the Vector API: per sample, {@code Kernels.addWindowProducts} adds
   * every tap's {@code Σ_k W[k, c, t]·dz[k]} straight onto the input planes (dz's rows spread to
   * the planes' row step inside the kernel), with no patch rows.
   */
  private MethodSpec colsDataVector(LayerContext ctx, Grid gr) {
    WindowGeo g = geo(ctx);
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("float[] p = this.p");
    b.addStatement("float[] dz = this.$L", ctx.deltaBuffer());
    if (gr.padded()) {
      b.addStatement("float[] dp = this.$L[0]", ctx.buffer("DxPad"));
    }
    b.beginControlFlow("for (int n = 0; n < batch; n++)");
    b.addStatement("int xs = n * $L", ctx.inSize());
    b.addStatement("int zs = n * $L", ctx.outSize());
    if (gr.padded()) {
      b.addStatement("$T.fill(dp, 0.0f)", ARRAYS);
    }
    b.add("// dx[c, window of tap t at q] += Σ_k W[k, c, t] · dz[k, q] for every c, t and q\n");
    b.addStatement("$T.addWindowProducts($L, $L, dz, zs, $L, p, $L, $L)", KERNELS,
        gr.padded() ? "dp, 0" : "dx, xs", windowArgs(g, gr), g.k(), ctx.offset("weight"),
        row(g));
    if (gr.padded()) {
      addInterior(b, g, gr);
    }
    b.endControlFlow();
    return MethodSpec.methodBuilder(ctx.name() + "DataVector")
        .addModifiers(javax.lang.model.element.Modifier.PRIVATE)
        .addJavadoc("$L: $LBackwardData on the Vector API: per sample, each tap's products of the "
            + "kernel with dL/dz added onto dx in place, several input channels at a time.\n",
            ctx.header(), ctx.name())
        .addParameter(float[].class, "dx").addParameter(int.class, "batch")
        .addCode(b.build()).build();
  }

  /**
   * The patch-row walk shared by the gather (forward input into rows) and the scatter (row
   * gradients back into the input gradient): for output position {@code q = i·ow + j} and tap
   * {@code (c, u, v)}, row element {@code c·kh·kw + u·kw + v} pairs with source index {@code base +
   * c·plane + (i + u·dh)·wp + j + v·dw} of the (padded) planes.
   */
  private MethodSpec patchWalk(LayerContext ctx, Grid gr, String name, String doc,
      String statement) {
    WindowGeo g = geo(ctx);
    Num num = ctx.num();
    int plane = plane(g, gr);
    int taps = op.kh() * op.kw();
    CodeBlock.Builder b = CodeBlock.builder();
    b.beginControlFlow("for (int i = 0; i < $L; i++)", g.oh());
    b.beginControlFlow("for (int j = 0; j < $L; j++)", g.ow());
    b.addStatement("$L[] row = r[$L]", num.t(), Src.plus(Src.times("i", g.ow()), "j"));
    b.addStatement("int xq = $L", Src.plus(Src.plus("base", Src.times("i", gr.wp())), "j"));
    b.beginControlFlow("for (int c = 0; c < $L; c++)", g.c());
    b.beginControlFlow("for (int u = 0; u < $L; u++)", op.kh());
    b.addStatement("int src = xq + c * $L + u * $L", plane, op.dh() * gr.wp());
    b.addStatement("int dst = c * $L + u * $L", taps, op.kw());
    if (op.kw() <= 8) {
      for (int v = 0; v < op.kw(); v++) {
        b.addStatement(statement, Src.plus("src", v * op.dw()), Src.plus("dst", v));
      }
    } else {
      b.beginControlFlow("for (int v = 0; v < $L; v++)", op.kw());
      b.addStatement(statement, Src.plus("src", Src.times("v", op.dw())), "dst + v");
      b.endControlFlow();
    }
    b.endControlFlow();
    b.endControlFlow();
    b.endControlFlow();
    b.endControlFlow();
    return MethodSpec.methodBuilder(ctx.name() + name)
        .addModifiers(javax.lang.model.element.Modifier.PRIVATE,
            javax.lang.model.element.Modifier.STATIC)
        .addJavadoc("$L: $L\n", ctx.name(), doc)
        .addParameter(num.array(), "x").addParameter(int.class, "base")
        .addParameter(com.palantir.javapoet.ArrayTypeName.of(num.array()), "r")
        .addCode(b.build()).build();
  }

  private List<MethodSpec> colsBackwardParams(LayerContext ctx, Grid gr) {
    WindowGeo g = geo(ctx);
    String t = ctx.num().t();
    int len = row(g);
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("$L[] g = this.g", t);
    b.addStatement("$L[] dz = this.$L", t, ctx.deltaBuffer());
    b.addStatement("$L[][] pr = this.$L", t, ctx.buffer("Cols"));
    b.addStatement("$L[][] dw = this.$L", t, ctx.buffer("Rows"));
    if (gr.padded()) {
      b.addStatement("$L[] xp = this.$L[0]", t, ctx.buffer("Pad"));
    }
    if (channelLanes(ctx)) {
      ctx.vectorFirst(b, v -> v.addStatement("$LParamsVector(x, xOff, batch)", ctx.name()));
    }
    b.beginControlFlow("for (int k = 0; k < $L; k++)", g.k());
    b.addStatement("$T.fill(dw[k], $L)", ARRAYS, ctx.num().lit(0));
    b.endControlFlow();
    b.beginControlFlow("for (int n = 0; n < batch; n++)");
    b.addStatement("int xs = xOff + n * $L", ctx.inSize());
    b.addStatement("int zs = n * $L", ctx.outSize());
    if (gr.padded()) {
      gr.pad(b, "x", "xs", "xp");
      b.addStatement("$LGather(xp, 0, pr)", ctx.name());
    } else {
      b.addStatement("$LGather(x, xs, pr)", ctx.name());
    }
    if (op.bias()) {
      b.beginControlFlow("for (int k = 0; k < $L; k++)", g.k());
      b.addStatement("int zk = zs + k * $L", g.ohw());
      biasSum(b, ctx, g.ohw());
      b.endControlFlow();
    }
    b.add("// dW_k += Σ_q dz[k, q] · row_q for every output channel k\n");
    kernelOr(b, ctx, "dw, " + g.k() + ", pr, " + g.ohw() + ", dz, zs, " + g.ohw() + ", 1, " + len,
        () -> {
          Runnable dz = () -> b.addStatement("int zk = zs + k * $L", g.ohw());
          Grid.tapCalls(b, ctx, "t", new Grid.Outputs("k", g.k(), dz), "dw[k]", g.ohw(),
              q -> "pr[" + q + "]", dzAt("zk", 1), len);
        });
    b.endControlFlow();
    b.beginControlFlow("for (int k = 0; k < $L; k++)", g.k());
    b.addStatement("$L[] d = dw[k]", t);
    b.addStatement("int gk = $L + k * $L", ctx.offset("weight"), len);
    b.beginControlFlow("for (int j = 0; j < $L; j++)", len);
    b.addStatement("g[gk + j] += d[j]");
    b.endControlFlow();
    b.endControlFlow();
    List<MethodSpec> m = new ArrayList<>();
    m.add(ctx.inputMethod("BackwardParams")
        .addJavadoc("$L: adds dL/dweight and dL/dbias to the gradients: per sample, the input "
            + "patches as rows (one per output position, $L values each), then dW_k += "
            + "Σ_q dz[k, q] · row_q, $L rows per vectorized loop, summed over the batch in "
            + "$L and added to the gradient once.\n", ctx.header(), len, Grid.GROUP,
            ctx.buffer("Rows"))
        .addCode(b.build()).build());
    if (channelLanes(ctx)) {
      m.add(colsParamsVector(ctx, gr));
    }
    m.add(patchWalk(ctx, gr, "Gather",
        "r[q][c·kh·kw + u·kw + v] = x[the input under tap (c, u, v) of output position q], "
            + "from the planes at x[base..].",
        "row[$2L] = x[$1L]"));
    m.addAll(tapHelpers(ctx, g.ohw()));
    return m;
  }

  private List<MethodSpec> colsBackwardData(LayerContext ctx, Grid gr) {
    WindowGeo g = geo(ctx);
    String t = ctx.num().t();
    int len = row(g);
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("$L[] p = this.p", t);
    b.addStatement("$L[] dz = this.$L", t, ctx.deltaBuffer());
    b.addStatement("$L[][] pr = this.$L", t, ctx.buffer("Cols"));
    b.addStatement("$L[][] w = this.$L", t, ctx.buffer("Rows"));
    if (gr.padded()) {
      b.addStatement("$L[] dp = this.$L[0]", t, ctx.buffer("DxPad"));
    }
    ctx.vectorFirst(b, v -> v.addStatement("$LDataVector(dx, batch)", ctx.name()));
    b.beginControlFlow("for (int k = 0; k < $L; k++)", g.k());
    b.addStatement("System.arraycopy(p, $L + k * $L, w[k], 0, $L)", ctx.offset("weight"), len,
        len);
    b.endControlFlow();
    b.beginControlFlow("for (int n = 0; n < batch; n++)");
    b.addStatement("int xs = n * $L", ctx.inSize());
    b.addStatement("int zs = n * $L", ctx.outSize());
    b.beginControlFlow("for (int q = 0; q < $L; q++)", g.ohw());
    b.addStatement("$T.fill(pr[q], $L)", ARRAYS, ctx.num().lit(0));
    b.endControlFlow();
    b.add("// drow_q = Σ_k dz[k, q] · W_k for every output position q\n");
    kernelOr(b, ctx, "pr, " + g.ohw() + ", w, " + g.k() + ", dz, zs, 1, " + g.ohw() + ", " + len,
        () -> {
          Runnable dz = () -> b.addStatement("int zq = zs + q");
          Grid.tapCalls(b, ctx, "t", new Grid.Outputs("q", g.ohw(), dz), "pr[q]", g.k(),
              k -> "w[" + k + "]", dzAt("zq", g.ohw()), len);
        });
    if (gr.padded()) {
      b.addStatement("$T.fill(dp, $L)", ARRAYS, ctx.num().lit(0));
      b.addStatement("$LScatter(dp, 0, pr)", ctx.name());
      addInterior(b, g, gr);
    } else {
      b.addStatement("$LScatter(dx, xs, pr)", ctx.name());
    }
    b.endControlFlow();
    List<MethodSpec> m = new ArrayList<>();
    m.add(ctx.dataMethod()
        .addJavadoc("$L: adds dL/dx to dx: per sample and output position q, the gradient of its "
            + "patch row, Σ_k dz[k, q] · W_k ($L kernels per vectorized loop), then each row "
            + "added back onto the inputs it was gathered from.\n", ctx.header(), Grid.GROUP)
        .addCode(b.build()).build());
    if (ctx.num().isFloat()) {
      m.add(colsDataVector(ctx, gr));
    }
    m.add(patchWalk(ctx, gr, "Scatter",
        "x[the input under tap (c, u, v) of output position q] += r[q][c·kh·kw + u·kw + v], "
            + "into the planes at x[base..].",
        "x[$1L] += row[$2L]"));
    m.addAll(tapHelpers(ctx, g.k()));
    return m;
  }
}
