package dev.lamina.processor.model;

import dev.lamina.dsl.Activation;
import dev.lamina.dsl.Loss;
import dev.lamina.dsl.Precision;
import dev.lamina.runtime.LayerSummary;
import dev.lamina.runtime.NetworkSummary;
import dev.lamina.runtime.ParameterTensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A checked network, free of {@code javax.lang.model} types: what the generator turns into code.
 * Only a network without errors becomes a {@code NetworkModel}.
 *
 * @param packageName the declaring class's package ("" for the default package)
 * @param declaredName the declaring class's name relative to its package ({@code Outer.Inner})
 * @param input shape of one input sample
 * @param nodes the layers in execution order (every input of a node comes before it)
 * @param loss the training loss ({@link Loss#NONE} for inference-only networks)
 * @param precisions which variants to generate
 * @param aliases declared {@code Layer} members that are not nodes themselves ({@code @Apply}
 *     uses of a block), each with the name of the node it stands for (the block's output)
 * @param memory the workspace layout of each generated class, when the checker has planned it
 *     (empty otherwise: the summary then carries no memory figures)
 */
public record NetworkModel(
    String packageName,
    String declaredName,
    Shape input,
    List<Node> nodes,
    Loss loss,
    Set<Precision> precisions,
    Map<String, String> aliases,
    Map<Precision, MemoryPlan> memory) {

  public NetworkModel {
    nodes = List.copyOf(nodes);
    precisions = Set.copyOf(precisions);
    aliases = Collections.unmodifiableMap(new LinkedHashMap<>(aliases));
    memory = Map.copyOf(memory);
  }

  /** A model whose memory is not planned yet. */
  public NetworkModel(String packageName, String declaredName, Shape input, List<Node> nodes,
      Loss loss, Set<Precision> precisions, Map<String, String> aliases) {
    this(packageName, declaredName, input, nodes, loss, precisions, aliases, Map.of());
  }

  /** This model with the workspace layouts of its generated classes. */
  public NetworkModel withMemory(Map<Precision, MemoryPlan> plans) {
    return new NetworkModel(packageName, declaredName, input, nodes, loss, precisions, aliases,
        plans);
  }

  /**
   * The class the summary resource and the budgets describe: the float class when it is
   * generated, else the double one.
   */
  public Precision primaryPrecision() {
    return precisions.contains(Precision.FLOAT) ? Precision.FLOAT : Precision.DOUBLE;
  }

  /** A model without aliases. */
  public NetworkModel(String packageName, String declaredName, Shape input, List<Node> nodes,
      Loss loss, Set<Precision> precisions) {
    this(packageName, declaredName, input, nodes, loss, precisions, Map.of());
  }

  /** Whether a node is a declared {@code Layer} member (not a layer inside a block use). */
  public static boolean isMember(Node node) {
    return node.name().indexOf('.') < 0;
  }

  /** Index of the node with this name, or -1. */
  public int indexOf(String nodeName) {
    for (int i = 0; i < nodes.size(); i++) {
      if (nodes.get(i).name().equals(nodeName)) {
        return i;
      }
    }
    return -1;
  }

  /** For each node, the indices of the nodes reading its output, in order. */
  public List<List<Integer>> consumers() {
    List<List<Integer>> out = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      out.add(new ArrayList<>());
    }
    for (int i = 0; i < nodes.size(); i++) {
      for (int in : nodes.get(i).inputs()) {
        if (in != Node.NETWORK_INPUT && !out.get(in).contains(i)) {
          out.get(in).add(i);
        }
      }
    }
    return out;
  }

  /**
   * The batch normalizations the inference pass folds into the convolution before them, as a map
   * from the convolution's index to the batch normalization's. A pair qualifies when the
   * convolution has one group and no activation and the batch normalization is its only reader:
   * at inference its output is then an affine function of the convolution's per channel, which
   * the convolution computes with scaled weights and a shift as bias (see {@code
   * BatchNormEmitter}). Training passes run both layers as declared.
   */
  public Map<Integer, Integer> foldedNorms() {
    List<List<Integer>> readers = consumers();
    Map<Integer, Integer> folds = new LinkedHashMap<>();
    for (int i = 0; i < nodes.size(); i++) {
      Node norm = nodes.get(i);
      if (!(norm.op() instanceof BatchNormOp) || norm.inputs().size() != 1) {
        continue;
      }
      int source = norm.inputs().get(0);
      if (source == Node.NETWORK_INPUT) {
        continue;
      }
      Node conv = nodes.get(source);
      if (conv.op() instanceof ConvOp op && op.groups() == 1
          && conv.activation() == Activation.IDENTITY
          && readers.get(source).equals(List.of(i))) {
        folds.put(source, i);
      }
    }
    return folds;
  }

  /**
   * Whether layer {@code i} applies its activation in the same passes as its own arithmetic
   * rather than in passes of its own: an {@code @Add} or {@code @BatchNorm} with a
   * piecewise-linear activation (ReLU, ReLU6, leaky ReLU), the residual join's and the
   * normalization's usual epilogue. Such a layer keeps no pre-activation: forward, it writes
   * only its output, activated in the loop that computes it; backward, it applies the
   * activation's derivative as it reads dL/d(output), taking the sign it needs from values that
   * pass reads anyway: a batch normalization in the pass that sums its gradients per channel,
   * with the pre-activation recomputed from x̂ ({@code γ·x̂ + β}, the forward pass's arithmetic,
   * so the same bits), an add in the loop that hands the gradient to its inputs, from its output
   * (ReLU's and leaky ReLU's output is positive exactly where the pre-activation is, ReLU6's
   * strictly between 0 and 6 exactly where the pre-activation is; an add with a leaky ReLU of
   * negative slope is therefore not fused). The arithmetic is the same as in passes of their
   * own; only memory passes go.
   */
  public boolean fusesActivation(int i) {
    Node n = nodes.get(i);
    if (!isPiecewiseLinear(n.activation())) {
      return false;
    }
    return n.op() instanceof BatchNormOp || n.op() instanceof AddOp
        && (n.activation() != Activation.LEAKY_RELU || n.activationParameter() >= 0);
  }

  /**
   * Whether layer {@code i} writes dL/d(input {@code k}) into that input's delta buffer rather
   * than adding it there, so that the buffer needs no zeroing before the backward pass: layer
   * {@code i} is an {@code @Add} or {@code @BatchNorm} (the kinds whose backward honours it), the
   * input is a layer, not the network input, layer {@code i} is its only reader and reads it
   * once. An add hands its gradient on, a batch normalization its input gradient, in the pass
   * that computes it, without the read of a zeroed buffer.
   */
  public boolean assignsInputGradient(int i, int k) {
    Node n = nodes.get(i);
    if (!(n.op() instanceof AddOp || n.op() instanceof BatchNormOp)) {
      return false;
    }
    int source = n.inputs().get(k);
    return source != Node.NETWORK_INPUT
        && n.inputs().indexOf(source) == n.inputs().lastIndexOf(source)
        && consumers().get(source).equals(List.of(i));
  }

  /**
   * Whether the backward pass writes layer {@code j}'s delta buffer whole before anything reads
   * it ({@link #assignsInputGradient}), so that it needs no zeroing.
   */
  public boolean deltaAssigned(int j) {
    List<Integer> readers = consumers().get(j);
    return readers.size() == 1
        && assignsInputGradient(readers.get(0), nodes.get(readers.get(0)).inputs().indexOf(j));
  }

  /**
   * ReLU, ReLU6 and leaky ReLU: activations a layer applies as one expression as it writes its
   * output. A convolution with a batch normalization folded into it ({@link #foldedNorms}) also
   * applies such an activation of the batch normalization in its folded inference pass.
   */
  public static boolean isPiecewiseLinear(Activation a) {
    return a == Activation.RELU || a == Activation.RELU6 || a == Activation.LEAKY_RELU;
  }

  /** {@code pkg.Outer.Inner}. */
  public String qualifiedName() {
    return packageName.isEmpty() ? declaredName : packageName + "." + declaredName;
  }

  /** Simple name of the generated class: {@code Lamina_Outer_Inner}, {@code _F64} for double. */
  public String generatedSimpleName(Precision precision) {
    String base = "Lamina_" + declaredName.replace('.', '_');
    return precision == Precision.DOUBLE ? base + "_F64" : base;
  }

  /** Shape of one output sample. */
  public Shape output() {
    return nodes.get(nodes.size() - 1).outputShape();
  }

  /** Every parameter tensor, in storage order (statistics included). */
  public List<ParameterTensor> parameterTensors() {
    List<ParameterTensor> all = new ArrayList<>();
    for (Node n : nodes) {
      all.addAll(n.parameters());
    }
    return all;
  }

  /** Length of the flat parameter array. */
  public int parameterCount() {
    int n = 0;
    for (ParameterTensor t : parameterTensors()) {
      n += t.size();
    }
    return n;
  }

  /** The summary the processor writes as a resource: that of the primary precision's class. */
  public NetworkSummary summary() {
    return summary(primaryPrecision());
  }

  /**
   * The summary the generated class of this precision holds as a constant, with the memory
   * figures of its workspace when they are planned.
   */
  public NetworkSummary summary(Precision precision) {
    MemoryPlan plan = memory.get(precision);
    List<LayerSummary> layers = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      LayerSummary s = nodes.get(i).summary();
      layers.add(plan == null ? s : s.withMemory(plan.layers().get(i)));
    }
    return new NetworkSummary(qualifiedName(), input.dims(), loss, layers, parameterTensors(),
        precision);
  }
}
