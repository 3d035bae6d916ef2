package dev.lamina.processor.gen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import javax.lang.model.element.Modifier;

/**
 * A stride-1 convolution whose kernels have at least {@value ConvEmitter#COLS_MIN_ROW} weights per
 * output channel: the forward pass on the grid (as {@link GridConv}), both gradients on <em>patch
 * rows</em> (a transposed im2col): per sample, one separate array per output position holding the
 * {@code C·kh·kw} inputs its window reads, in kernel order. Then {@code dW_k += Σ_q dz[k,q]·row_q}
 * and {@code drow_q = Σ_k dz[k,q]·W_k} are both the vectorized tap loop over a whole kernel, with
 * no partial sums and no padding work. On the Vector API no patch rows are gathered: the kernels
 * read the input windows in place, with the output channels as lanes when the plan says so.
 */
final class PatchRowConv extends GridConv {
  /**
   * The forward pass on im2col columns without the Vector API, when the plan says so (and the
   * input gradient, when {@link #dataOnColumns()}).
   */
  private final ColumnConv columns;

  PatchRowConv(ConvPlan plan) {
    super(plan);
    this.columns = plan.columns() ? new ColumnConv(plan) : null;
  }

  @Override
  List<LayerEmitter.Buffer> buffers(LayerContext ctx) {
    List<LayerEmitter.Buffer> b = forwardBuffers(ctx);
    int len = plan.row();
    b.add(LayerEmitter.Buffer.scratch(ctx.buffer("Cols"), g.ohw(), len,
        "one sample's patch rows: per output position, the " + len + " inputs its window "
        + "reads (weight gradient), or their dL/d (input gradient)"));
    b.add(LayerEmitter.Buffer.scratch(ctx.buffer("Rows"), g.k(), len,
        "per output channel, dL/dweight over the batch (weight gradient) or the kernel "
        + "(input gradient)"));
    if (gr.padded()) {
      b.add(LayerEmitter.Buffer.scratch(ctx.buffer("DxPad"), 1, g.c() * gr.paddedPlane(),
          "one sample's dL/dx, on the zero-padded " + gr.hp() + "x" + gr.wp() + " planes"));
    }
    if (plan.channelLanes()) {
      b.add(LayerEmitter.Buffer.scratch(ctx.buffer("ByPosition"), 1, g.ohw() * g.k(),
          "one sample's output or dL/dz with the " + g.k() + " channels of each position "
          + "together (Vector API)"));
      b.add(LayerEmitter.Buffer.scratch(ctx.buffer("ByTap"), 1, len * g.k(), "the kernel "
          + "(forward) or dL/dweight over the batch, one row of " + g.k() + " output channels "
          + "per tap (Vector API)"));
    }
    if (columns != null) {
      b.addAll(columns.buffers(ctx, false));
    }
    return b;
  }

  @Override
  List<MethodSpec> forward(LayerContext ctx) {
    if (columns != null) {
      CodeBlock.Builder b = CodeBlock.builder();
      ctx.vectorFirst(b, v -> v.addStatement("$LForwardVector(x, xOff, batch)", ctx.name()));
      b.addStatement("$LForwardColumns(x, xOff, batch)", ctx.name());
      List<MethodSpec> m = new ArrayList<>();
      m.add(ctx.inputMethod("Forward")
          .addJavadoc("$L: forward, into $L: on the Vector API with the output channels as "
              + "lanes, else on im2col columns of groups of samples (C2 vectorizes their "
              + "product better than the grid's, whose rows are a single sample's).\n",
              ctx.header(), ctx.preBuffer())
          .addCode(b.build()).build());
      m.add(channelLanesForward(ctx));
      m.addAll(columns.forward(ctx, "ForwardColumns"));
      return m;
    }
    List<MethodSpec> m = super.forward(ctx);
    if (plan.channelLanes()) {
      m.add(1, channelLanesForward(ctx));
    }
    return m;
  }

  @Override
  boolean forwardPrologue(CodeBlock.Builder b, LayerContext ctx) {
    if (plan.channelLanes()) {
      ctx.vectorFirst(b, v -> v.addStatement("$LForwardVector(x, xOff, batch)", ctx.name()));
    }
    return plan.channelLanes();
  }

