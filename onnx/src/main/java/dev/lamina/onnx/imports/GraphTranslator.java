package dev.lamina.onnx.imports;

import dev.lamina.dsl.Activation;
import dev.lamina.onnx.OnnxException;
import dev.lamina.onnx.proto.Onnx.AttributeProto;
import dev.lamina.onnx.proto.Onnx.GraphProto;
import dev.lamina.onnx.proto.Onnx.ModelProto;
import dev.lamina.onnx.proto.Onnx.NodeProto;
import dev.lamina.onnx.proto.Onnx.OperatorSetIdProto;
import dev.lamina.onnx.proto.Onnx.TensorProto;
import dev.lamina.onnx.proto.Onnx.TensorShapeProto;
import dev.lamina.onnx.proto.Onnx.TypeProto;
import dev.lamina.onnx.proto.Onnx.ValueInfoProto;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Translates an ONNX graph into Lamina layers. Steps: check the graph's one input and one output,
 * keep the nodes the output depends on (in file order, which ONNX requires to be topological),
 * recognize GELU written out (exact with Erf, or the tanh approximation), refuse every operator
 * Lamina has no layer for (all of them at once), then map node by node: folding the integer shape plumbing, merging an
 * activation into the layer before it, folding a Pad into the padding of the convolution or
 * pooling that reads it, and treating Flatten (and a flattening Reshape) before Gemm as the
 * implicit flatten of {@code @Affine}.
 *
 * <p>One instance translates one graph; not thread-safe.
 */
final class GraphTranslator {
  /** The operators with a Lamina counterpart (or folded away). */
  static final Set<String> SUPPORTED = Set.of(
      "Conv", "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "Gemm", "MatMul",
      "BatchNormalization", "Dropout", "Relu", "LeakyRelu", "Sigmoid", "Tanh", "Elu", "Gelu",
      "Clip", "ConvTranspose", "LRN",
      "Add", "Concat", "Flatten", "Reshape", "Identity", "Pad", "Constant", "Shape", "Gather",
      "Unsqueeze", "Squeeze", "Cast", "ConstantOfShape", "Slice", "Transpose", "LSTM", "GRU",
      "RNN");
  static final String SUPPORTED_LIST = "Lamina imports Conv (also grouped), ConvTranspose,"
      + " MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool, Gemm, MatMul,"
      + " BatchNormalization (inference), Dropout, LRN (odd size), Relu, LeakyRelu, Sigmoid,"
      + " Tanh, Elu, Gelu (also written out with Erf or Tanh), Clip (as ReLU6), Add,"
      + " Concat (channels), Flatten, Reshape (flattening, or to [N, C, H, W]), Identity,"
      + " Pad (into a Conv or pooling), LSTM, GRU and RNN (as @Recurrent, zero initial state)"
      + " and the integer plumbing of shapes and pads (Shape, Gather, Unsqueeze, Squeeze,"
      + " Concat, Reshape, Slice, Transpose, ConstantOfShape, Cast on constants).";

  /** The layer kinds whose annotation has no {@code activation}. */
  private static final Set<String> NO_ACTIVATION = Set.of("LocalResponseNorm", "Reshape",
      "Recurrent");

  /** The most nodes a graph may have. */
  static final int MAX_NODES = 20_000;

  /** The translated network. */
  record Result(int[] input, List<LayerSpec> layers, int opset, String producer) {}

  private final Path file;
  private final ModelProto model;
  private final GraphProto graph;
  private final List<String> problems = new ArrayList<>();
  private final Map<String, TensorProto> initializers = new HashMap<>();
  private final Map<String, Val> values = new HashMap<>();
  private final Map<String, Integer> uses = new HashMap<>();
  private final Map<String, List<NodeProto>> consumers = new HashMap<>();
  /** Values whose node failed: their consumers are skipped without a second message. */
  private final Set<String> failed = new HashSet<>();
  private final List<LayerSpec> layers = new ArrayList<>();
  private final Map<String, LayerSpec> layerByName = new HashMap<>();
  private final Names names = new Names();
  /** Time-major sequences that only carry one recurrent node's output Y to the next node. */
  private final Set<String> stackable = new HashSet<>();
  private int opset;
  private String outputName;
  private Map<NodeProto, SubsamplePattern.Match> subsamples = Map.of();

  GraphTranslator(Path file, ModelProto model) {
    this.file = file;
    this.model = model;
    this.graph = model.getGraph();
  }

