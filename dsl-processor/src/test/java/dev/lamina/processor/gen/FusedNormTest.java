package dev.lamina.processor.gen;

import static dev.lamina.processor.gen.GraphGradientCheckTest.named;
import static dev.lamina.processor.gen.Models.builder;
import static dev.lamina.processor.gen.Models.conv;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.dsl.Activation;
import dev.lamina.dsl.Loss;
import dev.lamina.processor.model.AddOp;
import dev.lamina.processor.model.BatchNormOp;
import dev.lamina.processor.model.ModelBuilder;
import dev.lamina.processor.model.NetworkModel;
import dev.lamina.processor.model.Op;
import dev.lamina.processor.model.Shape;
import dev.lamina.runtime.DoubleNetwork;
import dev.lamina.runtime.DoubleWorkspace;
import dev.lamina.runtime.FloatNetwork;
import dev.lamina.runtime.FloatWorkspace;
import dev.lamina.runtime.ParameterTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Batch normalization, its activation and the residual add fused in training
 * ({@code NetworkModel.fusesActivation}, {@code assignsInputGradient}): the generated passes
 * against numerical gradients ({@link GradientChecker}, double with its float twin) and against a
 * naive unfused reference written here in double (convolution by its definition; batch
 * normalization's backward through its computational graph: x̂, the variance and the mean each
 * their own step; the activation and the add as passes of their own).
 *
 * <p>The reference network, on 2×8×8 images, batch 3: {@code c1} (conv 3@3×3, pad 1) from the
 * input, {@code bn1} with activation A, {@code c2} (conv 3@3×3, pad 1), {@code bn2} without
 * activation, {@code sum = bn2 + bn1} with activation A. So {@code bn1} and {@code bn2} each are
 * the only reader of their convolution (they write its gradient), {@code bn2} is read by the add
 * alone (the add writes its gradient), and {@code bn1} is read by the add and by {@code c2} (both
 * add into its gradient). The scalar is {@code L = Σ sum·R} for a fixed random R.
 */
class FusedNormTest {
  private static final BatchNormOp BN = new BatchNormOp(1e-5, 0.1);
  private static final Activation ID = Activation.IDENTITY;
  private static final int N = 3;
  private static final int C_IN = 2;
  private static final int C = 3;
  /** Planes of 64 values: the float variant's sums in {@code Kernels.maskedDotAndSum}. */
  private static final int H = 8;
  private static final int W = 8;
  /** Double against the double reference: relative to each tensor's largest gradient. */
  private static final double DOUBLE_TOLERANCE = 1e-10;
  /** Float against the double reference: relative to each tensor's largest gradient. */
  private static final double FLOAT_TOLERANCE = 1e-4;

  /** An activation with its parameter (leaky ReLU's slope). */
  record Act(Activation a, double slope) {
    @Override
    public String toString() {
      return a == Activation.LEAKY_RELU ? a + "(" + slope + ")" : a.toString();
    }

    double apply(double z) {
      return switch (a) {
        case RELU -> Math.max(z, 0);
        case RELU6 -> Math.min(Math.max(z, 0), 6);
        case LEAKY_RELU -> z > 0 ? z : slope * z;
        case IDENTITY -> z;
        default -> throw new IllegalArgumentException(a.toString());
      };
    }

    double derivative(double z) {
      return switch (a) {
        case RELU -> z > 0 ? 1 : 0;
        case RELU6 -> z > 0 && z < 6 ? 1 : 0;
        case LEAKY_RELU -> z > 0 ? 1 : slope;
        case IDENTITY -> 1;
        default -> throw new IllegalArgumentException(a.toString());
      };
    }
  }

  static Stream<Act> activations() {
    return Stream.of(new Act(Activation.RELU, 0), new Act(Activation.RELU6, 0),
        new Act(Activation.LEAKY_RELU, 0.1), new Act(Activation.LEAKY_RELU, -0.5),
        new Act(ID, 0));
  }

  static NetworkModel residual(Act act) {
    return twoNorms("Fused" + act.a().name().replace("_", "") + (act.slope() < 0 ? "Neg" : ""),
        Shape.image(C_IN, H, W), conv(C, 3, 1, 1), act)
        .add("sum", List.of("bn2", "bn1"), new AddOp(), act.a(), act.slope())
        .build();
  }

  /** {@code c1 (layer) → bn1 (act) → c2 (layer) → bn2}: the start of every network here. */
  private static ModelBuilder twoNorms(String name, Shape input, Op layer, Act act) {
    return builder(name, input)
        .add("c1", layer, ID, 0)
        .add("bn1", BN, act.a(), act.slope())
        .add("c2", layer, ID, 0)
        .add("bn2", BN, ID, 0);
  }

