package dev.lamina.onnx.imports;

import dev.lamina.onnx.OnnxException;
import dev.lamina.onnx.proto.Onnx.AttributeProto;
import dev.lamina.onnx.proto.Onnx.NodeProto;
import dev.lamina.onnx.proto.Onnx.TensorProto;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Replaces PyTorch's exact GELU, {@code Mul(Mul(x, Add(Erf(Div(x, sqrt 2)), 1)), 0.5)} (the
 * factors of either Mul in any order, or 0.5 applied to x first), by one {@code Gelu} node, and
 * its tanh approximation, the same with {@code Tanh(sqrt(2/pi) * (x + 0.044715 x^3))} for the
 * Erf, by a {@code Gelu} with {@code approximate = tanh}. Each node between x and the result
 * must be read only inside the pattern; constants match within float32 rounding.
 *
 * <p>Not thread-safe; one instance serves one graph.
 */
final class GeluPattern {
  private final Path file;
  private final Map<String, TensorProto> initializers;
  private final String outputName;

  GeluPattern(Path file, Map<String, TensorProto> initializers, String outputName) {
    this.file = file;
    this.initializers = initializers;
    this.outputName = outputName;
  }

  /** {@code nodes} with each GELU's nodes replaced by one {@code Gelu} node. */
  List<NodeProto> apply(List<NodeProto> nodes) {
    Map<String, NodeProto> producer = new HashMap<>();
    Map<String, Integer> count = new HashMap<>();
    for (NodeProto n : nodes) {
      for (String out : n.getOutputList()) {
        producer.put(out, n);
      }
      for (String in : n.getInputList()) {
        count.merge(in, 1, Integer::sum);
      }
    }
    count.merge(outputName, 1, Integer::sum);
    Map<NodeProto, NodeProto> replace = new HashMap<>();
    Set<NodeProto> absorbed = new HashSet<>();
    for (NodeProto outer : nodes) {
      if (!outer.getOpType().equals("Mul") || outer.getInputCount() != 2) {
        continue;
      }
      List<NodeProto> chain = new ArrayList<>();
      String x = matchGelu(outer, producer, count, chain);
      if (x != null) {
        String name = chain.get(chain.size() - 1).getName();
        int cut = name.lastIndexOf('/');
        NodeProto.Builder gelu = NodeProto.newBuilder().setOpType("Gelu")
            .setName(cut > 0 ? name.substring(0, cut) + "/Gelu" : name)
            .addInput(x).addOutput(outer.getOutput(0));
        if (chain.stream().anyMatch(c -> c.getOpType().equals("Tanh"))) {
          gelu.addAttribute(AttributeProto.newBuilder().setName("approximate")
              .setType(AttributeProto.AttributeType.STRING)
              .setS(com.google.protobuf.ByteString.copyFromUtf8("tanh")));
        }
        replace.put(outer, gelu.build());
        absorbed.addAll(chain);
      }
    }
    return rewrite(nodes, replace, absorbed);
  }

  /** {@code nodes} in order, each in {@code replace} replaced, each in {@code absorbed} left out. */
  static List<NodeProto> rewrite(List<NodeProto> nodes, Map<NodeProto, NodeProto> replace,
      Set<NodeProto> absorbed) {
    List<NodeProto> result = new ArrayList<>();
    for (NodeProto n : nodes) {
      if (replace.containsKey(n)) {
        result.add(replace.get(n));
      } else if (!absorbed.contains(n)) {
        result.add(n);
      }
    }
    return result;
  }

  /** The GELU's input if {@code outer} ends one, collecting the nodes it absorbs. */
  private String matchGelu(NodeProto outer, Map<String, NodeProto> producer,
      Map<String, Integer> count, List<NodeProto> chain) {
    for (int side = 0; side < 2; side++) {
      String a = outer.getInput(side);
      String b = outer.getInput(1 - side);
      NodeProto inner = producer.get(a);
      if (inner == null || count.getOrDefault(a, 0) != 1) {
        continue;
      }
      if (isConstant(b, 0.5, producer) && inner.getOpType().equals("Mul")
          && inner.getInputCount() == 2) {
        // 0.5 * (x * (1 + erf(x / sqrt 2)))
        for (int s = 0; s < 2; s++) {
          String x = inner.getInput(s);
          String onePlusErf = inner.getInput(1 - s);
          if (matchOnePlus(x, onePlusErf, producer, count, chain)) {
            chain.add(inner);
            chain.add(outer);
            return x;
          }
        }
      }
      if (inner.getOpType().equals("Mul") && inner.getInputCount() == 2) {
        // (x * 0.5) * (1 + erf(x / sqrt 2))
        for (int s = 0; s < 2; s++) {
          String x = inner.getInput(s);
          if (isConstant(inner.getInput(1 - s), 0.5, producer)
              && matchOnePlus(x, b, producer, count, chain)) {
            chain.add(inner);
            chain.add(outer);
            return x;
          }
        }
      }
    }
    chain.clear();
    return null;
  }

