package dev.lamina.onnx.imports;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import dev.lamina.onnx.OnnxException;
import dev.lamina.onnx.proto.Onnx.AttributeProto;
import dev.lamina.onnx.proto.Onnx.GraphProto;
import dev.lamina.onnx.proto.Onnx.NodeProto;
import dev.lamina.onnx.proto.Onnx.TensorProto;
import dev.lamina.runtime.FloatNetwork;
import dev.lamina.testsupport.Tensor;
import dev.lamina.testsupport.VectorSet;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
      Map<String, Object> c = VectorSet.ONNX_NODE.read(name);
      String source = VectorSet.ONNX_NODE.source(name);
      String op = string(c, "op", source);
      Object axisValue = object(c, "attributes", source).get("axis");
      Long axis = axisValue == null ? null : integer(axisValue, source, "attributes.axis");
      Models.Tensor input = tensor(list(c, "inputs", source).get(0), source, "inputs[0]");
      Models.Tensor expected = tensor(list(c, "outputs", source).get(0), source, "outputs[0]");
      GraphProto.Builder g = GraphProto.newBuilder().setName(name)
          .addInput(Graphs.fixed("x", input.dims())).addOutput(Graphs.fixed("y",
              expected.dims()))
          .addNode(axis == null ? Graphs.node(op, name, new String[] {"x"}, "y")
              : Graphs.node(op, name, new String[] {"x"}, "y", Graphs.integer("axis", axis)));
      Path file = Graphs.write(dir, name + ".onnx", Graphs.model(g, 13));
      long rank = input.dims().length;
      long normalized = axis == null ? 1 : axis < 0 ? axis + rank : axis;
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
      Map<String, Object> c = VectorSet.ONNX_NODE.read(name);
      String source = VectorSet.ONNX_NODE.source(name);
      String op = string(c, "op", source);
      int opset = Math.toIntExact(integer(c.get("opset"), source, "opset"));
      GraphProto.Builder g = GraphProto.newBuilder().setName(name);
      List<String> inputs = new ArrayList<>();
      Models.Tensor first = null;
      List<Object> ins = list(c, "inputs", source);
      for (int k = 0; k < ins.size(); k++) {
        Map<String, Object> t = object(ins.get(k), source, "inputs[" + k + "]");
        String in = string(t, "name", source);
        Models.Tensor value = tensor(t, source, "inputs[" + k + "]");
        inputs.add(in);
        if (first == null || op.equals("Add") || op.equals("Concat")) {
          g.addInput(Graphs.fixed(in, value.dims()));
          if (first == null) {
            first = value;
          }
        } else if (string(t, "dtype", source).equals("bool")) {
          g.addInitializer(TensorProto.newBuilder().setName(in)
              .setDataType(TensorProto.DataType.BOOL_VALUE)
              .addInt32Data((int) value.data()[0]));
        } else {
          long[] d = Arrays.stream(value.dims()).asLongStream().toArray();
          g.addInitializer(Graphs.floats(in, value.data(), d));
        }
      }
      List<String> outputs = new ArrayList<>();
      Models.Tensor expected = null;
      List<Object> outs = list(c, "outputs", source);
      for (int k = 0; k < outs.size(); k++) {
        Map<String, Object> t = object(outs.get(k), source, "outputs[" + k + "]");
        Models.Tensor value = tensor(t, source, "outputs[" + k + "]");
        outputs.add(string(t, "name", source));
        g.addOutput(Graphs.fixed(string(t, "name", source), value.dims()));
        if (expected == null) {
          expected = value;
        }
      }
      NodeProto.Builder node = NodeProto.newBuilder().setOpType(op).setName(name)
          .addAllInput(inputs).addAllOutput(outputs);
      for (Map.Entry<String, Object> a : object(c, "attributes", source).entrySet()) {
        node.addAttribute(attribute(a.getKey(), a.getValue(), source));
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
   * The cases that import (61 of 103): Conv, MaxPool without Indices, AveragePool, the global
   * poolings, Gemm but transA and a matrix bias, MatMul, BatchNormalization, Identity, Flatten
   * with axis 1, and the element-wise cases on [3, 4, 5] inputs, read as 3 sequences of 4 steps
   * of 5 values. Those on [3] inputs are refused: a sample is neither [C, H, W], [T, D] nor [D].
   */
  private static final int EXPECTED_RUNS = 61;

  /** The attributes ONNX's schemas declare as floats (JSON writes 2.0 and 2 alike). */
  private static final Set<String> FLOAT_ATTRIBUTES =
      Set.of("alpha", "beta", "epsilon", "ratio", "momentum", "bias", "gamma");

  private static AttributeProto attribute(String name, Object v, String source) {
    String path = "attributes." + name;
    if (v instanceof List<?> l) {
      long[] values = new long[l.size()];
      for (int k = 0; k < values.length; k++) {
        values[k] = integer(l.get(k), source, path + "[" + k + "]");
      }
      return Graphs.ints(name, values);
    }
    if (v instanceof String text) {
      return AttributeProto.newBuilder().setName(name)
          .setType(AttributeProto.AttributeType.STRING)
          .setS(ByteString.copyFromUtf8(text)).build();
    }
    if (!(v instanceof Double d)) {
      throw bad(source, path, "a number, a string or a list");
    }
    return FLOAT_ATTRIBUTES.contains(name) ? Graphs.real(name, d.floatValue())
        : Graphs.integer(name, integer(v, source, path));
  }

  private static Models.Tensor tensor(Object value, String source, String path) {
    Tensor t = Tensor.of(value, source, path);
    return new Models.Tensor(t.dims(), t.floats());
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> object(Object value, String source, String path) {
    if (!(value instanceof Map<?, ?> m)) {
      throw bad(source, path, "an object");
    }
    return (Map<String, Object>) m;
  }

  private static Map<String, Object> object(Map<String, Object> c, String key, String source) {
    Object v = c.get(key);
    return v == null ? Map.of() : object(v, source, key);
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Map<String, Object> c, String key, String source) {
    if (!(c.get(key) instanceof List<?> l) || l.isEmpty()) {
      throw bad(source, key, "a non-empty list");
    }
    return (List<Object>) l;
  }

  private static String string(Map<String, Object> c, String key, String source) {
    if (!(c.get(key) instanceof String text)) {
      throw bad(source, key, "a string");
    }
    return text;
  }

  private static long integer(Object value, String source, String path) {
    if (!(value instanceof Double d) || d != Math.rint(d) || Math.abs(d) > 1L << 53) {
      throw bad(source, path, "an integer");
    }
    return d.longValue();
  }

  private static IllegalArgumentException bad(String source, String path, String expected) {
    return new IllegalArgumentException(source + ": " + path + ": expected " + expected);
  }
}
