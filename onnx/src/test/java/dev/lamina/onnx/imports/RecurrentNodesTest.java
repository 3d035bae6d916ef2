package dev.lamina.onnx.imports;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import dev.lamina.onnx.OnnxException;
import dev.lamina.onnx.export.OnnxExporter;
import dev.lamina.onnx.proto.Onnx.AttributeProto;
import dev.lamina.onnx.proto.Onnx.GraphProto;
import dev.lamina.onnx.proto.Onnx.ModelProto;
import dev.lamina.onnx.proto.Onnx.NodeProto;
import dev.lamina.onnx.proto.Onnx.TensorProto;
import dev.lamina.runtime.FloatNetwork;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recurrent ONNX nodes: a zero initial state built from the batch size as PyTorch's exporter
 * builds it for a stack (Shape, Gather, Unsqueeze, Concat, ConstantOfShape, Slice) folds away;
 * what a node can carry that Lamina's {@code @Recurrent} cannot compute is refused with the node,
 * its op type and the attribute or input named. The models are an exported LSTM (or GRU)
 * network with that one node changed; unchanged, each imports.
 */
class RecurrentNodesTest {
  private static FloatNetwork lstmNetwork;
  private static ModelProto lstm;
  private static ModelProto gru;

  @TempDir Path dir;

  @BeforeAll
  static void export() throws Exception {
    lstmNetwork = compile("Lstm", "LSTM");
    lstm = OnnxExporter.toModel(lstmNetwork);
    gru = OnnxExporter.toModel(compile("Gru", "GRU"));
  }

  private static FloatNetwork compile(String className, String cell) throws Exception {
    return Models.compile("com.acme." + className, "package com.acme;\n\n"
        + "import dev.lamina.dsl.*;\n\n"
        + "@Network(input = {5, 3}, loss = Loss.SOFTMAX_CROSS_ENTROPY, classes = 2)\n"
        + "public abstract class " + className + " {\n"
        + "  @Recurrent(cell = Recurrent.Cell." + cell + ", units = 4,"
        + " returns = Recurrent.Returns.LAST) Layer rnn;\n"
        + "  @Affine(units = 2) Layer out;\n}\n");
  }

  @Test
  void theUnchangedModelsImport() throws Exception {
    for (ModelProto m : new ModelProto[] {lstm, gru}) {
      Path file = Graphs.write(dir, "plain.onnx", m);
      ImportedNetwork imported = OnnxImporter.forClass("com.acme", "Imported").read(file);
      assertThat(imported.source()).contains("@Recurrent(");
    }
  }

  @Test
  void aZeroStateSizedByTheBatchFolds() throws Exception {
    GraphProto.Builder g = lstm.getGraph().toBuilder();
    int at = 0;
    while (!g.getNode(at).getOpType().equals("LSTM")) {
      at++;
    }
    NodeProto rnn = g.getNode(at);
    g.setNode(at, rnn.toBuilder().addInput("").addInput("h0").addInput("h0").build());
    NodeProto[] plumbing = {
        Graphs.node("Shape", "/sh", new String[] {"input"}, "sh"),
        Graphs.node("Gather", "/g", new String[] {"sh", "i0"}, "n"),
        Graphs.node("Unsqueeze", "/u", new String[] {"n", "axis0"}, "n1"),
        Graphs.node("Concat", "/c", new String[] {"two", "n1", "four"}, "dims",
            Graphs.integer("axis", 0)),
        Graphs.node("ConstantOfShape", "/z", new String[] {"dims"}, "zeros"),
        Graphs.node("Slice", "/s", new String[] {"zeros", "axis0", "one", "axis0"}, "h0")};
    for (int i = plumbing.length - 1; i >= 0; i--) {
      g.addNode(0, plumbing[i]);
    }
    g.addInitializer(longs("i0", new long[0], 0)).addInitializer(longs("axis0", new long[] {1}, 0))
        .addInitializer(longs("one", new long[] {1}, 1))
        .addInitializer(longs("two", new long[] {1}, 2))
        .addInitializer(longs("four", new long[] {1}, 4));
    Path file = Graphs.write(dir, "zeros.onnx", lstm.toBuilder().setGraph(g).build());
    ImportedNetwork imported = OnnxImporter.forClass("com.acme", "Imported").read(file);
    assertThat(imported.source()).contains("@Recurrent(cell = Recurrent.Cell.LSTM, units = 4");
    assertThat(imported.network().parameters()).isEqualTo(lstmNetwork.parameters());
  }

