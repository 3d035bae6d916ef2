package dev.lamina.onnx.imports;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lamina.onnx.OnnxException;
import dev.lamina.onnx.proto.Onnx.GraphProto;
import dev.lamina.runtime.FloatNetwork;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ONNX backend node tests that {@code tests/CONFORMANCE.md} lists as not expressible for
 * Flatten or for softmax as an output, run through the importer: each case becomes a one-node
 * ONNX model built from its JSON vector file. Flatten with axis 1 (per sample, the batch kept)
 * imports and reproduces ONNX's output exactly; every other Flatten axis mixes the batch axis
 * with the sample's and is refused, as are Softmax and LogSoftmax.
 */
class NodeCasesTest {
  @TempDir Path dir;

  @Test
  void flattenAndSoftmaxCases() throws Exception {
    Path folder = folder();
    List<String> ran = new ArrayList<>();
    List<String> refused = new ArrayList<>();
    List<Path> cases;
    try (Stream<Path> files = Files.list(folder)) {
      cases = files.filter(p -> p.getFileName().toString().matches(
          "test_(flatten|softmax|logsoftmax)_.*\\.json")).sorted().toList();
    }
    for (Path c : cases) {
      String json = Files.readString(c);
      String name = c.getFileName().toString().replace(".json", "");
      String op = field(json, "\"op\"\\s*:\\s*\"(\\w+)\"");
      String axis = field(json, "\"attributes\"\\s*:\\s*\\{[^}]*\"axis\"\\s*:\\s*(-?\\d+)");
      Models.Tensor input = Models.tensor(json, "inputs");
      Models.Tensor expected = Models.tensor(json, "outputs");
      GraphProto.Builder g = GraphProto.newBuilder().setName(name)
          .addInput(Graphs.fixed("x", input.dims())).addOutput(Graphs.fixed("y",
              expected.dims()))
          .addNode(axis == null ? Graphs.node(op, name, new String[] {"x"}, "y")
              : Graphs.node(op, name, new String[] {"x"}, "y",
                  Graphs.integer("axis", Long.parseLong(axis))));
      Path file = Graphs.write(dir, name + ".onnx", Graphs.model(g, 13));
      long rank = input.dims().length;
      long normalized = axis == null ? 1 : Long.parseLong(axis) < 0
          ? Long.parseLong(axis) + rank : Long.parseLong(axis);
      if (op.equals("Flatten") && normalized == 1) {
        ImportedNetwork imported = OnnxImporter.forClass("com.acme", "Case").read(file);
        FloatNetwork net = Models.compile("com.acme.Case", imported.source());
        System.arraycopy(imported.network().parameters(), 0, net.parameters(), 0,
            net.parameters().length);
        int batch = input.dims()[0];
        float[] out = new float[batch * net.outputSize()];
        net.forward(input.data(), batch, out);
        assertThat(out).isEqualTo(expected.data());
        ran.add(name);
      } else {
        OnnxException e = assertThrows(OnnxException.class,
            () -> OnnxImporter.forClass("com.acme", "Case").read(file));
        assertThat(e.problems()).hasSize(1);
        assertThat(e.problems().get(0)).startsWith("node '" + name + "' (" + op + "): ");
        assertThat(e.problems().get(0)).contains(op.equals("Flatten")
            ? "Lamina keeps the first axis as the batch and flattens each sample (supports axis"
                + " = 1)" : "Lamina has no " + op.toLowerCase() + " layer");
        refused.add(name);
      }
    }
    assertThat(ran).containsExactly("test_flatten_axis1", "test_flatten_default_axis",
        "test_flatten_negative_axis3");
    assertThat(refused).hasSize(6 + 14);
  }

  private static String field(String json, String regex) {
    Matcher m = Pattern.compile(regex).matcher(json);
    return m.find() ? m.group(1) : null;
  }

  /** The {@code onnx-node} vectors, as the conformance tests find them; else skipped. */
  static Path folder() throws IOException {
    String prop = System.getProperty("lamina.conformance.dir");
    if (prop != null && Files.isDirectory(Path.of(prop, "onnx-node"))) {
      return Path.of(prop, "onnx-node");
    }
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path candidate = p.resolve("shared/conformance/onnx-node");
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    return Assumptions.abort("conformance/onnx-node not found (system property"
        + " lamina.conformance.dir = " + prop + ", nor above " + Path.of("").toAbsolutePath()
        + ")");
  }
}
