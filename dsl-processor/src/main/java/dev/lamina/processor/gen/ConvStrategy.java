package dev.lamina.processor.gen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import dev.lamina.processor.model.ConvOp;
import java.util.List;

/**
 * One way of writing a convolution's loops (see {@link ConvPlan.Strategy}): its workspace
 * buffers, its forward pass and both its gradients, and the pieces the strategies share.
 */
abstract class ConvStrategy {
  static final ClassName ARRAYS = ClassName.get("java.util", "Arrays");
  static final ClassName KERNELS = KernelCalls.KERNELS;

  final ConvPlan plan;
  final ConvOp op;
  final WindowGeo g;

  ConvStrategy(ConvPlan plan) {
    this.plan = plan;
    this.op = plan.op();
    this.g = plan.geo();
  }

  /** The strategy the plan chose. */
  static ConvStrategy of(ConvPlan plan) {
    if (plan.winograd()) {
      return new WinogradConv(plan);
    }
    return switch (plan.strategy()) {
      case PLAIN -> new PlainConv(plan);
      case GRID -> new GridConv(plan);
      case PATCH_ROWS -> new PatchRowConv(plan);
    };
  }

  abstract List<LayerEmitter.Buffer> buffers(LayerContext ctx);

  abstract List<MethodSpec> forward(LayerContext ctx);

  abstract List<MethodSpec> backwardParams(LayerContext ctx);

  abstract List<MethodSpec> backwardData(LayerContext ctx);

  /**
   * {@code k·taps} or {@code (k·C + c)·taps}, folded: where output channel {@code k}'s kernel for
   * input channel {@code c} starts ({@code k} and {@code c} names or int literals; {@code c} is
   * not read with one input channel).
   */
  String channelBase(String k, String c) {
    String kc = g.c() == 1 ? k : Src.plus(Src.times(k, g.c()), c);
    int taps = plan.taps();
    if (taps == 1 || Src.isInt(kc)) {
      return Src.times(kc, taps);
    }
    return (kc.equals(k) ? kc : "(" + kc + ")") + " * " + taps;
  }

  /** {@code WEIGHT + (k·C + c)·taps} for output channel {@code k} and input channel {@code c}. */
  String weightBase(LayerContext ctx, String k, String c) {
    return Src.plus(ctx.offset("weight"), channelBase(k, c));
  }

  /** The bias of output channel {@code k} (a name or an int literal), or zero without a bias. */
  String biasOrZero(LayerContext ctx, String k) {
    return ctx.forwardBias(
        op.bias() ? "p[" + Src.plus(ctx.offset("bias"), k) + "]" : ctx.num().lit(0), k);
  }

  /** {@link #biasSum(CodeBlock.Builder, LayerContext, String, String, int)} at {@code zk}. */
  static void biasSum(CodeBlock.Builder b, LayerContext ctx, int n) {
    biasSum(b, ctx, "k", "zk", n);
  }

  /**
   * {@code g[BIAS + k] += Σ dz[zk .. zk + n)} in a fixed order: in the float variant by {@code
   * Kernels.sum} (vector partial sums on the Vector API), in the double variant with eight partial
   * sums as {@code Kernels.sum}'s plain path (one running sum would wait for each add in turn).
   */
  static void biasSum(CodeBlock.Builder b, LayerContext ctx, String k, String zk, int n) {
    String t = ctx.num().t();
    if (ctx.num().isFloat()) {
      b.addStatement("g[$L] += $T.sum(dz, $L, $L)", Src.plus(ctx.offset("bias"), k), KERNELS, zk,
          n);
      return;
    }
    b.add("{\n").indent();
    b.addStatement("$L b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0, b6 = 0, b7 = 0", t);
    b.addStatement("int q = $L", zk);
    b.beginControlFlow("for (; q + 7 < $L + $L; q += 8)", zk, n);
    for (int l = 0; l < 8; l++) {
      b.addStatement("b$L += dz[q$L]", l, l == 0 ? "" : " + " + l);
    }
    b.endControlFlow();
    b.beginControlFlow("for (; q < $L + $L; q++)", zk, n);
    b.addStatement("b0 += dz[q]");
    b.endControlFlow();
    b.addStatement("g[$L] += ((b0 + b1) + (b2 + b3)) + ((b4 + b5) + (b6 + b7))",
        Src.plus(ctx.offset("bias"), k));
    b.unindent().add("}\n");
  }

  /**
   * In the float variant, {@code if (Kernels.VECTOR) Kernels.<kernel>(args); else {plain}}: the
   * register-blocked Vector API kernel when the JVM offers it (JDK 21+ with the incubating module),
   * else the layer's own loops, which HotSpot compiles per layer and vectorizes on any JDK. The
   * double variant always takes the plain loops.
   */
  static void kernelOr(CodeBlock.Builder b, LayerContext ctx, String kernel, String args,
      Runnable plain) {
    if (!ctx.num().isFloat()) {
      plain.run();
      return;
    }
    b.beginControlFlow("if ($T.VECTOR)", KERNELS);
    KernelCalls.call(b, kernel, args);
    b.nextControlFlow("else");
    plain.run();
    b.endControlFlow();
  }

  /** {@code wt[t·k + kk] = W[kk, t]}: the kernel of {@code k} outputs, tap-major, for the lanes. */
  static void transposeKernel(CodeBlock.Builder b, LayerContext ctx, int k, int len) {
    b.add("// wt[t·$L + k] = W[k, t]\n", k);
    b.beginControlFlow("for (int k = 0; k < $L; k++)", k);
    b.addStatement("int wk = $L + k * $L", ctx.offset("weight"), len);
    b.beginControlFlow("for (int t = 0; t < $L; t++)", len);
    b.addStatement("wt[t * $L + k] = p[wk + t]", k);
    b.endControlFlow();
    b.endControlFlow();
  }

  /**
   * {@code z[zs + kk·positions + q] = zt[q·k + kk] + bias[kk]}: one sample's output, computed
   * with the {@code k} channels of each position together, written back channel-major.
   */
  static void writeBack(CodeBlock.Builder b, LayerContext ctx, boolean bias, int k,
      int positions) {
    b.beginControlFlow("for (int k = 0; k < $L; k++)", k);
    b.addStatement("float bk = $L",
        ctx.forwardBias(bias ? "p[" + ctx.offset("bias") + " + k]" : "0.0f", "k"));
    b.addStatement("int zk = zs + k * $L", positions);
    Loop q = new Loop("q", positions);
    q.open(b);
    String sum = "zt[" + Src.plus(q.times(k), "k") + "] + bk";
    if (ctx.foldsActivation()) {
      b.addStatement("float v = $L", sum);
      b.addStatement("z[$L] = foldedPass ? $L : v", Src.plus("zk", q.at()),
          ActivationEmitter.piecewiseLinear(ctx.num(), ctx.foldedNorm(), "v"));
    } else {
      b.addStatement("z[$L] = $L", Src.plus("zk", q.at()), sum);
    }
    q.close(b);
    b.endControlFlow();
  }

  /**
   * Opens the loop over the batch: {@code xs} and {@code zs} locate sample {@code n}'s input and
   * output; a padded grid first copies the input into the zero-padded {@code xp}.
   */
  static void beginSamples(CodeBlock.Builder b, LayerContext ctx, Grid gr) {
    b.beginControlFlow("for (int n = 0; n < batch; n++)");
    b.addStatement("int xs = xOff + n * $L", ctx.inSize());
    b.addStatement("int zs = n * $L", ctx.outSize());
    if (gr.padded()) {
      gr.pad(b, "x", "xs", "xp");
    }
  }
}
