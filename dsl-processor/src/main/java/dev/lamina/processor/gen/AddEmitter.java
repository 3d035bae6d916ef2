package dev.lamina.processor.gen;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import dev.lamina.processor.model.Node;
import java.util.List;

/**
 * Element-wise sum of k inputs of the same shape: {@code z = x0 + x1 + ...}; backward hands the
 * same dL/dz to every input's gradient in one loop (skipping a {@code null} one: the network input
 * whose gradient is not wanted), written rather than added into the delta of an input that only
 * this layer reads ({@code NetworkModel.assignsInputGradient}). With ReLU, ReLU6 or leaky ReLU
 * ({@code NetworkModel.fusesActivation}) the forward loop writes only the activated output, and
 * the backward loop applies the activation's derivative, read off the output, as it reads
 * dL/d(output).
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
    b.addStatement("$L[] $L = this.$L", t, ctx.fusesActivation() ? "y" : "z", ctx.preBuffer());
    StringBuilder sum = new StringBuilder();
    for (int k = 0; k < ctx.inputCount(); k++) {
      sum.append(k == 0 ? "" : " + ").append("x").append(k).append("[x").append(k)
          .append("Off + q]");
    }
    b.beginControlFlow("for (int q = 0, e = batch * $L; q < e; q++)", ctx.outSize());
    if (ctx.fusesActivation()) {
      b.addStatement("$L v = $L", t, sum);
      b.addStatement("y[q] = $L", ActivationEmitter.piecewiseLinear(ctx, "v"));
    } else {
      b.addStatement("z[q] = $L", sum);
    }
    b.endControlFlow();
    return List.of(ctx.inputMethod("Forward")
        .addJavadoc("$L: forward, into $L$L.\n", ctx.header(), ctx.outBuffer(),
            ctx.fusesActivation() ? ", activated in the same pass" : "")
        .addCode(b.build()).build());
  }

  @Override
  public List<MethodSpec> backwardData(LayerContext ctx) {
    String t = ctx.num().t();
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("$L[] dz = this.$L", t, ctx.deltaBuffer());
    if (ctx.fusesActivation()) {
      b.addStatement("$L[] y = this.$L", t, ctx.outBuffer());
    }
    b.addStatement("int e = batch * $L", ctx.outSize());
    // the output is positive (ReLU6: inside (0, 6)) exactly where the pre-activation is
    String gradient = ctx.fusesActivation()
        ? ActivationEmitter.piecewiseLinearGradient(ctx, "dz[q]", "y[q]") : "dz[q]";
    if (ctx.node().inputs().contains(Node.NETWORK_INPUT)) {
      // a dx may be null (the network input's): the activation's derivative first, in place
      if (ctx.fusesActivation()) {
        b.beginControlFlow("for (int q = 0; q < e; q++)");
        b.addStatement("dz[q] = $L", gradient);
        b.endControlFlow();
      }
      for (int k = 0; k < ctx.inputCount(); k++) {
        b.beginControlFlow("if (dx$L != null)", k);
        b.beginControlFlow("for (int q = 0; q < e; q++)");
        b.addStatement("dx$L[q] $L dz[q]", k, ctx.handOn(k));
        b.endControlFlow();
        b.endControlFlow();
      }
    } else {
      b.add("// one pass: dL/dz$L handed to every input\n",
          ctx.fusesActivation() ? " (the activation's derivative applied as it is read)" : "");
      b.beginControlFlow("for (int q = 0; q < e; q++)");
      b.addStatement("$L d = $L", t, gradient);
      for (int k = 0; k < ctx.inputCount(); k++) {
        b.addStatement("dx$L[q] $L d", k, ctx.handOn(k));
      }
      b.endControlFlow();
    }
    return List.of(ctx.dataMethod()
        .addJavadoc("$L: $Lhands dL/dz to every input$L.\n", ctx.header(),
            ctx.fusesActivation() ? "applies the activation's derivative and " : "",
            ctx.assignsInput().contains(true) ? " (written into the delta of an input read by "
                + "this layer alone, added into the others)" : "")
        .addCode(b.build()).build());
  }
}
