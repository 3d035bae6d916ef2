package dev.lamina.onnx.imports;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lamina.onnx.OnnxException;
import dev.lamina.onnx.proto.Onnx.GraphProto;
import dev.lamina.runtime.FloatNetwork;
import dev.lamina.testsupport.VectorSet;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
    List<String> ran = new ArrayList<>();
    List<String> refused = new ArrayList<>();
    List<String> cases = VectorSet.ONNX_NODE.cases().stream()
        .filter(n -> n.matches("test_(flatten|softmax|logsoftmax)_.*")).toList();
    for (String name : cases) {
      String json = VectorSet.ONNX_NODE.json(name);
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

  /**
   * Every ONNX node-test case through the importer: the first input is the graph input (all of
   * them for Add and Concat), the others are initializers, as weights are in exported models.
   * Each case either imports and matches ONNX's expected output within ONNX's tolerance
   * ({@code |actual - expected| <= 1e-7 + 1e-3 |expected|}), or is refused with a message naming
   * the node or the graph's inputs and outputs.
   */
  @Test
  void everyNodeCaseImportsOrIsRefused() throws Exception {
    List<String> cases = VectorSet.ONNX_NODE.cases().stream()
        .filter(n -> n.startsWith("test_")).toList();
    List<String> ran = new ArrayList<>();
    List<String> refused = new ArrayList<>();
    for (String name : cases) {
      String json = VectorSet.ONNX_NODE.json(name);
      String op = field(json, "\"op\"\\s*:\\s*\"(\\w+)\"");
      int opset = Integer.parseInt(field(json, "\"opset\"\\s*:\\s*(\\d+)"));
      GraphProto.Builder g = GraphProto.newBuilder().setName(name);
      List<String> inputs = new ArrayList<>();
      Models.Tensor first = null;
      Matcher m = TENSOR.matcher(section(json, "inputs"));
      while (m.find()) {
        String in = m.group(1);
        int[] dims = Models.toInts(m.group(3));
        inputs.add(in);
        if (first == null || op.equals("Add") || op.equals("Concat")) {
          g.addInput(Graphs.fixed(in, dims));
          if (first == null) {
            first = new Models.Tensor(dims, Models.toFloats(m.group(4)));
          }
        } else if (m.group(2).equals("bool")) {
          g.addInitializer(dev.lamina.onnx.proto.Onnx.TensorProto.newBuilder().setName(in)
              .setDataType(dev.lamina.onnx.proto.Onnx.TensorProto.DataType.BOOL_VALUE)
              .addInt32Data(Integer.parseInt(m.group(4).trim())));
        } else {
          long[] d = java.util.Arrays.stream(dims).asLongStream().toArray();
          g.addInitializer(Graphs.floats(in, Models.toFloats(m.group(4)), d));
        }
      }
      List<String> outputs = new ArrayList<>();
      Models.Tensor expected = null;
      Matcher o = TENSOR.matcher(section(json, "outputs"));
      while (o.find()) {
        outputs.add(o.group(1));
        g.addOutput(Graphs.fixed(o.group(1), Models.toInts(o.group(3))));
        if (expected == null) {
          expected = new Models.Tensor(Models.toInts(o.group(3)), Models.toFloats(o.group(4)));
        }
      }
      dev.lamina.onnx.proto.Onnx.NodeProto.Builder node = dev.lamina.onnx.proto.Onnx.NodeProto
          .newBuilder().setOpType(op).setName(name).addAllInput(inputs).addAllOutput(outputs);
      Matcher a = ATTRIBUTE.matcher(section(json, "attributes"));
      while (a.find()) {
        node.addAttribute(attribute(a.group(1), a.group(2)));
      }
      g.addNode(node);
      Path file = Graphs.write(dir, name + ".onnx", Graphs.model(g, opset));
      ImportedNetwork imported;
      try {
        imported = OnnxImporter.forClass("com.acme", "Case").read(file);
      } catch (OnnxException e) {
        assertThat(e.problems().get(0)).containsMatch("^node '" + name + "' \\(" + op
            + "\\): |^the graph has [0-9]+ (inputs|outputs) |^input '[a-z]+' has shape ");
        refused.add(name);
        continue;
      }
      FloatNetwork net = imported.network();
      int batch = first.dims()[0];
      float[] out = new float[batch * net.outputSize()];
      net.forward(first.data(), batch, out);
      assertThat(out.length).isEqualTo(expected.data().length);
      for (int i = 0; i < out.length; i++) {
        float e = expected.data()[i];
        if (Math.abs(out[i] - e) > 1e-7 + 1e-3 * Math.abs(e)) {
          throw new AssertionError(name + "[" + i + "]: " + out[i] + ", ONNX expects " + e
              + "\n" + imported.source());
        }
      }
      ran.add(name);
    }
    assertThat(ran.size() + refused.size()).isEqualTo(103);
    assertWithMessage("refused: " + refused).that(ran).hasSize(EXPECTED_RUNS);
  }

  /**
   * The cases that import (49 of 103): Conv, MaxPool without Indices, AveragePool, the global
   * poolings, Gemm but transA and a matrix bias, MatMul, BatchNormalization, Identity and Flatten
   * with axis 1. The element-wise cases are refused for their [3, 4, 5] and [3] inputs, which
   * are neither [N, C, H, W] nor [N, D].
   */
  private static final int EXPECTED_RUNS = 49;

  private static final Pattern TENSOR = Pattern.compile("\\{\"name\": \"([^\"]*)\", \"dtype\":"
      + " \"(\\w+)\", \"dims\": \\[([^\\]]*)\\], \"data\": \\[([^\\]]*)\\]\\}");
  private static final Pattern ATTRIBUTE =
      Pattern.compile("\"(\\w+)\":\\s*(\\[[^\\]]*\\]|\"[^\"]*\"|-?[0-9.eE+-]+)");

  private static String section(String json, String key) {
    int at = json.indexOf("\"" + key + "\"");
    int open = json.indexOf(key.equals("attributes") ? '{' : '[', at);
    char close = key.equals("attributes") ? '}' : '\n';
    int end = key.equals("attributes") ? json.indexOf(close, open)
        : json.indexOf("\n  ]", open);
    return json.substring(open, end + 1);
  }

  private static dev.lamina.onnx.proto.Onnx.AttributeProto attribute(String name, String v) {
    if (v.startsWith("[")) {
      return Graphs.ints(name, java.util.Arrays.stream(Models.toInts(v.substring(1,
          v.length() - 1))).asLongStream().toArray());
    }
    if (v.startsWith("\"")) {
      return dev.lamina.onnx.proto.Onnx.AttributeProto.newBuilder().setName(name)
          .setType(dev.lamina.onnx.proto.Onnx.AttributeProto.AttributeType.STRING)
          .setS(com.google.protobuf.ByteString.copyFromUtf8(v.substring(1, v.length() - 1)))
          .build();
    }
    return v.matches("-?[0-9]+") ? Graphs.integer(name, Long.parseLong(v))
        : Graphs.real(name, Float.parseFloat(v));
  }

  private static String field(String json, String regex) {
    Matcher m = Pattern.compile(regex).matcher(json);
    return m.find() ? m.group(1) : null;
  }
}
