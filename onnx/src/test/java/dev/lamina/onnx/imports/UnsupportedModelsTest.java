package dev.lamina.onnx.imports;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lamina.onnx.OnnxException;
import dev.lamina.onnx.proto.Onnx.GraphProto;
import dev.lamina.onnx.proto.Onnx.NodeProto;
import dev.lamina.onnx.proto.Onnx.TensorProto;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PyTorch models that use operators Lamina has no layer for are refused with a message naming
 * the node, its operator and what Lamina supports instead; so are the attributes of the operators
 * Lamina imports that it cannot express.
 */
class UnsupportedModelsTest {
  private static OnnxException refused(String model) {
    Path file = Models.model(model);
    OnnxException e = assertThrows(OnnxException.class,
        () -> OnnxImporter.forClass("com.acme", "Imported").read(file));
    assertThat(e.getMessage()).startsWith(file.toString());
    assertThat(e.file()).isEqualTo(file);
    return e;
  }

  /** A graph x [N, 4, 5, 5] → {@code node} → y, with {@code inits}, refused with a problem. */
  private static OnnxException refusedNode(Path dir, NodeProto node, TensorProto... inits)
      throws Exception {
    GraphProto.Builder g = GraphProto.newBuilder().setName("g")
        .addInput(Graphs.value("x", 4, 5, 5)).addOutput(Graphs.value("y", 4, 5, 5))
        .addNode(node);
    for (TensorProto t : inits) {
      g.addInitializer(t);
    }
    Path file = Graphs.write(dir, "g.onnx", Graphs.model(g, 13));
    OnnxException e = assertThrows(OnnxException.class,
        () -> OnnxImporter.forClass("com.acme", "Imported").read(file));
    assertThat(e.problems()).hasSize(1);
    return e;
  }

  @Test
  void groupedConvTransposeIsRefused(@TempDir Path dir) throws Exception {
    OnnxException e = refusedNode(dir, Graphs.node("ConvTranspose", "/up", new String[] {"x",
        "w"}, "y", Graphs.integer("group", 2)), Graphs.floats("w", new float[4 * 2 * 9], 4, 2,
        3, 3));
    assertThat(e.problems().get(0)).isEqualTo("node '/up' (ConvTranspose): attribute group = 2:"
        + " Lamina's @ConvTranspose connects every input channel to every filter (supports"
        + " group = 1)");
  }

  @Test
  void convTransposeCroppingUnequallyIsRefused(@TempDir Path dir) throws Exception {
    OnnxException e = refusedNode(dir, Graphs.node("ConvTranspose", "/up", new String[] {"x",
        "w"}, "y", Graphs.ints("pads", 1, 1, 0, 1)), Graphs.floats("w", new float[4 * 2 * 9],
        4, 2, 3, 3));
    assertThat(e.problems().get(0)).startsWith("node '/up' (ConvTranspose): attribute pads ="
        + " [1, 1, 0, 1] crops the sides unequally");
  }

  @Test
  void evenLocalResponseNormIsRefused(@TempDir Path dir) throws Exception {
    OnnxException e = refusedNode(dir, Graphs.node("LRN", "/lrn", new String[] {"x"}, "y",
        Graphs.integer("size", 4)));
    assertThat(e.problems().get(0)).isEqualTo("node '/lrn' (LRN): attribute size = 4 is even:"
        + " ONNX's LRN then sums 1 channels before and 2 after, Lamina's @LocalResponseNorm (as"
        + " PyTorch) 2 before and 1 after (supports odd sizes, where they agree)");
  }

  @Test
  void clipOtherThanRelu6IsRefused(@TempDir Path dir) throws Exception {
    OnnxException e = refusedNode(dir, Graphs.node("Clip", "/clip", new String[] {"x", "lo",
        "hi"}, "y"), Graphs.floats("lo", new float[] {0f}), Graphs.floats("hi",
        new float[] {1f}));
    assertThat(e.problems().get(0)).isEqualTo("node '/clip' (Clip): it clips to [0.0, 1.0];"
        + " Lamina's only clipping activation is RELU6, [0, 6]");
  }

  @Test
  void softmaxAsOutputIsRefused() {
    OnnxException e = refused("unsupported_softmax.onnx");
    assertThat(e.problems()).hasSize(1);
    assertThat(e.problems().get(0)).startsWith("node '/Softmax' (Softmax): Lamina has no softmax"
        + " layer: a network outputs logits, and softmax is applied only inside the loss"
        + " SOFTMAX_CROSS_ENTROPY");
  }

  @Test
  void elementWiseGateIsRefused() {
    OnnxException e = refused("unsupported_mul_gate.onnx");
    assertThat(e.problems()).hasSize(1);
    assertThat(e.problems().get(0)).startsWith("node '/Mul' (Mul): Lamina has no element-wise"
        + " arithmetic layer (Mul of two tensors, such as the gate x * sigmoid(x))");
  }
}
