package dev.lamina.processor.gen;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import dev.lamina.processor.model.ConvOp;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * The float passes of a {@link PlainConv} convolution the plan gives {@link ConvPlan#columns()}
 * (strided or asymmetrically padded, at least {@value ConvEmitter#CHANNEL_LANES_MIN} output
 * channels), and the forward pass of such a {@link PatchRowConv} without the Vector API: the batch
 * in groups of {@link #samples()} samples, each group's input gathered into im2col rows {@code
 * cols[t][s·P + q]} (the input of sample {@code s} under kernel tap {@code t = (c·kh + u)·kw + v}
 * at output position {@code q} of {@code P}, zero in the padding), so that a pass is one matrix
 * product over rows of the group's {@code S·P} positions:
 *
 * <ul>
 *   <li>forward: {@code out[k][i] = Σ_t W[k, t] · cols[t][i]};
 *   <li>input gradient: {@code dcols[t][i] = Σ_k W[k, t] · dz[k][i]}, then added back onto the
 *       inputs each column was gathered from;
 *   <li>weight gradient, per sample on the columns gathered position-major: {@code gt[k][t] +=
 *       Σ_q dz[k, q] · pos[q][t]}, so that it too runs along rows (dot products along the
 *       positions would be scalar sums on JDK 17).
 * </ul>
 *
 * On the Vector API the products are the runtime's register-blocked {@code accumulate}; otherwise
 * the grid's loops of five rows that C2 vectorizes ({@link Grid#tapCalls}). A group's rows,
 * {@code (T + K)·S·P} floats, fit {@link #GROUP_FLOATS}. The double variant keeps the plain loops.
 */
final class ColumnConv {
  /**
   * The most floats a group's rows (the columns and the output or its gradient) take: 256 KB,
   * within a core's L2 cache.
   */
  static final int GROUP_FLOATS = 1 << 16;

  private final ConvPlan plan;
  private final ConvOp op;
  private final WindowGeo g;

  ColumnConv(ConvPlan plan) {
    this.plan = plan;
    this.op = plan.op();
    this.g = plan.geo();
  }

  /** Samples per group: as many as {@link #GROUP_FLOATS} holds, at least one. */
  int samples() {
    long perSample = (long) (plan.row() + g.k()) * g.ohw();
    return (int) Math.max(1, GROUP_FLOATS / perSample);
  }

  /** Positions per group: the length of every row. */
  private int positions() {
    return samples() * g.ohw();
  }

  /** The buffers of all three passes, or of the forward pass alone. */
  List<LayerEmitter.Buffer> buffers(LayerContext ctx, boolean gradients) {
    int taps = plan.row();
    List<LayerEmitter.Buffer> all = List.of(
        LayerEmitter.Buffer.scratch(ctx.buffer("TapRows"), taps, positions(), "im2col columns of "
            + "up to " + samples() + " samples, one row per tap of " + g.ohw() + " positions a "
            + "sample (forward, weight gradient), or their dL/d (input gradient)"),
        LayerEmitter.Buffer.scratch(ctx.buffer("ChannelRows"), g.k(), positions(), "the output "
            + "(forward) or dL/dz (gradients) of up to " + samples() + " samples, one row per "
            + "output channel"),
        LayerEmitter.Buffer.scratch(ctx.buffer("ByPosition"), g.ohw(), taps, "one sample's "
            + "im2col columns, one row of " + taps + " taps per position (weight gradient)"),
        LayerEmitter.Buffer.scratch(ctx.buffer("ByTap"), g.k(), taps, "dL/dweight over the "
            + "batch, one row per output channel (weight gradient)"));
    return gradients ? all : all.subList(0, 2);
  }

  /**
   * The forward pass as {@code <name><suffix>(x, xOff, batch)}, the gather and the loops it runs
   * without the Vector API.
   */
  List<MethodSpec> forward(LayerContext ctx, String suffix) {
    CodeBlock.Builder b = CodeBlock.builder();
    startGroups(b, ctx, "p = " + ctx.forwardParameters(), "z = " + ctx.forwardOutput(), true);
    b.beginControlFlow("for (int k = 0; k < $L; k++)", g.k());
    b.addStatement("$T.fill(out[k], 0, len, $L)", ConvStrategy.ARRAYS,
        ctx.forwardBias(op.bias() ? "p[" + ctx.offset("bias") + " + k]" : "0.0f", "k"));
    b.endControlFlow();
    b.add("// out[k][i] += Σ_t W[k, t] · cols[t][i]\n");
    ConvStrategy.kernelOr(b, ctx, "accumulate", "out, " + g.k() + ", cols, " + plan.row()
        + ", p, " + ctx.offset("weight") + ", " + plan.row() + ", 1, len", () ->
        Grid.tapCalls(b, ctx, "t", new Grid.Outputs("k", g.k(), () -> { }), "out[k]",
            plan.row(), t -> "cols[" + t + "]",
            t -> "p[" + Src.plus(ctx.offset("weight"), Src.plus(Src.times("k", plan.row()), t))
                + "]",
            "len"));
    b.beginControlFlow("for (int s = 0; s < m; s++)");
    b.addStatement("int zs = (n0 + s) * $L", ctx.outSize());
    b.beginControlFlow("for (int k = 0; k < $L; k++)", g.k());
    ctx.copyOut(b, "out[k]", "s * " + g.ohw(), "z", "zs + k * " + g.ohw(),
        String.valueOf(g.ohw()));
    b.endControlFlow();
    b.endControlFlow();
    b.endControlFlow();
    List<MethodSpec> all = new ArrayList<>();
    all.add(ctx.inputMethod(suffix)
        .addJavadoc("$L: forward, into $L: per group of up to $L samples, the im2col columns "
            + "times the kernel.\n", ctx.header(), ctx.preBuffer(), samples())
        .addCode(b.build()).build());
    all.add(gather(ctx));
    all.addAll(tapLoops(ctx, plan.row()));
    return all;
  }

  /**
   * The weight gradient (and the bias gradient): per sample, on the columns gathered
   * position-major, {@code gt[k][t] += Σ_q dz[k, q] · pos[q][t]}, a product along the taps (dot
   * products along the positions would be scalar sums on JDK 17 and short ones on the Vector
   * API).
   */
  List<MethodSpec> backwardParams(LayerContext ctx) {
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("float[] g = this.g");
    b.addStatement("float[] dz = this.$L", ctx.deltaBuffer());
    b.addStatement("float[][] pos = this.$L", ctx.buffer("ByPosition"));
    b.addStatement("float[][] gt = this.$L", ctx.buffer("ByTap"));
    b.beginControlFlow("for (int k = 0; k < $L; k++)", g.k());
    b.addStatement("$T.fill(gt[k], 0.0f)", ConvStrategy.ARRAYS);
    b.endControlFlow();
    b.beginControlFlow("for (int n = 0; n < batch; n++)");
    b.addStatement("int zs = n * $L", ctx.outSize());
    b.addStatement("$LPositions(x, xOff + n * $L, pos)", ctx.name(), ctx.inSize());
    if (op.bias()) {
      b.beginControlFlow("for (int k = 0; k < $L; k++)", g.k());
      b.addStatement("g[$L + k] += $T.sum(dz, zs + k * $L, $L)", ctx.offset("bias"),
          ConvStrategy.KERNELS, g.ohw(), g.ohw());
      b.endControlFlow();
    }
    b.add("// gt[k][t] += Σ_q dz[k, q] · pos[q][t]\n");
    ConvStrategy.kernelOr(b, ctx, "accumulate", "gt, " + g.k() + ", pos, " + g.ohw()
        + ", dz, zs, " + g.ohw() + ", 1, " + plan.row(), () ->
        Grid.tapCalls(b, ctx, "q", new Grid.Outputs("k", g.k(),
            () -> b.addStatement("int zk = zs + k * $L", g.ohw())), "gt[k]", g.ohw(),
            q -> "pos[" + q + "]", q -> "dz[" + Src.plus("zk", q) + "]",
            Integer.toString(plan.row())));
    b.endControlFlow();
    b.beginControlFlow("for (int k = 0; k < $L; k++)", g.k());
    b.addStatement("int gk = $L + k * $L", ctx.offset("weight"), plan.row());
    b.beginControlFlow("for (int t = 0; t < $L; t++)", plan.row());
    b.addStatement("g[gk + t] += gt[k][t]");
    b.endControlFlow();
    b.endControlFlow();
    List<MethodSpec> all = new ArrayList<>(List.of(ctx.inputMethod("BackwardParams")
        .addJavadoc("$L: adds dL/dweight and dL/dbias to the gradients: per sample, dL/dz times "
            + "the im2col columns, position-major.\n", ctx.header())
        .addCode(b.build()).build(), positions(ctx)));
    all.addAll(tapLoops(ctx, g.ohw()));
    return all;
  }

  /** The input gradient, the scatter that adds it back and the loops it runs without the API. */
  List<MethodSpec> backwardData(LayerContext ctx) {
    CodeBlock.Builder b = CodeBlock.builder();
    startGroups(b, ctx, "p = this.p", "dz = this." + ctx.deltaBuffer(), false);
    copyDeltas(b, ctx);
    b.beginControlFlow("for (int t = 0; t < $L; t++)", plan.row());
    b.addStatement("$T.fill(cols[t], 0, len, 0.0f)", ConvStrategy.ARRAYS);
    b.endControlFlow();
    b.add("// cols[t][i] += Σ_k W[k, t] · dz[k][i]\n");
    ConvStrategy.kernelOr(b, ctx, "accumulate", "cols, " + plan.row() + ", out, " + g.k()
        + ", p, " + ctx.offset("weight") + ", 1, " + plan.row() + ", len", () ->
        Grid.tapCalls(b, ctx, "k", new Grid.Outputs("t", plan.row(), () -> { }), "cols[t]",
            g.k(), k -> "out[" + k + "]",
            k -> "p[" + Src.plus(ctx.offset("weight"), Src.plus(Src.product(k, plan.row()), "t"))
                + "]", "len"));
    b.beginControlFlow("for (int s = 0; s < m; s++)");
    b.addStatement("$LUncolumns(cols, s * $L, dx, (n0 + s) * $L)", ctx.name(), g.ohw(),
        ctx.inSize());
    b.endControlFlow();
    b.endControlFlow();
    List<MethodSpec> all = new ArrayList<>();
    all.add(ctx.dataMethod()
        .addJavadoc("$L: adds dL/dx to dx: per group of up to $L samples, the kernel times "
            + "dL/dz, added back onto the inputs under each column.\n", ctx.header(), samples())
        .addCode(b.build()).build());
    all.add(scatter(ctx));
    all.addAll(tapLoops(ctx, g.k()));
    return all;
  }

  /**
   * Declares the two float arrays {@code first} and {@code second} ({@code name = this.field})
   * and the group's rows {@code cols} and {@code out}, then opens the loop over the groups: from
   * sample {@code n0}, {@code m} samples, {@code len} positions; with {@code gather}, the
   * group's columns first.
   */
  private void startGroups(CodeBlock.Builder b, LayerContext ctx, String first, String second,
      boolean gather) {
    b.addStatement("float[] $L", first);
    b.addStatement("float[] $L", second);
    b.addStatement("float[][] cols = this.$L", ctx.buffer("TapRows"));
    b.addStatement("float[][] out = this.$L", ctx.buffer("ChannelRows"));
    b.beginControlFlow("for (int n0 = 0; n0 < batch; n0 += $L)", samples());
    b.addStatement("int m = Math.min($L, batch - n0)", samples());
    b.addStatement("int len = m * $L", g.ohw());
    if (gather) {
      b.beginControlFlow("for (int s = 0; s < m; s++)");
      b.addStatement("$LColumns(x, xOff + (n0 + s) * $L, cols, s * $L)", ctx.name(),
          ctx.inSize(), g.ohw());
      b.endControlFlow();
    }
  }

  /** {@code out[k][s·P + q] = dz[sample n0 + s, k, q]}. */
  private void copyDeltas(CodeBlock.Builder b, LayerContext ctx) {
    planeCopies(b, ctx, "dz, zs + k * " + g.ohw() + ", out[k], s * " + g.ohw());
  }

  /**
   * For every sample {@code s} of the group and output channel {@code k}, {@code
   * System.arraycopy(<from, to>, P)}; {@code zs} is where the sample's output starts.
   */
  private void planeCopies(CodeBlock.Builder b, LayerContext ctx, String fromTo) {
    b.beginControlFlow("for (int s = 0; s < m; s++)");
    b.addStatement("int zs = (n0 + s) * $L", ctx.outSize());
    b.beginControlFlow("for (int k = 0; k < $L; k++)", g.k());
    b.addStatement("$T.arraycopy($L, $L)", System.class, fromTo, g.ohw());
    b.endControlFlow();
    b.endControlFlow();
  }

  /**
   * The grid's loops over the groups {@code count} rows split into (the workspace writes a
   * method that two passes return once).
   */
  private static List<MethodSpec> tapLoops(LayerContext ctx, int count) {
    List<MethodSpec> all = new ArrayList<>();
    for (int m : groupSizes(count)) {
      all.add(Grid.taps(ctx, m));
    }
    return all;
  }

  /** The sizes of the groups of at most {@value Grid#GROUP} rows that {@code count} splits into. */
  private static List<Integer> groupSizes(int count) {
    List<Integer> sizes = new ArrayList<>();
    if (count >= Grid.GROUP) {
      sizes.add(Grid.GROUP);
    }
    if (count % Grid.GROUP != 0) {
      sizes.add(count % Grid.GROUP);
    }
    return sizes;
  }

  /** {@code <name>Columns(x, xs, cols, at)}: one sample's im2col columns. */
  private MethodSpec gather(LayerContext ctx) {
    CodeBlock.Builder b = CodeBlock.builder();
    walk(b, ColumnConv::gatherAt, true, false);
    return MethodSpec.methodBuilder(ctx.name() + "Columns")
        .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
        .addParameter(float[].class, "x").addParameter(int.class, "xs")
        .addParameter(float[][].class, "cols").addParameter(int.class, "at")
        .addJavadoc("$L: cols[t][at + q] = the input under tap t = (c·$L + u)·$L + v at output "
            + "position q, 0 in the padding, from the sample at x[xs..].\n", ctx.name(), op.kh(),
            op.kw())
        .addCode(b.build()).build();
  }

  private static String gatherAt(String inside, String col, String xi) {
    return col + " = " + (inside == null ? "x[" + xi + "];" : inside + " ? x[" + xi + "] : 0.0f;");
  }

  /** {@code <name>Positions(x, xs, pos)}: one sample's im2col columns, position-major. */
  private MethodSpec positions(LayerContext ctx) {
    CodeBlock.Builder b = CodeBlock.builder();
    walk(b, ColumnConv::gatherAt, true, true);
    return MethodSpec.methodBuilder(ctx.name() + "Positions")
        .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
        .addParameter(float[].class, "x").addParameter(int.class, "xs")
        .addParameter(float[][].class, "pos")
        .addJavadoc("$L: pos[q][t] = the input under tap t = (c·$L + u)·$L + v at output "
            + "position q, 0 in the padding, from the sample at x[xs..].\n", ctx.name(), op.kh(),
            op.kw())
        .addCode(b.build()).build();
  }

  /** {@code <name>Uncolumns(cols, at, dx, xs)}: the columns' dL/d added back onto dx. */
  private MethodSpec scatter(LayerContext ctx) {
    CodeBlock.Builder b = CodeBlock.builder();
    walk(b, (inside, col, xi) -> inside == null ? "dx[" + xi + "] += " + col + ";"
        : "if (" + inside + ") {\n  dx[" + xi + "] += " + col + ";\n}", false, false);
    return MethodSpec.methodBuilder(ctx.name() + "Uncolumns")
        .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
        .addParameter(float[][].class, "cols").addParameter(int.class, "at")
        .addParameter(float[].class, "dx").addParameter(int.class, "xs")
        .addJavadoc("$L: dx[the input under tap t at output position q] += cols[t][at + q], for "
            + "the sample at dx[xs..].\n", ctx.name())
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
   * when it always is), {@code column} the column's element, {@code input} the input's index.
   */
  private interface At {
    String statement(String inside, String column, String input);
  }

  /**
   * The loops over taps, output rows and output columns shared by the gather and the scatter;
   * rows outside the input are zero-filled ({@code fill}) or skipped. {@code xr + j·sw} is the
   * input under the tap at column {@code j} when {@code inside} holds; the column is {@code
   * cols[t][at + i·OW + j]}, or {@code pos[i·OW + j][t]} {@code byPosition}.
   */
  private void walk(CodeBlock.Builder b, At at, boolean fill, boolean byPosition) {
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
    String row = "cols[" + t.at() + "]";
    Loop i = new Loop("i", g.oh());
    i.open(b);
    String r = declare(b, i, "r", Src.plus(i.times(op.sh()), dr));
    String rowStart = byPosition ? i.times(g.ow()) : Src.plus("at", i.times(g.ow()));
    String rowCheck = r + " >= 0 && " + r + " < " + g.h();
    boolean rows = reachesOutside(g.oh(), op.sh(), op.kh(), op.dh(), op.ph(), g.h());
    if (rows && fill) {
      b.beginControlFlow("if (!($L))", rowCheck);
      if (byPosition) {
        Loop j = new Loop("j", g.ow());
        j.open(b);
        b.addStatement("pos[$L][$L] = 0.0f", Src.plus(rowStart, j.at()), t.at());
        j.close(b);
      } else {
        b.addStatement("$T.fill($L, $L, $L, 0.0f)", ConvStrategy.ARRAYS, row, rowStart,
            Src.plus(rowStart, g.ow()));
      }
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
    String element = byPosition ? "pos[" + Src.plus(rowStart, j.at()) + "][" + t.at() + "]"
        : row + "[" + Src.plus(rowStart, j.at()) + "]";
    b.add("$L\n", at.statement(inside, element, Src.plus("xr", j.times(op.sw()))));
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
