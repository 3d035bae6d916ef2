package dev.lamina.processor.gen;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import dev.lamina.processor.model.LrnOp;
import java.util.List;

/**
 * Local response normalization across channels, one sample and one channel at a time over the
 * H·W positions of a plane, so every inner loop runs over one plane's positions.
 *
 * <p>Forward: {@code s = Σ x[c']²} over the channel's window, {@code base = k + alpha/size · s},
 * {@code z = x · base^-beta}; the input and {@code base} are kept for backward. Backward, with
 * {@code f = base^-beta} and the terms {@code t[c] = dz[c] · z[c] / base[c]}: {@code dx[j] +=
 * dz[j] · f[j] - (2·alpha·beta/size) · x[j] · Σ t[c]} over the channels c whose window holds j,
 * {@code c = j - floor((size-1)/2) .. j + floor(size/2)}.
 */
public final class LrnEmitter implements LayerEmitter {
  private final LrnOp op;

  public LrnEmitter(LrnOp op) {
    this.op = op;
  }

  @Override
  public boolean hasParameters() {
    return false;
  }

  private static int channels(LayerContext ctx) {
    return ctx.node().inputShape().channels();
  }

  private static int plane(LayerContext ctx) {
    return ctx.inSize() / channels(ctx);
  }

  @Override
  public List<Buffer> buffers(LayerContext ctx) {
    int hw = plane(ctx);
    return List.of(
        new Buffer(ctx.buffer("In"), false, ctx.outSize(), "the input of the last forward pass"),
        new Buffer(ctx.buffer("Base"), false, ctx.outSize(), "k + alpha/size · Σ x² per value"),
        Buffer.scratch(ctx.buffer("Sum"), 1, hw, "a plane's window sum, then its sum of terms"),
        Buffer.scratch(ctx.buffer("Terms"), 1, ctx.outSize(),
            "dz · z / base of one sample, per value"));
  }

  /**
   * {@code base^-beta} as an expression of type T: square roots for the common exponents (AlexNet's
   * 0.75, 0.5, 1), else {@code Math.pow}.
   */
  private String factor(LayerContext ctx, String base) {
    double beta = op.beta();
    String d = ctx.num().isFloat() ? "(double) " + base : base;
    String e;
    if (beta == 0.75) {
      e = "1.0 / (Math.sqrt(" + d + ") * Math.sqrt(Math.sqrt(" + d + ")))";
    } else if (beta == 0.5) {
      e = "1.0 / Math.sqrt(" + d + ")";
    } else if (beta == 1) {
      e = "1.0 / " + d;
    } else {
      e = "Math.pow(" + d + ", " + (-beta) + ")";
    }
    return ctx.num().fromDouble(e);
  }

  /** {@code lo} and {@code hi}, the first and last channel of channel {@code c}'s window. */
  private static void window(CodeBlock.Builder b, String c, int before, int after, int channels) {
    b.addStatement("int lo = Math.max(0, $L - $L)", c, before);
    b.addStatement("int hi = Math.min($L, $L + $L)", channels - 1, c, after);
  }

