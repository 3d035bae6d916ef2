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
 * channels), and the forward pass (and, when a group's rows are longer than a patch row, the input
 * gradient) of such a {@link PatchRowConv} without the Vector API: the batch
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
  int positions() {
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
    return backwardData(ctx, ctx.dataMethod());
  }

  /**
   * The input gradient as {@code <name><suffix>(dx, batch)}, the scatter and the loops it runs
   * without the Vector API.
   */
  List<MethodSpec> backwardData(LayerContext ctx, String suffix) {
    return backwardData(ctx, MethodSpec.methodBuilder(ctx.name() + suffix)
        .addModifiers(Modifier.PRIVATE)
        .addParameter(float[].class, "dx").addParameter(int.class, "batch"));
  }

  private List<MethodSpec> backwardData(LayerContext ctx, MethodSpec.Builder method) {
    CodeBlock.Builder b = CodeBlock.builder();
    startGroups(b, ctx, "p = this.p", "dz = this." + ctx.deltaBuffer(), false);
    copyDeltas(b, ctx);
    b.beginControlFlow("for (int t = 0; t < $L; t++)", plan.row());
    b.addStatement("$T.fill(cols[t], 0, len, 0.0f)", ConvStrategy.ARRAYS);
    b.endControlFlow();
    b.add("// cols[t][i] += Σ_k W[k, t] · dz[k][i]\n");
    Grid.Outputs taps = new Grid.Outputs("t", plan.row(), () -> { });
    ConvStrategy.kernelOr(b, ctx, "accumulate", "cols, " + plan.row() + ", out, " + g.k()
        + ", p, " + ctx.offset("weight") + ", 1, " + plan.row() + ", len", () ->
        Grid.tapCalls(b, ctx, "k", taps, "cols[" + taps.at() + "]", g.k(),
            k -> "out[" + k + "]", k -> "p[" + Src.plus(ctx.offset("weight"),
                Src.plus(Src.product(k, plan.row()), taps.at())) + "]", "len"));
    b.beginControlFlow("for (int s = 0; s < m; s++)");
    b.addStatement("$LUncolumns(cols, s * $L, dx, (n0 + s) * $L)", ctx.name(), g.ohw(),
        ctx.inSize());
    b.endControlFlow();
    b.endControlFlow();
    List<MethodSpec> all = new ArrayList<>();
    all.add(method
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
    walk(b, (col, xi) -> col + " = x[" + xi + "];", true, false);
    return MethodSpec.methodBuilder(ctx.name() + "Columns")
        .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
        .addParameter(float[].class, "x").addParameter(int.class, "xs")
        .addParameter(float[][].class, "cols").addParameter(int.class, "at")
        .addJavadoc("$L: cols[t][at + q] = the input under tap t = (c·$L + u)·$L + v at output "
            + "position q, 0 in the padding, from the sample at x[xs..].\n", ctx.name(), op.kh(),
            op.kw())
        .addCode(b.build()).build();
  }

  /** {@code <name>Positions(x, xs, pos)}: one sample's im2col columns, position-major. */
  private MethodSpec positions(LayerContext ctx) {
    CodeBlock.Builder b = CodeBlock.builder();
    walk(b, (col, xi) -> col + " = x[" + xi + "];", true, true);
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
    walk(b, (col, xi) -> "dx[" + xi + "] += " + col + ";", false, false);
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
   * The statement at one column inside the input: {@code column} the column's element, {@code
   * input} the input's index.
   */
  private interface At {
    String statement(String column, String input);
  }

  /**
   * The loops over taps, output rows and output columns shared by the gather and the scatter.
   * Rows outside the input are zero-filled ({@code fill}) or skipped; along a row, the columns
   * {@code j0 <= j < j1} read inside the input (computed once per tap from its column {@code v}),
   * so that no element tests its bounds: the gather copies them (one {@code System.arraycopy} at
   * stride 1) and zeroes the others, the scatter adds them. {@code xr + j·sw} is the input under
   * the tap at column {@code j}; the column is {@code cols[t][at + i·OW + j]}, or {@code
   * pos[i·OW + j][t]} {@code byPosition}.
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
    boolean columns = reachesOutside(g.ow(), op.sw(), op.kw(), op.dw(), op.pw(), g.w());
    Loop inside = columns ? insideColumns(b, v) : new Loop("j", g.ow());
    Loop i = new Loop("i", g.oh());
    i.open(b);
    String r = declare(b, i, "r", Src.plus(i.times(op.sh()), dr));
    String rowStart = byPosition ? i.times(g.ow()) : Src.plus("at", i.times(g.ow()));
    String rowCheck = r + " >= 0 && " + r + " < " + g.h();
    boolean rows = reachesOutside(g.oh(), op.sh(), op.kh(), op.dh(), op.ph(), g.h());
    if (rows && fill) {
      b.beginControlFlow("if (!($L))", rowCheck);
      zeroes(b, new Loop("j", g.ow()), rowStart, row, t.at(), byPosition);
      b.nextControlFlow("else");
    } else if (rows) {
      b.beginControlFlow("if ($L)", rowCheck);
    }
    b.addStatement("int xr = $L", Src.plus(Src.plus(xc, Src.product(r, g.w())), dc));
    if (columns && fill) {
      zeroes(b, new Loop("j", "0", inside.from()), rowStart, row, t.at(), byPosition);
    }
    boolean empty = Src.isInt(inside.from()) && Src.isInt(inside.to())
        && Long.parseLong(inside.from()) >= Long.parseLong(inside.to());
    if (empty) {
      b.add("// no column of this tap reads inside the input\n");
    } else if (fill && !byPosition && op.sw() == 1) {
      String from = inside.from();
      String count = !Src.isInt(from) ? inside.to() + " - " + from : Src.isInt(inside.to())
          ? Long.toString(Long.parseLong(inside.to()) - Long.parseLong(from))
          : Src.plus(inside.to(), -Integer.parseInt(from));
      b.addStatement("$T.arraycopy(x, $L, $L, $L, $L)", System.class, Src.plus("xr", from), row,
          Src.plus(rowStart, from), count);
    } else {
      inside.open(b);
      String element = byPosition ? "pos[" + Src.plus(rowStart, inside.at()) + "][" + t.at() + "]"
          : row + "[" + Src.plus(rowStart, inside.at()) + "]";
      b.add("$L\n", at.statement(element, Src.plus("xr", inside.times(op.sw()))));
      inside.close(b);
    }
    if (columns && fill) {
      zeroes(b, new Loop("j", inside.to(), Integer.toString(g.ow())), rowStart, row, t.at(),
          byPosition);
    }
    if (rows) {
      b.endControlFlow();
    }
    i.close(b);
    t.close(b);
  }

  /**
   * Declares {@code j0} and {@code j1}, the output columns whose tap in kernel column {@code v}
   * (a name or an int literal) reads inside the input, {@code 0 <= j·sw + v·dw - pw < W}, and
   * returns the loop over them; with {@code v} a literal the bounds are literals.
   */
  private Loop insideColumns(CodeBlock.Builder b, String v) {
    int sw = op.sw();
    if (Src.isInt(v)) {
      int a = op.pw() - Integer.parseInt(v) * op.dw();
      int j0 = Math.min(g.ow(), Math.max(0, Math.floorDiv(a + sw - 1, sw)));
      int j1 = Math.max(j0, Math.min(g.ow(), Math.floorDiv(a + g.w() - 1, sw) + 1));
      return new Loop("j", Integer.toString(j0), Integer.toString(j1));
    }
    String vd = Src.times(v, op.dw());
    String first = sw == 1 ? minus(op.pw(), vd)
        : "Math.floorDiv(" + minus(op.pw() + sw - 1, vd) + ", " + sw + ")";
    String last = sw == 1 ? minus(op.pw() + g.w(), vd)
        : "Math.floorDiv(" + minus(op.pw() + g.w() - 1, vd) + ", " + sw + ") + 1";
    b.add("// the columns j0 <= j < j1 read inside the input under this tap, the others padding\n");
    b.addStatement("int j0 = Math.min($L, Math.max(0, $L))", g.ow(), first);
    b.addStatement("int j1 = Math.max(j0, Math.min($L, $L))", g.ow(), last);
    return new Loop("j", "j0", "j1");
  }

  /** {@code k - term}, or {@code -term} for {@code k} 0. */
  private static String minus(int k, String term) {
    return k == 0 ? "-" + term : k + " - " + term;
  }

  /**
   * Zeroes the columns {@code j} of one output row of the gather: a whole row by {@code
   * Arrays.fill}, the few padding columns at either end by a loop; nothing for an empty range.
   */
  private void zeroes(CodeBlock.Builder b, Loop j, String rowStart, String row, String t,
      boolean byPosition) {
    if (Src.isInt(j.from()) && Src.isInt(j.to())
        && Long.parseLong(j.from()) >= Long.parseLong(j.to())) {
      return;
    }
    if (!byPosition && j.from().equals("0") && j.to().equals(Integer.toString(g.ow()))) {
      b.addStatement("$T.fill($L, $L, $L, 0.0f)", ConvStrategy.ARRAYS, row, rowStart,
          Src.plus(rowStart, g.ow()));
      return;
    }
    j.open(b);
    String at = Src.plus(rowStart, j.at());
    b.addStatement("$L = 0.0f", byPosition ? "pos[" + at + "][" + t + "]" : row + "[" + at + "]");
    j.close(b);
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
