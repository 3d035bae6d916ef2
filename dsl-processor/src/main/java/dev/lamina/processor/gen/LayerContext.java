package dev.lamina.processor.gen;

import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterSpec;
import dev.lamina.dsl.Activation;
import dev.lamina.processor.model.Node;
import dev.lamina.runtime.ParameterTensor;
import java.util.Map;
import javax.lang.model.element.Modifier;

/** What an emitter knows about the layer it writes: the node, the precision and the names. */
record LayerContext(Num num, Node node, Map<ParameterTensor, String> offsetConstants) {

  String name() {
    return node.name();
  }

  int inSize() {
    return (int) node.inputShape().size();
  }

  int outSize() {
    return (int) node.outputShape().size();
  }

  /** The layer's output after its activation. */
  String outBuffer() {
    return name() + "Out";
  }

  /** The layer's output before its activation (the output itself when the activation is identity). */
  String preBuffer() {
    return node.activation() == Activation.IDENTITY ? outBuffer() : name() + "Pre";
  }

  /** dL/d(output); after the activation's backward, in place, dL/d(pre-activation). */
  String deltaBuffer() {
    return name() + "Delta";
  }

  /** A buffer of this layer with a suffix: {@code c1Arg}. */
  String buffer(String suffix) {
    return name() + suffix;
  }

  /** The offset constant of one of this layer's tensors: {@code C1_WEIGHT}. */
  String offset(String tensor) {
    ParameterTensor t = node.parameter(tensor);
    if (t == null) {
      throw new IllegalStateException(name() + " has no tensor " + tensor);
    }
    return offsetConstants.get(t);
  }

  boolean has(String tensor) {
    return node.parameter(tensor) != null;
  }

  /** A layer method {@code <name><suffix>(T[] x, int xOff, int batch)}. */
  MethodSpec.Builder inputMethod(String suffix) {
    return MethodSpec.methodBuilder(name() + suffix)
        .addModifiers(Modifier.PRIVATE)
        .addParameter(ParameterSpec.builder(num.array(), "x").build())
        .addParameter(int.class, "xOff")
        .addParameter(int.class, "batch");
  }

  /** A layer method {@code <name>BackwardData(T[] dx, int batch)}. */
  MethodSpec.Builder dataMethod() {
    return MethodSpec.methodBuilder(name() + "BackwardData")
        .addModifiers(Modifier.PRIVATE)
        .addParameter(ParameterSpec.builder(num.array(), "dx").build())
        .addParameter(int.class, "batch");
  }

  /** A helper method with only the batch as parameter. */
  MethodSpec.Builder batchMethod(String suffix) {
    return MethodSpec.methodBuilder(name() + suffix)
        .addModifiers(Modifier.PRIVATE)
        .addParameter(int.class, "batch");
  }

  /** {@code c1: Conv 6@5x5 pad 2 relu | 1x28x28 -> 6x28x28}. */
  String header() {
    String d = node.summary().description();
    return name() + ": " + node.summary().kind() + (d.isEmpty() ? "" : " " + d) + " | "
        + node.inputShape() + " -> " + node.outputShape();
  }
}