  @Test
  void theModelDecidesWhatFuses() {
    NetworkModel relu = residual(new Act(Activation.RELU, 0));
    int c1 = relu.indexOf("c1");
    int bn1 = relu.indexOf("bn1");
    int bn2 = relu.indexOf("bn2");
    int sum = relu.indexOf("sum");
    assertTrue(relu.fusesActivation(bn1));
    assertTrue(relu.fusesActivation(sum));
    assertFalse(relu.fusesActivation(bn2), "no activation to fuse");
    assertTrue(relu.assignsInputGradient(bn1, 0), "bn1 is c1's only reader");
    assertTrue(relu.assignsInputGradient(sum, 0), "the add is bn2's only reader");
    assertFalse(relu.assignsInputGradient(sum, 1), "bn1 is also read by c2");
    assertFalse(relu.assignsInputGradient(c1, 0), "a convolution adds its input gradient");
    assertTrue(relu.deltaAssigned(c1));
    assertTrue(relu.deltaAssigned(bn2));
    assertFalse(relu.deltaAssigned(bn1));
    assertFalse(relu.deltaAssigned(sum), "the last layer has no reader");
    // leaky ReLU of negative slope: the output's sign no longer tells the pre-activation's
    NetworkModel negative = residual(new Act(Activation.LEAKY_RELU, -0.5));
    assertTrue(negative.fusesActivation(bn1));
    assertFalse(negative.fusesActivation(sum));
    // the same layer read twice by one add: both reads add
    NetworkModel twice = builder("Twice", Shape.flat(4))
        .add("bn", BN, ID, 0)
        .add("sum", List.of("bn", "bn"), new AddOp(), Activation.RELU, 0)
        .build();
    assertFalse(twice.assignsInputGradient(1, 0));
    assertFalse(twice.deltaAssigned(0));
    // the network input is never assigned: its gradient may be off
    NetworkModel fromInput = builder("FromInput", Shape.flat(4))
        .add("bn", BN, Activation.RELU, 0)
        .build();
    assertFalse(fromInput.assignsInputGradient(0, 0));
  }

