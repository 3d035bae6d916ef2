package dev.lamina.processor.gen;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import dev.lamina.processor.model.ConvOp;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * The Vector API passes of a {@link PlainConv} convolution the plan gives {@link
 * ConvPlan#columns()} (strided or asymmetrically padded, at least {@value
 * ConvEmitter#CHANNEL_LANES_MIN} output channels): per sample, the input gathered into im2col
 * columns {@code pt[t·OHW + q]} (the input under kernel tap {@code t = (c·kh + u)·kw + v} at output
 * position {@code q}, zero in the padding), so that every pass is a matrix product on the runtime's
 * register-blocked kernels over dense positions:
 *
 * <ul>
 *   <li>forward: {@code zt[q·K + k] = Σ_t pt[t·OHW + q] · W[k, t]} ({@code windowProducts}, the
 *       output channels as lanes);
 *   <li>weight gradient: {@code gt[t·K + k] += Σ_q pt[t·OHW + q] · dz[k, q]} ({@code
 *       outerWindows}, the output channels as lanes);
 *   <li>input gradient: {@code dp[q·T + t] = Σ_k dz[k, q] · W[k, t]} ({@code windowProducts}, the
 *       kernel's taps as lanes), then added back onto the inputs each column was gathered from.
 * </ul>
 *
 * The plain loops stay the path of JDK 17 and of the double variant.
 */
final class ColumnConv {
  private final ConvPlan plan;
  private final ConvOp op;
  private final WindowGeo g;

  ColumnConv(ConvPlan plan) {
    this.plan = plan;
    this.op = plan.op();
    this.g = plan.geo();
  }

  List<LayerEmitter.Buffer> buffers(LayerContext ctx) {
    int taps = plan.row();
    return List.of(
        LayerEmitter.Buffer.scratch(ctx.buffer("Cols"), 1, taps * g.ohw(), "one sample's im2col "
            + "columns, " + taps + " taps by " + g.ohw() + " positions (forward, weight gradient),"
            + " or the columns' dL/d by position (input gradient) (Vector API)"),
        LayerEmitter.Buffer.scratch(ctx.buffer("ByPosition"), 1, g.ohw() * g.k(), "one sample's "
            + "output or dL/dz with the " + g.k() + " channels of each position together "
            + "(Vector API)"),
        LayerEmitter.Buffer.scratch(ctx.buffer("ByTap"), 1, taps * g.k(), "the kernel (forward) "
            + "or dL/dweight over the batch, one row of " + g.k() + " output channels per tap "
            + "(Vector API)"));
  }

  /** {@code if (Kernels.VECTOR) { <name><suffix>(args); return; }} at the top of a pass. */
  static void prologue(CodeBlock.Builder b, LayerContext ctx, String suffix, String args) {
    ctx.vectorFirst(b, v -> v.addStatement("$L$L($L)", ctx.name(), suffix, args));
  }

  /** The forward pass on the columns, and the gather it shares with the weight gradient. */
  List<MethodSpec> forward(LayerContext ctx) {
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("float[] p = this.p");
    b.addStatement("float[] z = this.$L", ctx.preBuffer());
    b.addStatement("float[] pt = this.$L[0]", ctx.buffer("Cols"));
    b.addStatement("float[] zt = this.$L[0]", ctx.buffer("ByPosition"));
    b.addStatement("float[] wt = this.$L[0]", ctx.buffer("ByTap"));
    ConvStrategy.transposeKernel(b, ctx, g.k(), plan.row());
    openSample(b, ctx, true);
    b.addStatement("$LColumns(x, xs, pt)", ctx.name());
    b.addStatement("$T.fill(zt, 0.0f)", ConvStrategy.ARRAYS);
    b.add("// zt[q·$L + k] = Σ_t pt[t·$L + q] · W[k, t]\n", g.k(), g.ohw());
    KernelCalls.call(b, "windowProducts", "zt, 0, wt, 0, " + g.k() + ", pt, 0, " + plan.row()
        + ", " + g.ohw() + ", 1, 1, 0, 0, " + g.oh() + ", " + g.ow() + ", " + g.ow());
    ConvStrategy.writeBack(b, ctx, op.bias(), g.k(), g.ohw());
    b.endControlFlow();
    MethodSpec fwd = ctx.inputMethod("ForwardColumns")
        .addJavadoc("$L: $LForward on the Vector API: per sample, the input gathered into "
            + "im2col columns, then the output positions with the $L channels as lanes, written "
            + "back channel-major with the bias.\n", ctx.header(), ctx.name(), g.k())
        .addCode(b.build()).build();
    return List.of(fwd, gather(ctx));
  }

  /** The weight gradient on the columns. */
  MethodSpec backwardParams(LayerContext ctx) {
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("float[] g = this.g");
    b.addStatement("float[] dz = this.$L", ctx.deltaBuffer());
    b.addStatement("float[] pt = this.$L[0]", ctx.buffer("Cols"));
    b.addStatement("float[] dt = this.$L[0]", ctx.buffer("ByPosition"));
    b.addStatement("float[] gt = this.$L[0]", ctx.buffer("ByTap"));
    b.addStatement("$T.fill(gt, 0.0f)", ConvStrategy.ARRAYS);
    openSample(b, ctx, true);
    b.addStatement("$LColumns(x, xs, pt)", ctx.name());
    b.beginControlFlow("for (int k = 0; k < $L; k++)", g.k());
    b.addStatement("int zk = zs + k * $L", g.ohw());
    if (op.bias()) {
      ConvStrategy.biasSum(b, ctx, g.ohw());
    }
    b.add("// dt[q·$L + k] = dz[k, q]\n", g.k());
    Loop q = new Loop("q", g.ohw());
    q.open(b);
    b.addStatement("dt[$L] = dz[$L]", Src.plus(q.times(g.k()), "k"), Src.plus("zk", q.at()));
    q.close(b);
    b.endControlFlow();
    b.add("// gt[t·$L + k] += Σ_q pt[t·$L + q] · dz[k, q]\n", g.k(), g.ohw());
    KernelCalls.call(b, "outerWindows", "gt, 0, dt, 0, " + g.k() + ", pt, 0, " + plan.row()
        + ", " + g.ohw() + ", 1, 1, 0, 0, " + g.oh() + ", " + g.ow() + ", " + g.ow());
    b.endControlFlow();
    b.beginControlFlow("for (int k = 0; k < $L; k++)", g.k());
    b.addStatement("int gk = $L + k * $L", ctx.offset("weight"), plan.row());
    b.beginControlFlow("for (int t = 0; t < $L; t++)", plan.row());
    b.addStatement("g[gk + t] += gt[t * $L + k]", g.k());
    b.endControlFlow();
    b.endControlFlow();
    return ctx.inputMethod("ParamsColumns")
        .addJavadoc("$L: $LBackwardParams on the Vector API: per sample, the im2col columns "
            + "times dL/dz with the $L output channels as lanes, accumulated tap-major in $L over "
            + "the batch.\n", ctx.header(), ctx.name(), g.k(), ctx.buffer("ByTap"))
        .addCode(b.build()).build();
  }

  /** The input gradient on the columns, and the scatter that adds them back. */
  List<MethodSpec> backwardData(LayerContext ctx) {
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("float[] p = this.p");
    b.addStatement("float[] dz = this.$L", ctx.deltaBuffer());
    b.addStatement("float[] dp = this.$L[0]", ctx.buffer("Cols"));
    openSample(b, ctx, false);
    b.addStatement("$T.fill(dp, 0.0f)", ConvStrategy.ARRAYS);
    b.add("// dp[q·$L + t] = Σ_k dz[k, q] · W[k, t]\n", plan.row());
    KernelCalls.call(b, "windowProducts", "dp, 0, p, " + ctx.offset("weight") + ", " + plan.row()
        + ", dz, zs, " + g.k() + ", " + g.ohw() + ", 1, 1, 0, 0, " + g.oh() + ", " + g.ow()
        + ", " + g.ow());
    b.addStatement("$LUncolumns(dp, dx, xs)", ctx.name());
    b.endControlFlow();
    MethodSpec data = MethodSpec.methodBuilder(ctx.name() + "DataColumns")
        .addModifiers(Modifier.PRIVATE)
        .addParameter(float[].class, "dx").addParameter(int.class, "batch")
        .addJavadoc("$L: $LBackwardData on the Vector API: per sample, dL/d of the im2col "
            + "columns with the $L taps as lanes, added back onto the inputs they were gathered "
            + "from.\n", ctx.header(), ctx.name(), plan.row())
        .addCode(b.build()).build();
    return List.of(data, scatter(ctx));
  }

  private static void openSample(CodeBlock.Builder b, LayerContext ctx, boolean offset) {
    b.beginControlFlow("for (int n = 0; n < batch; n++)");
    b.addStatement("int xs = $L", offset ? "xOff + n * " + ctx.inSize()
        : Src.times("n", ctx.inSize()));
    b.addStatement("int zs = n * $L", ctx.outSize());
  }

  /** {@code <name>Columns(x, xs, pt)}: one sample's im2col columns. */
  private MethodSpec gather(LayerContext ctx) {
    CodeBlock.Builder b = CodeBlock.builder();
    walk(b, (at, col, xi) -> "pt[" + col + "] = " + (at == null ? "x[" + xi + "];"
        : at + " ? x[" + xi + "] : 0.0f;"), "pt", true);
    return MethodSpec.methodBuilder(ctx.name() + "Columns")
        .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
        .addParameter(float[].class, "x").addParameter(int.class, "xs")
        .addParameter(float[].class, "pt")
        .addJavadoc("$L: pt[t·$L + q] = the input under tap t = (c·$L + u)·$L + v at output "
            + "position q, 0 in the padding, from the sample at x[xs..].\n", ctx.name(), g.ohw(),
            op.kh(), op.kw())
        .addCode(b.build()).build();
  }

  /** {@code <name>Uncolumns(dp, dx, xs)}: the columns' dL/d added back onto dx. */
  private MethodSpec scatter(LayerContext ctx) {
    CodeBlock.Builder b = CodeBlock.builder();
    walk(b, (at, col, xi) -> at == null ? "dx[" + xi + "] += dp[" + col + "];"
        : "if (" + at + ") {\n  dx[" + xi + "] += dp[" + col + "];\n}", "dp", false);
    return MethodSpec.methodBuilder(ctx.name() + "Uncolumns")
        .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
        .addParameter(float[].class, "dp").addParameter(float[].class, "dx")
        .addParameter(int.class, "xs")
        .addJavadoc("$L: dx[the input under tap t at output position q] += dp[q·$L + t], for the "
            + "sample at dx[xs..].\n", ctx.name(), plan.row())
        .addCode(b.build()).build();
  }

  /**
   * Whether some tap at some output index along an axis reads outside the input: padding before
   * it, or the last window reaching past its end.
   */
  private static boolean reachesOutside(int out, int stride, int k, int dilation, int pad,
      int in) {
    return pad > 0 || (out - 1) * stride + (k - 1) * dilation - pad >= in;
  }

  /**
   * The statement at one column: {@code inside} whether the tap is inside the input there (null
   * when it always is),
   * {@code index} the column's place in the array, {@code input} the input's.
   */
  private interface At {
    String statement(String inside, String index, String input);
  }

  /**
   * The loops over taps, output rows and output columns shared by the gather and the scatter;
   * rows outside the input are zero-filled ({@code fill}) or skipped. {@code xr + j·sw} is the
   * input under the tap at column {@code j} when {@code inside} holds. The gather's columns are
   * tap-major ({@code t·OHW + q}), the scatter's position-major ({@code q·T + t}).
   */
  private void walk(CodeBlock.Builder b, At at, String array, boolean fill) {
    int taps = plan.row();
    int khw = op.kh() * op.kw();
    Loop t = new Loop("t", taps);
    t.open(b);
    String c = g.c() == 1 ? "0" : khw == 1 ? t.at() : declare(b, t, "c", t.at() + " / " + khw);
    String u = op.kh() == 1 ? "0" : declare(b, t, "u", t.at() + " / " + op.kw() + " % " + op.kh());
    String v = op.kw() == 1 ? "0" : declare(b, t, "v", t.at() + " % " + op.kw());
    String dr = Src.plus(Src.times(u, op.dh()), -op.ph());
    String dc = Src.plus(Src.times(v, op.dw()), -op.pw());
    String xc = Src.plus("xs", Src.times(c, g.hw()));
    Loop i = new Loop("i", g.oh());
    i.open(b);
    String r = declare(b, i, "r", Src.plus(i.times(op.sh()), dr));
    String rowStart = fill ? Src.plus(t.times(g.ohw()), i.times(g.ow())) : null;
    String rowCheck = r + " >= 0 && " + r + " < " + g.h();
    boolean rows = reachesOutside(g.oh(), op.sh(), op.kh(), op.dh(), op.ph(), g.h());
    if (rows && fill) {
      b.beginControlFlow("if (!($L))", rowCheck);
      b.addStatement("$T.fill($L, $L, $L, 0.0f)", ConvStrategy.ARRAYS, array, rowStart,
          Src.plus(rowStart, g.ow()));
      b.nextControlFlow("else");
    } else if (rows) {
      b.beginControlFlow("if ($L)", rowCheck);
    }
    b.addStatement("int xr = $L", Src.plus(Src.plus(xc, Src.times(r, g.w())), dc));
    Loop j = new Loop("j", g.ow());
    j.open(b);
    String col = Src.plus(Src.times(j.at(), op.sw()), dc);
    String inside = reachesOutside(g.ow(), op.sw(), op.kw(), op.dw(), op.pw(), g.w())
        ? col + " >= 0 && " + col + " < " + g.w() : null;
    String index = fill ? Src.plus(rowStart, j.at())
        : Src.plus(Src.product(Src.plus(i.times(g.ow()), j.at()), taps), t.at());
    b.add("$L\n", at.statement(inside, index, Src.plus("xr", j.times(op.sw()))));
    j.close(b);
    if (rows) {
      b.endControlFlow();
    }
    i.close(b);
    t.close(b);
  }

  /** {@code int name = expr} inside {@code loop}; the folded literal without a loop. */
  private static String declare(CodeBlock.Builder b, Loop loop, String name, String expr) {
    if (loop.single()) {
      return expr;
    }
    b.addStatement("int $L = $L", name, expr);
    return name;
  }
}
