package dev.lamina.processor.gen;

import static dev.lamina.processor.gen.NetworkClass.ARRAYS;
import static dev.lamina.processor.gen.NetworkClass.LOSS;
import static dev.lamina.processor.gen.NetworkClass.RT;
import static dev.lamina.processor.gen.NetworkClass.override;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.lamina.dsl.Activation;
import dev.lamina.processor.model.Node;
import dev.lamina.processor.model.Shape;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * The workspace's passes: {@code forward} and {@code backward}, which call every layer's methods
 * in order with the buffers its inputs live in, and the two {@code lossAndGradients} overloads.
 */
final class PassWriter {
  private static final ClassName OBJECTS = ClassName.get("java.util", "Objects");
  private static final ClassName LOSSES = ClassName.get(RT, "Losses");

  private final NetworkClass c;
  private final Num num;

  PassWriter(NetworkClass c) {
    this.c = c;
    this.num = c.num();
  }

  void addTo(TypeSpec.Builder ws) {
    ws.addMethod(forwardMethod());
    if (!c.model().foldedNorms().isEmpty()) {
      ws.addMethod(layersMethod());
    }
    ws.addMethod(backwardMethod());
    lossMethods(ws);
  }

  /** The buffer and offset a node reads as input {@code k}, in forward or backward. */
  private String inputArgs(LayerContext l, boolean backward) {
    StringBuilder sb = new StringBuilder();
    for (int source : l.node().inputs()) {
      if (source == Node.NETWORK_INPUT) {
        sb.append(backward ? "input, inputOffset, " : "input, offset, ");
      } else {
        sb.append(backward ? c.layers().get(source).outBuffer() : forwardOut(source))
            .append(", 0, ");
      }
    }
    return sb.toString();
  }

  /**
   * The buffer holding layer {@code i}'s output in the forward pass: for a batch normalization
   * without activation folded into its convolution, the convolution's output in a folded pass.
   */
  private String forwardOut(int i) {
    Integer conv = WorkspaceWriter.foldedConv(c, i);
    LayerContext l = c.layers().get(i);
    if (conv == null || l.node().activation() != Activation.IDENTITY) {
      return l.outBuffer();
    }
    return "(foldedPass ? " + c.layers().get(conv).outBuffer() + " : " + l.outBuffer() + ")";
  }

  private MethodSpec forwardMethod() {
    MethodSpec.Builder m = override("forward", num.array())
        .addParameter(num.array(), "input")
        .addParameter(TypeName.INT, "offset")
        .addParameter(TypeName.INT, "batch")
        .addParameter(TypeName.BOOLEAN, "training")
        .addStatement("checkBatch(batch)")
        .addStatement("$T.checkFromIndexSize(offset, batch * INPUT_SIZE, input.length)", OBJECTS)
        .addStatement("this.input = input")
        .addStatement("this.inputOffset = offset")
        .addStatement("this.trainingPass = training");
    if (c.model().foldedNorms().isEmpty()) {
      layerCalls(m);
      return m.build();
    }
    m.addStatement("this.foldedPass = !training");
    m.beginControlFlow("if (foldedPass)");
    m.addComment("the folded weights of this pass, from the parameters as they are now");
    for (int norm : c.model().foldedNorms().values()) {
      m.addStatement("$LFold()", c.layers().get(norm).name());
    }
    m.endControlFlow();
    m.addStatement("return layers(batch)");
    return m.build();
  }

  /**
   * With batch normalizations folded into convolutions, the layers of a forward pass as a method
   * of their own, {@code layers(batch)}, which {@code backward} runs again unfolded after a folded
   * pass.
   */
  private MethodSpec layersMethod() {
    MethodSpec.Builder m = MethodSpec.methodBuilder("layers")
        .addModifiers(Modifier.PRIVATE)
        .returns(num.array())
        .addJavadoc("The layers of a forward pass over {@code input}, folded when {@code "
            + "foldedPass}.\n")
        .addParameter(TypeName.INT, "batch")
        .addStatement("$L[] input = this.input", num.t())
        .addStatement("int offset = this.inputOffset");
    layerCalls(m);
    return m.build();
  }

  /** Every layer's forward call in order, then the return of the output. */
  private void layerCalls(MethodSpec.Builder m) {
    for (int i = 0; i < c.layers().size(); i++) {
      LayerContext l = c.layers().get(i);
      Integer conv = WorkspaceWriter.foldedConv(c, i);
      boolean activated = l.node().activation() != Activation.IDENTITY;
      m.addCode("\n");
      m.addComment("$L", l.header());
      if (conv != null) {
        LayerContext folded = c.layers().get(conv);
        if (activated && !folded.foldsActivation()) {
          m.beginControlFlow("if (foldedPass)");
          m.addStatement("$LActivate($L, batch)", l.name(), folded.outBuffer());
          m.nextControlFlow("else");
        } else if (activated) {
          m.addComment("folded into $L in an inference pass, with the activation", folded.name());
          m.beginControlFlow("if (!foldedPass)");
        } else {
          m.addComment("folded into $L in an inference pass", c.layers().get(conv).name());
          m.beginControlFlow("if (!foldedPass)");
        }
        m.addStatement("$LForward($Lbatch)", l.name(), inputArgs(l, false));
        if (activated && !l.fusesActivation()) {
          m.addStatement("$LActivate($L, batch)", l.name(), l.preBuffer());
        }
        m.endControlFlow();
        continue;
      }
      m.addStatement("$LForward($Lbatch)", l.name(), inputArgs(l, false));
      if (activated && !l.fusesActivation()) {
        m.addStatement("$LActivate($L, batch)", l.name(), l.preBuffer());
      }
    }
    m.addStatement("return $L", forwardOut(c.layers().size() - 1));
  }