  @Test
  void fusedLayersKeepNoPreActivationAndRunNoActivationPass() {
    Compiled compiled = Compiled.of(residual(new Act(Activation.RELU, 0)));
    String source = compiled.sources.get("p/Lamina_FusedRELU");
    for (String gone : List.of("bn1Pre", "sumPre", "bn1ActivateBackward", "sumActivateBackward",
        "bn1Activate(", "Arrays.fill(c1Delta", "Arrays.fill(bn2Delta", "Arrays.fill(c2Delta")) {
      assertFalse(source.contains(gone), gone);
    }
    assertTrue(source.contains("Arrays.fill(bn1Delta"), "bn1 is read twice: zeroed, then added");
  }

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    activations().forEach(a -> {
      out.add(Arguments.of(Named.of(a.toString(), a), true));
      out.add(Arguments.of(Named.of(a.toString(), a), false));
    });
    return out.stream();
  }

  @ParameterizedTest(name = "{0}, training {1}")
  @MethodSource("cases")
  void bothPrecisionsMatchTheUnfusedReference(Act act, boolean training) {
    NetworkModel model = residual(act);
    Compiled compiled = Compiled.of(model);
    SplittableRandom random = new SplittableRandom(act.hashCode() * 31L + (training ? 1 : 0));
    DoubleNetwork dn = compiled.doubleNetwork(1);
    double[] p = dn.parameters();
    List<ParameterTensor> tensors = dn.summary().parameterTensors();
    for (ParameterTensor t : tensors) {
      for (int i = 0; i < t.size(); i++) {
        double u = 2 * random.nextDouble() - 1;
        double v = switch (t.layer().startsWith("bn") ? t.name() : "conv " + t.name()) {
          case "weight" -> 1 + 0.5 * u;
          case "bias" -> 0.3 * u;
          case "running_mean" -> 0.5 * u;
          case "running_var" -> 1 + 0.5 * u;
          default -> 0.4 * u;
        };
        p[t.offset() + i] = (float) v;
      }
    }
    double[] x = uniform(random, N * C_IN * H * W);
    double[] r = uniform(random, N * C * H * W);
    Reference ref = new Reference(act, training, p, tensors, x, r);

    DoubleWorkspace dw = dn.newWorkspace(N);
    dw.setInputGradientEnabled(true);
    dw.zeroGradients();
    double[] out = dw.forward(x, 0, N, training);
    assertClose("double output", ref.y, out, DOUBLE_TOLERANCE);
    dw.backward(r, 0, N);
    int compared = compare("double", ref, tensors, dw.gradients(), dw.inputGradient(),
        DOUBLE_TOLERANCE);

    FloatNetwork fn = compiled.floatNetwork(1);
    float[] fp = fn.parameters();
    for (int i = 0; i < p.length; i++) {
      fp[i] = (float) p[i];
    }
    FloatWorkspace fw = fn.newWorkspace(N);
    fw.setInputGradientEnabled(true);
    fw.zeroGradients();
    float[] fout = fw.forward(toFloat(x), 0, N, training);
    assertClose("float output", ref.y, toDouble(fout), FLOAT_TOLERANCE);
    fw.backward(toFloat(r), 0, N);
    compared += compare("float", ref, tensors, toDouble(fw.gradients()),
        toDouble(fw.inputGradient()), FLOAT_TOLERANCE);
    // per precision: the input, c1's weight and bias, bn1's γ and β, c2's, bn2's
    assertEquals(2 * (N * C_IN * H * W + C * C_IN * 9 + C + 2 * C + C * C * 9 + C + 2 * C),
        compared);
  }

  /** Compares every trained tensor's gradient and the input gradient; returns values compared. */
  private static int compare(String what, Reference ref, List<ParameterTensor> tensors,
      double[] g, double[] dInput, double tolerance) {
    int n = 0;
    for (ParameterTensor t : tensors) {
      if (t.role() == ParameterTensor.Role.STATISTIC) {
        continue;
      }
      double[] expected = ref.gradients.get(t.layer() + "." + t.name());
      double[] actual = new double[t.size()];
      System.arraycopy(g, t.offset(), actual, 0, t.size());
      assertClose(what + " " + t.layer() + "." + t.name(), expected, actual, tolerance,
          FLOOR * ref.largest);
      n += t.size();
    }
    assertClose(what + " input gradient", ref.dx, dInput, tolerance, FLOOR * ref.largest);
    return n + ref.dx.length;
  }

  /**
   * A tensor whose gradient is zero in exact arithmetic (a convolution's bias before batch
   * normalization in training) gets rounding noise: its differences are measured against this
   * fraction of the largest gradient of all instead.
   */
  private static final double FLOOR = 1e-2;

  private static void assertClose(String what, double[] expected, double[] actual,
      double tolerance) {
    assertClose(what, expected, actual, tolerance, 0);
  }

  private static void assertClose(String what, double[] expected, double[] actual,
      double tolerance, double floor) {
    double scale = floor;
    for (double e : expected) {
      scale = Math.max(scale, Math.abs(e));
    }
    assertTrue(scale > 0, what + ": all zero");
    for (int i = 0; i < expected.length; i++) {
      double d = Math.abs(expected[i] - actual[i]);
      int at = i;
      double s = scale;
      assertTrue(d <= tolerance * s, () -> what + "[" + at + "]: expected " + expected[at]
          + ", got " + actual[at] + " (difference " + d / s + " of the largest)");
    }
  }

  /** The naive unfused network in double: its output, parameter gradients and input gradient. */
  private static final class Reference {
    final double[] y;
    final double[] dx;
    /** The largest magnitude of all parameter gradients. */
    final double largest;
    final java.util.Map<String, double[]> gradients = new java.util.HashMap<>();

    Reference(Act act, boolean training, double[] p, List<ParameterTensor> tensors, double[] x,
        double[] r) {
      java.util.Map<String, double[]> t = new java.util.HashMap<>();
      for (ParameterTensor pt : tensors) {
        double[] v = new double[pt.size()];
        System.arraycopy(p, pt.offset(), v, 0, pt.size());
        t.put(pt.layer() + "." + pt.name(), v);
        gradients.put(pt.layer() + "." + pt.name(), new double[pt.size()]);
      }
      double[] c1 = convForward(x, C_IN, t.get("c1.weight"), t.get("c1.bias"));
      Norm bn1 = new Norm(c1, t, "bn1", training);
      double[] a1 = activate(act, bn1.z);
      double[] c2 = convForward(a1, C, t.get("c2.weight"), t.get("c2.bias"));
      Norm bn2 = new Norm(c2, t, "bn2", training);
      double[] s = new double[bn2.z.length];
      for (int i = 0; i < s.length; i++) {
        s[i] = bn2.z[i] + a1[i];
      }
      y = activate(act, s);

      // backward, one step at a time: dL/dy = R
      double[] ds = new double[s.length];
      for (int i = 0; i < s.length; i++) {
        ds[i] = r[i] * act.derivative(s[i]);
      }
      double[] dBn2 = ds.clone();
      double[] dA1 = ds.clone();
      double[] dC2 = bn2.backward(dBn2, gradients, "bn2");
      double[] dA1FromC2 = convBackward(a1, C, t.get("c2.weight"), dC2,
          gradients.get("c2.weight"), gradients.get("c2.bias"));
      double[] dZ1 = new double[dA1.length];
      for (int i = 0; i < dZ1.length; i++) {
        dZ1[i] = (dA1[i] + dA1FromC2[i]) * act.derivative(bn1.z[i]);
      }
      double[] dC1 = bn1.backward(dZ1, gradients, "bn1");
      dx = convBackward(x, C_IN, t.get("c1.weight"), dC1, gradients.get("c1.weight"),
          gradients.get("c1.bias"));
      double max = 0;
      for (double[] g : gradients.values()) {
        for (double v : g) {
          max = Math.max(max, Math.abs(v));
        }
      }
      largest = max;
    }

    private static double[] activate(Act act, double[] z) {
      double[] y = new double[z.length];
      for (int i = 0; i < z.length; i++) {
        y[i] = act.apply(z[i]);
      }
      return y;
    }
  }

  /** Batch normalization over N·H·W per channel, forward in the constructor. */
  private static final class Norm {
    final double[] x;
    final double[] z;
    final double[] mean = new double[C];
    final double[] var = new double[C];
    final double[] gamma;
    final boolean training;
    final int m = N * H * W;

    Norm(double[] x, java.util.Map<String, double[]> t, String name, boolean training) {
      this.x = x;
      this.training = training;
      this.gamma = t.get(name + ".weight");
      double[] beta = t.get(name + ".bias");
      for (int c = 0; c < C; c++) {
        if (training) {
          double s = 0;
          for (int n = 0; n < N; n++) {
            for (int i = 0; i < H * W; i++) {
              s += x[at(n, c, i)];
            }
          }
          mean[c] = s / m;
          double q = 0;
          for (int n = 0; n < N; n++) {
            for (int i = 0; i < H * W; i++) {
              q += (x[at(n, c, i)] - mean[c]) * (x[at(n, c, i)] - mean[c]);
            }
          }
          var[c] = q / m;
        } else {
          mean[c] = t.get(name + ".running_mean")[c];
          var[c] = t.get(name + ".running_var")[c];
        }
      }
      z = new double[x.length];
      for (int n = 0; n < N; n++) {
        for (int c = 0; c < C; c++) {
          for (int i = 0; i < H * W; i++) {
            z[at(n, c, i)] = gamma[c] * xhat(n, c, i) + beta[c];
          }
        }
      }
    }

    double xhat(int n, int c, int i) {
      return (x[at(n, c, i)] - mean[c]) / Math.sqrt(var[c] + 1e-5);
    }

    /** dL/dx from dL/dz; adds dL/dγ and dL/dβ. Mean and variance depend on x in training. */
    double[] backward(double[] dz, java.util.Map<String, double[]> g, String name) {
      double[] dx = new double[x.length];
      for (int c = 0; c < C; c++) {
        double inv = 1 / Math.sqrt(var[c] + 1e-5);
        double dVar = 0;
        double dMean = 0;
        double deviations = 0;
        for (int n = 0; n < N; n++) {
          for (int i = 0; i < H * W; i++) {
            int v = at(n, c, i);
            g.get(name + ".weight")[c] += dz[v] * xhat(n, c, i);
            g.get(name + ".bias")[c] += dz[v];
            double dXhat = dz[v] * gamma[c];
            dVar += dXhat * (x[v] - mean[c]) * -0.5 * Math.pow(var[c] + 1e-5, -1.5);
            dMean += -dXhat * inv;
            deviations += -2 * (x[v] - mean[c]);
          }
        }
        dMean += dVar * deviations / m;
        for (int n = 0; n < N; n++) {
          for (int i = 0; i < H * W; i++) {
            int v = at(n, c, i);
            dx[v] = dz[v] * gamma[c] * inv;
            if (training) {
              dx[v] += dVar * 2 * (x[v] - mean[c]) / m + dMean / m;
            }
          }
        }
      }
      return dx;
    }

    private static int at(int n, int c, int i) {
      return (n * C + c) * H * W + i;
    }
  }

  /** One product of a convolution: output value, weight and input value, by their indices. */
  private interface Tap {
    void at(int out, int weight, int in);
  }

  /** Every tap of a convolution C@3×3, stride 1, padding 1, over {@code cin} channels. */
  private static void taps(int cin, Tap tap) {
    for (int n = 0; n < N; n++) {
      for (int o = 0; o < C; o++) {
        for (int i = 0; i < H; i++) {
          for (int j = 0; j < W; j++) {
            for (int c = 0; c < cin; c++) {
              for (int ki = 0; ki < 3; ki++) {
                for (int kj = 0; kj < 3; kj++) {
                  int ii = i + ki - 1;
                  int jj = j + kj - 1;
                  if (ii >= 0 && ii < H && jj >= 0 && jj < W) {
                    tap.at(((n * C + o) * H + i) * W + j, ((o * cin + c) * 3 + ki) * 3 + kj,
                        ((n * cin + c) * H + ii) * W + jj);
                  }
                }
              }
            }
          }
        }
      }
    }
  }

  /** The convolution by its definition. */
  private static double[] convForward(double[] in, int cin, double[] w, double[] b) {
    double[] out = new double[N * C * H * W];
    for (int v = 0; v < out.length; v++) {
      out[v] = b[v / (H * W) % C];
    }
    taps(cin, (o, wi, xi) -> out[o] += w[wi] * in[xi]);
    return out;
  }

  /** Adds dL/dw and dL/db; returns dL/d(in). */
  private static double[] convBackward(double[] in, int cin, double[] w, double[] dOut,
      double[] dw, double[] db) {
    for (int v = 0; v < dOut.length; v++) {
      db[v / (H * W) % C] += dOut[v];
    }
    double[] dIn = new double[in.length];
    taps(cin, (o, wi, xi) -> {
      dw[wi] += dOut[o] * in[xi];
      dIn[xi] += dOut[o] * w[wi];
    });
    return dIn;
  }

  private static double[] uniform(SplittableRandom random, int n) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (2 * random.nextDouble() - 1);
    }
    return v;
  }

  private static float[] toFloat(double[] a) {
    float[] f = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      f[i] = (float) a[i];
    }
    return f;
  }

  private static double[] toDouble(float[] a) {
    double[] d = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      d[i] = a[i];
    }
    return d;
  }

  static Stream<Arguments> graphs() {
    return Stream.of(
        // planes of 9 values: the sums value by value
        named("conv_bn_relu", builder("G1", Shape.image(2, 3, 3))
            .add("c", conv(3, 3, 1, 1), ID, 0)
            .add("bn", BN, Activation.RELU, 0)
            .add("out", Models.affine(3), ID, 0)
            .loss(Loss.SOFTMAX_CROSS_ENTROPY).build()),
        named("conv_bn_add_relu", twoNorms("G2", Shape.image(3, 4, 4), conv(3, 3, 1, 1),
                new Act(Activation.RELU, 0))
            .add("sum", List.of("bn2", "input"), new AddOp(), Activation.RELU, 0)
            .add("out", Models.affine(3), ID, 0)
            .loss(Loss.SOFTMAX_CROSS_ENTROPY).build()),
        // bn1 is read by c2 and by the add; the add's other input (bn2) by the add alone
        named("add_input_read_twice", residual(new Act(Activation.RELU6, 0))),
        named("leaky_negative_slope", residual(new Act(Activation.LEAKY_RELU, -0.5))),
        named("bn_without_activation", residual(new Act(ID, 0))),
        // flat: one value per channel and sample
        named("flat", twoNorms("G4", Shape.flat(5), Models.affine(5),
                new Act(Activation.RELU, 0))
            .add("sum", List.of("bn2", "bn1"), new AddOp(), Activation.RELU6, 0)
            .add("out", Models.affine(3), ID, 0)
            .loss(Loss.MSE).build()),
        // planes of 20 values: the sums on the runtime's reductions after the derivative's loop
        named("long_planes", twoNorms("G3", Shape.image(2, 4, 5), conv(2, 3, 1, 1),
                new Act(Activation.LEAKY_RELU, 0.2))
            .add("sum", List.of("bn2", "bn1"), new AddOp(), Activation.RELU, 0)
            .add("out", Models.affine(3), ID, 0)
            .loss(Loss.SOFTMAX_CROSS_ENTROPY).build()));
  }

  /**
   * Numerical gradients in double and the float twin on this JVM's kernels; values within 2h of a
   * kink are counted as skipped (at most 3%).
   */
  @ParameterizedTest
  @MethodSource("graphs")
  void gradientChecks(NetworkModel model) {
    new GradientChecker(model, 3, 11).run(300).assertPassed(0.03);
  }
}
