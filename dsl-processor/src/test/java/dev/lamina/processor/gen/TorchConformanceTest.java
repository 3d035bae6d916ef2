package dev.lamina.processor.gen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lamina.dsl.Activation;
import dev.lamina.dsl.Loss;
import dev.lamina.dsl.PoolKind;
import dev.lamina.dsl.Recurrent.Cell;
import dev.lamina.dsl.Recurrent.Returns;
import dev.lamina.processor.model.ModelBuilder;
import dev.lamina.processor.model.NetworkModel;
import dev.lamina.processor.model.Node;
import dev.lamina.processor.model.AffineOp;
import dev.lamina.processor.model.BatchNormOp;
import dev.lamina.processor.model.ConvOp;
import dev.lamina.processor.model.ConvTransposeOp;
import dev.lamina.processor.model.LrnOp;
import dev.lamina.processor.model.ReshapeOp;
import dev.lamina.processor.model.PoolOp;
import dev.lamina.processor.model.RecurrentOp;
import dev.lamina.processor.model.Op;
import dev.lamina.processor.model.Shape;
import dev.lamina.runtime.DoubleNetwork;
import dev.lamina.runtime.DoubleWorkspace;
import dev.lamina.runtime.FloatNetwork;
import dev.lamina.runtime.FloatWorkspace;
import dev.lamina.runtime.ParameterTensor;
import dev.lamina.runtime.kernel.Kernels;
import dev.lamina.testsupport.Tensor;
import dev.lamina.testsupport.VectorSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * PyTorch as the outside oracle: the forward and backward vectors of the {@link VectorSet#TORCH}
 * and {@link VectorSet#TORCH_SEQ_GEN} sets (see each set's README), run through generated networks
 * in double precision (every value within {@code 1e-10·max(1, |expected|)}) and in float (within
 * 1e-4 of the largest magnitude of each tensor, on the kernels this JVM uses): the output, the
 * input gradient and every parameter gradient.
 *
 * <p>How each case is expressed in the DSL:
 *
 * <ul>
 *   <li>conv, maxpool, avgpool, subsample, linear, conv_transpose, lrn, rnn_tanh, rnn_relu, lstm,
 *       gru: a one-layer network with that layer and no activation. PyTorch's linear weight
 *       [out][in] is transposed into our [in][out]; conv_transpose's weight [in][out][kh][kw] and
 *       every recurrent tensor ({@code weight_ih_l0}, ..., {@code _reverse}) are ours as they are.
 *       An input [N, T, D] is a sequence network input {@code {T, D}}.
 *   <li>Activations (relu, leaky_relu, sigmoid, tanh, gelu none/tanh, elu): the DSL has no stand-alone
 *       activation layer, so the activation sits on an Affine layer D→D without bias whose weight
 *       is the identity matrix. That layer is exact in IEEE arithmetic: each output is {@code 0 +
 *       x_o·1} plus products {@code x_i·0 = ±0}, and adding zeros changes nothing; likewise its
 *       backward {@code dx_i = Σ_o W[i][o]·dz_o = dz_i}. So the case checks the activation's forward
 *       and backward with nothing in between. (The Affine's own parameter gradients are not part of
 *       the case and are not compared.)
 *   <li>Losses (softmax_cross_entropy, mse mean, mse half_sum_over_batch, bce_with_logits): the
 *       same identity Affine
 *       with the network's loss, run through the workspace's {@code lossAndGradients} with {@code
 *       gradScale = 1/N}; PyTorch's "mean" MSE is our {@code MSE}, "half_sum_over_batch" our {@code
 *       HALF_SQUARED_ERROR}.
 *   <li>Networks: each conv/linear/pool/reshape/conv_transpose layer becomes a node; an activation
 *       layer becomes the activation of the node before it; {@code flatten} disappears (Affine
 *       flattens).
 * </ul>
 *
 * <p>A case runs when its kind, and for a network every layer's kind, is one the DSL expresses;
 * the kinds of {@link #NOT_EXPRESSIBLE} are the only others (checked both ways), and the number of
 * cases run and left out is asserted. To add a kind: a case in {@code Case.op} (or in {@code
 * setActivation}), the kind in {@link #LAYERS} (or {@link #ACTIVATIONS}) instead of {@link
 * #NOT_EXPRESSIBLE}, and the counts below.
 *
 * <p>Batch norm: a one-layer network with a BatchNorm layer; the case's running statistics
 * ({@code buffers}) are written into the parameter array, the forward pass runs in training or
 * inference mode as the case says, and in training mode the updated statistics are compared with
 * {@code buffers_out}.
 */
class TorchConformanceTest {
  /** The sets read. */
  static final List<VectorSet> SETS = List.of(VectorSet.TORCH, VectorSet.TORCH_SEQ_GEN);

  /**
   * Cases run: all 48 of {@code torch}, and all 22 of torch-seq-gen (6 conv_transpose, 2 lrn, 2
   * bce_with_logits, 1 rnn_tanh, 1 rnn_relu, 4 lstm, 3 gru, 3 networks).
   */
  static final int RUN = 70;

  /** Cases left out, each using a kind of {@link #NOT_EXPRESSIBLE}: none. */
  static final int LEFT_OUT = 0;

  /** Kinds of case or layer the DSL cannot express: none left. */
  static final Set<String> NOT_EXPRESSIBLE = Set.of();

  private static final Set<String> ACTIVATIONS =
      Set.of("relu", "leaky_relu", "sigmoid", "tanh", "gelu", "elu");
  private static final Set<String> LAYERS = Set.of("conv", "maxpool", "avgpool", "subsample",
      "linear", "batchnorm", "conv_transpose", "lrn", "reshape", "rnn_tanh", "rnn_relu", "lstm",
      "gru");
  private static final Set<String> LOSSES =
      Set.of("softmax_cross_entropy", "mse", "bce_with_logits");

  /** The kind of a case and, for a network, of each of its layers. */
  @SuppressWarnings("unchecked")
  static Set<String> kinds(Map<String, Object> c) {
    Set<String> kinds = new TreeSet<>();
    kinds.add((String) c.get("kind"));
    for (Object l : (List<Object>) c.getOrDefault("layers", List.of())) {
      kinds.add((String) ((Map<String, Object>) l).get("kind"));
    }
    return kinds;
  }

  static boolean expressible(Set<String> kinds) {
    return kinds.stream().noneMatch(NOT_EXPRESSIBLE::contains);
  }

  @TestFactory
  Stream<DynamicTest> everyExpressibleCase() {
    List<DynamicTest> tests = new ArrayList<>();
    int leftOut = 0;
    for (VectorSet set : SETS) {
      for (String name : set.cases()) {
        Map<String, Object> c = set.read(name);
        if (!expressible(kinds(c))) {
          leftOut++;
          continue;
        }
        tests.add(DynamicTest.dynamicTest(set.folder() + "/" + name,
            () -> new Case(c, set.source(name)).check()));
      }
    }
    System.out.printf("PyTorch conformance: %d cases run (%s kernels in float), %d left out%n",
        tests.size(), Kernels.BACKEND, leftOut);
    assertEquals(RUN, tests.size(), "cases run");
    assertEquals(LEFT_OUT, leftOut, "cases left out as not expressible");
    return tests.stream();
  }

  @Test
  void onlyTheListedKindsAreInexpressible() {
    Map<String, Integer> unknown = new TreeMap<>();
    Set<String> used = new TreeSet<>();
    for (VectorSet set : SETS) {
      for (String name : set.cases()) {
        for (String kind : kinds(set.read(name))) {
          used.add(kind);
          if (!LAYERS.contains(kind) && !ACTIVATIONS.contains(kind) && !LOSSES.contains(kind)
              && !kind.equals("network") && !kind.equals("flatten")) {
            unknown.merge(kind, 1, Integer::sum);
          }
        }
      }
    }
    assertEquals(new TreeSet<>(NOT_EXPRESSIBLE), unknown.keySet(),
        "kinds neither expressed nor listed as not expressible (and how often)" + unknown);
    assertTrue(used.containsAll(LAYERS) && used.containsAll(ACTIVATIONS)
        && used.containsAll(LOSSES), "a kind expressed here without a case: " + used);
  }

  // ------------------------------------------------------------------ one case

  /** A layer as read from the file, before it becomes a node. */
  private static final class Spec {
    final String name;
    final String kind;
    final Map<String, Object> attributes;
    final Map<String, Object> params;
    final Map<String, Object> gradParams;
    Activation activation = Activation.IDENTITY;
    double slope; // the activation's parameter: LEAKY_RELU's slope, ELU's alpha
    boolean identityAffine;

    Spec(String name, String kind, Map<String, Object> attributes, Map<String, Object> params,
        Map<String, Object> gradParams) {
      this.name = name;
      this.kind = kind;
      this.attributes = attributes;
      this.params = params;
      this.gradParams = gradParams;
    }
  }

  private static final class Case {
    final Map<String, Object> json;
    final String source;
    final String name;
    final String kind;
    final Tensor input;
    final List<Spec> specs = new ArrayList<>();
    final NetworkModel model;
    final int batch;
    Loss loss = Loss.NONE;

    @SuppressWarnings("unchecked")
    Case(Map<String, Object> json, String source) {
      this.json = json;
      this.source = source;
      this.name = (String) json.get("case");
      this.kind = (String) json.get("kind");
      this.input = tensor("input");
      this.batch = input.dims()[0];
      Map<String, Object> attrs = (Map<String, Object>) json.get("attributes");
      if (kind.equals("network")) {
        for (Object o : (List<Object>) json.get("layers")) {
          Map<String, Object> l = (Map<String, Object>) o;
          String k = (String) l.get("kind");
          Map<String, Object> a = (Map<String, Object>) l.get("attributes");
          if (k.equals("flatten")) {
            continue;
          }
          if (ACTIVATIONS.contains(k)) {
            Spec prev = specs.get(specs.size() - 1);
            assertEquals(Activation.IDENTITY, prev.activation, name + ": two activations");
            setActivation(prev, k, a);
            continue;
          }
          specs.add(new Spec((String) l.get("name"), k, a,
              (Map<String, Object>) l.getOrDefault("params", Map.of()),
              (Map<String, Object>) l.getOrDefault("grad_params", Map.of())));
        }
        loss = lossOf(attrs);
      } else if (LAYERS.contains(kind)) {
        specs.add(new Spec("layer", kind, attrs, (Map<String, Object>) json.get("params"),
            (Map<String, Object>) json.get("grad_params")));
      } else {
        Spec s = new Spec("layer", "linear", Map.of(), Map.of(), Map.of());
        s.identityAffine = true;
        if (ACTIVATIONS.contains(kind)) {
          setActivation(s, kind, attrs);
        } else {
          loss = lossOf(Map.of("loss", kind, "reduction", attrs.get("reduction")));
        }
        specs.add(s);
      }
      ModelBuilder b = new ModelBuilder("p", "Torch_" + name, sampleShape(input.dims()))
          .precisions(Models.BOTH).loss(loss);
      for (Spec s : specs) {
        b.add(s.name, op(s, b.currentShape()), s.activation, s.slope);
      }
      this.model = b.build();
    }

    /** The tensor under a top-level key. */
    Tensor tensor(String key) {
      return Tensor.of(json.get(key), source, key);
    }

    static Shape sampleShape(int[] dims) {
      if (dims.length == 4) {
        return Shape.image(dims[1], dims[2], dims[3]);
      }
      if (dims.length == 3) {
        return Shape.sequence(dims[1], dims[2]);
      }
      return Shape.flat(dims[1]);
    }

    static Loss lossOf(Map<String, Object> a) {
      String l = (String) a.get("loss");
      if (l.equals("softmax_cross_entropy")) {
        return Loss.SOFTMAX_CROSS_ENTROPY;
      }
      if (l.equals("bce_with_logits")) {
        return Loss.BCE_WITH_LOGITS;
      }
      String reduction = (String) a.get("reduction");
      return switch (reduction) {
        case "mean" -> Loss.MSE;
        case "half_sum_over_batch" -> Loss.HALF_SQUARED_ERROR;
        default -> throw new AssertionError("unknown MSE reduction " + reduction);
      };
    }

    static void setActivation(Spec s, String kind, Map<String, Object> a) {
      switch (kind) {
        case "relu" -> s.activation = Activation.RELU;
        case "leaky_relu" -> {
          s.activation = Activation.LEAKY_RELU;
          s.slope = (Double) a.get("negative_slope");
        }
        case "sigmoid" -> s.activation = Activation.SIGMOID;
        case "tanh" -> s.activation = Activation.TANH;
        case "elu" -> {
          s.activation = Activation.ELU;
          s.slope = (Double) a.get("alpha");
        }
        case "gelu" -> s.activation =
            "tanh".equals(a.get("approximate")) ? Activation.GELU_TANH : Activation.GELU;
        default -> throw new AssertionError(kind);
      }
    }

    static int[] pair(Map<String, Object> a, String key, int dflt) {
      @SuppressWarnings("unchecked")
      List<Object> l = (List<Object>) a.get(key);
      if (l == null) {
        return new int[] {dflt, dflt};
      }
      return new int[] {((Double) l.get(0)).intValue(), ((Double) l.get(1)).intValue()};
    }

    static Op op(Spec s, Shape in) {
      Map<String, Object> a = s.attributes;
      int[] k = pair(a, "kernel", 1);
      int[] st = pair(a, "stride", 1);
      int[] pd = pair(a, "padding", 0);
      int[] dl = pair(a, "dilation", 1);
      return switch (s.kind) {
        case "conv" -> new ConvOp(((Double) a.get("out_channels")).intValue(), k[0], k[1], st[0],
            st[1], pd[0], pd[1], dl[0], dl[1], (Boolean) a.get("bias"));
        case "maxpool" -> new PoolOp(PoolKind.MAX, k[0], k[1], st[0], st[1], pd[0], pd[1], true);
        case "avgpool" -> new PoolOp(PoolKind.AVG, k[0], k[1], st[0], st[1], pd[0], pd[1],
            (Boolean) a.get("count_include_pad"));
        case "subsample" -> new PoolOp(PoolKind.SUBSAMPLE, k[0], k[1], st[0], st[1], pd[0],
            pd[1], true);
        case "batchnorm" -> new BatchNormOp((Double) a.get("eps"), (Double) a.get("momentum"));
        case "conv_transpose" -> {
          int[] op = pair(a, "output_padding", 0);
          yield new ConvTransposeOp(((Double) a.get("out_channels")).intValue(), k[0], k[1],
              st[0], st[1], pd[0], pd[1], op[0], op[1], dl[0], dl[1], (Boolean) a.get("bias"));
        }
        case "lrn" -> new LrnOp(((Double) a.get("size")).intValue(), (Double) a.get("alpha"),
            (Double) a.get("beta"), (Double) a.get("k"));
        case "reshape" -> {
          @SuppressWarnings("unchecked")
          List<Object> shape = (List<Object>) a.get("shape");
          yield new ReshapeOp(((Double) shape.get(0)).intValue(),
              ((Double) shape.get(1)).intValue(), ((Double) shape.get(2)).intValue());
        }
        case "rnn_tanh", "rnn_relu", "lstm", "gru" -> new RecurrentOp(switch (s.kind) {
          case "rnn_tanh" -> Cell.RNN_TANH;
          case "rnn_relu" -> Cell.RNN_RELU;
          case "lstm" -> Cell.LSTM;
          default -> Cell.GRU;
        }, ((Double) a.get("hidden_size")).intValue(), ((Double) a.get("num_layers")).intValue(),
            (Boolean) a.get("bidirectional"), (Boolean) a.get("bias"),
            "last".equals(a.get("returns")) ? Returns.LAST : Returns.SEQUENCE);
        case "linear" -> s.identityAffine
            ? new AffineOp((int) in.size(), false)
            : new AffineOp(((Double) a.get("out_features")).intValue(), (Boolean) a.get("bias"));
        default -> throw new AssertionError(s.kind);
      };
    }

    /** The tensor's values in our layout (the linear weight transposed). */
    static double[] ours(Spec s, String tensor, Tensor t) {
      if (!s.kind.equals("linear") || !tensor.equals("weight")) {
        return t.data();
      }
      int out = t.dims()[0];
      int in = t.dims()[1];
      double[] w = new double[in * out];
      for (int o = 0; o < out; o++) {
        for (int i = 0; i < in; i++) {
          w[i * out + o] = t.data()[o * in + i];
        }
      }
      return w;
    }

    void setParameters(Backend net) {
      for (int l = 0; l < specs.size(); l++) {
        Spec s = specs.get(l);
        Node node = model.nodes().get(l);
        if (s.identityAffine) {
          int d = (int) node.inputShape().size();
          ParameterTensor w = node.parameter("weight");
          for (int i = 0; i < d; i++) {
            for (int o = 0; o < d; o++) {
              net.setParameter(w.offset() + i * d + o, i == o ? 1.0 : 0.0);
            }
          }
          continue;
        }
        Map<String, Object> values = new java.util.LinkedHashMap<>(s.params);
        if (s.kind.equals("batchnorm")) {
          @SuppressWarnings("unchecked")
          Map<String, Object> buffers = (Map<String, Object>) json.get("buffers");
          values.putAll(buffers);
        }
        for (Map.Entry<String, Object> e : values.entrySet()) {
          ParameterTensor t = node.parameter(e.getKey());
          double[] v = ours(s, e.getKey(), Tensor.of(e.getValue(), source,
              s.name + "." + e.getKey()));
          assertEquals(t.size(), v.length, name + ": size of " + t.qualifiedName());
          for (int i = 0; i < v.length; i++) {
            net.setParameter(t.offset() + i, v[i]);
          }
        }
      }
    }

    void check() {
      Compiled compiled = Compiled.of(model);
      run(new DoubleBackend(compiled.doubleNetwork(1), batch), new DoubleTolerance());
      run(new FloatBackend(compiled.floatNetwork(1), batch), new FloatTolerance());
    }

    /** The running statistics after a training pass, against PyTorch's updated buffers. */
    void checkBuffers(Backend net, Tolerance tol, String p, Map<?, ?> buffers) {
      Node node = model.nodes().get(0);
      for (Map.Entry<?, ?> e : buffers.entrySet()) {
        ParameterTensor t = node.parameter((String) e.getKey());
        double[] got = new double[t.size()];
        for (int i = 0; i < got.length; i++) {
          got[i] = net.parameter(t.offset() + i);
        }
        tol.assertClose(p + name + " " + t.qualifiedName(),
            Tensor.of(e.getValue(), source, "buffers_out." + e.getKey()).data(), got);
      }
    }

    void run(Backend net, Tolerance tol) {
      setParameters(net);
      String p = net.precision() + " ";
      if (loss == Loss.NONE) {
        boolean training = !Boolean.FALSE.equals(
            ((Map<?, ?>) json.getOrDefault("attributes", Map.of())).get("training"));
        double[] out = net.forward(input.data(), training);
        tol.assertClose(p + name + " output", tensor("output").data(), out);
        if (json.containsKey("buffers_out")) {
          checkBuffers(net, tol, p, (Map<?, ?>) json.get("buffers_out"));
        }
        net.backward(tensor("grad_output").data());
      } else {
        Tensor target = tensor("target");
        double l = loss == Loss.SOFTMAX_CROSS_ENTROPY
            ? net.loss(input.data(), target.ints())
            : net.loss(input.data(), target.data());
        if (json.containsKey("logits")) {
          tol.assertClose(p + name + " logits", tensor("logits").data(), net.output());
        }
        tol.assertClose(p + name + " loss", tensor("output").data(), new double[] {l});
      }
      tol.assertClose(p + name + " grad_input", tensor("grad_input").data(),
          net.inputGradient());
      double[] g = net.gradients();
      for (int l = 0; l < specs.size(); l++) {
        Spec s = specs.get(l);
        Node node = model.nodes().get(l);
        for (Map.Entry<String, Object> e : s.gradParams.entrySet()) {
          ParameterTensor t = node.parameter(e.getKey());
          double[] expected = ours(s, e.getKey(), Tensor.of(e.getValue(), source,
              s.name + ".grad_params." + e.getKey()));
          double[] got = new double[t.size()];
          System.arraycopy(g, t.offset(), got, 0, t.size());
          tol.assertClose(p + name + " grad " + t.qualifiedName(), expected, got);
        }
        if (!s.identityAffine) {
          assertEquals(node.parameters().stream()
                  .filter(t -> t.role() != ParameterTensor.Role.STATISTIC).count(),
              s.gradParams.size(),
              name + ": every parameter of " + s.name + " has an expected gradient");
        }
      }
    }
  }

  // ------------------------------------------------------------------ precision adapters

  interface Tolerance {
    void assertClose(String what, double[] expected, double[] got);
  }

  /** Every value within 1e-10·max(1, |expected|). */
  static final class DoubleTolerance implements Tolerance {
    @Override
    public void assertClose(String what, double[] expected, double[] got) {
      assertEquals(expected.length, got.length, what + ": length");
      for (int i = 0; i < expected.length; i++) {
        double e = expected[i];
        if (!(Math.abs(got[i] - e) <= 1e-10 * Math.max(1, Math.abs(e)))) {
          fail(what + "[" + i + "]: expected " + e + ", got " + got[i]);
        }
      }
    }
  }

  /** Every value within 1e-4 of the largest magnitude of the tensor. */
  static final class FloatTolerance implements Tolerance {
    @Override
    public void assertClose(String what, double[] expected, double[] got) {
      assertEquals(expected.length, got.length, what + ": length");
      double max = 0;
      for (double e : expected) {
        max = Math.max(max, Math.abs(e));
      }
      for (int i = 0; i < expected.length; i++) {
        if (!(Math.abs(got[i] - expected[i]) <= 1e-4 * max)) {
          fail(what + "[" + i + "]: expected " + expected[i] + ", got " + got[i]
              + " (largest " + max + ")");
        }
      }
    }
  }

  /** A generated network of either precision, seen through doubles. */
  interface Backend {
    String precision();

    void setParameter(int i, double v);

    double[] forward(double[] x, boolean training);

    double parameter(int i);

    double[] output();

    void backward(double[] gradOut);

    double loss(double[] x, int[] labels);

    double loss(double[] x, double[] targets);

    double[] inputGradient();

    double[] gradients();
  }

  static final class DoubleBackend implements Backend {
    final DoubleNetwork net;
    final DoubleWorkspace ws;
    final int batch;
    double[] out;

    DoubleBackend(DoubleNetwork net, int batch) {
      this.net = net;
      this.batch = batch;
      this.ws = net.newWorkspace(batch);
      ws.setInputGradientEnabled(true);
    }

    @Override
    public String precision() {
      return "double";
    }

    @Override
    public void setParameter(int i, double v) {
      net.parameters()[i] = v;
    }

    @Override
    public double[] forward(double[] x, boolean training) {
      out = ws.forward(x, 0, batch, training);
      return output();
    }

    @Override
    public double parameter(int i) {
      return net.parameters()[i];
    }

    @Override
    public double[] output() {
      return java.util.Arrays.copyOf(out, batch * net.outputSize());
    }

    @Override
    public void backward(double[] gradOut) {
      ws.zeroGradients();
      ws.backward(gradOut, 0, batch);
    }

    @Override
    public double loss(double[] x, int[] labels) {
      ws.zeroGradients();
      double l = ws.lossAndGradients(x, 0, labels, 0, batch, 1.0 / batch) / batch;
      out = ws.forward(x, 0, batch, true);
      return l;
    }

    @Override
    public double loss(double[] x, double[] targets) {
      ws.zeroGradients();
      double l = ws.lossAndGradients(x, 0, targets, 0, batch, 1.0 / batch) / batch;
      out = ws.forward(x, 0, batch, true);
      return l;
    }

    @Override
    public double[] inputGradient() {
      return java.util.Arrays.copyOf(ws.inputGradient(), batch * net.inputSize());
    }

    @Override
    public double[] gradients() {
      return ws.gradients().clone();
    }
  }

  static final class FloatBackend implements Backend {
    final FloatNetwork net;
    final FloatWorkspace ws;
    final int batch;
    float[] out;

    FloatBackend(FloatNetwork net, int batch) {
      this.net = net;
      this.batch = batch;
      this.ws = net.newWorkspace(batch);
      ws.setInputGradientEnabled(true);
    }

    static float[] f(double[] v) {
      float[] r = new float[v.length];
      for (int i = 0; i < v.length; i++) {
        r[i] = (float) v[i];
      }
      return r;
    }

    static double[] d(float[] v, int n) {
      double[] r = new double[n];
      for (int i = 0; i < n; i++) {
        r[i] = v[i];
      }
      return r;
    }

    @Override
    public String precision() {
      return "float";
    }

    @Override
    public void setParameter(int i, double v) {
      net.parameters()[i] = (float) v;
    }

    @Override
    public double[] forward(double[] x, boolean training) {
      out = ws.forward(f(x), 0, batch, training);
      return output();
    }

    @Override
    public double parameter(int i) {
      return net.parameters()[i];
    }

    @Override
    public double[] output() {
      return d(out, batch * net.outputSize());
    }

    @Override
    public void backward(double[] gradOut) {
      ws.zeroGradients();
      ws.backward(f(gradOut), 0, batch);
    }

    @Override
    public double loss(double[] x, int[] labels) {
      ws.zeroGradients();
      float[] xf = f(x);
      double l = ws.lossAndGradients(xf, 0, labels, 0, batch, 1f / batch) / batch;
      out = ws.forward(xf, 0, batch, true);
      return l;
    }

    @Override
    public double loss(double[] x, double[] targets) {
      ws.zeroGradients();
      float[] xf = f(x);
      double l = ws.lossAndGradients(xf, 0, f(targets), 0, batch, 1f / batch) / batch;
      out = ws.forward(xf, 0, batch, true);
      return l;
    }

    @Override
    public double[] inputGradient() {
      return d(ws.inputGradient(), batch * net.inputSize());
    }

    @Override
    public double[] gradients() {
      return d(ws.gradients(), ws.gradients().length);
    }
  }
}
