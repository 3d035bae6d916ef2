package dev.lamina.processor.gen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterSpec;
import dev.lamina.dsl.Activation;
import dev.lamina.processor.model.GeneratedNames;
import dev.lamina.processor.model.NetworkModel;
import dev.lamina.processor.model.Node;
import dev.lamina.runtime.ParameterTensor;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import javax.lang.model.element.Modifier;

/**
 * What an emitter knows about the layer it writes: the node, the precision and the names.
 *
 * <p>A layer reading one input gets methods {@code (T[] x, int xOff, int batch)} and {@code (T[]
 * dx, int batch)}; a layer reading k &gt; 1 inputs (Add, Concat) gets {@code x0, x0Off, ...,
 * x<k-1>, x<k-1>Off} and {@code dx0, ..., dx<k-1>}, where a {@code dx} is {@code null} when
 * that input is the network input and its gradient is not wanted.
 *
 * @param foldedNorm for a convolution whose batch normalization the inference pass folds into it
 *     ({@code NetworkModel.foldedNorms}), that batch normalization's node; else null
 * @param fusesActivation whether the layer applies its activation itself, forward and backward
 *     ({@code NetworkModel.fusesActivation}), so that no {@code <name>Activate} pass follows its
 *     forward method and no {@code <name>ActivateBackward} pass precedes its backward methods
 * @param assignsInput per input, whether the layer's backward writes dL/d(input) into that
 *     input's delta rather than adding it ({@code NetworkModel.assignsInputGradient})
 */
