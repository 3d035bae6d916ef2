package dev.lamina.processor.gen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import dev.lamina.processor.model.AffineOp;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Fully connected layer {@code Y = X·W + b}, W laid out [IN][OUT]; an image input is read as its
 * flat C·H·W values, a sequence as T rows of D values (each step transformed alike).
 *
 * <p>Small batches: forward and dW are element-wise updates along a contiguous row of W (axpy
 * over the outputs); dX is one dot product per input. From {@value #BATCHED} samples on (and
 * when W fits {@link Grid#BUDGET}), every product runs over separate row arrays in the loop shape
 * C2 vectorizes ({@link Grid#taps}): the forward on a copy of W's rows, dX on a transposed copy
 * (both rebuilt by the call that uses them, so they never go stale after an optimizer step), and
 * dW accumulated over the batch, five samples per pass, in rows added to the gradient at the end.
 * In the float variant, when {@code Kernels.VECTOR}, the same three products run on the runtime's
 * Vector API kernel instead, four samples (sixteen for dW) per call.
 */
public final class AffineEmitter implements LayerEmitter {
  private static final ClassName ARRAYS = ClassName.get("java.util", "Arrays");

  /** Samples per call of the Vector API kernel in the forward pass and dX. */
  private static final int VECTOR_SAMPLES = 4;

  /** Samples per call of the Vector API kernel in dW. */
  private static final int VECTOR_DZ_ROWS = 16;

  /** Batches from this size on take the batched products. */
  static final int BATCHED = 4;

  /** Inputs or samples per vectorized loop. */
  private static final int GROUP = Grid.GROUP;

  private final AffineOp op;

  public AffineEmitter(AffineOp op) {
    this.op = op;
  }

  @Override
  public boolean hasParameters() {
    return true;
  }

  /** Values per row in: the whole input, or one step of a sequence. */
  private static int in(LayerContext ctx) {
    return (int) AffineOp.fanIn(ctx.node().inputShape());
  }

  /** Values per row out. */
  private static int out(LayerContext ctx) {
    return ctx.outSize() / AffineOp.rows(ctx.node().inputShape());
  }

  /**
   * On a sequence, each step is a row: the methods' {@code batch} counts rows, T per sample
   * (the buffers hold them in order, [n][t][values]).
   */
  private static void stepsAsRows(CodeBlock.Builder b, LayerContext ctx) {
    int steps = AffineOp.rows(ctx.node().inputShape());
    if (ctx.node().inputShape().isSequence()) {
      b.add("// each of the $L steps of a sample is a row\n", steps);
      b.addStatement("batch *= $L", steps);
    }
  }

  private static boolean batched(LayerContext ctx) {
    return (long) in(ctx) * out(ctx) <= Grid.BUDGET;
  }

  @Override
  public List<Buffer> buffers(LayerContext ctx) {
    if (!batched(ctx)) {
      return List.of();
    }
    int in = in(ctx);
    int out = out(ctx);
    return List.of(
        Buffer.scratch(ctx.buffer("Rows"), in, out, "W's rows, copied by each batched forward"),
        Buffer.scratch(ctx.buffer("Cols"), out, in,
            "Wᵀ's rows, rebuilt by each batched input gradient"),
        Buffer.scratch(ctx.buffer("GradRows"), in, out,
            "dL/dW of the batch by rows, added to the gradients at the end (zero between calls)"),
        Buffer.scratch(ctx.buffer("DzRows"), VECTOR_DZ_ROWS, out, "dL/dz of up to "
            + VECTOR_DZ_ROWS + " samples"),
        Buffer.scratch(ctx.buffer("ZRow"), VECTOR_SAMPLES, out, "up to " + VECTOR_SAMPLES
            + " samples' outputs"),
        Buffer.scratch(ctx.buffer("DxRow"), VECTOR_SAMPLES, in, "up to " + VECTOR_SAMPLES
            + " samples' dL/dx"));
  }

  /** The helpers {@code <name>Taps<m>} for groups of {@code GROUP} and the remainders. */
  private static List<MethodSpec> helpers(LayerContext ctx, MethodSpec entry, int... remainders) {
    List<MethodSpec> all = new ArrayList<>(List.of(entry));
    List<Integer> sizes = new ArrayList<>(List.of(GROUP));
    for (int r : remainders) {
      if (r > 0 && !sizes.contains(r)) {
        sizes.add(r);
      }
    }
    for (int m : sizes) {
      all.add(Grid.taps(ctx, m));
    }
    return all;
  }

  /** {@code <name>Taps(o, rows[r], …, weight(r), …, len)} over {@code count} rows. */
  private static void groups(CodeBlock.Builder b, LayerContext ctx, int count, String o,
      String rows, java.util.function.UnaryOperator<String> weight, int len) {
    Grid.tapCalls(b, ctx, "r", o, count, r -> rows + "[" + r + "]", weight, len);
  }

  private CodeBlock dispatch(LayerContext ctx, String method, String args) {
    if (!batched(ctx)) {
      return CodeBlock.of("");
    }
    return CodeBlock.builder()
        .beginControlFlow("if (batch >= $L)", BATCHED)
        .addStatement("$L$L($L)", ctx.name(), method, args)
        .addStatement("return")
        .endControlFlow().build();
  }

  private MethodSpec batchedForward(LayerContext ctx, String suffix) {
    String t = ctx.num().t();
    int in = in(ctx);
    int out = out(ctx);
    CodeBlock.Builder b = CodeBlock.builder();
    stepsAsRows(b, ctx);
    b.addStatement("$L[] p = this.p", t);
    b.addStatement("$L[] z = this.$L", t, ctx.preBuffer());
    b.addStatement("$L[][] w = this.$L", t, ctx.buffer("Rows"));
    b.addStatement("$L[] acc = this.$L[0]", t, ctx.buffer("ZRow"));
    ctx.vectorFirst(b, v -> {
      v.addStatement("$L[][] zr = this.$L", t, ctx.buffer("ZRow"));
      v.beginControlFlow("if (batch < $L)", VECTOR_SAMPLES);
      v.add("// few samples: W's rows read in place, no copy\n");
      v.beginControlFlow("for (int n = 0; n < batch; n++)");
      if (op.bias()) {
        v.addStatement("System.arraycopy(p, $L, zr[0], 0, $L)", ctx.offset("bias"), out);
      } else {
        v.addStatement("$T.fill(zr[0], $L)", ARRAYS, ctx.num().lit(0));
      }
      KernelCalls.call(v, "accumulateRow",
          CodeBlock.of("zr[0], p, $L, $L, $L, x, xOff + n * $L, $L",
              ctx.offset("weight"), out, in, in, out).toString());
      v.addStatement("System.arraycopy(zr[0], 0, z, n * $L, $L)", out, out);
      v.endControlFlow();
      v.addStatement("return");
      v.endControlFlow();
      copyRows(v, ctx);
      v.beginControlFlow("for (int n0 = 0; n0 < batch; n0 += $L)", VECTOR_SAMPLES);
      v.addStatement("int m = Math.min($L, batch - n0)", VECTOR_SAMPLES);
      v.beginControlFlow("for (int j = 0; j < m; j++)");
      if (op.bias()) {
        v.addStatement("System.arraycopy(p, $L, zr[j], 0, $L)", ctx.offset("bias"), out);
      } else {
        v.addStatement("$T.fill(zr[j], $L)", ARRAYS, ctx.num().lit(0));
      }
      v.endControlFlow();
      v.add("// z[n] += Σ_i x[n, i] · W[i] for m samples at once\n");
      KernelCalls.call(v, "accumulate",
          CodeBlock.of("zr, m, w, $L, x, xOff + n0 * $L, $L, 1, $L", in, in, in, out).toString());
      v.beginControlFlow("for (int j = 0; j < m; j++)");
      v.addStatement("System.arraycopy(zr[j], 0, z, (n0 + j) * $L, $L)", out, out);
      v.endControlFlow();
      v.endControlFlow();
    });
    copyRows(b, ctx);
    b.beginControlFlow("for (int n = 0; n < batch; n++)");
    b.addStatement("int xs = xOff + n * $L", in);
    if (op.bias()) {
      b.addStatement("System.arraycopy(p, $L, acc, 0, $L)", ctx.offset("bias"), out);
    } else {
      b.addStatement("$T.fill(acc, $L)", ARRAYS, ctx.num().lit(0));
    }
    groups(b, ctx, in, "acc", "w", r -> "x[" + Src.plus("xs", r) + "]", out);
    b.addStatement("System.arraycopy(acc, 0, z, n * $L, $L)", out, out);
    b.endControlFlow();
    return ctx.inputMethod(suffix)
        .addJavadoc("$L: forward, into $L: per sample z += Σ_i x_i · W[i] over $L rows of a copy"
            + " of W per vectorized loop. Every batch size takes this path, so a sample's output"
            + " does not depend on the batch it comes in.\n", ctx.header(), ctx.preBuffer(), GROUP)
        .addCode(b.build()).build();
  }

  private MethodSpec batchedParams(LayerContext ctx) {
    String t = ctx.num().t();
    int in = in(ctx);
    int out = out(ctx);
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("$L[] g = this.g", t);
    b.addStatement("$L[] dz = this.$L", t, ctx.deltaBuffer());
    b.addStatement("$L[][] gw = this.$L", t, ctx.buffer("GradRows"));
    b.addStatement("$L[][] d = this.$L", t, ctx.buffer("DzRows"));
    ctx.vectorFirst(b, v -> {
      v.beginControlFlow("for (int n0 = 0; n0 < batch; n0 += $L)", VECTOR_DZ_ROWS);
      v.addStatement("int m = Math.min($L, batch - n0)", VECTOR_DZ_ROWS);
      v.beginControlFlow("for (int j = 0; j < m; j++)");
      v.addStatement("System.arraycopy(dz, (n0 + j) * $L, d[j], 0, $L)", out, out);
      if (op.bias()) {
        v.addStatement("int zs = (n0 + j) * $L", out);
        eachOutput(v, out,
            o -> "g[" + Src.plus(ctx.offset("bias"), o) + "] += dz[" + Src.plus("zs", o) + "]");
      }
      v.endControlFlow();
      v.add("// gw[i] += Σ_n x[n, i] · dz[n] over m samples at once\n");
      KernelCalls.call(v, "accumulate",
          CodeBlock.of("gw, $L, d, m, x, xOff + n0 * $L, 1, $L, $L", in, in, in, out).toString());
      v.endControlFlow();
      addGradRows(v, ctx);
    });
    b.beginControlFlow("for (int n0 = 0; n0 < batch; n0 += $L)", GROUP);
    // the samples n0..n0+4; missing ones at the end of the batch count with dz = 0, x = 0
    b.addStatement("int m = Math.min($L, batch - n0)", GROUP);
    b.beginControlFlow("for (int j = 0; j < $L; j++)", GROUP);
    b.beginControlFlow("if (j < m)");
    b.addStatement("System.arraycopy(dz, (n0 + j) * $L, d[j], 0, $L)", out, out);
    b.nextControlFlow("else");
    b.addStatement("$T.fill(d[j], $L)", ARRAYS, ctx.num().lit(0));
    b.endControlFlow();
    b.endControlFlow();
    b.addStatement("int xs = xOff + n0 * $L", in);
    b.beginControlFlow("for (int i = 0; i < $L; i++)", in);
    StringBuilder call = new StringBuilder("gw[i]");
    for (int j = 0; j < GROUP; j++) {
      call.append(", d[").append(j).append(']');
    }
    for (int j = 0; j < GROUP; j++) {
      String xi = "x[" + Src.plus("xs + i", j * in) + "]";
      call.append(", ").append(j == 0 ? xi : "m > " + j + " ? " + xi + " : " + ctx.num().lit(0));
    }
    b.addStatement("$LTaps$L($L, $L)", ctx.name(), GROUP, call, out);
    b.endControlFlow();
    if (op.bias()) {
      b.beginControlFlow("for (int j = 0; j < m; j++)");
      b.addStatement("int zs = (n0 + j) * $L", out);
      eachOutput(b, out,
          o -> "g[" + Src.plus(ctx.offset("bias"), o) + "] += dz[" + Src.plus("zs", o) + "]");
      b.endControlFlow();
    }
    b.endControlFlow();
    addGradRows(b, ctx);
    return ctx.inputMethod("ParamsRows")
        .addJavadoc("$L: dL/dW for larger batches, per input row gw[i] += Σ_n x[n,i] · dz[n] "
            + "over $L samples per vectorized loop, added to the gradients once.\n",
            ctx.header(), GROUP)
        .addCode(b.build()).build();
  }

  /** w[i] = W's row i, copied from the parameters. */
  private static void copyRows(CodeBlock.Builder b, LayerContext ctx) {
    int out = out(ctx);
    b.beginControlFlow("for (int i = 0; i < $L; i++)", in(ctx));
    b.addStatement("System.arraycopy(p, $L + i * $L, w[i], 0, $L)", ctx.offset("weight"), out,
        out);
    b.endControlFlow();
  }

  /** g[W] += gw (row by row), then gw = 0. */
  private static void addGradRows(CodeBlock.Builder b, LayerContext ctx) {
    int in = in(ctx);
    int out = out(ctx);
    b.beginControlFlow("for (int i = 0; i < $L; i++)", in);
    b.addStatement("$L[] a = gw[i]", ctx.num().t());
    b.addStatement("int gr = $L + i * $L", ctx.offset("weight"), out);
    eachOutput(b, out, o -> "g[" + Src.plus("gr", o) + "] += a[" + o + "]");
    b.addStatement("$T.fill(a, $L)", ARRAYS, ctx.num().lit(0));
    b.endControlFlow();
  }

  private MethodSpec batchedData(LayerContext ctx) {
    String t = ctx.num().t();
    int in = in(ctx);
    int out = out(ctx);
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("$L[] p = this.p", t);
    b.addStatement("$L[] dz = this.$L", t, ctx.deltaBuffer());
    b.addStatement("$L[][] wt = this.$L", t, ctx.buffer("Cols"));
    b.addStatement("$L[] acc = this.$L[0]", t, ctx.buffer("DxRow"));
    b.beginControlFlow("for (int i = 0; i < $L; i++)", in);
    b.addStatement("int wr = $L + i * $L", ctx.offset("weight"), out);
    eachOutput(b, out, o -> "wt[" + o + "][i] = p[" + Src.plus("wr", o) + "]");
    b.endControlFlow();
    ctx.vectorFirst(b, v -> {
      v.addStatement("$L[][] dr = this.$L", t, ctx.buffer("DxRow"));
      v.beginControlFlow("for (int n0 = 0; n0 < batch; n0 += $L)", VECTOR_SAMPLES);
      v.addStatement("int m = Math.min($L, batch - n0)", VECTOR_SAMPLES);
      v.beginControlFlow("for (int j = 0; j < m; j++)");
      v.addStatement("$T.fill(dr[j], $L)", ARRAYS, ctx.num().lit(0));
      v.endControlFlow();
      v.add("// dx[n] += Σ_o dz[n, o] · Wᵀ[o] for m samples at once\n");
      KernelCalls.call(v, "accumulate",
          CodeBlock.of("dr, m, wt, $L, dz, n0 * $L, $L, 1, $L", out, out, out, in).toString());
      v.beginControlFlow("for (int j = 0; j < m; j++)");
      v.addStatement("$L[] a = dr[j]", t);
      v.addStatement("int xs = (n0 + j) * $L", in);
      v.beginControlFlow("for (int i = 0; i < $L; i++)", in);
      v.addStatement("dx[xs + i] += a[i]");
      v.endControlFlow();
      v.endControlFlow();
      v.endControlFlow();
    });
    b.beginControlFlow("for (int n = 0; n < batch; n++)");
    b.addStatement("int xs = n * $L", in);
    b.addStatement("int zs = n * $L", out);
    b.addStatement("$T.fill(acc, $L)", ARRAYS, ctx.num().lit(0));
    groups(b, ctx, out, "acc", "wt", r -> "dz[" + Src.plus("zs", r) + "]", in);
    b.beginControlFlow("for (int i = 0; i < $L; i++)", in);
    b.addStatement("dx[xs + i] += acc[i]");
    b.endControlFlow();
    b.endControlFlow();
    return ctx.dataMethod()
        .setName(ctx.name() + "DataRows")
        .addJavadoc("$L: dL/dx for larger batches, per sample dx += Σ_o dz_o · Wᵀ[o] over $L "
            + "rows of a transposed copy of W per vectorized loop.\n", ctx.header(), GROUP)
        .addCode(b.build()).build();
  }

  @Override
  public List<MethodSpec> forward(LayerContext ctx) {
    String t = ctx.num().t();
    int in = in(ctx);
    int out = out(ctx);
    if (batched(ctx)) {
      // the forward carries the vectorized helpers of all three batched methods
      return helpers(ctx, batchedForward(ctx, "Forward"), in % GROUP, out % GROUP);
    }
    CodeBlock.Builder b = CodeBlock.builder();
    stepsAsRows(b, ctx);
    b.addStatement("$L[] p = this.p", t);
    b.addStatement("$L[] z = this.$L", t, ctx.preBuffer());
    b.beginControlFlow("for (int n = 0; n < batch; n++)");
    b.addStatement("int xs = xOff + n * $L", in);
    b.addStatement("int zs = n * $L", out);
    if (op.bias()) {
      b.addStatement("System.arraycopy(p, $L, z, zs, $L)", ctx.offset("bias"), out);
    } else {
      b.addStatement("$T.fill(z, zs, zs + $L, $L)", ARRAYS, out, ctx.num().lit(0));
    }
    b.beginControlFlow("for (int i = 0; i < $L; i++)", in);
    b.addStatement("$L xi = x[xs + i]", t);
    b.addStatement("int wr = $L + i * $L", ctx.offset("weight"), out);
    eachOutput(b, out, o -> "z[" + Src.plus("zs", o) + "] += xi * p[" + Src.plus("wr", o) + "]");
    b.endControlFlow();
    b.endControlFlow();
    MethodSpec entry = ctx.inputMethod("Forward")
        .addJavadoc("$L: forward, into $L.\n", ctx.header(), ctx.preBuffer())
        .addCode(b.build()).build();
    return List.of(entry);
  }

  @Override
  public List<MethodSpec> backwardParams(LayerContext ctx) {
    String t = ctx.num().t();
    int in = in(ctx);
    int out = out(ctx);
    CodeBlock.Builder b = CodeBlock.builder();
    stepsAsRows(b, ctx);
    b.add(dispatch(ctx, "ParamsRows", "x, xOff, batch"));
    b.addStatement("$L[] g = this.g", t);
    b.addStatement("$L[] dz = this.$L", t, ctx.deltaBuffer());
    ctx.vectorFirst(b, v -> {
      v.beginControlFlow("for (int n = 0; n < batch; n++)");
      v.add("// dW += x[n]ᵀ · dz[n], into the gradient array in place\n");
      KernelCalls.call(v, "outer",
          CodeBlock.of("g, $L, x, xOff + n * $L, $L, dz, n * $L, $L",
              ctx.offset("weight"), in, in, out, out).toString());
      if (op.bias()) {
        v.addStatement("int zs = n * $L", out);
        eachOutput(v, out,
            o -> "g[" + Src.plus(ctx.offset("bias"), o) + "] += dz[" + Src.plus("zs", o) + "]");
      }
      v.endControlFlow();
    });
    b.beginControlFlow("for (int n = 0; n < batch; n++)");
    b.addStatement("int xs = xOff + n * $L", in);
    b.addStatement("int zs = n * $L", out);
    b.beginControlFlow("for (int i = 0; i < $L; i++)", in);
    b.addStatement("$L xi = x[xs + i]", t);
    b.addStatement("int gr = $L + i * $L", ctx.offset("weight"), out);
    eachOutput(b, out, o -> "g[" + Src.plus("gr", o) + "] += xi * dz[" + Src.plus("zs", o) + "]");
    b.endControlFlow();
    if (op.bias()) {
      eachOutput(b, out,
          o -> "g[" + Src.plus(ctx.offset("bias"), o) + "] += dz[" + Src.plus("zs", o) + "]");
    }
    b.endControlFlow();
    MethodSpec entry = ctx.inputMethod("BackwardParams")
        .addJavadoc("$L: adds dL/dW = xᵀ·dz and dL/db = Σ dz to the gradients.\n", ctx.header())
        .addCode(b.build()).build();
    return batched(ctx) ? List.of(entry, batchedParams(ctx)) : List.of(entry);
  }

  @Override
  public List<MethodSpec> backwardData(LayerContext ctx) {
    String t = ctx.num().t();
    int in = in(ctx);
    int out = out(ctx);
    CodeBlock.Builder b = CodeBlock.builder();
    stepsAsRows(b, ctx);
    b.add(dispatch(ctx, "DataRows", "dx, batch"));
    b.addStatement("$L[] p = this.p", t);
    b.addStatement("$L[] dz = this.$L", t, ctx.deltaBuffer());
    ctx.vectorFirst(b, v -> {
      v.beginControlFlow("for (int n = 0; n < batch; n++)");
      v.add("// dx[n][i] += W[i] · dz[n], W's rows read in place\n");
      KernelCalls.call(v, "rowDots",
          CodeBlock.of("dx, n * $L, p, $L, $L, $L, dz, n * $L, $L",
              in, ctx.offset("weight"), out, in, out, out).toString());
      v.endControlFlow();
    });
    b.beginControlFlow("for (int n = 0; n < batch; n++)");
    b.addStatement("int xs = n * $L", in);
    b.addStatement("int zs = n * $L", out);
    b.beginControlFlow("for (int i = 0; i < $L; i++)", in);
    b.addStatement("int wr = $L + i * $L", ctx.offset("weight"), out);
    b.addStatement("$L acc = 0", t);
    eachOutput(b, out, o -> "acc += p[" + Src.plus("wr", o) + "] * dz[" + Src.plus("zs", o) + "]");
    b.addStatement("dx[xs + i] += acc");
    b.endControlFlow();
    b.endControlFlow();
    MethodSpec entry = ctx.dataMethod()
        .addJavadoc("$L: adds dL/dx = dz·Wᵀ to dx.\n", ctx.header())
        .addCode(b.build()).build();
    return batched(ctx) ? List.of(entry, batchedData(ctx)) : List.of(entry);
  }

  /**
   * {@code statement(o)} for each output {@code o < out}: in a loop, or once with {@code o} the
   * literal 0 when there is one output.
   */
  private static void eachOutput(CodeBlock.Builder b, int out,
      UnaryOperator<String> statement) {
    Loop o = new Loop("o", out);
    o.open(b);
    b.addStatement("$L", statement.apply(o.at()));
    o.close(b);
  }
}
