package dev.lamina.processor.gen;

import static dev.lamina.processor.gen.Models.builder;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lamina.dsl.Activation;
import dev.lamina.dsl.Loss;
import dev.lamina.processor.model.AffineOp;
import dev.lamina.processor.model.ConvTransposeOp;
import dev.lamina.processor.model.ModelBuilder;
import dev.lamina.processor.model.NetworkModel;
import dev.lamina.processor.model.Node;
import dev.lamina.processor.model.Op;
import dev.lamina.processor.model.ReshapeOp;
import dev.lamina.processor.model.Shape;
import dev.lamina.runtime.DoubleWorkspace;
import dev.lamina.runtime.FloatWorkspace;
import dev.lamina.runtime.ParameterTensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * PyTorch's float64 vectors of the generative kinds ({@code conformance/torch-seq-gen}, README
 * there): every {@code conv_transpose}, {@code bce_with_logits} and the network {@code
 * net_convT_generator} (linear, reshape, two transposed convolutions, tanh, linear, softmax
 * cross-entropy), in double within 1e-10 relative and in float within 1e-4 of each tensor's
 * largest magnitude: output (or loss and logits), input gradient and every parameter gradient.
 * ({@code lrn} cases run in {@link LrnTest}; the recurrent cases await the recurrent layers.)
 */
class TorchSeqGenTest {
  private static final List<String> KINDS = List.of("conv_transpose", "bce_with_logits");

