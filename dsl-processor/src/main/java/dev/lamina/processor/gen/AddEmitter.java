package dev.lamina.processor.gen;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import java.util.List;

/**
 * Element-wise sum of k inputs of the same shape: {@code z = x0 + x1 + ...}; backward adds the
 * same dL/dz to every input's gradient (skipping a {@code null} one: the network input whose
 * gradient is not wanted). With ReLU, ReLU6 or leaky ReLU ({@code NetworkModel.fusesActivation})
 * the forward loop writes the activated output too, in the same pass.
 */
public final class AddEmitter implements LayerEmitter {
  @Override
  public boolean hasParameters() {
    return false;
  }

  @Override
  public List<MethodSpec> forward(LayerContext ctx) {
    String t = ctx.num().t();
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("$L[] z = this.$L", t, ctx.preBuffer());
    if (ctx.fusesActivation()) {
      b.addStatement("$L[] y = this.$L", t, ctx.outBuffer());
    }
    StringBuilder sum = new StringBuilder();
    for (int k = 0; k < ctx.inputCount(); k++) {
      sum.append(k == 0 ? "" : " + ").append("x").append(k).append("[x").append(k)
          .append("Off + q]");
    }
    b.beginControlFlow("for (int q = 0, e = batch * $L; q < e; q++)", ctx.outSize());
    if (ctx.fusesActivation()) {
      b.addStatement("$L v = $L", t, sum);
      b.addStatement("z[q] = v");
      b.addStatement("y[q] = $L", ActivationEmitter.piecewiseLinear(ctx, "v"));
    } else {
      b.addStatement("z[q] = $L", sum);
    }
    b.endControlFlow();
    return List.of(ctx.inputMethod("Forward")
        .addJavadoc("$L: forward, into $L$L.\n", ctx.header(), ctx.preBuffer(),
            ctx.fusesActivation() ? " and, activated in the same pass, " + ctx.outBuffer() : "")
        .addCode(b.build()).build());
  }

  @Override
  public List<MethodSpec> backwardData(LayerContext ctx) {
    String t = ctx.num().t();
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("$L[] dz = this.$L", t, ctx.deltaBuffer());
    b.addStatement("int e = batch * $L", ctx.outSize());
    for (int k = 0; k < ctx.inputCount(); k++) {
      b.beginControlFlow("if (dx$L != null)", k);
      b.beginControlFlow("for (int q = 0; q < e; q++)");
      b.addStatement("dx$L[q] += dz[q]", k);
      b.endControlFlow();
      b.endControlFlow();
    }
    return List.of(ctx.dataMethod()
        .addJavadoc("$L: adds dL/dz to the gradient of every input.\n", ctx.header())
        .addCode(b.build()).build());
  }
}
