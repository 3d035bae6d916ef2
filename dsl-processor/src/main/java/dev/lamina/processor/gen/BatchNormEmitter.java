package dev.lamina.processor.gen;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import dev.lamina.processor.model.BatchNormOp;
import dev.lamina.processor.model.Shape;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * Batch normalization over the M = N·H·W values of each channel (N for flat inputs, one feature
 * per channel). Statistics are accumulated in double in both precisions (per plane of a channel,
 * the runtime's reductions sum in the network's precision: see {@link #KERNEL_PLANE}); the
 * per-value arithmetic runs in the network's precision, so that C2 vectorizes it.
 *
 * <ul>
 *   <li>Training pass: mean and biased variance of the batch; {@code x̂ = (x - mean)·inv},
 *       {@code inv = 1/sqrt(var + eps)}. Immediate statistics (the default): the running statistics
 *       move towards the batch mean and the unbiased variance {@code var·M/(M-1)} (under a lock on
 *       the shared parameter array, since several workspaces may train at once). Deferred
 *       statistics: the batch's count, mean and sum of squared deviations M2 are added to the
 *       workspace's pending ones instead (fields {@code <name>Stat*}), to be merged across
 *       workspaces and committed once per step (see {@code FloatWorkspace#setDeferredStatistics}).
 *   <li>Inference pass: the running statistics instead, which backward then treats as constants.
 *       After a convolution it folds into ({@code NetworkModel.foldedNorms}), the layer does not
 *       run at inference: {@link #foldMethod} writes the convolution's weights scaled per output
 *       channel by {@code s = γ/sqrt(var + eps)}, and the shift {@code β + (b - mean)·s} as its
 *       bias, into the workspace's folded copy of the parameters, which the convolution's forward
 *       pass then reads.
 *   <li>Backward: {@code dγ = Σ dz·x̂}, {@code dβ = Σ dz}; in training {@code dx = γ·inv/M·(M·dz -
 *       Σdz - x̂·Σ(dz·x̂))}, in inference {@code dx = γ·inv·dz}. Both sums of a channel come from
 *       one pass over its planes, once per step: the weight-gradient method computes them (after
 *       applying a fused activation's derivative to dz in the same pass, {@code
 *       NetworkModel.fusesActivation}) and leaves them for the input-gradient method, which then
 *       reads each value once more. The input gradient is written rather than added when this
 *       layer is its input's only reader ({@code NetworkModel.assignsInputGradient}).
 * </ul>
 */
public final class BatchNormEmitter implements LayerEmitter {
  private final BatchNormOp op;

  public BatchNormEmitter(BatchNormOp op) {
    this.op = op;
  }

  @Override
  public boolean hasParameters() {
    return true;
  }

  @Override
  public List<Buffer> buffers(LayerContext c) {
    return List.of(
        new Buffer(c.buffer("Norm"), false, c.outSize(), "normalized input x̂"),
        new Buffer(c.buffer("Inv"), false, channels(c), "1/sqrt(var + eps) per channel"),
        Buffer.scratch(gradientMeans(c), 1, 2 * channels(c) + (maskKernel(c) ? 1 : 0),
            "Σ dz·x̂ / M, then Σ dz / M, per channel (the backward pass's sums)"
                + (maskKernel(c) ? "; then one plane's Σ dz" : "")));
  }

  private static int channels(LayerContext c) {
    Shape in = c.node().inputShape();
    return in.isImage() ? in.channels() : (int) in.size();
  }

  private static int plane(LayerContext c) {
    return c.outSize() / channels(c);
  }

  /**
   * Planes at least this long are summed per plane by the runtime's reductions ({@code
   * Kernels.sum}, {@code sumSquaredDeviations}, {@code dot}: running sums that do not wait on each
   * other, vector partial sums on the Vector API); shorter ones (flat inputs have planes of one
   * value) value by value in double.
   */
  private static final int KERNEL_PLANE = 16;

  /** Loops over the values of channel c: {@code n}, then {@code i}; index {@code v}. */
  private static void each(CodeBlock.Builder b, LayerContext c, String base, Runnable body) {
    int ch = channels(c);
    int plane = plane(c);
    b.beginControlFlow("for (int n = 0; n < batch; n++)");
    b.addStatement("int v0 = $L", planeStart(c, base));
    b.beginControlFlow("for (int i = 0; i < $L; i++)", plane);
    b.addStatement("int v = v0 + i");
    body.run();
    b.endControlFlow();
    b.endControlFlow();
  }

  /** The index of the first value of sample n's plane of channel c, from {@code base}. */
  private static String planeStart(LayerContext c, String base) {
    String rel = Src.times("(n * " + channels(c) + " + c)", plane(c));
    return base.isEmpty() ? rel : Src.plus(base, rel);
  }

  /**
   * {@code acc += Σ term} over the values of channel c (double {@code acc}): per plane by {@code
   * Kernels.<kernel>(<arrays>, v0, plane<extra>)} when planes are long, else {@code term} at index
   * {@code v} value by value.
   */
  private static void channelSum(CodeBlock.Builder b, LayerContext c, String base, String acc,
      String kernel, String arrays, String extra, String term) {
    if (plane(c) >= KERNEL_PLANE) {
      b.beginControlFlow("for (int n = 0; n < batch; n++)");
      b.addStatement("$L += $T.$L($L, $L, $L$L)", acc, KernelCalls.KERNELS, kernel, arrays,
          planeStart(c, base), plane(c), extra);
      b.endControlFlow();
    } else {
      each(b, c, base, () -> b.addStatement("$L += $L", acc, term));
    }
  }

  @Override
  public List<MethodSpec> forward(LayerContext ctx) {
    Num num = ctx.num();
    String t = num.t();
    int ch = channels(ctx);
    int plane = plane(ctx);
    CodeBlock.Builder b = CodeBlock.builder();
    b.beginControlFlow("if (batch == 0)");
    b.addStatement("return");
    b.endControlFlow();
    b.addStatement("$L[] p = this.p", t);
    b.addStatement("$L[] $L = this.$L", t, ctx.fusesActivation() ? "y" : "z", ctx.preBuffer());
    b.addStatement("$L[] xh = this.$L", t, ctx.buffer("Norm"));
    b.addStatement("$L[] inv = this.$L", t, ctx.buffer("Inv"));
    b.addStatement("int count = batch * $L", plane);
    b.addStatement("long pending = $N", ctx.buffer("StatCount"));
    b.beginControlFlow("for (int c = 0; c < $L; c++)", ch);
    b.addStatement("double mean");
    b.addStatement("double var");
    b.beginControlFlow("if (trainingPass)");
    b.add("// two passes over the channel's values: the mean, then the squared deviations from it\n");
    b.addStatement("double s = 0");
    channelSum(b, ctx, "xOff", "s", "sum", "x", "", "x[v]");
    b.addStatement("mean = s / count");
    b.addStatement("double q = 0");
    channelSum(b, ctx, "xOff", "q", "sumSquaredDeviations", "x",
        ", " + num.fromDouble("mean"), "(x[v] - mean) * (x[v] - mean)");
    b.addStatement("var = q / count");
    b.beginControlFlow("if (deferredStatistics)");
    b.addStatement("$N(c, pending, count, mean, q)", ctx.buffer("Pend"));
    b.nextControlFlow("else");
    b.addStatement("double unbiased = count > 1 ? q / (count - 1) : var");
    b.beginControlFlow("synchronized (p)");
    updateRunning(b, ctx, "mean", "unbiased");
    b.endControlFlow();
    b.endControlFlow();
    b.nextControlFlow("else");
    b.addStatement("mean = p[$L + c]", ctx.offset("running_mean"));
    b.addStatement("var = p[$L + c]", ctx.offset("running_var"));
    b.endControlFlow();
    b.addStatement("double r = 1.0 / Math.sqrt(var + $L)", op.eps());
    b.addStatement("$L m = $L", t, num.fromDouble("mean"));
    b.addStatement("$L k = $L", t, num.fromDouble("r"));
    b.addStatement("inv[c] = k");
    b.addStatement("$L g = p[$L + c]", t, ctx.offset("weight"));
    b.addStatement("$L beta = p[$L + c]", t, ctx.offset("bias"));
    b.add("// x̂ = (x - mean)·inv and z = γ·x̂ + β, in $L so that the loop vectorizes\n", t);
    b.beginControlFlow("for (int n = 0; n < batch; n++)");
    b.addStatement("int v0 = $L", planeStart(ctx, ""));
    b.beginControlFlow("for (int i = 0; i < $L; i++)", plane);
    b.addStatement("$L h = (x[xOff + v0 + i] - m) * k", t);
    b.addStatement("xh[v0 + i] = h");
    if (ctx.fusesActivation()) {
      b.addStatement("$L v = g * h + beta", t);
      b.addStatement("y[v0 + i] = $L", ActivationEmitter.piecewiseLinear(ctx, "v"));
    } else {
      b.addStatement("z[v0 + i] = g * h + beta");
    }
    b.endControlFlow();
    b.endControlFlow();
    b.endControlFlow();
    b.beginControlFlow("if (trainingPass && deferredStatistics)");
    b.addStatement("$N = pending + count", ctx.buffer("StatCount"));
    b.endControlFlow();
    return List.of(ctx.inputMethod("Forward")
        .addJavadoc("$L: forward, into $L$L.\n", ctx.header(), ctx.outBuffer(),
            ctx.fusesActivation() ? ", activated in the same loop" : "")
        .addCode(b.build()).build(), pendMethod(ctx));
  }

  /**
   * {@code <name>Fold()}: the folded weights and shift of the convolution {@code conv} into the
   * workspace's {@code folded} array, at the convolution's weight offset and at this layer's bias
   * offset; the factor and the shift in double (the float variant's weights times the factor
   * rounded to float). The workspace runs it at the start of every inference pass, so that the
   * folded copy always reflects the current parameters.
   */
  MethodSpec foldMethod(LayerContext ctx, LayerContext conv) {
    Num num = ctx.num();
    int ch = channels(ctx);
    int row = conv.node().parameter("weight").size() / ch;
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("$L[] p = this.p", num.t());
    b.addStatement("$L[] f = this.folded", num.t());
    b.beginControlFlow("for (int c = 0; c < $L; c++)", ch);
    b.addStatement("double s = p[$L + c] / Math.sqrt(p[$L + c] + $L)", ctx.offset("weight"),
        ctx.offset("running_var"), op.eps());
    b.addStatement("int w = $L", Src.plus(conv.offset("weight"), Src.times("c", row)));
    if (num.isFloat()) {
      b.add("// in float, so that C2 vectorizes the loop: s rounded once, then each product\n");
      b.addStatement("float sf = (float) s");
    }
    b.beginControlFlow("for (int i = w; i < w + $L; i++)", row);
    b.addStatement("f[i] = p[i] * $L", num.isFloat() ? "sf" : "s");
    b.endControlFlow();
    String convBias = conv.has("bias")
        ? (num.isFloat() ? "(double) " : "") + "p[" + conv.offset("bias") + " + c] - " : "-";
    b.addStatement("f[$L + c] = $L", ctx.offset("bias"), num.fromDouble("p[" + ctx.offset("bias")
        + " + c] + (" + convBias + "p[" + ctx.offset("running_mean") + " + c]) * s"));
    b.endControlFlow();
    return MethodSpec.methodBuilder(ctx.buffer("Fold"))
        .addModifiers(Modifier.PRIVATE)
        .addJavadoc("$L folded into $L: weights scaled by γ/sqrt(var + eps) per channel, the "
            + "shift β + (b - mean)·γ/sqrt(var + eps) as bias, into folded.\n", ctx.name(),
            conv.name())
        .addCode(b.build()).build();
  }

  /** {@code r = (1 - momentum)·r + momentum·s} for channel {@code c} of both running tensors. */
  private void updateRunning(CodeBlock.Builder b, LayerContext ctx, String mean,
      String unbiased) {
    Num num = ctx.num();
    b.addStatement("p[$L + c] = $L", ctx.offset("running_mean"), num.fromDouble(
        (1 - op.momentum()) + " * p[" + ctx.offset("running_mean") + " + c] + " + op.momentum()
            + " * " + mean));
    b.addStatement("p[$L + c] = $L", ctx.offset("running_var"), num.fromDouble(
        (1 - op.momentum()) + " * p[" + ctx.offset("running_var") + " + c] + " + op.momentum()
            + " * " + unbiased));
  }

  /**
   * The pending statistics of a layer in deferred mode: per channel the mean and the sum of
   * squared deviations M2 of all values seen since the last commit, and their count per channel.
   */
  static List<FieldSpec> statisticFields(LayerContext ctx) {
    int ch = channels(ctx);
    return List.of(
        FieldSpec.builder(double[].class, ctx.buffer("StatMean"), Modifier.PRIVATE,
                Modifier.FINAL)
            .addJavadoc("$L: pending mean per channel (deferred statistics), [$L].\n",
                ctx.name(), ch)
            .initializer("new double[$L]", ch).build(),
        FieldSpec.builder(double[].class, ctx.buffer("StatM2"), Modifier.PRIVATE, Modifier.FINAL)
            .addJavadoc("$L: pending sum of squared deviations per channel, [$L].\n", ctx.name(),
                ch)
            .initializer("new double[$L]", ch).build(),
        FieldSpec.builder(TypeName.LONG, ctx.buffer("StatCount"), Modifier.PRIVATE)
            .addJavadoc("$L: values per channel behind the pending statistics.\n", ctx.name())
            .build());
  }

  /**
   * Adds a group of {@code nb} values with mean {@code meanB} and squared deviations {@code m2B}
   * to the {@code na} pending ones of channel {@code c} (Chan et al.: exact in real arithmetic;
   * with {@code na = 0} it stores the group's values unchanged). The caller updates the count.
   */
  private static MethodSpec pendMethod(LayerContext ctx) {
    String mean = ctx.buffer("StatMean");
    String m2 = ctx.buffer("StatM2");
    return MethodSpec.methodBuilder(ctx.buffer("Pend"))
        .addModifiers(Modifier.PRIVATE)
        .addJavadoc("$L: adds $L values (mean, M2) of channel c to the $L pending ones.\n",
            ctx.name(), "nb", "na")
        .addParameter(int.class, "c")
        .addParameter(long.class, "na")
        .addParameter(long.class, "nb")
        .addParameter(double.class, "meanB")
        .addParameter(double.class, "m2B")
        .addStatement("double n = (double) na + nb")
        .addStatement("double delta = meanB - $N[c]", mean)
        .addStatement("$N[c] += delta * (nb / n)", mean)
        .addStatement("$N[c] += m2B + delta * delta * (na * (nb / n))", m2)
        .build();
  }

  /**
   * {@code <name>MergeStatistics(Workspace o)}: adds {@code o}'s pending statistics to this
   * workspace's and clears them.
   */
  static MethodSpec mergeMethod(LayerContext ctx, TypeName workspace) {
    String mean = ctx.buffer("StatMean");
    String m2 = ctx.buffer("StatM2");
    String count = ctx.buffer("StatCount");
    return MethodSpec.methodBuilder(ctx.buffer("MergeStatistics"))
        .addModifiers(Modifier.PRIVATE)
        .addJavadoc("$L: adds o's pending statistics to this workspace's; clears o's.\n",
            ctx.name())
        .addParameter(workspace, "o")
        .addStatement("long nb = o.$N", count)
        .beginControlFlow("if (nb == 0)")
        .addStatement("return")
        .endControlFlow()
        .beginControlFlow("for (int c = 0; c < $L; c++)", channels(ctx))
        .addStatement("$N(c, $N, nb, o.$N[c], o.$N[c])", ctx.buffer("Pend"), count, mean, m2)
        .addStatement("o.$N[c] = 0", mean)
        .addStatement("o.$N[c] = 0", m2)
        .endControlFlow()
        .addStatement("$N += nb", count)
        .addStatement("o.$N = 0", count)
        .build();
  }

  /**
   * Doubles of a layer's block in an exported statistics array: the count, then the pending
   * means and the sums of squared deviations of its channels.
   */
  static int exportedLength(LayerContext ctx) {
    return 1 + 2 * channels(ctx);
  }

  /**
   * {@code <name>ExportStatistics(double[] a, int at)}: writes the layer's block, count, means
   * then M2, at {@code a[at]}; the pending statistics stay.
   */
  static MethodSpec exportMethod(LayerContext ctx) {
    int ch = channels(ctx);
    return MethodSpec.methodBuilder(ctx.buffer("ExportStatistics"))
        .addModifiers(Modifier.PRIVATE)
        .addJavadoc("$L: writes count, $L means and $L M2 of the pending statistics at a[at].\n",
            ctx.name(), ch, ch)
        .addParameter(double[].class, "a")
        .addParameter(int.class, "at")
        .addStatement("a[at] = $N", ctx.buffer("StatCount"))
        .addStatement("$T.arraycopy($N, 0, a, at + 1, $L)", System.class,
            ctx.buffer("StatMean"), ch)
        .addStatement("$T.arraycopy($N, 0, a, at + $L, $L)", System.class, ctx.buffer("StatM2"),
            1 + ch, ch)
        .build();
  }

  /**
   * {@code <name>MergeStatistics(double[] a, int at)}: adds an exported block to the pending
   * statistics with the arithmetic of {@link #mergeMethod}, so both give the same bits. The
   * caller has checked the count.
   */
  static MethodSpec mergeExportedMethod(LayerContext ctx) {
    int ch = channels(ctx);
    String count = ctx.buffer("StatCount");
    return MethodSpec.methodBuilder(ctx.buffer("MergeStatistics"))
        .addModifiers(Modifier.PRIVATE)
        .addJavadoc("$L: adds the exported block at a[at] to this workspace's pending "
            + "statistics.\n", ctx.name())
        .addParameter(double[].class, "a")
        .addParameter(int.class, "at")
        .addStatement("long nb = (long) a[at]")
        .beginControlFlow("if (nb == 0)")
        .addStatement("return")
        .endControlFlow()
        .beginControlFlow("for (int c = 0; c < $L; c++)", ch)
        .addStatement("$N(c, $N, nb, a[at + 1 + c], a[at + $L + c])", ctx.buffer("Pend"), count,
            1 + ch)
        .endControlFlow()
        .addStatement("$N += nb", count)
        .build();
  }

  /**
   * {@code <name>CommitStatistics()}: one momentum update of the running statistics with the
   * pending mean and unbiased variance, then clears the pending statistics.
   */
  MethodSpec commitMethod(LayerContext ctx) {
    String mean = ctx.buffer("StatMean");
    String m2 = ctx.buffer("StatM2");
    String count = ctx.buffer("StatCount");
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("long m = $N", count);
    b.beginControlFlow("if (m == 0)");
    b.addStatement("return");
    b.endControlFlow();
    b.addStatement("$L[] p = this.p", ctx.num().t());
    b.beginControlFlow("for (int c = 0; c < $L; c++)", channels(ctx));
    b.addStatement("double mean = $N[c]", mean);
    b.addStatement("double var = $N[c] / m", m2);
    b.addStatement("double unbiased = m > 1 ? $N[c] / (m - 1) : var", m2);
    updateRunning(b, ctx, "mean", "unbiased");
    b.addStatement("$N[c] = 0", mean);
    b.addStatement("$N[c] = 0", m2);
    b.endControlFlow();
    b.addStatement("$N = 0", count);
    return MethodSpec.methodBuilder(ctx.buffer("CommitStatistics"))
        .addModifiers(Modifier.PRIVATE)
        .addJavadoc("$L: moves the running statistics once towards the pending ones; clears "
            + "them.\n", ctx.name())
        .addCode(b.build()).build();
  }

  /** {@code <name>DiscardStatistics()}: clears the pending statistics. */
  static MethodSpec discardMethod(LayerContext ctx) {
    return MethodSpec.methodBuilder(ctx.buffer("DiscardStatistics"))
        .addModifiers(Modifier.PRIVATE)
        .addStatement("$T.fill($N, 0)", java.util.Arrays.class, ctx.buffer("StatMean"))
        .addStatement("$T.fill($N, 0)", java.util.Arrays.class, ctx.buffer("StatM2"))
        .addStatement("$N = 0", ctx.buffer("StatCount"))
        .build();
  }

  /**
   * {@code sg = Σ dz·x̂} and {@code sb = Σ dz} over the values of channel c, in double, in one pass
   * over the channel's planes; with a fused activation, dz = dL/d(output) times the activation's
   * derivative at the pre-activation, which is recomputed from x̂ ({@code γ·x̂ + β} with the
   * channel's {@code g} and {@code beta}: the forward loop's arithmetic, so the same bits), and
   * written back in place as each plane is read (the plane stays in L1 for the sums).
   */
  private static void gradientSums(CodeBlock.Builder b, LayerContext ctx) {
    b.addStatement("double sg = 0");
    b.addStatement("double sb = 0");
    String masked = ctx.fusesActivation()
        ? ActivationEmitter.piecewiseLinearGradient(ctx, "dz[v]", "zv") : null;
    if (plane(ctx) >= KERNEL_PLANE) {
      b.beginControlFlow("for (int n = 0; n < batch; n++)");
      b.addStatement("int v0 = $L", planeStart(ctx, ""));
      if (maskKernel(ctx)) {
        b.beginControlFlow("if ($T.VECTOR)", KernelCalls.KERNELS);
        b.add("// maskedDotAndSum(d, xh, from, len, g, beta, lo, hi, below, sum, sumAt)\n");
        b.addStatement("sg += $T.maskedDotAndSum(dz, xh, v0, $L, g, beta, $L, means, $L)",
            KernelCalls.KERNELS, plane(ctx), ActivationEmitter.piecewiseLinearPieces(ctx),
            2 * channels(ctx));
        b.addStatement("sb += means[$L]", 2 * channels(ctx));
        b.addStatement("continue");
        b.endControlFlow();
      }
      if (masked != null) {
        b.beginControlFlow("for (int v = v0; v < v0 + $L; v++)", plane(ctx));
        b.addStatement("$L zv = g * xh[v] + beta", ctx.num().t());
        b.addStatement("dz[v] = $L", masked);
        b.endControlFlow();
      }
      b.addStatement("sg += $T.dot(dz, xh, v0, $L)", KernelCalls.KERNELS, plane(ctx));
      b.addStatement("sb += $T.sum(dz, v0, $L)", KernelCalls.KERNELS, plane(ctx));
      b.endControlFlow();
    } else {
      each(b, ctx, "", () -> {
        if (masked != null) {
          b.addStatement("$L zv = g * xh[v] + beta", ctx.num().t());
          b.addStatement("$L d = $L", ctx.num().t(), masked);
          b.addStatement("dz[v] = d");
        } else {
          b.addStatement("$L d = dz[v]", ctx.num().t());
        }
        b.addStatement("sg += d * xh[v]");
        b.addStatement("sb += d");
      });
    }
  }

  /**
   * Whether the float variant, on the Vector API, applies a fused activation's derivative and
   * takes both sums of a plane in one call of the runtime's {@code Kernels.maskedDotAndSum}
   * (which writes the plane's Σ dz to the last value of {@link #gradientMeans}); the plain loops
   * (JDK 17) and the double variant apply the derivative in a loop of their own, which C2
   * vectorizes, before the two reductions (on JDK 17 the kernel's plain form was 0.6× as fast).
   */
  private static boolean maskKernel(LayerContext ctx) {
    return ctx.num().isFloat() && ctx.fusesActivation() && plane(ctx) >= MASK_KERNEL_PLANE;
  }

  /**
   * Planes at least this long take the derivative and the sums in one kernel call. On shorter
   * ones the kernel's two lane reductions per plane cost more than the read it saves (SmallResNet
   * on the Vector API: 0.87× the loops' speed on 7×7 planes, 1.65× on 14×14 and 1.77× on 28×28).
   */
  private static final int MASK_KERNEL_PLANE = 64;

  /**
   * The backward pass's per-channel sums: {@link #backwardParams} computes them (once per step:
   * the parameters' gradients and the input's need the same two) and leaves {@code Σ dz·x̂ / M}
   * and {@code Σ dz / M}, rounded to the network's precision, here for {@link #backwardData}.
   */
  private static String gradientMeans(LayerContext ctx) {
    return ctx.buffer("GradMeans");
  }

  @Override
  public List<MethodSpec> backwardParams(LayerContext ctx) {
    Num num = ctx.num();
    String t = num.t();
    int ch = channels(ctx);
    CodeBlock.Builder b = CodeBlock.builder();
    if (ctx.fusesActivation()) {
      b.addStatement("$L[] p = this.p", t);
    }
    b.addStatement("$L[] gr = this.g", t);
    b.addStatement("$L[] dz = this.$L", t, ctx.deltaBuffer());
    b.addStatement("$L[] xh = this.$L", t, ctx.buffer("Norm"));
    b.addStatement("$L[] means = this.$L[0]", t, gradientMeans(ctx));
    b.addStatement("int count = batch * $L", plane(ctx));
    b.beginControlFlow("for (int c = 0; c < $L; c++)", ch);
    if (ctx.fusesActivation()) {
      b.addStatement("$L g = p[$L + c]", t, ctx.offset("weight"));
      b.addStatement("$L beta = p[$L + c]", t, ctx.offset("bias"));
    }
    gradientSums(b, ctx);
    b.addStatement("gr[$L + c] += $L", ctx.offset("weight"), num.fromDouble("sg"));
    b.addStatement("gr[$L + c] += $L", ctx.offset("bias"), num.fromDouble("sb"));
    b.addStatement("means[c] = $L", num.fromDouble("sg / count"));
    b.addStatement("means[$L + c] = $L", ch, num.fromDouble("sb / count"));
    b.endControlFlow();
    return List.of(ctx.inputMethod("BackwardParams")
        .addJavadoc("$L: $Ladds dL/dγ = Σ dz·x̂ and dL/dβ = Σ dz to the gradients, in one pass "
            + "per channel; leaves both sums over the count in $L for the input gradient.\n",
            ctx.header(), ctx.fusesActivation() ? "applies the activation's derivative (at γ·x̂ + "
                + "β) to " + ctx.deltaBuffer() + " (dz), " : "", gradientMeans(ctx))
        .addCode(b.build()).build());
  }

  @Override
  public List<MethodSpec> backwardData(LayerContext ctx) {
    Num num = ctx.num();
    String t = num.t();
    int ch = channels(ctx);
    String op = ctx.handOn(0);
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("$L[] p = this.p", t);
    b.addStatement("$L[] dz = this.$L", t, ctx.deltaBuffer());
    b.addStatement("$L[] xh = this.$L", t, ctx.buffer("Norm"));
    b.addStatement("$L[] inv = this.$L", t, ctx.buffer("Inv"));
    b.addStatement("$L[] means = this.$L[0]", t, gradientMeans(ctx));
    b.beginControlFlow("for (int c = 0; c < $L; c++)", ch);
    b.addStatement("$L k = p[$L + c] * inv[c]", t, ctx.offset("weight"));
    b.beginControlFlow("if (!trainingPass)");
    each(b, ctx, "", () -> b.addStatement("dx[v] $L k * dz[v]", op));
    b.addStatement("continue");
    b.endControlFlow();
    b.addStatement("$L mg = means[c]", t);
    b.addStatement("$L mb = means[$L + c]", t, ch);
    each(b, ctx, "", () -> b.addStatement("dx[v] $L k * (dz[v] - mb - xh[v] * mg)", op));
    b.endControlFlow();
    return List.of(ctx.dataMethod()
        .addJavadoc("$L: $L dL/dx $L dx, from the sums $LBackwardParams left in $L.\n",
            ctx.header(), ctx.assignsInput().get(0) ? "writes" : "adds",
            ctx.assignsInput().get(0) ? "into" : "to", ctx.name(), gradientMeans(ctx))
        .addCode(b.build()).build());
  }
}