  /**
   * The forward pass on the Vector API: the kernel transposed once per call (tap-major), then per
   * sample {@code Kernels.windowProducts} over the output positions only, with the output
   * channels as lanes, and the result written back channel-major with the bias.
   */
  private MethodSpec channelLanesForward(LayerContext ctx) {
    int len = plan.row();
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("float[] p = $L", ctx.forwardParameters());
    b.addStatement("float[] z = $L", ctx.forwardOutput());
    b.addStatement("float[] zt = this.$L[0]", ctx.buffer("ByPosition"));
    b.addStatement("float[] wt = this.$L[0]", ctx.buffer("ByTap"));
    if (gr.padded()) {
      b.addStatement("float[] xp = this.$L[0]", ctx.buffer("Pad"));
    }
    transposeKernel(b, ctx, g.k(), len);
    beginSamples(b, ctx, gr);
    b.addStatement("$T.fill(zt, 0.0f)", ARRAYS);
    b.add("// zt[q·$L + k] = Σ_t (input under tap t at position q) · W[k, t]\n", g.k());
    KernelCalls.call(b, "windowProducts", "zt, 0, wt, 0, " + g.k() + ", "
        + (gr.padded() ? "xp, 0" : "x, xs") + ", " + windowArgs());
    writeBack(b, ctx, op.bias(), g.k(), g.ohw());
    b.endControlFlow();
    return ctx.inputMethod("ForwardVector")
        .addJavadoc("$L: $LForward on the Vector API: per sample, the output positions with the "
            + "$L channels as lanes, the input read in place, then written back channel-major "
            + "with the bias.\n", ctx.header(), ctx.name(), g.k())
        .addCode(b.build()).build();
  }

  @Override
  List<MethodSpec> backwardParams(LayerContext ctx) {
    String t = ctx.num().t();
    int len = plan.row();
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("$L[] g = this.g", t);
    b.addStatement("$L[] dz = this.$L", t, ctx.deltaBuffer());
    b.addStatement("$L[][] pr = this.$L", t, ctx.buffer("Cols"));
    b.addStatement("$L[][] dw = this.$L", t, ctx.buffer("Rows"));
    if (gr.padded()) {
      b.addStatement("$L[] xp = this.$L[0]", t, ctx.buffer("Pad"));
    }
    if (plan.channelLanes()) {
      ctx.vectorFirst(b, v -> v.addStatement("$LParamsVector(x, xOff, batch)", ctx.name()));
    }
    Loop k = new Loop("k", g.k());
    k.open(b);
    b.addStatement("$T.fill(dw[$L], $L)", ARRAYS, k.at(), ctx.num().lit(0));
    k.close(b);
    b.beginControlFlow("for (int n = 0; n < batch; n++)");
    b.addStatement("int xs = xOff + n * $L", ctx.inSize());
    b.addStatement("int zs = n * $L", ctx.outSize());
    if (gr.padded()) {
      gr.pad(b, "x", "xs", "xp");
      b.addStatement("$LGather(xp, 0, pr)", ctx.name());
    } else {
      b.addStatement("$LGather(x, xs, pr)", ctx.name());
    }
    String zk = k.single() ? Src.plus("zs", k.times(g.ohw())) : "zk";
    Runnable dz = () -> k.start(b, "zk", "zs", g.ohw());
    if (op.bias()) {
      k.open(b);
      dz.run();
      biasSum(b, ctx, k.at(), zk, g.ohw());
      k.close(b);
    }
    b.add(k.single() ? "// dW_0 += Σ_q dz[0, q] · row_q\n"
        : "// dW_k += Σ_q dz[k, q] · row_q for every output channel k\n");
    Runnable loops = () -> Grid.tapCalls(b, ctx, "t", new Grid.Outputs("k", g.k(), dz),
        "dw[" + k.at() + "]", g.ohw(), q -> "pr[" + q + "]", dzAt(zk, 1), len);
    if (plan.channelLanes()) {
      loops.run(); // the Vector API returned above
    } else {
      kernelOr(b, ctx, "accumulate",
          "dw, " + g.k() + ", pr, " + g.ohw() + ", dz, zs, " + g.ohw() + ", 1, " + len, loops);
    }
    b.endControlFlow();
    k.open(b);
    b.addStatement("$L[] d = dw[$L]", t, k.at());
    b.addStatement("int gk = $L", Src.plus(ctx.offset("weight"), k.times(len)));
    b.beginControlFlow("for (int j = 0; j < $L; j++)", len);
    b.addStatement("g[gk + j] += d[j]");
    b.endControlFlow();
    k.close(b);
    List<MethodSpec> m = new ArrayList<>();
    m.add(ctx.inputMethod("BackwardParams")
        .addJavadoc("$L: adds dL/dweight and dL/dbias to the gradients: per sample, the input "
            + "patches as rows (one per output position, $L values each), then dW_k += "
            + "Σ_q dz[k, q] · row_q, $L rows per vectorized loop, summed over the batch in "
            + "$L and added to the gradient once.\n", ctx.header(), len, Grid.GROUP,
            ctx.buffer("Rows"))
        .addCode(b.build()).build());
    if (plan.channelLanes()) {
      m.add(paramsVector(ctx));
    }
    m.add(patchWalk(ctx, "Gather",
        "r[q][c·kh·kw + u·kw + v] = x[the input under tap (c, u, v) of output position q], "
            + "from the planes at x[base..].",
        "row[$2L] = x[$1L]"));
    m.addAll(tapHelpers(ctx, g.ohw()));
    return m;
  }

