package dev.lamina.onnx.imports;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import dev.lamina.onnx.OnnxException;
import dev.lamina.onnx.proto.Onnx.GraphProto;
import dev.lamina.onnx.proto.Onnx.ModelProto;
import dev.lamina.onnx.proto.Onnx.TensorProto;
import dev.lamina.onnx.proto.Onnx.TensorShapeProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files are untrusted: damaged, truncated or oversized data is an {@link OnnxException} naming
 * the file and the tensor, never an OutOfMemoryError or a hang, and names from the file reach
 * the generated source only as validated identifiers or inside comments made harmless.
 */
class UntrustedFilesTest {
  @TempDir Path dir;

  private OnnxException refused(Path file) {
    OnnxException e = assertThrows(OnnxException.class,
        () -> OnnxImporter.forClass("com.acme", "Imported").read(file));
    assertThat(e.getMessage()).startsWith(file.toString() + ": ");
    return e;
  }

  @Test
  void theSmallModelImports() throws Exception {
    Path f = Graphs.write(dir, "small.onnx", Graphs.model(Graphs.small(), 13));
    ImportedNetwork net = OnnxImporter.forClass("", "Small").read(f);
    assertThat(net.source()).contains("@Conv(filters = 2, kernel = 3, padding = 1,"
        + " activation = RELU) Layer conv;");
    assertThat(net.source()).contains("@Affine(units = 3, bias = false) Layer fc;");
    // The weights in Lamina's layout: fc.weight [3][32] (transB = 1) becomes [32][3].
    float[] p = net.network().parameters();
    int fcOffset = net.network().summary().parameterTensors().stream()
        .filter(t -> t.qualifiedName().equals("fc.weight")).findFirst().orElseThrow().offset();
    assertThat(p[fcOffset + 1]).isEqualTo((32 % 5 - 2) / 8f);   // W[0][1] = B[1][0] = fc[32]
    assertThat(p[fcOffset + 3]).isEqualTo((1 % 5 - 2) / 8f);    // W[1][0] = B[0][1] = fc[1]
  }

  @Test
  void truncatedFile() throws IOException {
    byte[] bytes = Files.readAllBytes(Models.model("lenet5.onnx"));
    for (int cut : new int[] {bytes.length / 2, bytes.length - 7, 100, 3}) {
      Path f = dir.resolve("cut" + cut + ".onnx");
      Files.write(f, Arrays.copyOf(bytes, cut));
      OnnxException e = refused(f);
      assertThat(e.getMessage()).containsMatch("not a valid ONNX model|declares|no graph"
          + "|is read but no node");
    }
  }

  @Test
  void corruptFile() throws IOException {
    byte[] bytes = Files.readAllBytes(Models.model("lenet5.onnx"));
    java.util.Random random = new java.util.Random(7);
    int refusedCount = 0;
    for (int trial = 0; trial < 20; trial++) {
      byte[] b = bytes.clone();
      for (int k = 0; k < 8; k++) {
        b[random.nextInt(2000)] = (byte) random.nextInt(256);
      }
      Path f = dir.resolve("corrupt" + trial + ".onnx");
      Files.write(f, b);
      try {
        OnnxImporter.forClass("com.acme", "Imported").read(f);
      } catch (OnnxException e) {
        assertThat(e.getMessage()).startsWith(f.toString());
        refusedCount++;
      }
    }
    assertThat(refusedCount).isAtLeast(1);
    Path garbage = dir.resolve("garbage.onnx");
    Files.write(garbage, "this is not a protobuf message at all\n".repeat(20).getBytes());
    assertThat(refused(garbage).getMessage()).contains("not a valid ONNX model");
    Path empty = dir.resolve("empty.onnx");
    Files.write(empty, new byte[0]);
    assertThat(refused(empty).getMessage()).contains("the file is empty");
  }

  @Test
  void tensorDeclaringMoreThanItHolds() throws IOException {
    GraphProto.Builder g = Graphs.small();
    TensorProto w = g.getInitializer(0).toBuilder().setDims(3, 5000).build();
    g.setInitializer(0, w);
    OnnxException e = refused(Graphs.write(dir, "big.onnx", Graphs.model(g, 13)));
    assertThat(e.getMessage()).contains("tensor 'conv.weight' declares [2, 1, 3, 5000] = 30000"
        + " float32 values (120000 bytes) but its raw data holds 72 bytes");
  }

