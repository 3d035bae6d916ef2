package dev.lamina.processor.gen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import dev.lamina.processor.model.Op;
import java.util.List;

/**
 * Fully connected layer {@code Y = X·W + b}, W laid out [IN][OUT]; an image input is read as its
 * flat C·H·W values. Forward and dW are element-wise updates along a contiguous row of W (axpy
 * over the outputs); dX is one dot product per input.
 */
final class AffineEmitter implements LayerEmitter {
  private static final ClassName ARRAYS = ClassName.get("java.util", "Arrays");

  private final Op.Affine op;

  AffineEmitter(Op.Affine op) {
    this.op = op;
  }

  @Override
  public boolean hasParameters() {
    return true;
  }

  @Override
  public List<MethodSpec> forward(LayerContext ctx) {
    String t = ctx.num().t();
    int in = ctx.inSize();
    int out = ctx.outSize();
    CodeBlock.Builder b = CodeBlock.builder();
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
    b.beginControlFlow("for (int o = 0; o < $L; o++)", out);
    b.addStatement("z[zs + o] += xi * p[wr + o]");
    b.endControlFlow();
    b.endControlFlow();
    b.endControlFlow();
    return List.of(ctx.inputMethod("Forward")
        .addJavadoc("$L: forward, into $L.\n", ctx.header(), ctx.preBuffer())
        .addCode(b.build()).build());
  }

  @Override
  public List<MethodSpec> backwardParams(LayerContext ctx) {
    String t = ctx.num().t();
    int in = ctx.inSize();
    int out = ctx.outSize();
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("$L[] g = this.g", t);
    b.addStatement("$L[] dz = this.$L", t, ctx.deltaBuffer());
    b.beginControlFlow("for (int n = 0; n < batch; n++)");
    b.addStatement("int xs = xOff + n * $L", in);
    b.addStatement("int zs = n * $L", out);
    b.beginControlFlow("for (int i = 0; i < $L; i++)", in);
    b.addStatement("$L xi = x[xs + i]", t);
    b.addStatement("int gr = $L + i * $L", ctx.offset("weight"), out);
    b.beginControlFlow("for (int o = 0; o < $L; o++)", out);
    b.addStatement("g[gr + o] += xi * dz[zs + o]");
    b.endControlFlow();
    b.endControlFlow();
    if (op.bias()) {
      b.beginControlFlow("for (int o = 0; o < $L; o++)", out);
      b.addStatement("g[$L + o] += dz[zs + o]", ctx.offset("bias"));
      b.endControlFlow();
    }
    b.endControlFlow();
    return List.of(ctx.inputMethod("BackwardParams")
        .addJavadoc("$L: adds dL/dW = xᵀ·dz and dL/db = Σ dz to the gradients.\n", ctx.header())
        .addCode(b.build()).build());
  }

  @Override
  public List<MethodSpec> backwardData(LayerContext ctx) {
    String t = ctx.num().t();
    int in = ctx.inSize();
    int out = ctx.outSize();
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("$L[] p = this.p", t);
    b.addStatement("$L[] dz = this.$L", t, ctx.deltaBuffer());
    b.beginControlFlow("for (int n = 0; n < batch; n++)");
    b.addStatement("int xs = n * $L", in);
    b.addStatement("int zs = n * $L", out);
    b.beginControlFlow("for (int i = 0; i < $L; i++)", in);
    b.addStatement("int wr = $L + i * $L", ctx.offset("weight"), out);
    b.addStatement("$L acc = 0", t);
    b.beginControlFlow("for (int o = 0; o < $L; o++)", out);
    b.addStatement("acc += p[wr + o] * dz[zs + o]");
    b.endControlFlow();
    b.addStatement("dx[xs + i] += acc");
    b.endControlFlow();
    b.endControlFlow();
    return List.of(ctx.dataMethod()
        .addJavadoc("$L: adds dL/dx = dz·Wᵀ to dx.\n", ctx.header())
        .addCode(b.build()).build());
  }
}