  private static TensorProto longs(String name, long[] dims, long... values) {
    TensorProto.Builder t = TensorProto.newBuilder().setName(name)
        .setDataType(TensorProto.DataType.INT64_VALUE);
    for (long d : dims) {
      t.addDims(d);
    }
    for (long v : values) {
      t.addInt64Data(v);
    }
    return t.build();
  }

  @Test
  void clipIsRefused() throws Exception {
    assertThat(refused(lstm, n -> n.toBuilder().addAttribute(Graphs.real("clip", 3f)).build()))
        .isEqualTo("node 'rnn' (LSTM): attribute clip: Lamina's @Recurrent cells have no clip"
            + " (supports the operator's defaults)");
  }

  @Test
  void otherActivationsAreRefused() throws Exception {
    AttributeProto acts = AttributeProto.newBuilder().setName("activations")
        .setType(AttributeProto.AttributeType.STRINGS)
        .addStrings(ByteString.copyFromUtf8("Sigmoid"))
        .addStrings(ByteString.copyFromUtf8("Relu"))
        .addStrings(ByteString.copyFromUtf8("Tanh")).build();
    assertThat(refused(lstm, n -> n.toBuilder().addAttribute(acts).build()))
        .isEqualTo("node 'rnn' (LSTM): attribute activations = [Sigmoid, Relu, Tanh]; Lamina's"
            + " LSTM uses [Sigmoid, Tanh, Tanh]");
  }

  @Test
  void coupledInputAndForgetGatesAreRefused() throws Exception {
    assertThat(refused(lstm, n -> n.toBuilder().addAttribute(Graphs.integer("input_forget", 1))
        .build())).isEqualTo("node 'rnn' (LSTM): attribute input_forget = 1 couples the input"
            + " and forget gates; Lamina's LSTM has separate gates (supports input_forget = 0)");
  }

  @Test
  void resetBeforeTheLinearMapIsRefused() throws Exception {
    String message = refused(gru, n -> {
      NodeProto.Builder b = n.toBuilder().clearAttribute();
      for (AttributeProto a : n.getAttributeList()) {
        if (!a.getName().equals("linear_before_reset")) {
          b.addAttribute(a);
        }
      }
      return b.build();
    });
    assertThat(message).isEqualTo("node 'rnn' (GRU): attribute linear_before_reset = 0: Lamina's"
        + " GRU, as PyTorch's, applies the reset gate to W_hn h + b_hn (supports"
        + " linear_before_reset = 1)");
  }

  @Test
  void peepholesAreRefused() throws Exception {
    String message = refused(lstm, n -> n.toBuilder().addInput("").addInput("").addInput("")
        .addInput("peep").build(), Graphs.floats("peep", new float[12], 1, 12));
    assertThat(message).isEqualTo("node 'rnn' (LSTM): input P (peepholes): Lamina's LSTM has no"
        + " peephole connections");
  }

  @Test
  void aNonzeroInitialStateIsRefused() throws Exception {
    float[] ones = new float[2 * 4];
    Arrays.fill(ones, 1f);
    String message = refused(lstm, n -> n.toBuilder().addInput("").addInput("h0").build(),
        Graphs.floats("h0", ones, 1, 2, 4));
    assertThat(message).isEqualTo("node 'rnn' (LSTM): input initial_h 'h0' is not zero;"
        + " Lamina's @Recurrent starts from a zero state");
  }

  /** The one problem of importing {@code model} with its recurrent node changed. */
  private String refused(ModelProto model, UnaryOperator<NodeProto> change,
      TensorProto... inits) throws Exception {
    GraphProto.Builder g = model.getGraph().toBuilder();
    int changed = 0;
    for (int i = 0; i < g.getNodeCount(); i++) {
      String op = g.getNode(i).getOpType();
      if (op.equals("LSTM") || op.equals("GRU")) {
        g.setNode(i, change.apply(g.getNode(i)));
        changed++;
      }
    }
    assertThat(changed).isEqualTo(1);
    for (var t : inits) {
      g.addInitializer(t);
    }
    Path file = Graphs.write(dir, "changed.onnx", model.toBuilder().setGraph(g).build());
    OnnxException e = assertThrows(OnnxException.class,
        () -> OnnxImporter.forClass("com.acme", "Imported").read(file));
    assertThat(e.problems()).hasSize(1);
    return e.problems().get(0);
  }
}