  @SuppressWarnings("unchecked")
  private static Map<String, Object> read(Path p) {
    try {
      return (Map<String, Object>) Json.parse(Files.readString(p));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void everyGenerativeCaseMatchesInBothPrecisions() throws IOException {
    Path dir = LrnTest.seqGenDir();
    Assumptions.assumeTrue(dir != null, "torch-seq-gen vectors not found");
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
    int ran = 0;
    for (Path f : files) {
      Map<String, Object> c = read(f);
      String kind = (String) c.get("kind");
      if (KINDS.contains(kind) || c.get("case").equals("net_convT_generator")) {
        new Case(c).check();
        ran++;
      }
    }
    assertEquals(9, ran, "cases run: 6 conv_transpose, 2 bce_with_logits, 1 network");
  }

  @SuppressWarnings("unchecked")
  static double[] data(Object tensor) {
    List<Object> l = (List<Object>) ((Map<String, Object>) tensor).get("data");
    double[] d = new double[l.size()];
    for (int i = 0; i < d.length; i++) {
      d[i] = (Double) l.get(i);
    }
    return d;
  }

  @SuppressWarnings("unchecked")
  static int[] dims(Object tensor) {
    List<Object> l = (List<Object>) ((Map<String, Object>) tensor).get("dims");
    return l.stream().mapToInt(o -> ((Double) o).intValue()).toArray();
  }

  private static int[] pair(Map<String, Object> a, String key) {
    @SuppressWarnings("unchecked")
    List<Object> l = (List<Object>) a.get(key);
    return new int[] {((Double) l.get(0)).intValue(), ((Double) l.get(1)).intValue()};
  }

  /** One layer of a case: its node's name, kind, and PyTorch's parameters and gradients. */
  private record Layer(String name, String kind, Map<String, Object> params,
      Map<String, Object> grads) {}

  @SuppressWarnings("unchecked")
  private static final class Case {
    final Map<String, Object> json;
    final String name;
    final List<Layer> layers = new ArrayList<>();
    final NetworkModel model;
    final int batch;
    final Loss loss;
    final boolean identity;

    Case(Map<String, Object> json) {
      this.json = json;
      this.name = (String) json.get("case");
      String kind = (String) json.get("kind");
      int[] in = dims(json.get("input"));
      this.batch = in[0];
      Shape sample = in.length == 4 ? Shape.image(in[1], in[2], in[3]) : Shape.flat(in[1]);
      ModelBuilder b = builder("S_" + name, sample);
      if (kind.equals("bce_with_logits")) {
        identity = true;
        loss = Loss.BCE_WITH_LOGITS;
        b.add("id", new AffineOp(in[1], false), Activation.IDENTITY, 0);
        layers.add(new Layer("id", "identity", Map.of(), Map.of()));
      } else if (kind.equals("conv_transpose")) {
        identity = false;
        loss = Loss.NONE;
        b.add("up", op(kind, (Map<String, Object>) json.get("attributes")), Activation.IDENTITY,
            0);
        layers.add(new Layer("up", kind, (Map<String, Object>) json.get("params"),
            (Map<String, Object>) json.get("grad_params")));
      } else {
        identity = false;
        loss = Loss.SOFTMAX_CROSS_ENTROPY;
        List<Object[]> pending = new ArrayList<>();
        for (Object o : (List<Object>) json.get("layers")) {
          Map<String, Object> l = (Map<String, Object>) o;
          String k = (String) l.get("kind");
          Activation act = switch (k) {
            case "relu" -> Activation.RELU;
            case "tanh" -> Activation.TANH;
            default -> null;
          };
          if (act != null) {
            pending.get(pending.size() - 1)[2] = act;
          } else if (!k.equals("flatten")) {
            pending.add(new Object[] {l, op(k, (Map<String, Object>) l.get("attributes")),
                Activation.IDENTITY});
            layers.add(new Layer((String) l.get("name"), k,
                (Map<String, Object>) l.getOrDefault("params", Map.of()),
                (Map<String, Object>) l.getOrDefault("grad_params", Map.of())));
          }
        }
        for (int i = 0; i < pending.size(); i++) {
          b.add(layers.get(i).name(), (Op) pending.get(i)[1], (Activation) pending.get(i)[2], 0);
        }
      }
      this.model = b.loss(loss).build();
    }

    static Op op(String kind, Map<String, Object> a) {
      return switch (kind) {
        case "linear" -> new AffineOp(((Double) a.get("out_features")).intValue(),
            (Boolean) a.get("bias"));
        case "reshape" -> {
          int[] s = ((List<Object>) a.get("shape")).stream()
              .mapToInt(o -> ((Double) o).intValue()).toArray();
          yield new ReshapeOp(s[0], s[1], s[2]);
        }
        case "conv_transpose" -> {
          int[] k = pair(a, "kernel");
          int[] s = pair(a, "stride");
          int[] p = pair(a, "padding");
          int[] op = pair(a, "output_padding");
          int[] d = pair(a, "dilation");
          yield new ConvTransposeOp(((Double) a.get("out_channels")).intValue(), k[0], k[1],
              s[0], s[1], p[0], p[1], op[0], op[1], d[0], d[1], (Boolean) a.get("bias"));
        }
        default -> throw new AssertionError("no layer for " + kind);
      };
    }

    /** PyTorch's tensor in our layout: a linear weight [out][in] becomes [in][out]. */
    static double[] ours(Layer l, String tensor, Object t) {
      double[] v = data(t);
      if (!l.kind().equals("linear") || !tensor.equals("weight")) {
        return v;
      }
      int[] d = dims(t);
      double[] w = new double[v.length];
      for (int o = 0; o < d[0]; o++) {
        for (int i = 0; i < d[1]; i++) {
          w[i * d[0] + o] = v[o * d[1] + i];
        }
      }
      return w;
    }

    /** Sets the parameters through {@code set(index, value)}. */
    void parameters(java.util.function.ObjIntConsumer<Double> set) {
      for (int i = 0; i < layers.size(); i++) {
        Layer l = layers.get(i);
        Node node = model.nodes().get(i);
        if (identity) {
          ParameterTensor w = node.parameter("weight");
          int d = w.shape()[0];
          for (int q = 0; q < d * d; q++) {
            set.accept(q / d == q % d ? 1.0 : 0.0, w.offset() + q);
          }
          continue;
        }
        for (Map.Entry<String, Object> e : l.params().entrySet()) {
          ParameterTensor t = node.parameter(e.getKey());
          double[] v = ours(l, e.getKey(), e.getValue());
          assertEquals(t.size(), v.length, name + " " + t.qualifiedName());
          for (int q = 0; q < v.length; q++) {
            set.accept(v[q], t.offset() + q);
          }
        }
      }
    }

    void check() {
      Compiled compiled = Compiled.of(model);
      var dn = compiled.doubleNetwork(1);
      parameters((v, i) -> dn.parameters()[i] = v);
      DoubleWorkspace dw = dn.newWorkspace(batch);
      dw.setInputGradientEnabled(true);
      dw.zeroGradients();
      var fn = compiled.floatNetwork(1);
      parameters((v, i) -> fn.parameters()[i] = (float) (double) v);
      FloatWorkspace fw = fn.newWorkspace(batch);
      fw.setInputGradientEnabled(true);
      fw.zeroGradients();
      double[] x = data(json.get("input"));
      if (loss == Loss.NONE) {
        close("double output", data(json.get("output")), dw.forward(x, 0, batch, true), 1e-10);
        dw.backward(data(json.get("grad_output")), 0, batch);
        close("float output", data(json.get("output")),
            widen(fw.forward(narrow(x), 0, batch, true)), -1e-4);
        fw.backward(narrow(data(json.get("grad_output"))), 0, batch);
      } else {
        double[] target = data(json.get("target"));
        double dl;
        double fl;
        if (loss == Loss.SOFTMAX_CROSS_ENTROPY) {
          int[] labels = java.util.Arrays.stream(target).mapToInt(v -> (int) v).toArray();
          dl = dw.lossAndGradients(x, 0, labels, 0, batch, 1.0 / batch) / batch;
          fl = fw.lossAndGradients(narrow(x), 0, labels, 0, batch, 1f / batch) / batch;
        } else {
          dl = dw.lossAndGradients(x, 0, target, 0, batch, 1.0 / batch) / batch;
          fl = fw.lossAndGradients(narrow(x), 0, narrow(target), 0, batch, 1f / batch) / batch;
        }
        close("double loss", data(json.get("output")), new double[] {dl}, 1e-10);
        close("float loss", data(json.get("output")), new double[] {fl}, -1e-4);
      }
      close("double grad_input", data(json.get("grad_input")), dw.inputGradient(), 1e-10);
      close("float grad_input", data(json.get("grad_input")), widen(fw.inputGradient()), -1e-4);
      for (int i = 0; i < layers.size(); i++) {
        Layer l = layers.get(i);
        for (Map.Entry<String, Object> e : l.grads().entrySet()) {
          ParameterTensor t = model.nodes().get(i).parameter(e.getKey());
          double[] want = ours(l, e.getKey(), e.getValue());
          double[] gd = new double[t.size()];
          double[] gf = new double[t.size()];
          for (int q = 0; q < gd.length; q++) {
            gd[q] = dw.gradients()[t.offset() + q];
            gf[q] = fw.gradients()[t.offset() + q];
          }
          close("double grad " + t.qualifiedName(), want, gd, 1e-10);
          close("float grad " + t.qualifiedName(), want, gf, -1e-4);
        }
      }
    }

    /**
     * Within {@code tol·max(1, |want|)} per value; a negative {@code tol}: within {@code |tol|}
     * of the tensor's largest magnitude (at least 1).
     */
    void close(String what, double[] want, double[] got, double tol) {
      double scale = 1;
      for (double w : want) {
        scale = Math.max(scale, Math.abs(w));
      }
      assertEquals(want.length, got.length < want.length ? -1 : want.length, name + " " + what);
      for (int i = 0; i < want.length; i++) {
        double bound = tol > 0 ? tol * Math.max(1, Math.abs(want[i])) : -tol * scale;
        assertEquals(want[i], got[i], bound, name + " " + what + " [" + i + "]");
      }
    }
  }

  static float[] narrow(double[] x) {
    float[] f = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      f[i] = (float) x[i];
    }
    return f;
  }

  static double[] widen(float[] x) {
    double[] d = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      d[i] = x[i];
    }
    return d;
  }
}
