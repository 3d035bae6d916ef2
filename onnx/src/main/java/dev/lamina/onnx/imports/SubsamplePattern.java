package dev.lamina.onnx.imports;

import dev.lamina.onnx.OnnxException;
import dev.lamina.onnx.proto.Onnx.AttributeProto;
import dev.lamina.onnx.proto.Onnx.NodeProto;
import dev.lamina.onnx.proto.Onnx.TensorProto;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds LeNet-5's trainable subsampling as Lamina's exporter writes it, {@code Add(Mul(Conv(x,
 * ones), coeff), bias)}: a convolution with a kernel of ones, one group per channel and no bias
 * (the window sums), times a {@code [C, 1, 1]} constant, plus a {@code [C, 1, 1]} constant, each
 * intermediate read only there. Each match becomes its Conv node, now writing the Add's output,
 * with the names of the two constants beside it; the Mul and the Add leave the graph.
 *
 * <p>Not thread-safe; one instance serves one graph.
 */
final class SubsamplePattern {
  /**
   * One subsampling.
   *
   * @param coeff the initializer multiplying the window sums
   * @param bias the initializer added
   * @param absorbed descriptions of the Mul and Add nodes, for the layer's comment
   */
  record Match(String coeff, String bias, List<NodeProto> absorbed) {}

  private final Path file;
  private final Map<String, TensorProto> initializers;
  private final String outputName;
  private final Map<NodeProto, Match> matches = new IdentityHashMap<>();

  SubsamplePattern(Path file, Map<String, TensorProto> initializers, String outputName) {
    this.file = file;
    this.initializers = initializers;
    this.outputName = outputName;
  }

  /** The matches of the last {@link #apply}, by the Conv node that stands for each. */
  Map<NodeProto, Match> matches() {
    return matches;
  }

  /** {@code nodes} with each subsampling's Mul and Add removed and its Conv writing the sum. */
  List<NodeProto> apply(List<NodeProto> nodes) {
    Map<String, List<NodeProto>> readers = new HashMap<>();
    for (NodeProto n : nodes) {
      for (String in : n.getInputList()) {
        readers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
      }
    }
    Map<NodeProto, NodeProto> replace = new IdentityHashMap<>();
    Set<NodeProto> absorbed = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    for (NodeProto conv : nodes) {
      int channels = windowSum(conv);
      if (channels < 1) {
        continue;
      }
      NodeProto mul = onlyReader(conv.getOutput(0), "Mul", readers);
      String coeff = mul == null ? null : perChannel(mul, conv.getOutput(0), channels);
      NodeProto add = coeff == null ? null : onlyReader(mul.getOutput(0), "Add", readers);
      String bias = add == null ? null : perChannel(add, mul.getOutput(0), channels);
      if (bias == null) {
        continue;
      }
      NodeProto sum = conv.toBuilder().setOutput(0, add.getOutput(0)).build();
      replace.put(conv, sum);
      matches.put(sum, new Match(coeff, bias, List.of(mul, add)));
      absorbed.add(mul);
      absorbed.add(add);
    }
    return GeluPattern.rewrite(nodes, replace, absorbed);
  }

  /** The channels of a Conv summing windows (kernel of ones, a group per channel), else 0. */
  private int windowSum(NodeProto n) {
    if (!n.getOpType().equals("Conv") || n.getInputCount() < 2
        || (n.getInputCount() > 2 && !n.getInput(2).isEmpty()) || n.getOutputCount() != 1) {
      return 0;
    }
    TensorProto w = initializers.get(n.getInput(1));
    if (w == null || w.getDataType() != TensorProto.DataType.FLOAT_VALUE
        || w.getDimsCount() != 4 || w.getDims(1) != 1 || w.getDims(0) > 1 << 16) {
      return 0;
    }
    long group = 1;
    for (AttributeProto a : n.getAttributeList()) {
      if (a.getName().equals("group")) {
        group = a.getI();
      }
    }
    if (group != w.getDims(0)) {
      return 0;
    }
    try {
      for (float v : ModelReader.floats(file, w)) {
        if (v != 1f) {
          return 0;
        }
      }
    } catch (OnnxException e) {
      return 0;
    }
    return (int) group;
  }

  /** The node of type {@code op} that alone reads {@code value}, if the graph output is not it. */
  private NodeProto onlyReader(String value, String op, Map<String, List<NodeProto>> readers) {
    List<NodeProto> r = readers.getOrDefault(value, List.of());
    if (r.size() != 1 || value.equals(outputName) || !r.get(0).getOpType().equals(op)
        || r.get(0).getInputCount() != 2 || r.get(0).getOutputCount() != 1) {
      return null;
    }
    NodeProto n = r.get(0);
    return n.getInput(0).equals(value) || n.getInput(1).equals(value) ? n : null;
  }

  /** The other input of {@code n}, if it is a float {@code [C, 1, 1]} initializer, else null. */
  private String perChannel(NodeProto n, String value, int channels) {
    String other = n.getInput(0).equals(value) ? n.getInput(1) : n.getInput(0);
    TensorProto t = initializers.get(other);
    boolean ok = t != null && t.getDataType() == TensorProto.DataType.FLOAT_VALUE
        && t.getDimsCount() == 3 && t.getDims(0) == channels && t.getDims(1) == 1
        && t.getDims(2) == 1;
    return ok ? other : null;
  }
}