  /** Whether {@code value} is {@code 1 + erf(x / sqrt 2)} or {@code 1 + tanh(...)} of GELU. */
  private boolean matchOnePlus(String x, String value, Map<String, NodeProto> producer,
      Map<String, Integer> count, List<NodeProto> chain) {
    NodeProto add = single(value, "Add", producer, count);
    if (add == null) {
      return false;
    }
    for (int s = 0; s < 2; s++) {
      if (!isConstant(add.getInput(1 - s), 1.0, producer)) {
        continue;
      }
      NodeProto erf = single(add.getInput(s), "Erf", producer, count);
      if (erf != null) {
        NodeProto scale = producer.get(erf.getInput(0));
        if (scale == null || count.getOrDefault(erf.getInput(0), 0) != 1
            || scale.getInputCount() != 2 || !scale.getInput(0).equals(x)) {
          continue;
        }
        boolean div = scale.getOpType().equals("Div")
            && isConstant(scale.getInput(1), Math.sqrt(2), producer);
        boolean mul = scale.getOpType().equals("Mul")
            && isConstant(scale.getInput(1), Math.sqrt(0.5), producer);
        if (div || mul) {
          chain.addAll(List.of(scale, erf, add));
          return true;
        }
      }
      NodeProto tanh = single(add.getInput(s), "Tanh", producer, count);
      if (tanh != null && matchTanhArgument(x, tanh.getInput(0), producer, count, chain)) {
        chain.addAll(List.of(tanh, add));
        return true;
      }
    }
    return false;
  }

  /** Whether {@code value} is {@code sqrt(2/pi) * (x + 0.044715 * x^3)}. */
  private boolean matchTanhArgument(String x, String value, Map<String, NodeProto> producer,
      Map<String, Integer> count, List<NodeProto> chain) {
    NodeProto scale = single(value, "Mul", producer, count);
    String sum = scale == null ? null : otherThanConstant(scale, Math.sqrt(2 / Math.PI), producer);
    NodeProto add = sum == null ? null : single(sum, "Add", producer, count);
    String cubic = add == null ? null : add.getInput(0).equals(x) ? add.getInput(1)
        : add.getInput(1).equals(x) ? add.getInput(0) : null;
    NodeProto times = cubic == null ? null : single(cubic, "Mul", producer, count);
    String cube = times == null ? null : otherThanConstant(times, 0.044715, producer);
    if (cube == null) {
      return false;
    }
    NodeProto pow = single(cube, "Pow", producer, count);
    if (pow != null && pow.getInput(0).equals(x) && isConstant(pow.getInput(1), 3, producer)) {
      chain.addAll(List.of(pow, times, add, scale));
      return true;
    }
    NodeProto outer = single(cube, "Mul", producer, count);
    String square = outer == null ? null : outer.getInput(0).equals(x) ? outer.getInput(1)
        : outer.getInput(1).equals(x) ? outer.getInput(0) : null;
    NodeProto inner = square == null ? null : single(square, "Mul", producer, count);
    if (inner != null && inner.getInput(0).equals(x) && inner.getInput(1).equals(x)) {
      chain.addAll(List.of(inner, outer, times, add, scale));
      return true;
    }
    return false;
  }

  /** The node of type {@code op} with two inputs producing {@code value}, read only once. */
  private static NodeProto single(String value, String op, Map<String, NodeProto> producer,
      Map<String, Integer> count) {
    NodeProto n = producer.get(value);
    boolean ok = n != null && n.getOpType().equals(op) && count.getOrDefault(value, 0) == 1
        && n.getInputCount() == (op.equals("Erf") || op.equals("Tanh") ? 1 : 2);
    return ok ? n : null;
  }

  /** The input of two-input {@code n} that is not the constant c, or null. */
  private String otherThanConstant(NodeProto n, double c, Map<String, NodeProto> producer) {
    return isConstant(n.getInput(0), c, producer) ? n.getInput(1)
        : isConstant(n.getInput(1), c, producer) ? n.getInput(0) : null;
  }

  /** Whether {@code value} is a one-element float constant within float32 rounding of c. */
  private boolean isConstant(String value, double c, Map<String, NodeProto> producer) {
    TensorProto t = initializers.get(value);
    NodeProto p = producer.get(value);
    if (t == null && p != null && p.getOpType().equals("Constant") && p.getAttributeCount() == 1
        && p.getAttribute(0).getName().equals("value")) {
      t = p.getAttribute(0).getT();
    }
    if (t == null || ModelReader.elements(t.getDimsList()) != 1
        || t.getDataType() != TensorProto.DataType.FLOAT_VALUE) {
      return false;
    }
    try {
      float v = ModelReader.floats(file, t)[0];
      return Math.abs(v - c) <= 1e-6 * Math.abs(c);
    } catch (OnnxException e) {
      return false;
    }
  }
}