  @Test
  void absurdDimensions() throws IOException {
    GraphProto.Builder g = Graphs.small();
    g.setInitializer(0, g.getInitializer(0).toBuilder().setDims(0, 1L << 40).build());
    OnnxException e = refused(Graphs.write(dir, "absurd.onnx", Graphs.model(g, 13)));
    assertThat(e.getMessage()).contains("tensor 'conv.weight' declares dimensions [1099511627776,"
        + " 1, 3, 3], which exceed");

    GraphProto.Builder h = Graphs.small();
    h.setInput(0, h.getInput(0).toBuilder().setType(h.getInput(0).getType().toBuilder()
        .setTensorType(h.getInput(0).getType().getTensorType().toBuilder()
            .setShape(TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("N"))
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(1))
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(1L << 33))
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(4))))).build());
    e = refused(Graphs.write(dir, "absurd-input.onnx", Graphs.model(h, 13)));
    assertThat(e.getMessage()).contains("input 'x' has shape [N, 1, 8589934592, 4]: dimension 2"
        + " must be a fixed size from 1 to 1048576");
  }

  @Test
  void externalDataIsRefused() throws IOException {
    GraphProto.Builder g = Graphs.small();
    g.setInitializer(0, g.getInitializer(0).toBuilder().clearRawData()
        .setDataLocation(TensorProto.DataLocation.EXTERNAL).build());
    OnnxException e = refused(Graphs.write(dir, "external.onnx", Graphs.model(g, 13)));
    assertThat(e.getMessage()).contains("tensor 'conv.weight' keeps its data in an external file");
  }

  @Test
  void cyclesAndUndefinedValuesAreRefused() throws IOException {
    GraphProto.Builder g = Graphs.small();
    g.setNode(0, g.getNode(0).toBuilder().setInput(0, "f").build());
    OnnxException e = refused(Graphs.write(dir, "cycle.onnx", Graphs.model(g, 13)));
    assertThat(e.getMessage()).contains("reads 'f', which a later node produces");

    GraphProto.Builder h = Graphs.small();
    h.setNode(1, h.getNode(1).toBuilder().setInput(0, "nowhere").build());
    e = refused(Graphs.write(dir, "undefined.onnx", Graphs.model(h, 13)));
    assertThat(e.getMessage()).contains("value 'nowhere' is read but no node, initializer or"
        + " graph input defines it");
  }

  @Test
  void namesCannotInjectCode() throws Exception {
    String[] hostile = {
        "x;\n}\nclass Evil { static { System.exit(3); } }\n//",
        "a\\u000a}class Evil{//",
        "*/ class Evil { /*",
        "summary",
        "input",
        "class",
        "",
        "9lives",
        "\u00e9t\u00e9",
    };
    GraphProto.Builder g = Graphs.small();
    for (int i = 0; i < 4; i++) {
      g.setNode(i, g.getNode(i).toBuilder().setName(hostile[i]).build());
    }
    Path f = Graphs.write(dir, "names.onnx", Graphs.model(g, 13));
    ImportedNetwork net = OnnxImporter.forClass("com.acme", "Names").read(f);
    String source = net.source();
    for (String line : source.split("\n")) {
      if ((line.contains("Evil") || line.contains("u000a")) && !line.contains(" Layer ")) {
        assertThat(line.trim()).startsWith("// ");     // only inside one-line comments
      }
    }
    assertThat(source).doesNotContain("\\");           // no backslash: no unicode escape
    assertThat(source).doesNotContain("*/ class");
    // The names become identifiers; the Gemm named "summary" would clash with a member of the
    // generated class.
    assertThat(source).contains("Layer x_class_Evil_static_System_exit_3;");
    assertThat(source).contains("@Affine(units = 3, bias = false) Layer summaryLayer;");
    Models.compile("com.acme.Names", source);

    for (String name : Arrays.copyOfRange(hostile, 4, hostile.length)) {
      GraphProto.Builder h = Graphs.small();
      h.setNode(0, h.getNode(0).toBuilder().setName(name).build());
      String s = OnnxImporter.forClass("com.acme", "Names").read(
          Graphs.write(dir, "n.onnx", Graphs.model(h, 13))).source();
      String layer = s.substring(s.indexOf("@Conv"), s.indexOf(";", s.indexOf("@Conv")));
      String identifier = layer.substring(layer.lastIndexOf(' ') + 1);
      assertThat(Names.isIdentifier(identifier)).isTrue();
      assertThat(Stream.of("input", "class", "summary")).doesNotContain(identifier);
    }
  }

  @Test
  void classAndPackageNamesAreValidated() {
    assertThrows(IllegalArgumentException.class,
        () -> OnnxImporter.forClass("com.acme", "Evil {}"));
    assertThrows(IllegalArgumentException.class,
        () -> OnnxImporter.forClass("com.acme;import x", "Net"));
    assertThrows(IllegalArgumentException.class, () -> OnnxImporter.forClass("com.acme", "class"));
    assertThrows(IllegalArgumentException.class,
        () -> OnnxImporter.forClass("com.acme", "Lamina_Net"));
  }

  @Test
  void tooManyNodesAndManyEqualNames() throws Exception {
    // More nodes than any network Lamina compiles: refused before translation. Many nodes of
    // one name are numbered in linear time (a quadratic search would take minutes here).
    GraphProto.Builder g = GraphProto.newBuilder().setName("chain")
        .addInput(Graphs.value("x", 3)).addOutput(Graphs.value("y", 3));
    String previous = "x";
    for (int i = 0; i < GraphTranslator.MAX_NODES + 1; i++) {
      String out = i == GraphTranslator.MAX_NODES ? "y" : "v" + i;
      g.addNode(Graphs.node("Relu", "same", new String[] {previous}, out));
      previous = out;
    }
    OnnxException e = refused(Graphs.write(dir, "many.onnx", Graphs.model(g, 13)));
    assertThat(e.getMessage()).contains("the graph has 20001 nodes; Lamina imports at most 20000");
    Names names = new Names();
    for (int i = 0; i < 50_000; i++) {
      names.layerName("same", "Relu");
    }
    assertThat(names.layerName("same", "Relu")).isEqualTo("same_50001");
  }

  @Test
  void notAModelAtAll() throws IOException {
    Path f = dir.resolve("tensor.onnx");
    Files.write(f, Graphs.floats("t", new float[4], 4).toByteArray());
    OnnxException e = refused(f);
    assertThat(e.getMessage()).containsMatch("no graph|not a valid ONNX model");
    ModelProto noGraph = ModelProto.newBuilder().setIrVersion(8)
        .setDocString("x").setProducerNameBytes(ByteString.copyFromUtf8("p")).build();
    assertThat(refused(Graphs.write(dir, "nograph.onnx", noGraph)).getMessage())
        .contains("no graph");
  }
}