record LayerContext(Num num, Node node, Map<ParameterTensor, String> offsetConstants,
    Node foldedNorm, boolean fusesActivation, List<Boolean> assignsInput) {

  LayerContext {
    assignsInput = List.copyOf(assignsInput);
  }

  /**
   * The layer's name as a Java identifier, the stem of its methods and buffers: the node's name,
   * with the dot of a block layer ({@code res3a.c1}) mangled to an underscore ({@code res3a_c1}).
   */
  String name() {
    return identifier(node.name());
  }

  /** {@code res3a.c1} → {@code res3a_c1}. */
  static String identifier(String nodeName) {
    return GeneratedNames.identifier(nodeName);
  }

  /** Number of inputs the layer reads. */
  int inputCount() {
    return node.inputs().size();
  }

  /** Elements of one sample of input {@code k}. */
  int inSize(int k) {
    return (int) node.inputShapes().get(k).size();
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

  /**
   * The layer's output before its activation (the output itself when the activation is
   * identity, or when the layer {@link #fusesActivation()}: such a layer keeps no
   * pre-activation).
   */
  String preBuffer() {
    return node.activation() == Activation.IDENTITY || fusesActivation ? outBuffer()
        : name() + "Pre";
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

  /**
   * Whether the inference pass runs this convolution with a batch normalization folded into it:
   * its forward method then reads {@link #forwardParameters()} and {@link #foldedBias}.
   */
  boolean folds() {
    return foldedNorm != null;
  }

  /**
   * The parameter array the layer's forward pass reads: the workspace's folded copy in a folded
   * inference pass when the layer {@link #folds()}, else the network's parameters.
   */
  String forwardParameters() {
    return folds() ? "foldedPass ? this.folded : this.p" : "this.p";
  }

  /**
   * The bias of output channel {@code k} in the forward pass, given the layer's own ({@code own},
   * e.g. zero without a bias): in a folded inference pass the folded shift, which the folded copy
   * holds at the batch normalization's bias offset.
   */
  String forwardBias(String own, String k) {
    if (!folds()) {
      return own;
    }
    String folded = offsetConstants.get(foldedNorm.parameter("bias"));
    return "(foldedPass ? p[" + Src.plus(folded, k) + "] : " + own + ")";
  }

  /**
   * Whether, in a folded inference pass, this convolution also applies its batch normalization's
   * activation (ReLU, ReLU6, leaky ReLU: {@code NetworkModel.isPiecewiseLinear}) as it writes its
   * output, into the batch normalization's output buffer ({@link #forwardOutput()}).
   */
  boolean foldsActivation() {
    return folds() && NetworkModel.isPiecewiseLinear(foldedNorm.activation());
  }

  /**
   * The buffer the layer's forward pass writes: with {@link #foldsActivation()}, the batch
   * normalization's output in a folded pass; else {@link #preBuffer()}.
   */
  String forwardOutput() {
    return foldsActivation() ? "foldedPass ? this." + identifier(foldedNorm.name()) + "Out : this."
        + preBuffer() : "this." + preBuffer();
  }

  /**
   * {@code to[toPos..] = from[fromPos..]}, {@code len} values, as the last step of a forward pass:
   * a copy, or with {@link #foldsActivation()} in a folded pass the activated values (in place
   * when {@code from} and {@code to} are the same place: then nothing in other passes).
   */
  void copyOut(CodeBlock.Builder b, String from, String fromPos, String to, String toPos,
      String len) {
    boolean inPlace = from.equals(to) && fromPos.equals(toPos);
    if (foldsActivation()) {
      b.beginControlFlow("if (foldedPass)");
      b.beginControlFlow("for (int q = 0; q < $L; q++)", len);
      b.addStatement("$L[$L] = $L", to, Src.plus(toPos, "q"),
          ActivationEmitter.piecewiseLinear(num, foldedNorm, from + "[" + Src.plus(fromPos, "q")
              + "]"));
      b.endControlFlow();
      if (inPlace) {
        b.endControlFlow();
        return;
      }
      b.nextControlFlow("else");
    }
    if (!inPlace) {
      b.addStatement("System.arraycopy($L, $L, $L, $L, $L)", from, fromPos, to, toPos, len);
    }
    if (foldsActivation()) {
      b.endControlFlow();
    }
  }

  /**
   * {@code dx[v] = value} or {@code dx[v] += value} for input {@code k}: the operator that hands
   * dL/d(input k) on, {@code =} when the layer {@link #assignsInput assigns} it.
   */
  String handOn(int k) {
    return assignsInput.get(k) ? "=" : "+=";
  }

  boolean has(String tensor) {
    return node.parameter(tensor) != null;
  }

  /**
   * In the float variant, {@code if (Kernels.VECTOR) { vector; return; }} ahead of a method's plain
   * loops; nothing in the double variant, which never uses the Vector API.
   */
  void vectorFirst(CodeBlock.Builder b, Consumer<CodeBlock.Builder> vector) {
    if (!num.isFloat()) {
      return;
    }
    b.beginControlFlow("if ($T.VECTOR)", ClassName.get("dev.lamina.runtime.kernel", "Kernels"));
    vector.accept(b);
    b.addStatement("return");
    b.endControlFlow();
  }

  /** A layer method {@code <name><suffix>(T[] x, int xOff, int batch)}. */
  MethodSpec.Builder inputMethod(String suffix) {
    MethodSpec.Builder m = MethodSpec.methodBuilder(name() + suffix)
        .addModifiers(Modifier.PRIVATE);
    if (inputCount() == 1) {
      m.addParameter(ParameterSpec.builder(num.array(), "x").build())
          .addParameter(int.class, "xOff");
    } else {
      for (int k = 0; k < inputCount(); k++) {
        m.addParameter(ParameterSpec.builder(num.array(), "x" + k).build())
            .addParameter(int.class, "x" + k + "Off");
      }
    }
    return m.addParameter(int.class, "batch");
  }

  /** A layer method {@code <name>BackwardData(T[] dx, int batch)}. */
  MethodSpec.Builder dataMethod() {
    MethodSpec.Builder m = MethodSpec.methodBuilder(name() + "BackwardData")
        .addModifiers(Modifier.PRIVATE);
    if (inputCount() == 1) {
      m.addParameter(ParameterSpec.builder(num.array(), "dx").build());
    } else {
      for (int k = 0; k < inputCount(); k++) {
        m.addParameter(ParameterSpec.builder(num.array(), "dx" + k).build());
      }
    }
    return m.addParameter(int.class, "batch");
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
    return node.name() + ": " + node.summary().kind() + (d.isEmpty() ? "" : " " + d) + " | "
        + node.inputShape() + " -> " + node.outputShape();
  }
}