  @Override
  public List<MethodSpec> forward(LayerContext ctx) {
    String t = ctx.num().t();
    int c = channels(ctx);
    int hw = plane(ctx);
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("$L[] z = this.$L", t, ctx.preBuffer());
    b.addStatement("$L[] in = this.$L", t, ctx.buffer("In"));
    b.addStatement("$L[] base = this.$L", t, ctx.buffer("Base"));
    b.addStatement("$L[] s = this.$L[0]", t, ctx.buffer("Sum"));
    b.addStatement("System.arraycopy(x, xOff, in, 0, batch * $L)", ctx.outSize());
    b.beginControlFlow("for (int n = 0; n < batch; n++)");
    b.addStatement("int ns = n * $L", ctx.outSize());
    b.beginControlFlow("for (int c = 0; c < $L; c++)", c);
    b.add("// s = Σ x[c']² over the channels c' = c - $L .. c + $L that exist\n", op.before(),
        op.after());
    window(b, "c", op.before(), op.after(), c);
    b.addStatement("$T.fill(s, 0, $L, $L)", java.util.Arrays.class, hw, ctx.num().lit(0));
    b.beginControlFlow("for (int q = lo; q <= hi; q++)");
    b.addStatement("int qs = ns + q * $L", hw);
    b.beginControlFlow("for (int i = 0; i < $L; i++)", hw);
    b.addStatement("$L v = in[qs + i]", t);
    b.addStatement("s[i] += v * v");
    b.endControlFlow();
    b.endControlFlow();
    b.addStatement("int cs = ns + c * $L", hw);
    b.beginControlFlow("for (int i = 0; i < $L; i++)", hw);
    b.addStatement("$L d = $L + $L * s[i]", t, ctx.num().lit(op.k()),
        ctx.num().lit(op.alpha() / op.size()));
    b.addStatement("base[cs + i] = d");
    b.addStatement("z[cs + i] = in[cs + i] * $L", factor(ctx, "d"));
    b.endControlFlow();
    b.endControlFlow();
    b.endControlFlow();
    return List.of(ctx.inputMethod("Forward")
        .addJavadoc("$L: forward, into $L; keeps the input and each value's base.\n",
            ctx.header(), ctx.preBuffer())
        .addCode(b.build()).build());
  }

  @Override
  public List<MethodSpec> backwardData(LayerContext ctx) {
    String t = ctx.num().t();
    int c = channels(ctx);
    int hw = plane(ctx);
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("$L[] z = this.$L", t, ctx.outBuffer());
    b.addStatement("$L[] dz = this.$L", t, ctx.deltaBuffer());
    b.addStatement("$L[] in = this.$L", t, ctx.buffer("In"));
    b.addStatement("$L[] base = this.$L", t, ctx.buffer("Base"));
    b.addStatement("$L[] acc = this.$L[0]", t, ctx.buffer("Sum"));
    b.addStatement("$L[] terms = this.$L[0]", t, ctx.buffer("Terms"));
    b.beginControlFlow("for (int n = 0; n < batch; n++)");
    b.addStatement("int ns = n * $L", ctx.outSize());
    b.beginControlFlow("for (int i = 0; i < $L; i++)", ctx.outSize());
    b.addStatement("terms[i] = dz[ns + i] * z[ns + i] / base[ns + i]");
    b.endControlFlow();
    b.beginControlFlow("for (int j = 0; j < $L; j++)", c);
    b.add("// the channels whose window holds j: j - $L .. j + $L\n", op.after(), op.before());
    window(b, "j", op.after(), op.before(), c);
    b.addStatement("$T.fill(acc, 0, $L, $L)", java.util.Arrays.class, hw, ctx.num().lit(0));
    b.beginControlFlow("for (int q = lo; q <= hi; q++)");
    b.addStatement("int qs = q * $L", hw);
    b.beginControlFlow("for (int i = 0; i < $L; i++)", hw);
    b.addStatement("acc[i] += terms[qs + i]");
    b.endControlFlow();
    b.endControlFlow();
    b.addStatement("int js = ns + j * $L", hw);
    b.beginControlFlow("for (int i = 0; i < $L; i++)", hw);
    b.addStatement("$L d = base[js + i]", t);
    b.addStatement("dx[js + i] += dz[js + i] * $L - $L * in[js + i] * acc[i]", factor(ctx, "d"),
        ctx.num().lit(2 * op.alpha() * op.beta() / op.size()));
    b.endControlFlow();
    b.endControlFlow();
    b.endControlFlow();
    return List.of(ctx.dataMethod()
        .addJavadoc("$L: adds dL/dx, through each value's own factor and its neighbours' sums.\n",
            ctx.header())
        .addCode(b.build()).build());
  }
}
