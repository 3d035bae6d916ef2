package dev.lamina.processor.gen;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import dev.lamina.processor.model.DropoutOp;
import java.util.List;

/**
 * Inverted dropout. A training pass draws one uniform number per value from the workspace's
 * SplitMix64 generator (state {@code seed}, salted per layer with the layer's {@code seed}
 * attribute and name), keeps the value with probability 1 - p scaled by 1/(1 - p), and records
 * the factor (0 or 1/(1 - p)) in a mask buffer for the backward pass. An inference pass copies its
 * input.
 */
public final class DropoutEmitter implements LayerEmitter {
  private final DropoutOp op;

  public DropoutEmitter(DropoutOp op) {
    this.op = op;
  }

  @Override
  public boolean drawsMasks() {
    return true;
  }

  @Override
  public boolean hasParameters() {
    return false;
  }

  @Override
  public List<Buffer> buffers(LayerContext c) {
    return List.of(new Buffer(c.buffer("Mask"), false, c.outSize(),
        "factor of each value in the last training pass: 0 or 1/(1-p)"));
  }

  private long salt(LayerContext ctx) {
    long h = op.seed() * 0x9E3779B97F4A7C15L;
    for (char ch : ctx.node().name().toCharArray()) {
      h = (h ^ ch) * 0x100000001B3L;
    }
    return h;
  }

  @Override
  public List<MethodSpec> forward(LayerContext ctx) {
    String t = ctx.num().t();
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("$L[] z = this.$L", t, ctx.preBuffer());
    b.addStatement("int e = batch * $L", ctx.outSize());
    b.beginControlFlow("if (!trainingPass)");
    b.addStatement("System.arraycopy(x, xOff, z, 0, e)");
    b.addStatement("return");
    b.endControlFlow();
    b.addStatement("$L[] m = this.$L", t, ctx.buffer("Mask"));
    b.addStatement("long s = seed");
    b.beginControlFlow("for (int q = 0; q < e; q++)");
    b.addStatement("s += 0x9E3779B97F4A7C15L");
    b.addStatement("long r = s ^ $LL", salt(ctx));
    b.addStatement("r = (r ^ (r >>> 30)) * 0xBF58476D1CE4E5B9L");
    b.addStatement("r = (r ^ (r >>> 27)) * 0x94D049BB133111EBL");
    b.addStatement("r ^= r >>> 31");
    b.addStatement("$L f = (r >>> 11) * 0x1.0p-53 < $L ? $L : $L", t, op.p(),
        ctx.num().lit(0), ctx.num().lit(1.0 / (1.0 - op.p())));
    b.addStatement("m[q] = f");
    b.addStatement("z[q] = x[xOff + q] * f");
    b.endControlFlow();
    b.addStatement("seed = s");
    return List.of(ctx.inputMethod("Forward")
        .addJavadoc("$L: forward, into $L (identity in inference).\n", ctx.header(),
            ctx.preBuffer())
        .addCode(b.build()).build());
  }

  @Override
  public List<MethodSpec> backwardData(LayerContext ctx) {
    String t = ctx.num().t();
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("$L[] dz = this.$L", t, ctx.deltaBuffer());
    b.addStatement("int e = batch * $L", ctx.outSize());
    b.beginControlFlow("if (!trainingPass)");
    b.beginControlFlow("for (int q = 0; q < e; q++)");
    b.addStatement("dx[q] += dz[q]");
    b.endControlFlow();
    b.addStatement("return");
    b.endControlFlow();
    b.addStatement("$L[] m = this.$L", t, ctx.buffer("Mask"));
    b.beginControlFlow("for (int q = 0; q < e; q++)");
    b.addStatement("dx[q] += dz[q] * m[q]");
    b.endControlFlow();
    return List.of(ctx.dataMethod()
        .addJavadoc("$L: adds dL/dz times the mask to dx.\n", ctx.header())
        .addCode(b.build()).build());
  }
}
