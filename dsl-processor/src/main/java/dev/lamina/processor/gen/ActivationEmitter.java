package dev.lamina.processor.gen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import dev.lamina.dsl.Activation;
import dev.lamina.processor.model.Node;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * Element-wise activations: {@code <name>Activate(z, batch)} maps the pre-activation values
 * {@code z} (the pre-activation buffer, or the folded convolution's output) to the output buffer,
 * {@code <name>ActivateBackward} turns dL/d(output) into dL/d(pre-activation) in place.
 * Transcendental functions are evaluated in double (and rounded once) in both precisions.
 */
final class ActivationEmitter {
  private static final ClassName SPECIAL = ClassName.get(Num.RUNTIME, "SpecialFunctions");
  private static final String SQRT1_2 = "0.7071067811865476"; // 1/√2
  private static final String INV_SQRT_2PI = "0.3989422804014327"; // 1/√(2π)
  private static final String SQRT_2_OVER_PI = "0.7978845608028654"; // √(2/π)

  private ActivationEmitter() {}

  /**
   * The activation of ReLU, ReLU6 or leaky ReLU applied to {@code v} (a name or an indexed
   * element, not a compound expression) as one expression: what a layer that fuses its activation
   * ({@code NetworkModel.fusesActivation}) writes inline.
   */
  static String piecewiseLinear(LayerContext ctx, String v) {
    return piecewiseLinear(ctx.num(), ctx.node(), v);
  }

  /** {@link #piecewiseLinear(LayerContext, String)} with the activation of {@code node}. */
  static String piecewiseLinear(Num num, Node node, String v) {
    return switch (node.activation()) {
      case RELU -> "Math.max(" + v + ", " + num.lit(0) + ")";
      case RELU6 -> "Math.min(Math.max(" + v + ", " + num.lit(0) + "), " + num.lit(6) + ")";
      case LEAKY_RELU -> v + " > 0 ? " + v + " : " + num.lit(node.activationParameter()) + " * "
          + v;
      default -> throw new IllegalArgumentException(node.activation() + " is not piecewise "
          + "linear");
    };
  }

  /**
   * dL/d(pre-activation) from dL/d(output) {@code d} and the pre-activation {@code z} (names or
   * indexed elements) of ReLU, ReLU6 or leaky ReLU, as one expression: what a layer that fuses
   * its activation ({@code
   * NetworkModel.fusesActivation}) applies inline in its backward pass, and what {@code
   * <name>ActivateBackward} applies otherwise.
   */
  static String piecewiseLinearGradient(LayerContext ctx, String d, String z) {
    Num num = ctx.num();
    return switch (ctx.node().activation()) {
      case RELU -> d + " * " + reluStep(num, z);
      // 1 strictly inside (0, 6), as PyTorch's hardtanh backward; 0 at both ends
      case RELU6 -> z + " > 0 && " + z + " < " + num.lit(6) + " ? " + d + " : " + num.lit(0);
      case LEAKY_RELU -> z + " > 0 ? " + d + " : " + num.lit(ctx.node().activationParameter())
          + " * " + d;
      default -> throw new IllegalArgumentException(ctx.node().activation() + " is not piecewise "
          + "linear");
    };
  }

  /**
   * The float literals {@code lo, hi, below} that describe the derivative of ReLU, ReLU6 or leaky
   * ReLU to the runtime's {@code Kernels.maskedDotAndSum}: 1 inside (lo, hi), else below.
   */
  static String piecewiseLinearPieces(LayerContext ctx) {
    Num num = ctx.num();
    String zero = num.lit(0);
    return switch (ctx.node().activation()) {
      case RELU -> zero + ", Float.POSITIVE_INFINITY, " + zero;
      case RELU6 -> zero + ", " + num.lit(6) + ", " + zero;
      case LEAKY_RELU -> zero + ", Float.POSITIVE_INFINITY, "
          + num.lit(ctx.node().activationParameter());
      default -> throw new IllegalArgumentException(ctx.node().activation() + " is not piecewise "
          + "linear");
    };
  }

  /**
   * ReLU's derivative at {@code z} without a branch, so that C2 vectorizes the loop: max(z, 0)
   * scaled past 1 for any z &gt; 0 (even the smallest subnormal), then clamped to 1; exactly 0 for
   * z &lt;= 0.
   */
  private static String reluStep(Num num, String z) {
    String big = num.isFloat() ? "0x1p126f" : "0x1p1023";
    return "Math.min(" + num.lit(1) + ", Math.max(" + num.lit(0) + ", " + z + ") * " + big
        + " * " + big + ")";
  }

  /**
   * The forward and backward methods of the layer's activation; none for a layer that fuses its
   * activation, forward and backward.
   */
  static List<MethodSpec> methods(LayerContext ctx, boolean fused) {
    return fused ? List.of() : methods(ctx);
  }

  private static List<MethodSpec> methods(LayerContext ctx) {
    Activation a = ctx.node().activation();
    if (a == Activation.IDENTITY) {
      return List.of();
    }
    Num num = ctx.num();
    String t = num.t();
    String size = "batch * " + ctx.outSize();

    CodeBlock.Builder f = CodeBlock.builder();
    f.addStatement("$L[] y = this.$L", t, ctx.outBuffer());
    f.beginControlFlow("for (int q = 0, e = $L; q < e; q++)", size);
    f.addStatement("$L v = z[q]", t);
    switch (a) {
      case RELU -> {
        f.add("// max(v, 0) without a branch, so that C2 vectorizes the loop\n");
        f.addStatement("y[q] = $L", piecewiseLinear(ctx, "v"));
      }
      case RELU6, LEAKY_RELU -> f.addStatement("y[q] = $L", piecewiseLinear(ctx, "v"));
      case ELU -> f.addStatement("y[q] = v > 0 ? v : $L", num.fromDouble(
          Double.toString(ctx.node().activationParameter()) + " * Math.expm1(v)"));
      case SIGMOID -> f.addStatement("y[q] = $L", num.fromDouble("1.0 / (1.0 + Math.exp(-v))"));
      case TANH -> f.addStatement("y[q] = $L", num.fromDouble("Math.tanh(v)"));
      case GELU -> f.addStatement("y[q] = " + num.fromDouble("0.5 * v * $T.erfc(-v * $L)"),
          SPECIAL, SQRT1_2);
      case GELU_TANH -> {
        f.addStatement("double th = Math.tanh($L * (v + 0.044715 * v * v * v))", SQRT_2_OVER_PI);
        f.addStatement("y[q] = $L", num.fromDouble("0.5 * v * (1 + th)"));
      }
      case IDENTITY -> throw new AssertionError();
    }
    f.endControlFlow();

    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("$L[] d = this.$L", t, ctx.deltaBuffer());
    boolean fromOutput = a == Activation.SIGMOID || a == Activation.TANH;
    b.addStatement("$L[] $L = this.$L", t, fromOutput ? "y" : "z",
        fromOutput ? ctx.outBuffer() : ctx.preBuffer());
    b.beginControlFlow("for (int q = 0, e = $L; q < e; q++)", size);
    switch (a) {
      case RELU -> {
        b.add("// step(z) without a branch: max(z, 0) scaled past 1 for any z > 0, then clamped"
            + " to 1\n");
        b.addStatement("d[q] *= $L", reluStep(num, "z[q]"));
      }
      case RELU6 -> {
        b.addStatement("$L v = z[q]", t);
        b.addStatement("d[q] = $L", piecewiseLinearGradient(ctx, "d[q]", "v"));
      }
      case LEAKY_RELU -> b.addStatement("d[q] = $L", piecewiseLinearGradient(ctx, "d[q]", "z[q]"));
      case ELU -> {
        // α·e^z for z <= 0 (also at 0, PyTorch's choice), computed in double
        b.addStatement("double v = z[q]");
        b.addStatement("d[q] = v > 0 ? d[q] : $L", num.fromDouble(
            "d[q] * " + Double.toString(ctx.node().activationParameter()) + " * Math.exp(v)"));
      }
      case SIGMOID -> {
        b.addStatement("$L s = y[q]", t);
        b.addStatement("d[q] *= (1 - s) * s");
      }
      case TANH -> {
        b.addStatement("$L s = y[q]", t);
        b.addStatement("d[q] *= 1 - s * s");
      }
      case GELU -> {
        b.addStatement("double v = z[q]");
        b.addStatement("double slope = 0.5 * $T.erfc(-v * $L) + v * Math.exp(-0.5 * v * v) * $L",
            SPECIAL, SQRT1_2, INV_SQRT_2PI);
        b.addStatement("d[q] = $L", num.fromDouble("d[q] * slope"));
      }
      case GELU_TANH -> {
        b.addStatement("double v = z[q]");
        b.addStatement("double th = Math.tanh($L * (v + 0.044715 * v * v * v))", SQRT_2_OVER_PI);
        b.addStatement("double slope = 0.5 * (1 + th) + 0.5 * v * (1 - th * th) * $L"
            + " * (1 + 3 * 0.044715 * v * v)", SQRT_2_OVER_PI);
        b.addStatement("d[q] = $L", num.fromDouble("d[q] * slope"));
      }
      case IDENTITY -> throw new AssertionError();
    }
    b.endControlFlow();

    String name = a.name().toLowerCase(java.util.Locale.ROOT);
    return List.of(
        MethodSpec.methodBuilder(ctx.name() + "Activate")
            .addModifiers(Modifier.PRIVATE)
            .addParameter(num.array(), "z")
            .addParameter(int.class, "batch")
            .addJavadoc("$L: $L, z ($L, or what a folded inference pass computed in its place) "
                + "-> $L.\n", ctx.name(), name, ctx.preBuffer(), ctx.outBuffer())
            .addCode(f.build()).build(),
        ctx.batchMethod("ActivateBackward")
            .addJavadoc("$L: $L backward, dL/dy -> dL/dz in $L.\n", ctx.name(), name,
                ctx.deltaBuffer())
            .addCode(b.build()).build());
  }
}