  /**
   * The weight gradient on the Vector API: no patch rows; per sample, dz transposed so that the
   * output channels of a position are adjacent, then {@code Kernels.outerWindows} reads the input
   * windows in place with the channels as vector lanes.
   */
  private MethodSpec paramsVector(LayerContext ctx) {
    int len = plan.row();
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
    Loop q = new Loop("q", g.ohw());
    q.open(b);
    b.addStatement("dt[$L] = dz[$L]", Src.plus(q.times(g.k()), "k"), Src.plus("zk", q.at()));
    q.close(b);
    b.endControlFlow();
    b.add("// gt[t·$L + k] += Σ_q (input under tap t at position q) · dz[k, q]\n", g.k());
    KernelCalls.call(b, "outerWindows", "gt, 0, dt, 0, " + g.k() + ", "
        + (gr.padded() ? "xp, 0" : "x, xs") + ", " + windowArgs());
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
   * Whether the input gradient runs on the forward pass's im2col columns without the Vector API:
   * when a group's rows ({@code samples·OH·OW} positions) are longer than a patch row ({@code
   * C·kh·kw}), the loop C2 vectorizes. SmallResNet on JDK 17 (alternating A/B, loaded machine):
   * 1.25× for its 16-channel 14×14 convolutions (rows of 392 against 144), 0.81× for its
   * 32-channel 7×7 ones (196 against 288), which keep the patch rows.
   */
  private boolean dataOnColumns() {
    return columns != null && columns.positions() > plan.row();
  }

  @Override
  List<MethodSpec> backwardData(LayerContext ctx) {
    if (dataOnColumns()) {
      CodeBlock.Builder b = CodeBlock.builder();
      ctx.vectorFirst(b, v -> v.addStatement("$LDataVector(dx, batch)", ctx.name()));
      b.addStatement("$LDataColumns(dx, batch)", ctx.name());
      List<MethodSpec> m = new ArrayList<>();
      m.add(ctx.dataMethod()
          .addJavadoc("$L: adds dL/dx to dx: on the Vector API each tap's products added onto dx "
              + "in place, else on im2col columns of groups of samples (rows of all their "
              + "positions, longer than one sample's patch rows).\n", ctx.header())
          .addCode(b.build()).build());
      m.add(dataVector(ctx));
      m.addAll(columns.backwardData(ctx, "DataColumns"));
      return m;
    }
    String t = ctx.num().t();
    int len = plan.row();
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
    Loop q = new Loop("q", g.ohw());
    q.open(b);
    b.addStatement("$T.fill(pr[$L], $L)", ARRAYS, q.at(), ctx.num().lit(0));
    q.close(b);
    // the Vector API returned above: the plain loops only
    b.add(q.single() ? "// drow_0 = Σ_k dz[k, 0] · W_k for the output position\n"
        : "// drow_q = Σ_k dz[k, q] · W_k for every output position q\n");
    Runnable dz = () -> {
      if (!q.single()) {
        b.addStatement("int zq = zs + q");
      }
    };
    Grid.tapCalls(b, ctx, "t", new Grid.Outputs("q", g.ohw(), dz), "pr[" + q.at() + "]", g.k(),
        k -> "w[" + k + "]", dzAt(q.single() ? Src.plus("zs", q.at()) : "zq", g.ohw()), len);
    if (gr.padded()) {
      b.addStatement("$T.fill(dp, $L)", ARRAYS, ctx.num().lit(0));
      b.addStatement("$LScatter(dp, 0, pr)", ctx.name());
      addInterior(b);
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
      m.add(dataVector(ctx));
    }
    m.add(patchWalk(ctx, "Scatter",
        "x[the input under tap (c, u, v) of output position q] += r[q][c·kh·kw + u·kw + v], "
            + "into the planes at x[base..].",
        "x[$1L] += row[$2L]"));
    m.addAll(tapHelpers(ctx, g.k()));
    return m;
  }

  /**
   * The input gradient on the Vector API: per sample, {@code Kernels.addWindowProducts} adds
   * every tap's {@code Σ_k W[k, c, t]·dz[k]} straight onto the input planes (dz's rows spread to
   * the planes' row step inside the kernel), with no patch rows.
   */
  private MethodSpec dataVector(LayerContext ctx) {
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
    KernelCalls.call(b, "addWindowProducts", (gr.padded() ? "dp, 0" : "dx, xs") + ", "
        + windowArgs() + ", dz, zs, " + g.k() + ", p, " + ctx.offset("weight") + ", "
        + plan.row());
    if (gr.padded()) {
      addInterior(b);
    }
    b.endControlFlow();
    return MethodSpec.methodBuilder(ctx.name() + "DataVector")
        .addModifiers(Modifier.PRIVATE)
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
  private MethodSpec patchWalk(LayerContext ctx, String name, String doc, String statement) {
    Num num = ctx.num();
    CodeBlock.Builder b = CodeBlock.builder();
    Loop i = new Loop("i", g.oh());
    Loop j = new Loop("j", g.ow());
    Loop c = new Loop("c", g.c());
    i.open(b);
    j.open(b);
    b.addStatement("$L[] row = r[$L]", num.t(), Src.plus(i.times(g.ow()), j.at()));
    String xq = Src.plus(Src.plus("base", i.times(gr.wp())), j.at());
    if (!i.single() || !j.single()) {
      b.addStatement("int xq = $L", xq);
      xq = "xq";
    }
    c.open(b);
    b.beginControlFlow("for (int u = 0; u < $L; u++)", op.kh());
    b.addStatement("int src = $L", Src.plus(Src.plus(xq, c.times(plane())),
        Src.times("u", op.dh() * gr.wp())));
    b.addStatement("int dst = $L", Src.plus(c.times(plan.taps()), Src.times("u", op.kw())));
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
    c.close(b);
    j.close(b);
    i.close(b);
    return MethodSpec.methodBuilder(ctx.name() + name)
        .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
        .addJavadoc("$L: $L\n", ctx.name(), doc)
        .addParameter(num.array(), "x").addParameter(int.class, "base")
        .addParameter(ArrayTypeName.of(num.array()), "r")
        .addCode(b.build()).build();
  }

  /** {@code dx += } the interior of the zero-padded planes {@code dp} (one sample at xs). */
  private void addInterior(CodeBlock.Builder b) {
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
  private int plane() {
    return gr.padded() ? gr.paddedPlane() : g.hw();
  }

  /**
   * The arguments locating every tap's window after {@code src, base}: {@code channels, plane,
   * kh, kw, rowStep, colStep, oh, ow, posRowStep} (see {@code Kernels.outerWindows}).
   */
  private String windowArgs() {
    return g.c() + ", " + plane() + ", " + op.kh() + ", " + op.kw() + ", " + op.dh() * gr.wp()
        + ", " + op.dw() + ", " + g.oh() + ", " + g.ow() + ", " + gr.wp();
  }

  /** The helpers {@link Grid#tapCalls} needs for {@code count} terms. */
  static List<MethodSpec> tapHelpers(LayerContext ctx, int count) {
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
  private static UnaryOperator<String> dzAt(String base, int stride) {
    return t -> "dz[" + (stride == 1 ? Src.plus(base, t)
        : Src.isInt(t) ? Src.plus(base, Integer.parseInt(t) * stride)
        : base + " + " + (t.contains(" ") ? "(" + t + ")" : t) + " * " + stride) + "]";
  }
}