  /**
   * Backward in reverse order. A layer read by several others receives the sum of their
   * gradients: every delta buffer (and the input gradient) is zeroed first, each layer's backward
   * adds dL/d(input) into the delta buffer of each of its inputs, and a layer's own backward runs
   * only after all its readers' (they come later in the topological order). A delta buffer whose
   * only reader writes it whole ({@code NetworkModel.deltaAssigned}) is not zeroed; a layer that
   * fuses its activation applies its derivative in its own backward methods.
   */
  private MethodSpec backwardMethod() {
    LayerContext last = c.last();
    MethodSpec.Builder m = override("backward", TypeName.VOID)
        .addParameter(num.array(), "gradOutput")
        .addParameter(TypeName.INT, "offset")
        .addParameter(TypeName.INT, "batch")
        .addStatement("checkBatch(batch)")
        .beginControlFlow("if (input == null)")
        .addStatement("throw new IllegalStateException($S)", "backward before forward")
        .endControlFlow();
    if (!c.model().foldedNorms().isEmpty()) {
      m.beginControlFlow("if (foldedPass)");
      m.addComment("a folded pass left the batch normalizations' own buffers unwritten: run the "
          + "layers");
      m.addComment("again unfolded (the same inference arithmetic as without folding)");
      m.addStatement("foldedPass = false");
      m.addStatement("$T.checkFromIndexSize(inputOffset, batch * INPUT_SIZE, input.length)",
          OBJECTS);
      m.addStatement("layers(batch)");
      m.endControlFlow();
    }
    for (int i = 0; i < c.layers().size(); i++) {
      LayerContext l = c.layers().get(i);
      if (l != last && !c.model().deltaAssigned(i)) {
        m.addStatement("$T.fill($L, 0, batch * $L, $L)", ARRAYS, l.deltaBuffer(), l.outSize(),
            num.lit(0));
      }
    }
    m.addStatement("$L[] dInput = inputGradientEnabled ? inputGradient : null", num.t());
    m.beginControlFlow("if (dInput != null)");
    m.addStatement("$T.fill(dInput, 0, batch * INPUT_SIZE, $L)", ARRAYS, num.lit(0));
    m.endControlFlow();
    m.addStatement("System.arraycopy(gradOutput, offset, $L, 0, batch * OUTPUT_SIZE)",
        last.deltaBuffer());
    for (int i = c.layers().size() - 1; i >= 0; i--) {
      LayerContext l = c.layers().get(i);
      m.addCode("\n");
      m.addComment("$L", l.header());
      if (l.node().activation() != Activation.IDENTITY && !l.fusesActivation()) {
        m.addStatement("$LActivateBackward(batch)", l.name());
      }
      if (c.emitters().get(i).hasParameters()) {
        m.addStatement("$LBackwardParams($Lbatch)", l.name(), inputArgs(l, true));
      }
      List<Integer> inputs = l.node().inputs();
      StringBuilder dx = new StringBuilder();
      for (int source : inputs) {
        dx.append(source == Node.NETWORK_INPUT ? "dInput" : c.layers().get(source).deltaBuffer())
            .append(", ");
      }
      if (inputs.size() == 1 && inputs.get(0) == Node.NETWORK_INPUT) {
        m.beginControlFlow("if (dInput != null)");
        m.addStatement("$LBackwardData($Lbatch)", l.name(), dx);
        m.endControlFlow();
      } else {
        m.addStatement("$LBackwardData($Lbatch)", l.name(), dx);
      }
    }
    return m.build();
  }

  /**
   * Overrides the interface's loss defaults with literal sizes (the defaults allocate). On a
   * sequence output {@code T×D} class labels come per step, T per sample: the loss of a sample is
   * the mean over its steps of each step's softmax cross-entropy over D classes.
   */
  private void lossMethods(TypeSpec.Builder ws) {
    String t = num.t();
    Shape out = c.model().output();
    int steps = out.isSequence() ? out.steps() : 1;
    for (boolean labels : new boolean[] {true, false}) {
      MethodSpec.Builder m = override("lossAndGradients", num.type())
          .addParameter(num.array(), "input")
          .addParameter(TypeName.INT, "offset")
          .addParameter(labels ? TypeName.get(int[].class) : num.array(),
              labels ? "labels" : "targets")
          .addParameter(TypeName.INT, labels ? "labelOffset" : "targetOffset")
          .addParameter(TypeName.INT, "batch")
          .addParameter(num.type(), "gradScale")
          .addStatement("$L[] out = forward(input, offset, batch, true)", t);
      if (labels && steps > 1) {
        m.addComment("one label per step: $L rows of $L classes, each step 1/$L of its sample",
            steps, out.features(), steps);
        m.addStatement("$L loss = $T.forwardBackward($T.$L, out, batch * $L, $L, labels,"
                + " labelOffset, outputGradient, gradScale / $L) / $L", t, LOSSES, LOSS,
            c.model().loss().name(), steps, out.features(), num.lit(steps), num.lit(steps));
      } else {
        m.addStatement("$L loss = $T.forwardBackward($T.$L, out, batch, OUTPUT_SIZE, $L, $L, "
                + "outputGradient, gradScale)", t, LOSSES, LOSS, c.model().loss().name(),
            labels ? "labels" : "targets", labels ? "labelOffset" : "targetOffset");
      }
      ws.addMethod(m.addStatement("backward(outputGradient, 0, batch)")
          .addStatement("return loss").build());
    }
  }
}
