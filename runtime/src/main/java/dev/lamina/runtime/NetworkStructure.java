package dev.lamina.runtime;

import dev.lamina.dsl.Activation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a generated network computes, layer by layer, as data: for tools that rebuild the network
 * elsewhere (the ONNX exporter) and need more than the {@link NetworkSummary}'s counts. The
 * processor writes it into every generated class ({@link StructuredNetwork#structure()}).
 *
 * <p>Immutable and thread-safe.
 *
 * @param summary the network's summary: input shape, loss, parameter tensors with their offsets
 * @param nodes the layers in execution order (every input of a node comes before it)
 */
public record NetworkStructure(NetworkSummary summary, List<Node> nodes) {
  /** The name {@link Node#inputs()} uses for the network's input. */
  public static final String INPUT = "input";

  public NetworkStructure {
    nodes = List.copyOf(nodes);
  }

  /** The node with this name. */
  public Node node(String name) {
    for (Node n : nodes) {
      if (n.name.equals(name)) {
        return n;
      }
    }
    throw new IllegalArgumentException(summary.networkName() + " has no layer " + name);
  }

  /** Parameter tensors of the layer {@code name}, in storage order (statistics included). */
  public List<ParameterTensor> tensors(String name) {
    List<ParameterTensor> out = new ArrayList<>();
    for (ParameterTensor t : summary.parameterTensors()) {
      if (t.layer().equals(name)) {
        out.add(t);
      }
    }
    return out;
  }

  /** The node whose output is the network's output (the last one). */
  public Node output() {
    return nodes.get(nodes.size() - 1);
  }

  /**
   * An ordered attribute map from {@code name, value, name, value, ...}: what generated code
   * passes to {@link Node}. Values are {@code Integer}, {@code Long}, {@code Double}, {@code
   * Boolean} or {@code String} (an enum constant's name).
   *
   * @throws IllegalArgumentException for an odd count, a non-string name, a repeated name or a
   *     value of another type
   */
  public static Map<String, Object> attributes(Object... namesAndValues) {
    if (namesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("attributes come in name, value pairs: "
          + namesAndValues.length + " values");
    }
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      if (!(namesAndValues[i] instanceof String name)) {
        throw new IllegalArgumentException("attribute name " + namesAndValues[i]
            + " is not a String");
      }
      Object v = namesAndValues[i + 1];
      if (!(v instanceof Integer || v instanceof Long || v instanceof Double
          || v instanceof Boolean || v instanceof String)) {
        throw new IllegalArgumentException("attribute " + name + ": " + v
            + " is not an Integer, Long, Double, Boolean or String");
      }
      if (m.put(name, v) != null) {
        throw new IllegalArgumentException("attribute " + name + " given twice");
      }
    }
    return m;
  }

  /**
   * One layer.
   *
   * @param name the layer's name: the member's, {@code use.member} inside an {@code @Apply} use
   * @param kind {@code Conv}, {@code Pool}, {@code Affine}, ... (as {@link LayerSummary#kind()})
   * @param attributes what the layer computes, every value resolved as the compiler resolved it
   *     (defaults applied, {@code autoPad} turned into the four paddings, one size expanded to
   *     height and width), by the names of the kind's model ({@code filters, kh, kw, sh, sw, ph,
   *     pw, pb, pr, dh, dw, bias, groups} for Conv), in its order
   * @param inputs the names of the layers read, in order; {@link #INPUT} for the network input
   * @param inputShapes the shape of one sample of each input, in the order of {@code inputs}
   * @param outputShape the shape of one output sample
   * @param activation the activation applied to the output
   * @param activationParameter LEAKY_RELU's negative slope, ELU's alpha (the declared value,
   *     which other activations ignore)
   */
  public record Node(String name, String kind, Map<String, Object> attributes,
      List<String> inputs, List<int[]> inputShapes, int[] outputShape, Activation activation,
      double activationParameter) {
    public Node {
      attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
      inputs = List.copyOf(inputs);
      inputShapes = inputShapes.stream().map(int[]::clone).toList();
      outputShape = outputShape.clone();
      if (inputs.size() != inputShapes.size()) {
        throw new IllegalArgumentException(name + ": " + inputs.size() + " inputs but "
            + inputShapes.size() + " input shapes");
      }
    }

    @Override
    public List<int[]> inputShapes() {
      return inputShapes.stream().map(int[]::clone).toList();
    }

    @Override
    public int[] outputShape() {
      return outputShape.clone();
    }

    /** The shape of one sample of the first input. */
    public int[] inputShape() {
      return inputShapes.get(0).clone();
    }

    /** An {@code int} attribute. */
    public int intAttr(String attribute) {
      return attr(attribute, Integer.class);
    }

    /** A {@code long} attribute. */
    public long longAttr(String attribute) {
      return attr(attribute, Long.class);
    }

    /** A {@code double} attribute. */
    public double doubleAttr(String attribute) {
      return attr(attribute, Double.class);
    }

    /** A {@code boolean} attribute. */
    public boolean boolAttr(String attribute) {
      return attr(attribute, Boolean.class);
    }

    /** A string attribute: an enum constant's name. */
    public String stringAttr(String attribute) {
      return attr(attribute, String.class);
    }

    private <T> T attr(String attribute, Class<T> type) {
      Object v = attributes.get(attribute);
      if (v == null) {
        throw new IllegalArgumentException(kind + " layer " + name + " has no attribute "
            + attribute + " (it has " + attributes.keySet() + ")");
      }
      if (!type.isInstance(v)) {
        throw new IllegalArgumentException(kind + " layer " + name + ": attribute " + attribute
            + " is a " + v.getClass().getSimpleName() + ", not a " + type.getSimpleName());
      }
      return type.cast(v);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Node n
          && name.equals(n.name)
          && kind.equals(n.kind)
          && attributes.equals(n.attributes)
          && inputs.equals(n.inputs)
          && shapesEqual(inputShapes, n.inputShapes)
          && Arrays.equals(outputShape, n.outputShape)
          && activation == n.activation
          && Double.compare(activationParameter, n.activationParameter) == 0;
    }

    @Override
    public int hashCode() {
      return (name.hashCode() * 31 + kind.hashCode()) * 31 + attributes.hashCode();
    }

    @Override
    public String toString() {
      return name + " " + kind + attributes + " <- " + inputs + " -> "
          + NetworkSummary.shapeString(outputShape) + " " + activation;
    }

    private static boolean shapesEqual(List<int[]> a, List<int[]> b) {
      if (a.size() != b.size()) {
        return false;
      }
      for (int i = 0; i < a.size(); i++) {
        if (!Arrays.equals(a.get(i), b.get(i))) {
          return false;
        }
      }
      return true;
    }
  }
}
