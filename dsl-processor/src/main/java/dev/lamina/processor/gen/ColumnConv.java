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
 * channels): the batch in groups of {@link #samples()} samples, each group's input gathered into
 * im2col rows {@code cols[t][s·P + q]} (the input of sample {@code s} under kernel tap {@code t =
 * (c·kh + u)·kw + v} at output position {@code q} of {@code P}, zero in the padding), so that every
 * pass is one matrix product over rows of the group's {@code S·P} positions:
 *
 * <ul>
 *   <li>forward: {@code out[k][i] = Σ_t W[k, t] · cols[t][i]};
 *   <li>weight gradient: {@code dW[k, t] += Σ_i dz[k][i] · cols[t][i]};
 *   <li>input gradient: {@code dcols[t][i] = Σ_k W[k, t] · dz[k][i]}, then added back onto the
 *       inputs each column was gathered from.
 * </ul>
 *
 * On the Vector API the products are the runtime's register-blocked kernels ({@code accumulate},
 * {@code dotsRows}); otherwise the forward pass and the input gradient run the grid's loops of
 * five rows that C2 vectorizes ({@link Grid#tapCalls}) and the weight gradient dot products with
 * one running sum per tap. A group's rows, {@code (T + K)·S·P} floats, fit {@link #GROUP_FLOATS}.
 * The double variant keeps the plain loops.
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

  List<LayerEmitter.Buffer> buffers(LayerContext ctx) {
    int taps = plan.row();
    return List.of(
        LayerEmitter.Buffer.scratch(ctx.buffer("Cols"), taps, positions(), "im2col columns of "
            + "up to " + samples() + " samples, one row per tap of " + g.ohw() + " positions a "
            + "sample (forward, weight gradient), or their dL/d (input gradient)"),
        LayerEmitter.Buffer.scratch(ctx.buffer("Rows"), g.k(), positions(), "the output "
            + "(forward) or dL/dz (gradients) of up to " + samples() + " samples, one row per "
            + "output channel"));
  }

  /** The forward pass, the gather and the loops it runs without the Vector API. */
  List<MethodSpec> forward(LayerContext ctx) {
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("float[] p = this.p");
    b.addStatement("float[] z = this.$L", ctx.preBuffer());
    declareRows(b, ctx);
    openGroup(b);
    gatherGroup(b, ctx, "xOff");
    b.beginControlFlow("for (int k = 0; k < $L; k++)", g.k());
    b.addStatement("$T.fill(out[k], 0, len, $L)", ConvStrategy.ARRAYS,
        op.bias() ? "p[" + ctx.offset("bias") + " + k]" : "0.0f");
    b.endControlFlow();
    b.add("// out[k][i] += Σ_t W[k, t] · cols[t][i]\n");
    ConvStrategy.kernelOr(b, ctx, "accumulate", "out, " + g.k() + ", cols, " + plan.row()
        + ", p, " + ctx.offset("weight") + ", " + plan.row() + ", 1, len", () ->
        Grid.tapCalls(b, ctx, "t", new Grid.Outputs("k", g.k(), () -> { }), "out[k]",
            plan.row(), t -> "cols[" + t + "]",
            t -> "p[" + Src.plus(ctx.offset("weight"), Src.plus(Src.times("k", plan.row()), t))
                + "]",
            "len"));
    planeCopies(b, ctx, "out[k], s * " + g.ohw() + ", z, zs + k * " + g.ohw());
    b.endControlFlow();
    List<MethodSpec> all = new ArrayList<>();
    all.add(ctx.inputMethod("Forward")
        .addJavadoc("$L: forward, into $L: per group of up to $L samples, the im2col columns "
            + "times the kernel.\n", ctx.header(), ctx.preBuffer(), samples())
        .addCode(b.build()).build());
    all.add(gather(ctx));
    for (int m : groupSizes(plan.row())) {
      all.add(Grid.taps(ctx, m));
    }
    return all;
  }

  /** The weight gradient (and the bias gradient). */
  List<MethodSpec> backwardParams(LayerContext ctx) {
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("float[] g = this.g");
    b.addStatement("float[] dz = this.$L", ctx.deltaBuffer());
    declareRows(b, ctx);
    openGroup(b);
    gatherGroup(b, ctx, "xOff");
    copyDeltas(b, ctx);
    if (op.bias()) {
      b.beginControlFlow("for (int k = 0; k < $L; k++)", g.k());
      b.addStatement("g[$L + k] += $T.sum(out[k], 0, len)", ctx.offset("bias"),
          ConvStrategy.KERNELS);
      b.endControlFlow();
    }
    b.add("// dW[k, t] += Σ_i dz[k][i] · cols[t][i]\n");
    ConvStrategy.kernelOr(b, ctx, "dotsRows", "out, " + g.k() + ", cols, " + plan.row()
        + ", g, " + ctx.offset("weight") + ", " + plan.row() + ", len", () -> {
          b.beginControlFlow("for (int k = 0; k < $L; k++)", g.k());
          int full = plan.row() / Grid.GROUP * Grid.GROUP;
          if (full > 0) {
            b.beginControlFlow("for (int t = 0; t < $L; t += $L)", full, Grid.GROUP);
            dotsCall(b, ctx, "t", Grid.GROUP);
            b.endControlFlow();
          }
          if (full < plan.row()) {
            dotsCall(b, ctx, Integer.toString(full), plan.row() - full);
          }
          b.endControlFlow();
        });
    b.endControlFlow();
    List<MethodSpec> all = new ArrayList<>();
    all.add(ctx.inputMethod("BackwardParams")
        .addJavadoc("$L: adds dL/dweight and dL/dbias to the gradients: per group of up to $L "
            + "samples, dL/dz times the im2col columns.\n", ctx.header(), samples())
        .addCode(b.build()).build());
    for (int m : groupSizes(plan.row())) {
      all.add(Grid.dots(ctx, m));
    }
    return all;
  }

  /** The input gradient, the scatter that adds it back and the loops it runs without the API. */
  List<MethodSpec> backwardData(LayerContext ctx) {
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("float[] p = this.p");
    b.addStatement("float[] dz = this.$L", ctx.deltaBuffer());
    declareRows(b, ctx);
    openGroup(b);
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
    for (int m : groupSizes(g.k())) {
      if (!groupSizes(plan.row()).contains(m)) { // the forward pass has the others
        all.add(Grid.taps(ctx, m));
      }
    }
    return all;
  }

  private void declareRows(CodeBlock.Builder b, LayerContext ctx) {
    b.addStatement("float[][] cols = this.$L", ctx.buffer("Cols"));
    b.addStatement("float[][] out = this.$L", ctx.buffer("Rows"));
  }

  /** Opens the loop over the groups: from sample {@code n0}, {@code m} samples, {@code len}. */
  private void openGroup(CodeBlock.Builder b) {
    b.beginControlFlow("for (int n0 = 0; n0 < batch; n0 += $L)", samples());
    b.addStatement("int m = Math.min($L, batch - n0)", samples());
    b.addStatement("int len = m * $L", g.ohw());
  }

  private void gatherGroup(CodeBlock.Builder b, LayerContext ctx, String xOff) {
    b.beginControlFlow("for (int s = 0; s < m; s++)");
    b.addStatement("$LColumns(x, $L + (n0 + s) * $L, cols, s * $L)", ctx.name(), xOff,
        ctx.inSize(), g.ohw());
    b.endControlFlow();
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

  /** {@code <name>Dots<m>(out[k], cols[t], …, g, WEIGHT + k·T + t, len)}. */
  private void dotsCall(CodeBlock.Builder b, LayerContext ctx, String first, int m) {
    StringBuilder args = new StringBuilder("out[k]");
    for (int i = 0; i < m; i++) {
      args.append(", cols[").append(Src.plus(first, i)).append("]");
    }
    args.append(", g, ").append(Src.plus(ctx.offset("weight"),
        Src.plus(Src.times("k", plan.row()), first))).append(", len");
    b.addStatement("$LDots$L($L)", ctx.name(), m, args);
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
    walk(b, (inside, col, xi) -> col + " = " + (inside == null ? "x[" + xi + "];"
        : inside + " ? x[" + xi + "] : 0.0f;"), true);
    return MethodSpec.methodBuilder(ctx.name() + "Columns")
        .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
        .addParameter(float[].class, "x").addParameter(int.class, "xs")
        .addParameter(float[][].class, "cols").addParameter(int.class, "at")
        .addJavadoc("$L: cols[t][at + q] = the input under tap t = (c·$L + u)·$L + v at output "
            + "position q, 0 in the padding, from the sample at x[xs..].\n", ctx.name(), op.kh(),
            op.kw())
        .addCode(b.build()).build();
  }

  /** {@code <name>Uncolumns(cols, at, dx, xs)}: the columns' dL/d added back onto dx. */
  private MethodSpec scatter(LayerContext ctx) {
    CodeBlock.Builder b = CodeBlock.builder();
    walk(b, (inside, col, xi) -> inside == null ? "dx[" + xi + "] += " + col + ";"
        : "if (" + inside + ") {\n  dx[" + xi + "] += " + col + ";\n}", false);
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
   * cols[t][at + i·OW + j]}.
   */
  private void walk(CodeBlock.Builder b, At at, boolean fill) {
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
    String rowStart = Src.plus("at", i.times(g.ow()));
    String rowCheck = r + " >= 0 && " + r + " < " + g.h();
    boolean rows = reachesOutside(g.oh(), op.sh(), op.kh(), op.dh(), op.ph(), g.h());
    if (rows && fill) {
      b.beginControlFlow("if (!($L))", rowCheck);
      b.addStatement("$T.fill($L, $L, $L, 0.0f)", ConvStrategy.ARRAYS, row, rowStart,
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
    String element = row + "[" + Src.plus(rowStart, j.at()) + "]";
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
