package dev.lamina.processor.model;

import dev.lamina.dsl.Activation;
import dev.lamina.dsl.Loss;
import dev.lamina.dsl.Precision;
import dev.lamina.runtime.LayerSummary;
import dev.lamina.runtime.ParameterTensor;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Set;

/**
 * Builds a {@link NetworkModel} from layers that have already been checked: lays out the parameter
 * tensors in one flat array and records, per layer, the output shape, counts and receptive field
 * that its {@link Op} computes. It knows no layer kind: every figure comes from the op.
 *
 * <p>It assumes valid input (the checker reports problems first) and fails with {@link
 * IllegalArgumentException} on a layer that does not fit, so a checker bug cannot produce a model.
 *
 * <p>Graphs: a layer may read any earlier layer by name ({@link #add(String, List, Op, Activation,
 * double)}), so the nodes are always in a topological order. Parameter counts leave out {@code
 * STATISTIC} tensors (batch normalization's running statistics), which live in the parameter
 * array but are not trained.
 */
public final class ModelBuilder {
  private final String packageName;
  private final String declaredName;
  private final Shape input;
  private final List<Node> nodes = new ArrayList<>();
  private final Map<String, Integer> index = new HashMap<>();
  private final Map<String, String> aliases = new LinkedHashMap<>();
  private Loss loss = Loss.NONE;
  private Set<Precision> precisions = EnumSet.of(Precision.FLOAT);
  private int nextOffset;

  /** Receptive field, jump and start of every node, by index. */
  private final List<Field> fields = new ArrayList<>();

  public ModelBuilder(String packageName, String declaredName, Shape input) {
    this.packageName = packageName;
    this.declaredName = declaredName;
    this.input = input;
  }

  public ModelBuilder loss(Loss loss) {
    this.loss = loss;
    return this;
  }

  public ModelBuilder precisions(Set<Precision> precisions) {
    this.precisions = EnumSet.copyOf(precisions);
    return this;
  }

  /** The output shape of the last layer added (the input shape before any layer). */
  public Shape currentShape() {
    return nodes.isEmpty() ? input : nodes.get(nodes.size() - 1).outputShape();
  }

  /** Adds a layer taking the previous layer's output (or the network input). */
  public ModelBuilder add(String name, Op op, Activation activation,
      double activationParameter) {
    return add(name, List.of(), op, activation, activationParameter);
  }

  /**
   * Adds a layer reading the named layers ({@link #INPUT} for the network input); an empty list
   * means the previous layer (or the network input), as {@link #add(String, Op, Activation,
   * double)}. Every name must be a layer added before (so the nodes stay in a topological order).
   */
  public ModelBuilder add(String name, List<String> from, Op op, Activation activation,
      double activationParameter) {
    List<Integer> sources = new ArrayList<>();
    if (from.isEmpty()) {
      sources.add(nodes.isEmpty() ? Node.NETWORK_INPUT : nodes.size() - 1);
    }
    for (String f : from) {
      if (f.equals(INPUT)) {
        sources.add(Node.NETWORK_INPUT);
      } else {
        Integer i = index.get(f);
        if (i == null) {
          i = index.get(aliases.get(f));
        }
        if (i == null) {
          throw new IllegalArgumentException(name + ": no earlier layer named " + f);
        }
        sources.add(i);
      }
    }
    if (index.containsKey(name)) {
      throw new IllegalArgumentException("two layers named " + name);
    }
    return addNode(name, sources, op, activation, activationParameter);
  }

  /** Declares a member that stands for an existing node (an {@code @Apply} use, its output). */
  public ModelBuilder alias(String member, String nodeName) {
    if (!index.containsKey(nodeName)) {
      throw new IllegalArgumentException(member + ": no layer named " + nodeName);
    }
    aliases.put(member, nodeName);
    return this;
  }

  /** The name {@link #add(String, List, Op, Activation, double)} uses for the network input. */
  public static final String INPUT = "input";

  private Shape shapeOf(int source) {
    return source == Node.NETWORK_INPUT ? input : nodes.get(source).outputShape();
  }

  private Field fieldOf(int source) {
    return source == Node.NETWORK_INPUT ? Field.INPUT : fields.get(source);
  }

  /** Everything about one node comes from its op; this only lays out and records. */
  private ModelBuilder addNode(String name, List<Integer> sources, Op op, Activation activation,
      double activationParameter) {
    if (op.merges() ? sources.size() < 2 : sources.size() != 1) {
      throw new IllegalArgumentException(name + ": " + op.kindName() + " cannot read "
          + sources.size() + " inputs");
    }
    List<Shape> inShapes = new ArrayList<>();
    List<Field> inFields = new ArrayList<>();
    List<String> inNames = new ArrayList<>();
    for (int s : sources) {
      inShapes.add(shapeOf(s));
      inFields.add(fieldOf(s));
      inNames.add(sourceName(s));
    }
    Shape out = op.output(inShapes);
    for (int d : out.dims()) {
      if (d < 1) {
        throw new IllegalArgumentException(name + ": " + op.kindName() + " gives " + out);
      }
    }
    List<ParameterTensor> params = new ArrayList<>();
    for (TensorSpec t : op.tensors(inShapes, activation)) {
      params.add(tensor(name, t));
    }
    Field field = op.field(inFields, inShapes, input);
    String description = op.description(inNames);
    if (activation != Activation.IDENTITY) {
      description = (description.isEmpty() ? "" : description + " ")
          + activation.name().toLowerCase(Locale.ROOT);
    }
    int previous = nodes.isEmpty() ? Node.NETWORK_INPUT : nodes.size() - 1;
    if (!op.merges() && sources.get(0) != previous) {
      description = (description.isEmpty() ? "" : description + " ") + "<- "
          + sourceName(sources.get(0));
    }
    LayerSummary summary = new LayerSummary(name, op.kindName(), description, out.dims(),
        op.parameterCount(inShapes), op.connections(inShapes, out),
        op.multiplyAdds(inShapes, out), toInts(field.rf()), toInts(field.jump()), field.start());
    index.put(name, nodes.size());
    nodes.add(new Node(name, op, sources, inShapes.get(0), out, activation, activationParameter,
        params, summary, inShapes));
    fields.add(field);
    return this;
  }

  private String sourceName(int source) {
    return source == Node.NETWORK_INPUT ? INPUT : nodes.get(source).name();
  }

  /** The checked model. */
  public NetworkModel build() {
    if (nodes.isEmpty()) {
      throw new IllegalArgumentException(declaredName + " has no layers");
    }
    return new NetworkModel(packageName, declaredName, input, nodes, loss, precisions, aliases);
  }

  private ParameterTensor tensor(String layer, TensorSpec spec) {
    long size = spec.size();
    if (nextOffset + size > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          layer + ": parameters exceed the largest Java array (" + Integer.MAX_VALUE + ")");
    }
    ParameterTensor t = new ParameterTensor(layer, spec.name(), spec.role(), nextOffset,
        spec.shape(), (int) Math.min(spec.fanIn(), Integer.MAX_VALUE),
        (int) Math.min(spec.fanOut(), Integer.MAX_VALUE), spec.init());
    nextOffset += (int) size;
    return t;
  }

  private static int[] toInts(long[] v) {
    int[] r = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      r[i] = (int) Math.min(v[i], Integer.MAX_VALUE);
    }
    return r;
  }
}