  Result translate() throws OnnxException {
    opset = 0;
    for (OperatorSetIdProto o : model.getOpsetImportList()) {
      if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
        opset = (int) Math.min(Integer.MAX_VALUE, o.getVersion());
      }
    }
    if (opset == 0) {
      opset = 1;
    }
    for (TensorProto t : graph.getInitializerList()) {
      initializers.put(t.getName(), t);
    }
    ValueInfoProto input = graphInput();
    ValueInfoProto output = graphOutput();
    outputName = output.getName();
    List<NodeProto> nodes = neededNodes(input.getName());
    nodes = new GeluPattern(file, initializers, outputName).apply(nodes);
    SubsamplePattern windowSums = new SubsamplePattern(file, initializers, outputName);
    nodes = windowSums.apply(nodes);
    subsamples = windowSums.matches();
    List<String> unsupported = new ArrayList<>();
    for (NodeProto n : nodes) {
      String domain = n.getDomain();
      if (!domain.isEmpty() && !domain.equals("ai.onnx")) {
        unsupported.add(node(n) + ": operator domain '" + Names.printable(domain) + "' is not"
            + " ONNX's standard one");
      } else if (!SUPPORTED.contains(n.getOpType())) {
        unsupported.add(node(n) + ": " + unsupportedReason(n.getOpType()));
      }
    }
    if (!unsupported.isEmpty()) {
      throw new OnnxException(file, unsupported, SUPPORTED_LIST);
    }
    int[] inputShape = inputShape(input);
    values.put(input.getName(), Val.activation("input", inputShape, false));
    for (NodeProto n : nodes) {
      for (String in : n.getInputList()) {
        if (!in.isEmpty()) {
          uses.merge(in, 1, Integer::sum);
          consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
        }
      }
    }
    uses.merge(outputName, 1, Integer::sum);
    for (NodeProto n : nodes) {
      boolean skip = false;
      for (String in : n.getInputList()) {
        skip |= failed.contains(in);
      }
      if (skip) {
        failed.addAll(n.getOutputList());
        continue;
      }
      int before = problems.size();
      try {
        translate(n);
      } catch (Problem p) {
        problems.add(node(n) + ": " + p.getMessage());
      }
      if (problems.size() > before) {
        failed.addAll(n.getOutputList());
      }
    }
    if (problems.isEmpty()) {
      finishOutput();
    }
    if (!problems.isEmpty()) {
      throw new OnnxException(file, problems);
    }
    return new Result(inputShape, List.copyOf(layers), opset,
        Names.printable(model.getProducerName() + " " + model.getProducerVersion()).trim());
  }

  // ------------------------------------------------------------------------- graph structure

  private ValueInfoProto graphInput() throws OnnxException {
    List<ValueInfoProto> inputs = new ArrayList<>();
    for (ValueInfoProto v : graph.getInputList()) {
      if (!initializers.containsKey(v.getName())) {
        inputs.add(v);
      }
    }
    if (inputs.size() != 1) {
      List<String> n = inputs.stream().map(v -> "'" + Names.printable(v.getName()) + "'").toList();
      throw new OnnxException(file, "the graph has " + inputs.size() + " inputs " + n + "; a Lamina"
          + " network has exactly one input ([N, C, H, W], [N, T, D] or [N, D])");
    }
    return inputs.get(0);
  }

  private ValueInfoProto graphOutput() throws OnnxException {
    if (graph.getOutputCount() != 1) {
      List<String> n = graph.getOutputList().stream()
          .map(v -> "'" + Names.printable(v.getName()) + "'").toList();
      throw new OnnxException(file, "the graph has " + graph.getOutputCount() + " outputs " + n
          + "; a Lamina network has exactly one output, its last layer");
    }
    return graph.getOutput(0);
  }

  private int[] inputShape(ValueInfoProto input) throws OnnxException {
    String what = "input '" + Names.printable(input.getName()) + "'";
    TypeProto type = input.getType();
    if (!type.hasTensorType()) {
      throw new OnnxException(file, what + " is not a tensor; Lamina takes one float32 tensor");
    }
    if (type.getTensorType().getElemType() != TensorProto.DataType.FLOAT_VALUE) {
      throw new OnnxException(file, what + " has element type "
          + ModelReader.dataTypeName(type.getTensorType().getElemType())
          + "; Lamina networks take float32 input");
    }
    TensorShapeProto shape = type.getTensorType().getShape();
    int rank = shape.getDimCount();
    if (rank < 2 || rank > 4) {
      throw new OnnxException(file, what + " has shape " + ModelReader.shapeString(shape)
          + "; a Lamina network takes [N, C, H, W] images, [N, T, D] sequences or [N, D]"
          + " vectors");
    }
    int[] dims = new int[rank - 1];
    long elements = 1;
    for (int i = 1; i < rank; i++) {
      TensorShapeProto.Dimension d = shape.getDim(i);
      if (!d.hasDimValue() || d.getDimValue() < 1 || d.getDimValue() > 1 << 20) {
        throw new OnnxException(file, what + " has shape " + ModelReader.shapeString(shape)
            + ": dimension " + i + " must be a fixed size from 1 to " + (1 << 20)
            + " (only the batch dimension, the first, may be symbolic)");
      }
      dims[i - 1] = (int) d.getDimValue();
      elements *= dims[i - 1];
    }
    if (elements > ModelReader.MAX_ELEMENTS) {
      throw new OnnxException(file, what + " has shape " + ModelReader.shapeString(shape) + ": "
          + elements + " values per sample exceed the " + ModelReader.MAX_ELEMENTS + " Lamina"
          + " imports");
    }
    return dims;
  }

  /** The nodes the output depends on, in file order; checks that the order is topological. */
  private List<NodeProto> neededNodes(String inputName) throws OnnxException {
    Map<String, Integer> producer = new HashMap<>();
    List<NodeProto> all = graph.getNodeList();
    if (all.size() > MAX_NODES) {
      throw new OnnxException(file, "the graph has " + all.size() + " nodes; Lamina imports at"
          + " most " + MAX_NODES + " (a network of that many layers would not compile)");
    }
    for (int i = 0; i < all.size(); i++) {
      for (String out : all.get(i).getOutputList()) {
        if (!out.isEmpty() && producer.putIfAbsent(out, i) != null) {
          throw new OnnxException(file, node(all.get(i)) + ": output '" + Names.printable(out)
              + "' is also produced by an earlier node; an ONNX graph assigns each value once");
        }
      }
    }
    boolean[] needed = new boolean[all.size()];
    ArrayDeque<String> todo = new ArrayDeque<>();
    todo.add(outputName);
    Set<String> seen = new HashSet<>();
    while (!todo.isEmpty()) {
      String v = todo.poll();
      if (!seen.add(v)) {
        continue;
      }
      Integer p = producer.get(v);
      if (p == null) {
        if (!v.equals(inputName) && !initializers.containsKey(v)) {
          throw new OnnxException(file, "value '" + Names.printable(v) + "' is read but no node,"
              + " initializer or graph input defines it");
        }
        continue;
      }
      needed[p] = true;
      for (String in : all.get(p).getInputList()) {
        if (!in.isEmpty()) {
          Integer q = producer.get(in);
          if (q != null && q >= p) {
            throw new OnnxException(file, node(all.get(p)) + " reads '" + Names.printable(in)
                + "', which a later node produces: the nodes are not in topological order (or"
                + " form a cycle), as ONNX requires");
          }
          todo.add(in);
        }
      }
    }
    List<NodeProto> nodes = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      if (needed[i]) {
        nodes.add(all.get(i));
      }
    }
    return nodes;
  }

  // ------------------------------------------------------------------------------- translation

  /** A problem with the node being translated; becomes one line of the exception. */
  private static final class Problem extends Exception {
    private static final long serialVersionUID = 1L;

    Problem(String message) {
      super(message, null, false, false);
    }
  }

  private void translate(NodeProto n) throws Problem {
    if (!Set.of("Transpose", "Squeeze", "Reshape", "Gather", "Slice", "LSTM", "GRU", "RNN")
        .contains(n.getOpType())) {
      for (int i = 0; i < n.getInputCount(); i++) {
        Val v = n.getInput(i).isEmpty() ? null : values.get(n.getInput(i));
        if (v != null && (v.layout != Val.BATCH_FIRST || v.zeros)) {
          throw new Problem("input '" + inputName(n, i) + "' is " + (v.zeros
              ? "a tensor of zeros sized by the batch, which only a recurrent operator's"
              + " initial state may be" : "a recurrent layer's sequence in ONNX's time-major"
              + " layout; Lamina reads it batch-first, [N, T, F], after Transpose perm = [1, 0,"
              + " 2]"));
        }
      }
    }
    switch (n.getOpType()) {
      case "Constant" -> constant(n);
      case "Shape" -> shape(n);
      case "Gather" -> gather(n);
      case "Unsqueeze", "Squeeze" -> unsqueeze(n);
      case "Cast" -> cast(n);
      case "ConstantOfShape" -> constantOfShape(n);
      case "Slice" -> slice(n);
      case "Transpose" -> transpose(n);
      case "Identity" -> {
        attributes(n);
        values.put(n.getOutput(0), value(n, 0));
      }
      case "Conv" -> {
        if (subsamples.containsKey(n)) {
          subsample(n, subsamples.get(n));
        } else {
          conv(n);
        }
      }
      case "ConvTranspose" -> convTranspose(n);
      case "LRN" -> lrn(n);
      case "MaxPool", "AveragePool" -> pool(n);
      case "GlobalAveragePool" -> globalAveragePool(n);
      case "GlobalMaxPool" -> globalMaxPool(n);
      case "Gemm" -> gemm(n);
      case "MatMul" -> matMul(n);
      case "BatchNormalization" -> batchNorm(n);
      case "Dropout" -> dropout(n);
      case "Relu", "LeakyRelu", "Sigmoid", "Tanh", "Elu", "Gelu", "Clip" -> activation(n);
      case "Add" -> add(n);
      case "Concat" -> concat(n);
      case "Flatten" -> flatten(n);
      case "Reshape" -> reshape(n);
      case "Pad" -> pad(n);
      case "LSTM", "GRU", "RNN" -> recurrent(n);
      default -> throw new Problem("internal error: no translation for " + n.getOpType());
    }
  }

  private static String unsupportedReason(String op) {
    return switch (op) {
      case "Softmax", "LogSoftmax" -> "Lamina has no " + op.toLowerCase(java.util.Locale.ROOT)
          + " layer: a network outputs logits, and softmax is applied only inside the loss"
          + " SOFTMAX_CROSS_ENTROPY (the arg-max of the logits is the predicted class); export"
          + " the model without the final " + op;
      case "Mul", "Div", "Sub", "Pow", "Sqrt", "Erf", "Exp", "Log", "Neg", "Reciprocal" ->
          "Lamina has no element-wise arithmetic layer (" + op + " of two tensors, such as the"
              + " gate x * sigmoid(x)); Mul, Div, Erf and Tanh are recognized only as GELU";
      case "Softplus", "HardSigmoid", "HardSwish", "Selu", "PRelu", "Mish" ->
          "Lamina has no " + op + " activation (it has RELU, RELU6, LEAKY_RELU, SIGMOID, TANH,"
              + " GELU, GELU_TANH and ELU)";
      default -> "Lamina has no layer for operator " + Names.printable(op);
    };
  }

  // ---- constants and shape plumbing (folded)

  private void constant(NodeProto n) throws Problem {
    Map<String, AttributeProto> a = attributes(n, "value", "value_float", "value_floats",
        "value_int", "value_ints");
    if (a.size() != 1) {
      throw new Problem("a Constant needs exactly one value attribute, found " + a.keySet());
    }
    AttributeProto at = a.values().iterator().next();
    switch (at.getName()) {
      case "value" -> values.put(n.getOutput(0), tensorValue(at.getT()));
      case "value_float" -> values.put(n.getOutput(0), Val.floats(new float[] {at.getF()},
          new long[0]));
      case "value_floats" -> {
        float[] f = new float[at.getFloatsCount()];
        for (int i = 0; i < f.length; i++) {
          f[i] = at.getFloats(i);
        }
        values.put(n.getOutput(0), Val.floats(f, new long[] {f.length}));
      }
      case "value_int" -> values.put(n.getOutput(0), Val.ints(new long[] {at.getI()}, true));
      default -> values.put(n.getOutput(0), Val.ints(
          at.getIntsList().stream().mapToLong(Long::longValue).toArray(), false));
    }
  }

  private Val tensorValue(TensorProto t) throws Problem {
    try {
      if (ModelReader.isInteger(t)) {
        return Val.ints(ModelReader.longs(file, t),
            t.getDimsList().stream().mapToInt(Long::intValue).toArray());
      }
      long[] dims = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
      return Val.floats(ModelReader.floats(file, t), dims);
    } catch (OnnxException e) {
      throw new Problem(e.problems().get(0));
    }
  }

  private void shape(NodeProto n) throws Problem {
    Map<String, AttributeProto> a = attributes(n, "start", "end");
    Val x = value(n, 0);
    if (!x.isActivation()) {
      throw new Problem("Shape of a constant is not supported");
    }
    int[] d = x.onnxDims();
    long[] full = new long[d.length + 1];
    full[0] = Val.BATCH;
    for (int i = 0; i < d.length; i++) {
      full[i + 1] = d[i];
    }
    int start = (int) clampAxis(intAttr(a, "start", 0), full.length);
    int end = (int) clampAxis(intAttr(a, "end", full.length), full.length);
    values.put(n.getOutput(0), Val.ints(Arrays.copyOfRange(full, start, Math.max(start, end)),
        false));
  }

  private static long clampAxis(long axis, int rank) {
    long v = axis < 0 ? axis + rank : axis;
    return Math.max(0, Math.min(rank, v));
  }

  private void gather(NodeProto n) throws Problem {
    Map<String, AttributeProto> a = attributes(n, "axis");
    Val data = value(n, 0);
    if (data.isActivation() && data.shape.length == 2) {
      lastStep(n, data, intAttr(a, "axis", 0));
      return;
    }
    Val index = value(n, 1);
    if (data.ints == null || index.ints == null || intAttr(a, "axis", 0) != 0) {
      throw new Problem("Gather is supported only on folded shape vectors (Shape, then Gather"
          + " with constant indices, axis 0); here it reads "
          + (data.ints == null ? "a tensor computed from the input" : "non-constant indices"));
    }
    long[] out = new long[index.ints.length];
    for (int i = 0; i < out.length; i++) {
      long k = index.ints[i] < 0 ? index.ints[i] + data.ints.length : index.ints[i];
      if (k < 0 || k >= data.ints.length) {
        throw new Problem("index " + index.ints[i] + " is outside the " + data.ints.length
            + " values it gathers from");
      }
      out[i] = data.ints[(int) k];
    }
    values.put(n.getOutput(0), Val.ints(out, index.scalar));
  }

  private void unsqueeze(NodeProto n) throws Problem {
    Map<String, AttributeProto> a = attributes(n, "axes");
    Val data = value(n, 0);
    long[] axes = a.containsKey("axes")
        ? a.get("axes").getIntsList().stream().mapToLong(Long::longValue).toArray()
        : n.getInputCount() > 1 && !n.getInput(1).isEmpty() ? value(n, 1).ints : null;
    boolean unsqueeze = n.getOpType().equals("Unsqueeze");
    if (!unsqueeze && data.isActivation() && data.layout != Val.BATCH_FIRST) {
      sequenceSqueeze(n, data, axes);
      return;
    }
    if (data.ints == null) {
      throw new Problem(n.getOpType() + " is supported only in folded shape plumbing; here it"
          + " reads a tensor computed from the input (Lamina has no reshape layer)");
    }
    boolean ok = unsqueeze ? data.scalar && axes != null && axes.length == 1 && axes[0] == 0
        : !data.scalar && data.ints.length == 1 && (axes == null || (axes.length == 1
            && (axes[0] == 0 || axes[0] == -1)));
    if (!ok) {
      throw new Problem(n.getOpType() + " of shape values is supported only between a scalar and a"
          + " one-element vector (axes = [0])");
    }
    values.put(n.getOutput(0), Val.ints(data.ints, !unsqueeze));
  }

  private void cast(NodeProto n) throws Problem {
    Map<String, AttributeProto> a = attributes(n, "to", "saturate");
    Val data = value(n, 0);
    long to = intAttr(a, "to", 0);
    if (data.ints != null && (to == TensorProto.DataType.INT64_VALUE
        || to == TensorProto.DataType.INT32_VALUE)) {
      values.put(n.getOutput(0), data);
    } else if (data.isActivation() && to == TensorProto.DataType.FLOAT_VALUE) {
      values.put(n.getOutput(0), data);
    } else {
      throw new Problem("Cast to " + ModelReader.dataTypeName((int) to) + " is supported only on"
          + " folded shape values or as a float32 no-op");
    }
  }

  private void constantOfShape(NodeProto n) throws Problem {
    Map<String, AttributeProto> a = attributes(n, "value");
    Val shape = value(n, 0);
    if (shape.ints == null) {
      throw new Problem("its shape is not constant");
    }
    long count = 1;
    int[] dims = new int[shape.ints.length];
    for (int i = 0; i < dims.length; i++) {
      long d = shape.ints[i];
      if (d == Val.BATCH) {
        batchZeros(n, a);
        return;
      }
      if (d < 0 || d > 4096 || (count *= Math.max(d, 1)) > 4096) {
        throw new Problem("shape " + shapeText(shape.ints) + " is negative or larger than the"
            + " 4096 folded values Lamina handles");
      }
      dims[i] = (int) d;
    }
    long[] fill = new long[(int) Arrays.stream(dims).asLongStream().reduce(1, (x, y) -> x * y)];
    if (a.containsKey("value")) {
      Val v = tensorValue(a.get("value").getT());
      if (v.ints == null) {
        throw new Problem("a float ConstantOfShape is not folded; Lamina folds integer shapes"
            + " and pads");
      }
      Arrays.fill(fill, v.ints[0]);
    }
    values.put(n.getOutput(0), Val.ints(fill, dims));
  }

  /**
   * A float tensor of zeros sized by the batch, which PyTorch's exporter writes as a recurrent
   * operator's initial state; any other value is refused.
   */
  private void batchZeros(NodeProto n, Map<String, AttributeProto> a) throws Problem {
    if (a.containsKey("value")) {
      Val v = tensorValue(a.get("value").getT());
      boolean zero = v.floats != null ? v.floats.length == 1 && v.floats[0] == 0f
          : v.ints != null && v.ints.length == 1 && v.ints[0] == 0;
      if (!zero) {
        throw new Problem("attribute value: it fills a tensor sized by the batch with a nonzero"
            + " value; Lamina folds such a tensor only as zeros (a recurrent operator's initial"
            + " state)");
      }
    }
    values.put(n.getOutput(0), Val.batchZeros());
  }

  /** Slice of folded integers (ONNX's starts, ends, axes and steps inputs, negative steps too). */
  private void slice(NodeProto n) throws Problem {
    attributes(n);
    Val data = value(n, 0);
    if (data.zeros) {
      // one layer's part of a stack's zero initial state, as PyTorch slices it
      values.put(n.getOutput(0), data);
      return;
    }
    if (data.ints == null) {
      throw new Problem("it slices a tensor computed from the input; Lamina folds Slice only on"
          + " constant shapes and pads");
    }
    int rank = data.intDims.length;
    long[] starts = value(n, 1).ints;
    long[] ends = value(n, 2).ints;
    long[] axes = n.getInputCount() > 3 && !n.getInput(3).isEmpty() ? value(n, 3).ints : null;
    long[] steps = n.getInputCount() > 4 && !n.getInput(4).isEmpty() ? value(n, 4).ints : null;
    if (starts == null || ends == null || starts.length != ends.length) {
      throw new Problem("its starts and ends are not constant vectors of one length");
    }
    int[] from = new int[rank];
    int[] step = new int[rank];
    int[] size = data.intDims.clone();
    Arrays.fill(step, 1);
    for (int i = 0; i < starts.length; i++) {
      long axis = axes == null ? i : axes[i] < 0 ? axes[i] + rank : axes[i];
      long st = steps == null ? 1 : steps[i];
      if (axis < 0 || axis >= rank || st == 0) {
        throw new Problem("axis " + (axes == null ? i : axes[i]) + " or step " + st
            + " is not valid for rank " + rank);
      }
      int dim = data.intDims[(int) axis];
      long b = starts[i] < 0 ? starts[i] + dim : starts[i];
      long e = ends[i] < 0 ? ends[i] + dim : ends[i];
      if (st > 0) {
        b = Math.max(0, Math.min(dim, b));
        e = Math.max(0, Math.min(dim, e));
        size[(int) axis] = (int) Math.max(0, (e - b + st - 1) / st);
      } else {
        b = Math.max(-1, Math.min(dim - 1, b));
        e = Math.max(-1, Math.min(dim - 1, e));
        size[(int) axis] = (int) Math.max(0, (b - e - st - 1) / -st);
      }
      from[(int) axis] = (int) b;
      step[(int) axis] = (int) st;
    }
    int total = Arrays.stream(size).reduce(1, (x, y) -> x * y);
    long[] out = new long[total];
    int[] index = new int[rank];
    for (int k = 0; k < total; k++) {
      int flat = 0;
      for (int d = 0; d < rank; d++) {
        flat = flat * data.intDims[d] + from[d] + index[d] * step[d];
      }
      out[k] = data.ints[flat];
      for (int d = rank - 1; d >= 0 && ++index[d] == size[d]; d--) {
        index[d] = 0;
      }
    }
    values.put(n.getOutput(0), Val.ints(out, size));
  }

  /** Transpose of a folded 2-D integer tensor or of a 2-D float constant (a weight). */
  private void transpose(NodeProto n) throws Problem {
    Map<String, AttributeProto> a = attributes(n, "perm");
    Val x = value(n, 0);
    if (x.isActivation() && x.shape.length == 2) {
      sequenceTranspose(n, x, a.containsKey("perm") ? a.get("perm").getIntsList() : List.of());
      return;
    }
    boolean swap = !a.containsKey("perm") || a.get("perm").getIntsList().equals(List.of(1L, 0L));
    int[] dims = x.ints != null ? x.intDims : x.floats != null
        ? Arrays.stream(x.dims).mapToInt(d -> (int) d).toArray() : null;
    if (dims == null || dims.length != 2 || !swap) {
      throw new Problem(x.isActivation() ? "it transposes a tensor computed from the input;"
          + " Lamina has no transpose layer (it folds Transpose only on constants)"
          : "only a 2-D constant is transposed (perm = [1, 0])");
    }
    int r = dims[0];
    int c = dims[1];
    if (x.ints != null) {
      long[] t = new long[x.ints.length];
      for (int i = 0; i < r; i++) {
        for (int j = 0; j < c; j++) {
          t[j * r + i] = x.ints[i * c + j];
        }
      }
      values.put(n.getOutput(0), Val.ints(t, new int[] {c, r}));
    } else {
      float[] t = new float[x.floats.length];
      for (int i = 0; i < r; i++) {
        for (int j = 0; j < c; j++) {
          t[j * r + i] = x.floats[i * c + j];
        }
      }
      values.put(n.getOutput(0), Val.floats(t, new long[] {c, r}));
    }
  }

  /**
   * The Transposes around a recurrent operator: a batch-first sequence to time-major and back
   * ({@code perm = [1, 0, 2]}), and its output Y {@code [T, dirs, N, H]} to {@code [T, N, dirs,
   * H]} ({@code perm = [0, 2, 1, 3]}).
   */
  private void sequenceTranspose(NodeProto n, Val x, List<Long> perm) throws Problem {
    boolean swap = perm.equals(List.of(1L, 0L, 2L));
    if (swap && (x.layout == Val.BATCH_FIRST || x.layout == Val.TIME_MAJOR)) {
      int layout = x.layout == Val.BATCH_FIRST ? Val.TIME_MAJOR : Val.BATCH_FIRST;
      values.put(n.getOutput(0), Val.sequence(x.layer, x.shape, layout, 1));
    } else if (x.layout == Val.RAW && perm.equals(List.of(0L, 2L, 1L, 3L))) {
      values.put(n.getOutput(0), Val.sequence(x.layer, x.shape, Val.SPLIT, x.dirs));
      if (uses.getOrDefault(n.getInput(0), 0) == 1) {
        stackable.add(n.getOutput(0));
      }
    } else {
      throw new Problem("attribute perm = " + perm + " on a " + layoutName(x) + "; Lamina"
          + " folds only the Transposes around recurrent operators (perm = [1, 0, 2] between"
          + " [N, T, F] and [T, N, F], perm = [0, 2, 1, 3] of their output Y)");
    }
  }

  private static String layoutName(Val x) {
    return switch (x.layout) {
      case Val.TIME_MAJOR -> "time-major sequence [T, N, F]";
      case Val.RAW -> "recurrent output Y [T, dirs, N, H]";
      case Val.SPLIT -> "recurrent output [T, N, dirs, H]";
      default -> "sequence [N, T, F]";
    };
  }

  /** Squeeze of a one-direction output Y's direction axis: the time-major sequence. */
  private void sequenceSqueeze(NodeProto n, Val x, long[] axes) throws Problem {
    if (x.layout != Val.RAW || x.dirs != 1 || axes == null || axes.length != 1 || axes[0] != 1) {
      throw new Problem("Squeeze with axes " + (axes == null ? "unset" : Arrays.toString(axes))
          + " of a " + layoutName(x) + "; Lamina folds only the Squeeze of axis 1 of a"
          + " one-direction recurrent output Y");
    }
    values.put(n.getOutput(0), Val.sequence(x.layer, x.shape, Val.TIME_MAJOR, 1));
    if (uses.getOrDefault(n.getInput(0), 0) == 1) {
      stackable.add(n.getOutput(0));
    }
  }

  /**
   * Gather of a recurrent layer's last step, {@code output[:, -1]} of its batch-first sequence:
   * the layer returns its last step instead.
   */
  private void lastStep(NodeProto n, Val data, long axis) throws Problem {
    Val index = value(n, 1);
    LayerSpec producer = layerByName.get(data.layer);
    int steps = data.shape[0];
    boolean last = index.ints != null && index.scalar
        && (index.ints[0] == -1 || index.ints[0] == steps - 1);
    if (data.layout != Val.BATCH_FIRST || axis != 1 || !last || producer == null
        || !producer.kind.equals("Recurrent")
        || !producer.attributes.get("returns").endsWith("SEQUENCE")) {
      throw new Problem("Gather of a tensor computed from the input is supported only as a"
          + " recurrent layer's last step (axis = 1, index -1 or " + (steps - 1) + " of its"
          + " [N, T, F] sequence); here axis = " + axis + " on a " + layoutName(data));
    }
    if (uses.getOrDefault(n.getInput(0), 0) != 1) {
      throw new Problem("the sequence '" + inputName(n, 0) + "' is read by other nodes too;"
          + " Lamina's @Recurrent returns either its sequence or its last step");
    }
    producer.attributes.put("returns", "Recurrent.Returns.LAST");
    producer.shape = new int[] {data.shape[1]};
    producer.origin.add(origin(n));
    values.put(n.getOutput(0), Val.activation(data.layer, producer.shape, false));
  }

  /**
   * An ONNX RNN, LSTM or GRU node as a {@code @Recurrent} layer of one layer: W, R and B put
   * back into PyTorch's gate order and tensors, the initial states absent or zero.
   */
  private void recurrent(NodeProto n) throws Problem {
    String op = n.getOpType();
    Map<String, AttributeProto> a = attributes(n, "hidden_size", "direction", "activations",
        "activation_alpha", "activation_beta", "clip", "input_forget", "linear_before_reset",
        "layout");
    for (String refused : List.of("clip", "activation_alpha", "activation_beta")) {
      if (a.containsKey(refused)) {
        throw new Problem("attribute " + refused + ": Lamina's @Recurrent cells have no " + refused
            + " (supports the operator's defaults)");
      }
    }
    if (intAttr(a, "input_forget", 0) != 0) {
      throw new Problem("attribute input_forget = 1 couples the input and forget gates; Lamina's"
          + " LSTM has separate gates (supports input_forget = 0)");
    }
    if (intAttr(a, "layout", 0) != 0) {
      throw new Problem("attribute layout = 1 (batch-first); Lamina reads ONNX's recurrent"
          + " operators time-major (supports layout = 0 with Transposes around)");
    }
    if (op.equals("GRU") && intAttr(a, "linear_before_reset", 0) != 1) {
      throw new Problem("attribute linear_before_reset = " + intAttr(a, "linear_before_reset", 0)
          + ": Lamina's GRU, as PyTorch's, applies the reset gate to W_hn h + b_hn (supports"
          + " linear_before_reset = 1)");
    }
    String cell = switch (op) {
      case "LSTM" -> "LSTM";
      case "GRU" -> "GRU";
      default -> "RNN_TANH";
    };
    List<String> defaults = switch (op) {
      case "LSTM" -> List.of("Sigmoid", "Tanh", "Tanh");
      case "GRU" -> List.of("Sigmoid", "Tanh");
      default -> List.of("Tanh");
    };
    String direction = a.containsKey("direction") ? a.get("direction").getS().toStringUtf8()
        : "forward";
    if (!direction.equals("forward") && !direction.equals("bidirectional")) {
      throw new Problem("attribute direction = '" + Names.printable(direction) + "'; Lamina's"
          + " @Recurrent runs forward or bidirectional");
    }
    int dirs = direction.equals("bidirectional") ? 2 : 1;
    if (a.containsKey("activations")) {
      List<String> acts = a.get("activations").getStringsList().stream()
          .map(b -> b.toStringUtf8()).toList();
      List<String> relu = java.util.Collections.nCopies(dirs, "Relu");
      List<String> expected = new ArrayList<>();
      for (int d = 0; d < dirs; d++) {
        expected.addAll(defaults);
      }
      if (op.equals("RNN") && acts.equals(relu)) {
        cell = "RNN_RELU";
      } else if (!acts.equals(expected)) {
        throw new Problem("attribute activations = " + acts.stream().map(Names::printable)
            .toList() + "; Lamina's " + op + " uses " + expected + (op.equals("RNN")
            ? " or " + relu : ""));
      }
    }
    Val x = value(n, 0);
    if (!x.isActivation() || x.layout != Val.TIME_MAJOR) {
      throw new Problem("input X '" + inputName(n, 0) + "' is not a sequence transposed to"
          + " [T, N, D] from the network input or a layer (Transpose perm = [1, 0, 2])");
    }
    int units = checkedInt(intAttr(a, "hidden_size", 0), "hidden_size", 1, 1 << 16);
    int gates = op.equals("LSTM") ? 4 : op.equals("GRU") ? 3 : 1;
    int features = x.shape[1];
    int rows = gates * units;
    Val w = constant(n, 1, "W");
    Val r = constant(n, 2, "R");
    expectDims(n, 1, w, dirs, rows, features);
    expectDims(n, 2, r, dirs, rows, units);
    Val b = n.getInputCount() > 3 && !n.getInput(3).isEmpty() ? constant(n, 3, "B") : null;
    if (b != null) {
      expectDims(n, 3, b, dirs, 2L * rows);
    }
    if (n.getInputCount() > 4 && !n.getInput(4).isEmpty()) {
      throw new Problem("input sequence_lens: Lamina's sequences all have " + x.shape[0]
          + " steps (supports no sequence_lens)");
    }
    String[] states = {"initial_h", "initial_c"};
    for (int i = 5; i < Math.min(7, n.getInputCount()); i++) {
      if (!n.getInput(i).isEmpty() && !value(n, i).zeros
          && !(value(n, i).floats != null && allZero(value(n, i).floats))) {
        throw new Problem("input " + states[i - 5] + " '" + inputName(n, i) + "' is not zero;"
            + " Lamina's @Recurrent starts from a zero state");
      }
    }
    if (n.getInputCount() > 7 && !n.getInput(7).isEmpty()) {
      throw new Problem("input P (peepholes): Lamina's LSTM has no peephole connections");
    }
    for (int i = 1; i < n.getOutputCount(); i++) {
      if (!n.getOutput(i).isEmpty() && uses.getOrDefault(n.getOutput(i), 0) > 0) {
        throw new Problem("output " + (i == 1 ? "Y_h" : "Y_c") + " '"
            + Names.printable(n.getOutput(i)) + "' is read; Lamina's @Recurrent gives its"
            + " sequence Y or its last step (Gather of Y)");
      }
    }
    // ONNX's gate blocks in PyTorch's order: LSTM i,o,f,c -> i,f,g,o; GRU z,r,h -> r,z,n
    int[] order = switch (op) {
      case "LSTM" -> new int[] {0, 2, 3, 1};
      case "GRU" -> new int[] {1, 0, 2};
      default -> new int[] {0};
    };
    int[] shape = {x.shape[0], dirs * units};
    LayerSpec below = layerByName.get(x.layer);
    Map<String, String> belowLayer = new LinkedHashMap<>();
    if (below != null) {
      belowLayer.putAll(below.attributes);
      belowLayer.remove("layers");
    }
    LayerSpec l;
    int k = 0;
    if (below != null && below.kind.equals("Recurrent") && stackable.contains(n.getInput(0))
        && uses.getOrDefault(n.getInput(0), 0) == 1 && below.activation == Activation.IDENTITY
        && belowLayer.equals(recurrentAttributes(cell, units, 1, dirs, b != null))) {
      // the next layer of a stack: one @Recurrent with one layer more
      l = below;
      k = Integer.parseInt(l.attributes.getOrDefault("layers", "1"));
      l.attributes.clear();
      l.attributes.putAll(recurrentAttributes(cell, units, k + 1, dirs, b != null));
      l.shape = shape;
      l.origin.add(origin(n));
      values.put(n.getOutput(0), Val.sequence(l.name, shape, Val.RAW, dirs));
    } else {
      l = new LayerSpec("Recurrent", layerName(n), List.of(x.layer), shape);
      l.attributes.putAll(recurrentAttributes(cell, units, 1, dirs, b != null));
      add(l, n, Val.sequence(l.name, shape, Val.RAW, dirs));
    }
    for (int d = 0; d < dirs; d++) {
      String suffix = "_l" + k + (d == 1 ? "_reverse" : "");
      l.tensors.put("weight_ih" + suffix, gateBlocks(w.floats, d * rows * features, order,
          units * features));
      l.tensors.put("weight_hh" + suffix, gateBlocks(r.floats, d * rows * units, order,
          units * units));
      if (b != null) {
        l.tensors.put("bias_ih" + suffix, gateBlocks(b.floats, d * 2 * rows, order, units));
        l.tensors.put("bias_hh" + suffix, gateBlocks(b.floats, d * 2 * rows + rows, order,
            units));
      }
    }
  }

  /** A recurrent layer's attributes as Java literals, in the annotation's order. */
  private static Map<String, String> recurrentAttributes(String cell, int units, int layers,
      int dirs, boolean bias) {
    Map<String, String> a = new LinkedHashMap<>();
    a.put("cell", "Recurrent.Cell." + cell);
    a.put("units", String.valueOf(units));
    a.put("returns", "Recurrent.Returns.SEQUENCE");
    if (layers > 1) {
      a.put("layers", String.valueOf(layers));
    }
    if (dirs == 2) {
      a.put("bidirectional", "true");
    }
    if (!bias) {
      a.put("bias", "false");
    }
    return a;
  }

  private static boolean allZero(float[] v) {
    for (float f : v) {
      if (f != 0f) {
        return false;
      }
    }
    return true;
  }

  private static float[] gateBlocks(float[] from, int offset, int[] order, int block) {
    float[] out = new float[order.length * block];
    for (int i = 0; i < order.length; i++) {
      System.arraycopy(from, offset + order[i] * block, out, i * block, block);
    }
    return out;
  }

  private static void expectDims(NodeProto n, int i, Val v, long... dims) throws Problem {
    if (!Arrays.equals(v.dims, dims)) {
      throw new Problem("input " + (i == 1 ? "W" : i == 2 ? "R" : "B") + " '" + inputName(n, i)
          + "' has shape " + Arrays.toString(v.dims) + "; expected " + Arrays.toString(dims));
    }
  }

  // ---- layers

  private void conv(NodeProto n) throws Problem {
    Map<String, AttributeProto> a = attributes(n, "kernel_shape", "strides", "pads", "dilations",
        "group", "auto_pad");
    Val x = paddedImage(n, 0, 0f, "Conv");
    Val w = constant(n, 1, "W");
    long group = intAttr(a, "group", 1);
    if (group < 1 || group > x.shape[0] || x.shape[0] % group != 0) {
      throw new Problem("attribute group = " + group + " does not divide the input's "
          + x.shape[0] + " channels");
    }
    long perGroup = x.shape[0] / group;
    if (w.dims.length != 4 || w.dims[1] != perGroup || w.dims[0] % group != 0) {
      throw new Problem("weight '" + inputName(n, 1) + "' has shape " + Arrays.toString(w.dims)
          + "; expected [M, " + perGroup + ", kh, kw] with M a multiple of " + group + " for an"
          + " input of " + x.shape[0] + " channels in " + group + " group(s)");
    }
    int filters = (int) w.dims[0];
    int[] kernel = {(int) w.dims[2], (int) w.dims[3]};
    if (a.containsKey("kernel_shape") && !Arrays.equals(ints2(a, "kernel_shape", 1), kernel)) {
      throw new Problem("attribute kernel_shape = " + a.get("kernel_shape").getIntsList()
          + " differs from the weight's " + kernel[0] + "x" + kernel[1]);
    }
    Window win = window(n, a, kernel, x, false);
    String name = layerName(n);
    int[] out = {filters, win.out[0], win.out[1]};
    LayerSpec l = new LayerSpec("Conv", name, List.of(x.layer), out);
    l.attribute("filters", String.valueOf(filters)).attribute("kernel", pair(kernel));
    win.write(l, false);
    if (group != 1) {
      l.attribute("groups", String.valueOf(group));
    }
    l.tensors.put("weight", w.floats);
    filterBias(n, l, filters);
    add(l, n, Val.activation(name, out, false));
  }

  /** The bias input B of a convolution, one value per filter, or {@code bias = false}. */
  private void filterBias(NodeProto n, LayerSpec l, int filters) throws Problem {
    if (n.getInputCount() > 2 && !n.getInput(2).isEmpty()) {
      Val b = constant(n, 2, "B");
      if (b.floats.length != filters) {
        throw new Problem("bias '" + inputName(n, 2) + "' holds " + b.floats.length
            + " values; expected " + filters + ", one per filter");
      }
      l.tensors.put("bias", b.floats);
    } else {
      l.attribute("bias", "false");
    }
  }

  /** LeNet-5's subsampling: window sums (a Conv with a kernel of ones), times coeff, plus bias. */
  private void subsample(NodeProto n, SubsamplePattern.Match m) throws Problem {
    Map<String, AttributeProto> a = attributes(n, "kernel_shape", "strides", "pads", "dilations",
        "group", "auto_pad");
    Val x = paddedImage(n, 0, 0f, "Conv");
    Val w = constant(n, 1, "W");
    if (w.dims[0] != x.shape[0]) {
      throw new Problem("it sums the windows of " + w.dims[0] + " channels, but its input has "
          + x.shape[0]);
    }
    int[] kernel = {checkedInt(w.dims[2], "kernel height", 1, 1 << 16),
        checkedInt(w.dims[3], "kernel width", 1, 1 << 16)};
    Window win = window(n, a, kernel, x, false);
    String name = layerName(n);
    int[] out = {x.shape[0], win.out[0], win.out[1]};
    LayerSpec l = new LayerSpec("Pool", name, List.of(x.layer), out);
    l.attribute("kind", "PoolKind.SUBSAMPLE").attribute("size", pair(kernel));
    if (!Arrays.equals(win.stride, kernel)) {
      l.attribute("stride", pair(win.stride));
    }
    win.write(l, true);
    l.tensors.put("coeff", tensorValue(initializers.get(m.coeff())).floats);
    l.tensors.put("bias", tensorValue(initializers.get(m.bias())).floats);
    add(l, n, Val.activation(name, out, false));
    for (NodeProto absorbed : m.absorbed()) {
      l.origin.add(origin(absorbed));
    }
  }

  private void pool(NodeProto n) throws Problem {
    boolean max = n.getOpType().equals("MaxPool");
    Map<String, AttributeProto> a = max
        ? attributes(n, "kernel_shape", "strides", "pads", "dilations", "ceil_mode", "auto_pad",
            "storage_order")
        : attributes(n, "kernel_shape", "strides", "pads", "dilations", "ceil_mode", "auto_pad",
            "count_include_pad");
    if (n.getOutputCount() > 1 && !n.getOutput(1).isEmpty() && uses.containsKey(n.getOutput(1))) {
      throw new Problem("its second output Indices is used; a Lamina layer has one output");
    }
    if (!a.containsKey("kernel_shape")) {
      throw new Problem("attribute kernel_shape is missing (ONNX requires it)");
    }
    boolean countPad = !max && intAttr(a, "count_include_pad", 0) == 1;
    Val x = paddedImage(n, 0, max ? Float.NEGATIVE_INFINITY : 0f, n.getOpType());
    int[] kernel = ints2(a, "kernel_shape", 1);
    if (!max && x.pads != null && !countPad && hasPads(a)) {
      throw new Problem("the zeros of Pad '" + Names.printable(x.padNode) + "' count in the"
          + " average but the pooling's own pads (count_include_pad = 0) do not; Lamina's"
          + " @Pool counts all padding or none");
    }
    if (x.pads != null && intAttr(a, "ceil_mode", 0) != 0) {
      throw new Problem("ceil_mode = 1 after Pad '" + Names.printable(x.padNode) + "': ONNX keeps a"
          + " last window that starts in the Pad's values, Lamina's ceilMode drops a window that"
          + " starts in the padding; put the padding into the pooling's pads instead");
    }
    countPad |= x.pads != null;
    Window win = window(n, a, kernel, x, true);
    String name = layerName(n);
    int[] out = {x.shape[0], win.out[0], win.out[1]};
    LayerSpec l = new LayerSpec("Pool", name, List.of(x.layer), out);
    if (!max) {
      l.attribute("kind", "PoolKind.AVG");
    }
    l.attribute("size", pair(kernel));
    if (!Arrays.equals(win.stride, kernel)) {
      l.attribute("stride", pair(win.stride));
    }
    win.write(l, true);
    if (intAttr(a, "ceil_mode", 0) != 0) {
      l.attribute("ceilMode", "true");
    }
    boolean padded = win.anyPadding() || !win.autoPad.equals("EXPLICIT")
        || intAttr(a, "ceil_mode", 0) != 0;
    if (!max && !countPad && padded) {
      l.attribute("countPadding", "false");
    }
    add(l, n, Val.activation(name, out, false));
  }

  private static boolean hasPads(Map<String, AttributeProto> a) {
    return a.containsKey("pads") && a.get("pads").getIntsList().stream().anyMatch(p -> p != 0);
  }

  /** Stride, padding, dilation and output size of a convolution or pooling window. */
  private record Window(int[] stride, int[] pads, int[] dilation, String autoPad, int[] out) {
    boolean anyPadding() {
      return Arrays.stream(pads).anyMatch(p -> p != 0);
    }

    void write(LayerSpec l, boolean pool) {
      if (!pool && (stride[0] != 1 || stride[1] != 1)) {
        l.attribute("stride", pair(stride));
      }
      if (!autoPad.equals("EXPLICIT")) {
        l.attribute("autoPad", "AutoPad." + autoPad);
      } else if (anyPadding()) {
        int t = pads[0];
        int le = pads[1];
        int b = pads[2];
        int r = pads[3];
        l.attribute("padding", t == b && le == r ? pair(new int[] {t, le})
            : "{" + t + ", " + le + ", " + b + ", " + r + "}");
      }
      if (dilation[0] != 1 || dilation[1] != 1) {
        l.attribute("dilation", pair(dilation));
      }
    }
  }

  /** Attribute {@code pads}, [top, left, bottom, right], zeros when absent. */
  private static int[] pads(Map<String, AttributeProto> a) throws Problem {
    int[] pads = new int[4];
    if (a.containsKey("pads")) {
      List<Long> p = a.get("pads").getIntsList();
      if (p.size() != 4) {
        throw new Problem("attribute pads = " + p + " has " + p.size() + " values; expected 4"
            + " [top, left, bottom, right] for a 2-D window");
      }
      for (int i = 0; i < 4; i++) {
        pads[i] = checkedInt(p.get(i), "pads", 0, 1 << 16);
      }
    }
    return pads;
  }

  private Window window(NodeProto n, Map<String, AttributeProto> a, int[] kernel, Val x,
      boolean pool) throws Problem {
    int[] stride = ints2(a, "strides", 1);
    int[] dilation = ints2(a, "dilations", 1);
    int[] pads = pads(a);
    for (int i = 0; i < 2; i++) {
      if (kernel[i] < 1 || stride[i] < 1 || dilation[i] < 1 || kernel[i] > 1 << 16
          || stride[i] > 1 << 16 || dilation[i] > 1 << 16) {
        throw new Problem("kernel " + pair(kernel) + ", strides " + pair(stride)
            + " and dilations " + pair(dilation) + " must be from 1 to 65536");
      }
    }
    String autoPad = a.containsKey("auto_pad") ? a.get("auto_pad").getS().toStringUtf8()
        : "NOTSET";
    switch (autoPad) {
      case "NOTSET" -> autoPad = "EXPLICIT";
      case "VALID" -> {
        autoPad = "EXPLICIT";
        Arrays.fill(pads, 0);
      }
      case "SAME_UPPER", "SAME_LOWER" -> {
        if (x.pads != null) {
          throw new Problem("attribute auto_pad = " + autoPad + " together with the padding of"
              + " Pad '" + Names.printable(x.padNode) + "'; Lamina's autoPad excludes explicit"
              + " padding");
        }
      }
      default -> throw new Problem("attribute auto_pad = '" + Names.printable(autoPad)
          + "' is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER");
    }
    if (x.pads != null) {
      for (int i = 0; i < 4; i++) {
        pads[i] += x.pads[i];
      }
    }
    boolean ceil = pool && intAttr(a, "ceil_mode", 0) != 0;
    int[] out = new int[2];
    for (int i = 0; i < 2; i++) {
      long in = x.shape[1 + i];
      long effective = (long) (kernel[i] - 1) * dilation[i] + 1;
      if (autoPad.startsWith("SAME")) {
        out[i] = (int) ((in + stride[i] - 1) / stride[i]);
        continue;
      }
      long span = in + pads[i] + pads[i + 2] - effective;
      if (span < 0) {
        throw new Problem("the " + (kernel[0]) + "x" + kernel[1] + " window (dilation "
            + dilation[i] + ") does not fit the padded input " + x.shape[1] + "x" + x.shape[2]);
      }
      long o = ceil ? (span + stride[i] - 1) / stride[i] + 1 : span / stride[i] + 1;
      if (ceil && (o - 1) * stride[i] >= in + pads[i]) {
        o--;
      }
      out[i] = (int) o;
    }
    return new Window(stride, pads, dilation, autoPad, out);
  }

  private void convTranspose(NodeProto n) throws Problem {
    Map<String, AttributeProto> a = attributes(n, "kernel_shape", "strides", "pads", "dilations",
        "group", "auto_pad", "output_padding", "output_shape");
    Val x = image(n, 0, "ConvTranspose");
    Val w = constant(n, 1, "W");
    if (intAttr(a, "group", 1) != 1) {
      throw new Problem("attribute group = " + intAttr(a, "group", 1) + ": Lamina's"
          + " @ConvTranspose connects every input channel to every filter (supports group = 1)");
    }
    if (a.containsKey("output_shape")) {
      throw new Problem("attribute output_shape: Lamina's @ConvTranspose takes its output size"
          + " from padding and outputPadding (supports explicit pads and output_padding)");
    }
    String autoPad = a.containsKey("auto_pad") ? a.get("auto_pad").getS().toStringUtf8()
        : "NOTSET";
    if (!autoPad.equals("NOTSET") && !autoPad.equals("VALID")) {
      throw new Problem("attribute auto_pad = '" + Names.printable(autoPad) + "': Lamina's"
          + " @ConvTranspose takes explicit padding (supports NOTSET and VALID)");
    }
    if (w.dims.length != 4 || w.dims[0] != x.shape[0]) {
      throw new Problem("weight '" + inputName(n, 1) + "' has shape " + Arrays.toString(w.dims)
          + "; expected [" + x.shape[0] + ", M, kh, kw] for an input of " + x.shape[0]
          + " channels");
    }
    int filters = checkedInt(w.dims[1], "W's second dimension", 1, 1 << 16);
    int[] kernel = {checkedInt(w.dims[2], "kernel height", 1, 1 << 16),
        checkedInt(w.dims[3], "kernel width", 1, 1 << 16)};
    if (a.containsKey("kernel_shape") && !Arrays.equals(ints2(a, "kernel_shape", 1), kernel)) {
      throw new Problem("attribute kernel_shape = " + a.get("kernel_shape").getIntsList()
          + " differs from the weight's " + kernel[0] + "x" + kernel[1]);
    }
    int[] stride = ints2(a, "strides", 1);
    int[] dilation = ints2(a, "dilations", 1);
    int[] outputPadding = ints2(a, "output_padding", 0);
    int[] pads = autoPad.equals("NOTSET") ? pads(a) : new int[4];
    if (pads[0] != pads[2] || pads[1] != pads[3]) {
      throw new Problem("attribute pads = " + Arrays.toString(pads) + " crops the sides"
          + " unequally; Lamina's @ConvTranspose crops both sides alike (supports pads"
          + " [p, q, p, q])");
    }
    int[] out = new int[2];
    for (int i = 0; i < 2; i++) {
      if (stride[i] < 1 || dilation[i] < 1 || stride[i] > 1 << 16 || dilation[i] > 1 << 16
          || outputPadding[i] < 0 || outputPadding[i] > 1 << 16) {
        throw new Problem("strides " + pair(stride) + ", dilations " + pair(dilation)
            + " and output_padding " + pair(outputPadding) + " must be from 1 (0 for"
            + " output_padding) to 65536");
      }
      long o = (long) (x.shape[1 + i] - 1) * stride[i] - 2L * pads[i]
          + (long) dilation[i] * (kernel[i] - 1) + outputPadding[i] + 1;
      if (o < 1 || o > 1 << 16) {
        throw new Problem("output size " + o + " along " + (i == 0 ? "height" : "width")
            + " is not from 1 to 65536");
      }
      out[i] = (int) o;
    }
    String name = layerName(n);
    int[] shape = {filters, out[0], out[1]};
    LayerSpec l = new LayerSpec("ConvTranspose", name, List.of(x.layer), shape);
    l.attribute("filters", String.valueOf(filters)).attribute("kernel", pair(kernel));
    if (stride[0] != 1 || stride[1] != 1) {
      l.attribute("stride", pair(stride));
    }
    if (pads[0] != 0 || pads[1] != 0) {
      l.attribute("padding", pair(new int[] {pads[0], pads[1]}));
    }
    if (outputPadding[0] != 0 || outputPadding[1] != 0) {
      l.attribute("outputPadding", pair(outputPadding));
    }
    if (dilation[0] != 1 || dilation[1] != 1) {
      l.attribute("dilation", pair(dilation));
    }
    l.tensors.put("weight", w.floats);
    filterBias(n, l, filters);
    add(l, n, Val.activation(name, shape, false));
  }

  private void lrn(NodeProto n) throws Problem {
    Map<String, AttributeProto> a = attributes(n, "size", "alpha", "beta", "bias");
    Val x = image(n, 0, "LRN");
    if (!a.containsKey("size")) {
      throw new Problem("attribute size is missing");
    }
    int size = checkedInt(intAttr(a, "size", 0), "size", 1, 1 << 16);
    if (size % 2 == 0) {
      throw new Problem("attribute size = " + size + " is even: ONNX's LRN then sums "
          + (size - 1) / 2 + " channels before and " + size / 2 + " after, Lamina's"
          + " @LocalResponseNorm (as PyTorch) " + size / 2 + " before and " + (size - 1) / 2
          + " after (supports odd sizes, where they agree)");
    }
    float alpha = floatAttr(a, "alpha", 1e-4f);
    float beta = floatAttr(a, "beta", 0.75f);
    float bias = floatAttr(a, "bias", 1f);
    if (!Float.isFinite(alpha) || !Float.isFinite(beta) || !Float.isFinite(bias)) {
      throw new Problem("attributes alpha = " + alpha + ", beta = " + beta + " and bias = "
          + bias + " must be finite");
    }
    String name = layerName(n);
    LayerSpec l = new LayerSpec("LocalResponseNorm", name, List.of(x.layer), x.shape);
    l.attribute("size", String.valueOf(size));
    if (alpha != 1e-4f) {
      l.attribute("alpha", Literals.decimal(alpha));
    }
    if (beta != 0.75f) {
      l.attribute("beta", Literals.decimal(beta));
    }
    if (bias != 1f) {
      l.attribute("k", Literals.decimal(bias));
    }
    add(l, n, Val.activation(name, x.shape, false));
  }

  private float scalar(NodeProto n, int i, String what) throws Problem {
    Val v = constant(n, i, what);
    if (v.floats.length != 1) {
      throw new Problem(what + " '" + inputName(n, i) + "' holds " + v.floats.length
          + " values; expected one");
    }
    return v.floats[0];
  }

  private void globalAveragePool(NodeProto n) throws Problem {
    attributes(n);
    Val x = image(n, 0, "GlobalAveragePool");
    String name = layerName(n);
    if (needsImage(n.getOutput(0), new HashSet<>())) {
      int[] out = {x.shape[0], 1, 1};
      LayerSpec l = new LayerSpec("Pool", name, List.of(x.layer), out)
          .attribute("kind", "PoolKind.AVG").attribute("size", pair(new int[] {x.shape[1],
              x.shape[2]}));
      add(l, n, Val.activation(name, out, false));
    } else {
      int[] out = {x.shape[0]};
      add(new LayerSpec("GlobalAvgPool", name, List.of(x.layer), out), n,
          Val.activation(name, out, false));
    }
  }

  /** Whether a consumer of {@code value}, through shape-preserving nodes, needs an image. */
  private boolean needsImage(String value, Set<String> seen) {
    if (!seen.add(value)) {
      return false;
    }
    for (NodeProto c : consumers.getOrDefault(value, List.of())) {
      switch (c.getOpType()) {
        case "Conv", "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "Concat",
            "Pad" -> {
          return true;
        }
        case "Relu", "LeakyRelu", "Sigmoid", "Tanh", "Elu", "Gelu", "Dropout", "Identity",
            "Add", "BatchNormalization" -> {
          if (needsImage(c.getOutput(0), seen)) {
            return true;
          }
        }
        default -> { }
      }
    }
    return false;
  }

  private void globalMaxPool(NodeProto n) throws Problem {
    attributes(n);
    Val x = image(n, 0, "GlobalMaxPool");
    String name = layerName(n);
    int[] out = {x.shape[0], 1, 1};
    LayerSpec l = new LayerSpec("Pool", name, List.of(x.layer), out)
        .attribute("size", pair(new int[] {x.shape[1], x.shape[2]}));
    add(l, n, Val.activation(name, out, false));
  }

  private void gemm(NodeProto n) throws Problem {
    Map<String, AttributeProto> a = attributes(n, "alpha", "beta", "transA", "transB",
        "broadcast");
    Val x = flatInput(n);
    if (intAttr(a, "transA", 0) != 0) {
      throw new Problem("attribute transA = 1 transposes the batch of inputs; Lamina's @Affine"
          + " reads one sample per row (supports transA = 0)");
    }
    Val b = constant(n, 1, "B");
    boolean transB = intAttr(a, "transB", 0) != 0;
    int in = x.size();
    if (b.dims.length != 2 || b.dims[transB ? 1 : 0] != in) {
      throw new Problem("B '" + inputName(n, 1) + "' has shape " + Arrays.toString(b.dims)
          + " with transB = " + (transB ? 1 : 0) + "; expected " + (transB ? "[N, " + in + "]"
              : "[" + in + ", N]") + " for inputs of " + in + " features");
    }
    int units = (int) b.dims[transB ? 0 : 1];
    float alpha = floatAttr(a, "alpha", 1f);
    float beta = floatAttr(a, "beta", 1f);
    float[] weight = new float[in * units];
    for (int k = 0; k < in; k++) {
      for (int j = 0; j < units; j++) {
        float v = transB ? b.floats[j * in + k] : b.floats[k * units + j];
        weight[k * units + j] = alpha == 1f ? v : alpha * v;
      }
    }
    String name = layerName(n);
    LayerSpec l = new LayerSpec("Affine", name, List.of(x.layer), new int[] {units});
    l.attribute("units", String.valueOf(units));
    l.tensors.put("weight", weight);
    if (n.getInputCount() > 2 && !n.getInput(2).isEmpty()) {
      Val c = constant(n, 2, "C");
      boolean row = c.floats.length == units && (c.dims.length == 1
          || (c.dims.length == 2 && c.dims[0] == 1));
      boolean scalar = c.floats.length == 1 && c.dims.length <= 2
          && Arrays.stream(c.dims).allMatch(d -> d == 1);
      if (!row && !scalar) {
        throw new Problem("C '" + inputName(n, 2) + "' has shape " + Arrays.toString(c.dims)
            + "; Lamina's @Affine has one bias per unit (supports C of shape [], [1], [" + units
            + "] or [1, " + units + "], not a bias per row)");
      }
      float[] bias = new float[units];
      for (int j = 0; j < units; j++) {
        float v = c.floats[scalar ? 0 : j];
        bias[j] = beta == 1f ? v : beta * v;
      }
      l.tensors.put("bias", bias);
    } else {
      l.attribute("bias", "false");
    }
    add(l, n, Val.activation(name, new int[] {units}, false));
  }

  private void matMul(NodeProto n) throws Problem {
    attributes(n);
    Val v = activationInput(n, 0);
    // on a sequence [N, T, F], MatMul works per step: an affine layer applied to every step
    boolean steps = v.shape.length == 2 && !v.flat;
    Val x = steps ? v : flatInput(n);
    Val b = constant(n, 1, "B");
    int in = steps ? x.shape[1] : x.size();
    if (b.dims.length != 2 || b.dims[0] != in) {
      throw new Problem("B '" + inputName(n, 1) + "' has shape " + Arrays.toString(b.dims)
          + "; expected [" + in + ", N] for inputs of " + in + " features");
    }
    int units = (int) b.dims[1];
    String name = layerName(n);
    LayerSpec l = new LayerSpec("Affine", name, List.of(x.layer),
        steps ? new int[] {x.shape[0], units} : new int[] {units});
    l.attribute("units", String.valueOf(units)).attribute("bias", "false");
    l.tensors.put("weight", b.floats);
    add(l, n, Val.activation(name, l.shape, false));
  }

  private Val flatInput(NodeProto n) throws Problem {
    Val x = activationInput(n, 0);
    if (!x.flat && x.shape.length != 1) {
      throw new Problem("input '" + inputName(n, 0) + "' has per-sample shape "
          + SourceWriter.shape(x.shape) + "; " + n.getOpType() + " reads [N, K] matrices, so"
          + " flatten it first (Flatten with axis = 1)");
    }
    return x;
  }

  private void batchNorm(NodeProto n) throws Problem {
    Map<String, AttributeProto> a = attributes(n, "epsilon", "momentum", "training_mode",
        "spatial", "is_test", "consumed_inputs");
    if (intAttr(a, "training_mode", 0) != 0) {
      throw new Problem("attribute training_mode = 1 normalizes with batch statistics; Lamina"
          + " imports inference-mode batch normalization (export with model.eval())");
    }
    if (intAttr(a, "spatial", 1) != 1) {
      throw new Problem("attribute spatial = 0 normalizes every position separately; Lamina's"
          + " @BatchNorm keeps one statistic per channel (supports spatial = 1)");
    }
    for (int i = 1; i < n.getOutputCount(); i++) {
      if (uses.containsKey(n.getOutput(i))) {
        throw new Problem("output " + i + " (running statistics) is used; a Lamina layer has one"
            + " output");
      }
    }
    Val x = activationInput(n, 0);
    if (x.flat && x.shape.length == 3 && x.shape[1] * x.shape[2] != 1) {
      throw new Problem("it normalizes " + x.size() + " flattened features one by one, but"
          + " Lamina's @BatchNorm on a " + SourceWriter.shape(x.shape) + " layer normalizes per"
          + " channel; put the batch normalization before the Flatten");
    }
    int channels = x.shape[0];
    String[] names = {"weight", "bias", "running_mean", "running_var"};
    String[] onnx = {"scale", "B", "mean", "var"};
    String name = layerName(n);
    LayerSpec l = new LayerSpec("BatchNorm", name, List.of(x.layer), x.shape);
    for (int i = 0; i < 4; i++) {
      Val t = constant(n, i + 1, onnx[i]);
      if (t.floats.length != channels) {
        throw new Problem(onnx[i] + " '" + inputName(n, i + 1) + "' holds " + t.floats.length
            + " values; expected " + channels + ", one per channel");
      }
      l.tensors.put(names[i], t.floats);
    }
    float eps = floatAttr(a, "epsilon", 1e-5f);
    if (eps != 1e-5f) {
      l.attribute("eps", Literals.decimal(eps));
    }
    String momentum = Literals.oneMinus(floatAttr(a, "momentum", 0.9f));
    if (!momentum.equals("0.1")) {
      l.attribute("momentum", momentum);
    }
    add(l, n, Val.activation(name, x.shape, x.flat));
  }

  private void dropout(NodeProto n) throws Problem {
    Map<String, AttributeProto> a = attributes(n, "ratio", "seed", "is_test", "consumed_inputs");
    if (n.getOutputCount() > 1 && uses.containsKey(n.getOutput(1))) {
      throw new Problem("its second output mask is used; a Lamina layer has one output");
    }
    float ratio = floatAttr(a, "ratio", 0.5f);
    if (n.getInputCount() > 1 && !n.getInput(1).isEmpty()) {
      Val r = constant(n, 1, "ratio");
      ratio = r.floats[0];
    }
    if (n.getInputCount() > 2 && !n.getInput(2).isEmpty()) {
      Val t = value(n, 2);
      boolean training = t.ints != null ? t.ints[0] != 0 : t.floats != null && t.floats[0] != 0;
      if (training || (t.ints == null && t.floats == null)) {
        throw new Problem("input training_mode is true or not constant; Lamina imports dropout"
            + " in inference mode (export with model.eval())");
      }
    }
    if (!(ratio >= 0f && ratio < 1f)) {
      throw new Problem("ratio " + ratio + " is outside [0, 1)");
    }
    Val x = activationInput(n, 0);
    String name = layerName(n);
    LayerSpec l = new LayerSpec("Dropout", name, List.of(x.layer), x.shape);
    if (ratio != 0.5f) {
      l.attribute("p", Literals.decimal(ratio));
    }
    add(l, n, Val.activation(name, x.shape, x.flat));
  }

  private void activation(NodeProto n) throws Problem {
    Activation act;
    float parameter = 0;
    switch (n.getOpType()) {
      case "Relu" -> {
        attributes(n);
        act = Activation.RELU;
      }
      case "Clip" -> {
        Map<String, AttributeProto> a = attributes(n, "min", "max");
        float min = n.getInputCount() > 1 && !n.getInput(1).isEmpty()
            ? scalar(n, 1, "min") : floatAttr(a, "min", Float.NEGATIVE_INFINITY);
        float max = n.getInputCount() > 2 && !n.getInput(2).isEmpty()
            ? scalar(n, 2, "max") : floatAttr(a, "max", Float.POSITIVE_INFINITY);
        if (min != 0f || max != 6f) {
          throw new Problem("it clips to [" + min + ", " + max + "]; Lamina's only clipping"
              + " activation is RELU6, [0, 6]");
        }
        act = Activation.RELU6;
      }
      case "LeakyRelu" -> {
        parameter = floatAttr(attributes(n, "alpha"), "alpha", 0.01f);
        act = Activation.LEAKY_RELU;
      }
      case "Sigmoid" -> {
        attributes(n, "consumed_inputs");
        act = Activation.SIGMOID;
      }
      case "Tanh" -> {
        attributes(n, "consumed_inputs");
        act = Activation.TANH;
      }
      case "Elu" -> {
        parameter = floatAttr(attributes(n, "alpha"), "alpha", 1f);
        act = Activation.ELU;
      }
      default -> {
        Map<String, AttributeProto> a = attributes(n, "approximate");
        String approximate = a.containsKey("approximate")
            ? a.get("approximate").getS().toStringUtf8() : "none";
        if (!approximate.equals("none") && !approximate.equals("tanh")) {
          throw new Problem("attribute approximate = '" + Names.printable(approximate)
              + "' is not 'none' or 'tanh'");
        }
        act = approximate.equals("tanh") ? Activation.GELU_TANH : Activation.GELU;
      }
    }
    if (!Float.isFinite(parameter)) {
      throw new Problem("attribute alpha = " + parameter + " is not finite");
    }
    Val x = activationInput(n, 0);
    LayerSpec producer = layerByName.get(x.layer);
    String in = n.getInput(0);
    if (producer != null && producer.activation == Activation.IDENTITY
        && !NO_ACTIVATION.contains(producer.kind)
        && uses.getOrDefault(in, 0) == 1 && !in.equals(outputName)) {
      producer.activation = act;
      producer.activationParameter = parameter;
      producer.origin.add(origin(n));
      values.put(n.getOutput(0), x);
      return;
    }
    LayerSpec l = identityLayer(n, x);
    l.activation = act;
    l.activationParameter = parameter;
  }

  /** An identity layer ({@code @Dropout(p = 0.0)}) for an activation with no layer to join. */
  private LayerSpec identityLayer(NodeProto n, Val x) {
    String name = layerName(n);
    LayerSpec l = new LayerSpec("Dropout", name, List.of(x.layer), x.shape);
    l.attribute("p", "0.0");
    add(l, n, Val.activation(name, x.shape, x.flat));
    l.origin.add("identity layer");
    return l;
  }

  private void add(NodeProto n) throws Problem {
    attributes(n);
    Val a = value(n, 0);
    Val b = value(n, 1);
    if (a.isActivation() && b.floats != null || b.isActivation() && a.floats != null) {
      Val x = a.isActivation() ? a : b;
      Val c = a.isActivation() ? b : a;
      LayerSpec producer = layerByName.get(x.layer);
      String in = a.isActivation() ? n.getInput(0) : n.getInput(1);
      if (producer != null && producer.kind.equals("Affine") && !producer.tensors.containsKey(
          "bias") && producer.activation == Activation.IDENTITY && uses.getOrDefault(in, 0) == 1
          && c.floats.length == producer.shape[producer.shape.length - 1]) {
        producer.attributes.remove("bias");
        producer.tensors.put("bias", c.floats);
        producer.origin.add(origin(n));
        values.put(n.getOutput(0), x);
        return;
      }
      throw new Problem("it adds the constant '" + inputName(n, a.isActivation() ? 1 : 0)
          + "' to a layer's output; Lamina's @Add sums layers, and a constant is supported only"
          + " as the bias right after a MatMul");
    }
    a = activationInput(n, 0);
    b = activationInput(n, 1);
    if (!Arrays.equals(a.onnxDims(), b.onnxDims())) {
      throw new Problem("it adds shapes " + SourceWriter.shape(a.onnxDims()) + " and "
          + SourceWriter.shape(b.onnxDims()) + "; Lamina's @Add sums equal shapes (no"
          + " broadcasting)");
    }
    String name = layerName(n);
    LayerSpec l = new LayerSpec("Add", name, List.of(a.layer, b.layer), a.shape);
    add(l, n, Val.activation(name, a.shape, a.flat && b.flat));
  }

  private void concat(NodeProto n) throws Problem {
    Map<String, AttributeProto> a = attributes(n, "axis");
    boolean folded = true;
    for (int i = 0; i < n.getInputCount(); i++) {
      folded &= value(n, i).ints != null;
    }
    if (folded) {
      List<Long> all = new ArrayList<>();
      for (int i = 0; i < n.getInputCount(); i++) {
        for (long v : value(n, i).ints) {
          all.add(v);
        }
      }
      values.put(n.getOutput(0), Val.ints(all.stream().mapToLong(Long::longValue).toArray(),
          false));
      return;
    }
    List<String> from = new ArrayList<>();
    Val first = image(n, 0, "Concat");
    long axis = intAttr(a, "axis", Long.MIN_VALUE);
    if (axis != 1 && axis != -3) {
      throw new Problem("attribute axis = " + (axis == Long.MIN_VALUE ? "(missing)" : axis)
          + "; Lamina's @Concat joins images along the channels (supports axis = 1)");
    }
    int channels = 0;
    for (int i = 0; i < n.getInputCount(); i++) {
      Val x = image(n, i, "Concat");
      if (x.shape[1] != first.shape[1] || x.shape[2] != first.shape[2]) {
        throw new Problem("input '" + inputName(n, i) + "' is " + SourceWriter.shape(x.shape)
            + " but the first is " + SourceWriter.shape(first.shape) + "; @Concat joins equal"
            + " spatial sizes");
      }
      channels += x.shape[0];
      from.add(x.layer);
    }
    if (from.size() < 2) {
      values.put(n.getOutput(0), first);
      return;
    }
    String name = layerName(n);
    int[] out = {channels, first.shape[1], first.shape[2]};
    add(new LayerSpec("Concat", name, from, out), n, Val.activation(name, out, false));
  }

  private void flatten(NodeProto n) throws Problem {
    Map<String, AttributeProto> a = attributes(n, "axis");
    Val x = activationInput(n, 0);
    int rank = x.onnxDims().length + 1;
    long axis = intAttr(a, "axis", 1);
    long normalized = axis < 0 ? axis + rank : axis;
    if (normalized != 1) {
      throw new Problem("attribute axis = " + axis + " (of a rank-" + rank + " tensor) "
          + (normalized == 0 ? "merges the batch into one row" : "splits each sample into rows")
          + "; Lamina keeps the first axis as the batch and flattens each sample (supports"
          + " axis = 1)");
    }
    values.put(n.getOutput(0), x.flattened());
  }

  private void reshape(NodeProto n) throws Problem {
    Map<String, AttributeProto> a = attributes(n, "allowzero", "shape");
    if (value(n, 0).isActivation() && value(n, 0).layout != Val.BATCH_FIRST) {
      Val x = value(n, 0);
      long[] t = n.getInputCount() > 1 ? value(n, 1).ints : null;
      int width = x.shape[1];
      boolean merges = x.layout == Val.SPLIT && t != null && t.length == 3
          && (t[0] == 0 || t[0] == x.shape[0]) && (t[1] == 0 || t[1] == -1)
          && (t[2] == width || t[2] == -1 && t[1] == 0);
      if (!merges) {
        throw new Problem("target shape " + (t == null ? "not constant" : shapeText(t)) + " of a "
            + layoutName(x) + "; Lamina folds only the Reshape of a recurrent output [T, N, dirs,"
            + " H] to [T, N, dirs·H] (shape [0, 0, -1])");
      }
      values.put(n.getOutput(0), Val.sequence(x.layer, x.shape, Val.TIME_MAJOR, 1));
      if (stackable.contains(n.getInput(0)) && uses.getOrDefault(n.getInput(0), 0) == 1) {
        stackable.add(n.getOutput(0));
      }
      return;
    }
    if (value(n, 0).ints != null && n.getInputCount() > 1 && value(n, 1).ints != null) {
      Val x = value(n, 0);
      long[] t = value(n, 1).ints;
      int[] dims = new int[t.length];
      int infer = -1;
      long known = 1;
      for (int i = 0; i < t.length; i++) {
        long d = t[i] == 0 ? (i < x.intDims.length ? x.intDims[i] : -2) : t[i];
        if (d == -1 && infer < 0) {
          infer = i;
        } else if (d < 0 || d > 4096) {
          throw new Problem("target shape " + shapeText(t) + " for folded integers of shape "
              + Arrays.toString(x.intDims) + " is not valid");
        } else {
          dims[i] = (int) d;
          known *= d;
        }
      }
      if (infer >= 0 && known > 0) {
        dims[infer] = (int) (x.ints.length / known);
        known *= dims[infer];
      }
      if (known != x.ints.length) {
        throw new Problem("target shape " + shapeText(t) + " does not hold the "
            + x.ints.length + " folded integers");
      }
      values.put(n.getOutput(0), Val.ints(x.ints, dims));
      return;
    }
    Val x = activationInput(n, 0);
    long[] target = a.containsKey("shape")
        ? a.get("shape").getIntsList().stream().mapToLong(Long::longValue).toArray()
        : value(n, 1).ints;
    if (target == null) {
      throw new Problem("the target shape '" + inputName(n, 1) + "' is computed from tensors,"
          + " not from constants and the input's shape; Lamina folds only constant reshapes");
    }
    int[] dims = x.onnxDims();
    long[] in = new long[dims.length + 1];
    in[0] = Val.BATCH;
    for (int i = 0; i < dims.length; i++) {
      in[i + 1] = dims[i];
    }
    long[] t = target.clone();
    int infer = -1;
    for (int i = 0; i < t.length; i++) {
      if (t[i] == 0 && intAttr(a, "allowzero", 0) == 0) {
        if (i >= in.length) {
          throw new Problem("target shape " + shapeText(target) + " copies dimension " + i
              + " that the input does not have");
        }
        t[i] = in[i];
      } else if (t[i] == -1) {
        infer = i;
      }
    }
    boolean batchFirst = t.length >= 1 && (t[0] == Val.BATCH || (infer == 0 && t.length >= 1));
    long rest = 1;
    for (int i = 1; i < t.length; i++) {
      if (t[i] == Val.BATCH || t[i] < 1 && i != infer) {
        batchFirst = false;
      } else if (i != infer) {
        rest *= t[i];
      }
    }
    if (batchFirst && infer > 0 && t[0] == Val.BATCH && x.size() % rest == 0) {
      t[infer] = x.size() / rest;
      rest = x.size();
    }
    if (batchFirst && rest == x.size() && t.length == 2) {
      values.put(n.getOutput(0), x.flattened());
      return;
    }
    if (batchFirst && rest == x.size() && t.length == in.length) {
      boolean same = true;
      for (int i = 1; i < t.length; i++) {
        same &= t[i] == in[i] || i == infer;
      }
      if (same) {
        values.put(n.getOutput(0), x);
        return;
      }
    }
    if (batchFirst && rest == x.size() && t.length == 4) {
      int[] image = {(int) t[1], (int) t[2], (int) t[3]};
      String name = layerName(n);
      LayerSpec l = new LayerSpec("Reshape", name, List.of(x.layer), image);
      l.attribute("shape", "{" + image[0] + ", " + image[1] + ", " + image[2] + "}");
      add(l, n, Val.activation(name, image, false));
      return;
    }
    throw new Problem("target shape " + shapeText(target) + " for an input of "
        + shapeText(in) + ": Lamina's @Reshape makes [N, C, H, W] images; it supports a Reshape"
        + " to [N, C, H, W] with C·H·W = " + x.size() + ", one that flattens each sample to [N, "
        + x.size() + "] (as Flatten with axis = 1), or one that keeps the shape");
  }

  private static String shapeText(long[] v) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < v.length; i++) {
      sb.append(i > 0 ? ", " : "").append(v[i] == Val.BATCH ? "N" : String.valueOf(v[i]));
    }
    return sb.append(']').toString();
  }

  private void pad(NodeProto n) throws Problem {
    Map<String, AttributeProto> a = attributes(n, "mode", "pads", "value");
    String mode = a.containsKey("mode") ? a.get("mode").getS().toStringUtf8() : "constant";
    if (!mode.equals("constant")) {
      throw new Problem("attribute mode = '" + Names.printable(mode) + "'; Lamina pads with"
          + " zeros (convolution, average pooling) or minus infinity (max pooling) only (supports"
          + " mode = constant)");
    }
    long[] pads = a.containsKey("pads")
        ? a.get("pads").getIntsList().stream().mapToLong(Long::longValue).toArray()
        : value(n, 1).ints;
    if (pads == null) {
      throw new Problem("its pads are not constant");
    }
    float value = floatAttr(a, "value", 0f);
    if (n.getInputCount() > 2 && !n.getInput(2).isEmpty()) {
      Val v = constant(n, 2, "constant_value");
      value = v.floats[0];
    }
    if (n.getInputCount() > 3 && !n.getInput(3).isEmpty()) {
      throw new Problem("input axes is not supported; give pads for every axis");
    }
    Val x = activationInput(n, 0);
    int rank = x.onnxDims().length + 1;
    if (pads.length != 2 * rank) {
      throw new Problem("pads has " + pads.length + " values; expected " + 2 * rank);
    }
    boolean zero = Arrays.stream(pads).allMatch(p -> p == 0);
    if (zero) {
      values.put(n.getOutput(0), x);
      return;
    }
    if (!x.isImage() || pads[0] != 0 || pads[1] != 0 || pads[4] != 0 || pads[5] != 0) {
      throw new Problem("pads " + Arrays.toString(pads) + ": Lamina pads only the two spatial"
          + " axes of images, inside the @Conv or @Pool that reads them");
    }
    int[] p = new int[4];
    for (int i = 0; i < 2; i++) {
      p[i] = checkedInt(pads[2 + i], "pads", 0, 1 << 16);
      p[2 + i] = checkedInt(pads[6 + i], "pads", 0, 1 << 16);
    }
    values.put(n.getOutput(0), x.padded(p, value, n.getName()));
  }

  // ---- finishing

  private void finishOutput() {
    Val out = values.get(outputName);
    if (out == null || !out.isActivation()) {
      problems.add("the graph output '" + Names.printable(outputName) + "' is "
          + (out == null ? "not computed" : "a constant") + "; a Lamina network's output is its"
          + " last layer");
      return;
    }
    if (out.pads != null) {
      problems.add("the graph output '" + Names.printable(outputName) + "' is padded by Pad '"
          + Names.printable(out.padNode) + "'; Lamina pads only inside @Conv and @Pool");
      return;
    }
    if (out.layer.equals("input")) {
      // The graph only reshapes its input: one identity layer makes it a network.
      LayerSpec l = new LayerSpec("Dropout", names.layerName("identity", "Identity"),
          List.of("input"), out.shape);
      l.attribute("p", "0.0");
      l.origin.add("identity layer (the graph computes nothing)");
      layers.add(l);
      return;
    }
    LayerSpec last = layers.get(layers.size() - 1);
    if (!last.name.equals(out.layer)) {
      problems.add("internal error: the output '" + Names.printable(outputName) + "' comes from"
          + " layer " + out.layer + ", not from the last layer " + last.name);
    }
  }

  // ---- helpers

  private void add(LayerSpec l, NodeProto n, Val out) {
    l.origin.add(0, origin(n));
    layers.add(l);
    layerByName.put(l.name, l);
    values.put(n.getOutput(0), out);
  }

  private String layerName(NodeProto n) {
    return names.layerName(n.getName(), n.getOpType());
  }

  private static String origin(NodeProto n) {
    return n.getOpType() + (n.getName().isEmpty() ? "" : " " + Names.printable(n.getName()));
  }

  private static String node(NodeProto n) {
    return "node '" + Names.printable(n.getName()) + "' (" + Names.printable(n.getOpType()) + ")";
  }

  private static String inputName(NodeProto n, int i) {
    return Names.printable(n.getInput(i));
  }

  private Val value(NodeProto n, int i) throws Problem {
    if (i >= n.getInputCount() || n.getInput(i).isEmpty()) {
      throw new Problem("input " + i + " is missing");
    }
    String name = n.getInput(i);
    Val v = values.get(name);
    if (v == null) {
      TensorProto t = initializers.get(name);
      if (t == null) {
        throw new Problem("input '" + Names.printable(name) + "' is not computed");
      }
      v = tensorValue(t);
      values.put(name, v);
    }
    return v;
  }

  private Val constant(NodeProto n, int i, String role) throws Problem {
    Val v = value(n, i);
    if (v.floats == null) {
      throw new Problem("input " + role + " '" + inputName(n, i) + "' is "
          + (v.isActivation() ? "computed from the network input" : "not a float32 tensor")
          + "; Lamina needs it as a constant (an initializer or Constant node)");
    }
    return v;
  }

  private Val activationInput(NodeProto n, int i) throws Problem {
    Val v = value(n, i);
    if (!v.isActivation()) {
      throw new Problem("input '" + inputName(n, i) + "' is a constant; Lamina's layers read"
          + " the network input or other layers");
    }
    if (v.pads != null) {
      throw new Problem("it reads the output of Pad '" + Names.printable(v.padNode) + "'; Lamina"
          + " folds a Pad only into the padding of a Conv, MaxPool (value minus infinity) or"
          + " AveragePool (value 0) reading it");
    }
    return v;
  }

  private Val image(NodeProto n, int i, String op) throws Problem {
    Val v = activationInput(n, i);
    if (!v.isImage()) {
      throw new Problem("input '" + inputName(n, i) + "' is " + (v.flat ? "flattened to [N, "
          + v.size() + "]" : "a vector of " + v.size()) + "; " + op + " reads [N, C, H, W]"
          + " images");
    }
    return v;
  }

  private Val paddedImage(NodeProto n, int i, float padValue, String op) throws Problem {
    Val v = value(n, i);
    if (v.pads == null) {
      return image(n, i, op);
    }
    if (Float.compare(v.padValue, padValue) != 0) {
      throw new Problem("it reads Pad '" + Names.printable(v.padNode) + "' with value "
          + v.padValue + "; Lamina's " + (op.equals("MaxPool") ? "max pooling pads with minus"
              + " infinity" : op + " pads with zeros") + ", so only that value folds into its"
          + " padding");
    }
    return v;
  }

  private Map<String, AttributeProto> attributes(NodeProto n, String... allowed) throws Problem {
    Map<String, AttributeProto> a = new LinkedHashMap<>();
    Set<String> ok = Set.of(allowed);
    for (AttributeProto at : n.getAttributeList()) {
      if (!ok.contains(at.getName())) {
        throw new Problem("attribute '" + Names.printable(at.getName()) + "' is not supported"
            + (allowed.length == 0 ? " (Lamina's counterpart takes none)"
                : " (Lamina's counterpart supports " + String.join(", ", allowed) + ")"));
      }
      a.put(at.getName(), at);
    }
    return a;
  }

  private static long intAttr(Map<String, AttributeProto> a, String name, long dflt) {
    return a.containsKey(name) ? a.get(name).getI() : dflt;
  }

  private static float floatAttr(Map<String, AttributeProto> a, String name, float dflt) {
    return a.containsKey(name) ? a.get(name).getF() : dflt;
  }

  private int[] ints2(Map<String, AttributeProto> a, String name, int dflt) throws Problem {
    if (!a.containsKey(name)) {
      return new int[] {dflt, dflt};
    }
    List<Long> v = a.get(name).getIntsList();
    if (v.size() != 2) {
      throw new Problem("attribute " + name + " = " + v + " has " + v.size() + " values; Lamina's"
          + " layers have two spatial axes (height, width)");
    }
    return new int[] {checkedInt(v.get(0), name, 0, 1 << 16), checkedInt(v.get(1), name, 0,
        1 << 16)};
  }

  private static int checkedInt(long v, String name, int min, int max) throws Problem {
    if (v < min || v > max) {
      throw new Problem("attribute " + name + " holds " + v + "; expected " + min + " to " + max);
    }
    return (int) v;
  }

  private static String pair(int[] v) {
    return v[0] == v[1] ? String.valueOf(v[0]) : "{" + v[0] + ", " + v[1] + "}";
  }
}
