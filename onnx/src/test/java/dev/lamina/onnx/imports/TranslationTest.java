package dev.lamina.onnx.imports;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lamina.onnx.OnnxException;
import dev.lamina.onnx.proto.Onnx.GraphProto;
import dev.lamina.runtime.FloatNetwork;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Translations the PyTorch models and node tests do not reach, against naive references written
 * here, and refusals of attributes and graph shapes, each naming node, operator and attribute.
 */
class TranslationTest {
  @TempDir Path dir;

  private static float[] ramp(int n, float scale) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = ((i * 7) % 11 - 5) * scale;
    }
    return v;
  }

  @Test
  void matMulWithBiasAddBecomesOneAffineLayer() throws Exception {
    float[] w = ramp(4 * 3, 0.25f);
    float[] b = {0.5f, -1f, 2f};
    GraphProto.Builder g = GraphProto.newBuilder().setName("mm")
        .addInput(Graphs.value("x", 4)).addOutput(Graphs.value("y", 3))
        .addInitializer(Graphs.floats("w", w, 4, 3)).addInitializer(Graphs.floats("b", b, 3))
        .addNode(Graphs.node("MatMul", "/fc/MatMul", new String[] {"x", "w"}, "m"))
        .addNode(Graphs.node("Add", "/fc/Add", new String[] {"m", "b"}, "a"))
        .addNode(Graphs.node("LeakyRelu", "/act", new String[] {"a"}, "y",
            Graphs.real("alpha", 0.2f)));
    ImportedNetwork imported = OnnxImporter.forClass("com.acme", "Mm")
        .read(Graphs.write(dir, "mm.onnx", Graphs.model(g, 13)));
    assertThat(imported.source()).contains("// MatMul /fc/MatMul, Add /fc/Add, LeakyRelu /act"
        + " -> 3\n  @Affine(units = 3, activation = LEAKY_RELU, negativeSlope = 0.2) Layer fc;");
    FloatNetwork net = Models.compile("com.acme.Mm", imported.source());
    System.arraycopy(imported.network().parameters(), 0, net.parameters(), 0,
        net.parameters().length);
    float[] x = ramp(2 * 4, 0.5f);
    float[] y = new float[2 * 3];
    net.forward(x, 2, y);
    for (int n = 0; n < 2; n++) {
      for (int j = 0; j < 3; j++) {
        double s = b[j];
        for (int k = 0; k < 4; k++) {
          s += (double) x[n * 4 + k] * w[k * 3 + j];
        }
        double expected = s > 0 ? s : 0.2 * s;
        assertThat((double) y[n * 3 + j]).isWithin(1e-6).of(expected);
      }
    }
  }

  private OnnxException refused(GraphProto.Builder g) throws Exception {
    Path f = Graphs.write(dir, "bad.onnx", Graphs.model(g, 13));
    return assertThrows(OnnxException.class,
        () -> OnnxImporter.forClass("com.acme", "Bad").read(f));
  }

  @Test
  void groupsThatDoNotDivideTheChannelsAreRefused() throws Exception {
    GraphProto.Builder g = Graphs.small();
    g.setNode(0, g.getNode(0).toBuilder().addAttribute(Graphs.integer("group", 2)).build());
    assertThat(refused(g).problems()).containsExactly("node 'conv' (Conv): attribute group = 2"
        + " does not divide the input's 1 channels");
  }

  @Test
  void transposedGemmInputIsRefused() throws Exception {
    GraphProto.Builder g = Graphs.small();
    g.setNode(3, g.getNode(3).toBuilder().addAttribute(Graphs.integer("transA", 1)).build());
    assertThat(refused(g).problems()).containsExactly("node 'fc' (Gemm): attribute transA = 1"
        + " transposes the batch of inputs; Lamina's @Affine reads one sample per row (supports"
        + " transA = 0)");
  }

  @Test
  void unknownAttributeIsRefused() throws Exception {
    GraphProto.Builder g = Graphs.small();
    g.setNode(1, g.getNode(1).toBuilder().addAttribute(Graphs.integer("inplace", 1)).build());
    assertThat(refused(g).problems()).containsExactly("node 'relu' (Relu): attribute 'inplace'"
        + " is not supported (Lamina's counterpart takes none)");
  }

  @Test
  void gemmWithoutFlattenIsRefused() throws Exception {
    GraphProto.Builder g = Graphs.small();
    g.setNode(3, g.getNode(3).toBuilder().setInput(0, "r").build());
    g.removeNode(2);
    assertThat(refused(g).problems()).containsExactly("node 'fc' (Gemm): input 'r' has"
        + " per-sample shape 2x4x4; Gemm reads [N, K] matrices, so flatten it first (Flatten"
        + " with axis = 1)");
  }

  @Test
  void twoOutputsAreRefused() throws Exception {
    GraphProto.Builder g = Graphs.small().addOutput(Graphs.value("r", 2, 4, 4));
    assertThat(refused(g).problems()).containsExactly("the graph has 2 outputs ['y', 'r'];"
        + " a Lamina network has exactly one output, its last layer");
  }

  @Test
  void padOfOnesBeforeConvolutionIsRefused() throws Exception {
    GraphProto.Builder g = Graphs.small()
        .addInitializer(Graphs.floats("one", new float[] {1f}))
        .addNode(0, Graphs.node("Constant", "pads", new String[0], "p",
            dev.lamina.onnx.proto.Onnx.AttributeProto.newBuilder().setName("value_ints")
                .setType(dev.lamina.onnx.proto.Onnx.AttributeProto.AttributeType.INTS)
                .addAllInts(java.util.List.of(0L, 0L, 1L, 1L, 0L, 0L, 1L, 1L)).build()));
    g.addNode(1, Graphs.node("Pad", "/pad", new String[] {"x", "p", "one"}, "xp"));
    g.setNode(2, g.getNode(2).toBuilder().setInput(0, "xp").build());
    assertThat(refused(g).problems()).containsExactly("node 'conv' (Conv): it reads Pad '/pad'"
        + " with value 1.0; Lamina's Conv pads with zeros, so only that value folds into its"
        + " padding");
  }
}
