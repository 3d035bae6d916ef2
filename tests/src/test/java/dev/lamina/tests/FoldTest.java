package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.runtime.DoubleWorkspace;
import dev.lamina.runtime.FloatWorkspace;
import dev.lamina.runtime.NetworkSummary;
import dev.lamina.runtime.ParameterTensor;
import dev.lamina.runtime.SeededRandom;
import dev.lamina.runtime.optim.Optimizers;
import dev.lamina.tests.nets.Lamina_FoldNet;
import dev.lamina.tests.nets.Lamina_FoldNet_F64;
import dev.lamina.tests.nets.Lamina_FoldTwin;
import dev.lamina.tests.nets.Lamina_FoldTwin_F64;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Batch normalization folded into the convolution before it at inference ({@code FoldNet}): the
 * inference pass against a naive reference in double written here (convolution, batch
 * normalization with the running statistics, activations, Add, pooling, affine), in both
 * precisions;
 * the training pass and backward after an inference pass against {@code FoldTwin}, the same
 * network with nothing folded, to the bit; and inference after the parameters change.
 */
class FoldTest {
  private static final int SAMPLE = 3 * 9 * 9;
  private static final int BATCH = 5;

  /** Random parameters with statistics far from their initial values, γ of both signs. */
  private static double[] parameters(NetworkSummary s, long seed) {
    SeededRandom r = new SeededRandom(seed);
    double[] p = new double[(int) s.parameterTensors().stream()
        .mapToLong(ParameterTensor::size).sum()];
    for (ParameterTensor t : s.parameterTensors()) {
      boolean norm = t.layer().startsWith("bn");
      for (int i = t.offset(); i < t.offset() + t.size(); i++) {
        p[i] = switch (t.name()) {
          case "weight" -> norm ? (r.nextDouble() < 0.2 ? -1 : 1) * (0.5 + r.nextDouble())
              : 0.3 * r.nextGaussian();
          case "bias" -> 0.3 * r.nextGaussian();
          case "running_mean" -> 0.5 * r.nextGaussian();
          case "running_var" -> 0.2 + 2 * r.nextDouble();
          default -> throw new AssertionError(t);
        };
      }
    }
    return p;
  }

  private static double[] inputs(int batch, long seed) {
    SeededRandom r = new SeededRandom(seed);
    double[] x = new double[batch * SAMPLE];
    for (int i = 0; i < x.length; i++) {
      x[i] = r.nextGaussian();
    }
    return x;
  }

  private static float[] floats(double[] a) {
    float[] f = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      f[i] = (float) a[i];
    }
    return f;
  }

  private static double[] doubles(float[] a) {
    double[] d = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      d[i] = a[i];
    }
    return d;
  }

  /** The offset of a tensor, or -1 when the layer has none of that name. */
  private static int at(NetworkSummary s, String layer, String tensor) {
    for (ParameterTensor t : s.parameterTensors()) {
      if (t.layer().equals(layer) && t.name().equals(tensor)) {
        return t.offset();
      }
    }
    return -1;
  }

  /** Naive convolution of one sample, zero padding, square kernel, groups; bias when b >= 0. */
  private static double[] conv(double[] x, int c, int h, int w, double[] p, int wo, int bo,
      int k, int size, int stride, int pad, int groups) {
    int oh = (h + 2 * pad - size) / stride + 1;
    int ow = (w + 2 * pad - size) / stride + 1;
    int cg = c / groups;
    double[] z = new double[k * oh * ow];
    for (int f = 0; f < k; f++) {
      int g = f / (k / groups);
      for (int i = 0; i < oh; i++) {
        for (int j = 0; j < ow; j++) {
          double sum = bo >= 0 ? p[bo + f] : 0;
          for (int cc = 0; cc < cg; cc++) {
            for (int u = 0; u < size; u++) {
              for (int v = 0; v < size; v++) {
                int y = i * stride - pad + u;
                int xx = j * stride - pad + v;
                if (y >= 0 && y < h && xx >= 0 && xx < w) {
                  sum += p[wo + ((f * cg + cc) * size + u) * size + v]
                      * x[((g * cg + cc) * h + y) * w + xx];
                }
              }
            }
          }
          z[(f * oh + i) * ow + j] = sum;
        }
      }
    }
    return z;
  }

  private static final DoubleUnaryOperator NONE = v -> v;
  private static final DoubleUnaryOperator RELU = v -> Math.max(v, 0);

  /** Batch normalization with the running statistics, then the activation, in place. */
  private static double[] norm(double[] y, NetworkSummary s, double[] p, String layer, double eps,
      DoubleUnaryOperator activation) {
    int g = at(s, layer, "weight");
    int b = at(s, layer, "bias");
    int m = at(s, layer, "running_mean");
    int v = at(s, layer, "running_var");
    int channels = b - g;
    int plane = y.length / channels;
    for (int i = 0; i < y.length; i++) {
      int c = i / plane;
      double z = (y[i] - p[m + c]) / Math.sqrt(p[v + c] + eps) * p[g + c] + p[b + c];
      y[i] = activation.applyAsDouble(z);
    }
    return y;
  }

  /** FoldNet's inference pass on one sample, in double. */
  private static double[] reference(NetworkSummary s, double[] p, double[] x) {
    double[] a1 = norm(conv(x, 3, 9, 9, p, at(s, "c1", "weight"), at(s, "c1", "bias"), 8, 3, 1,
        1, 1), s, p, "bn1", 1e-5, RELU);
    double[] a2 = norm(conv(a1, 8, 9, 9, p, at(s, "c2", "weight"), -1, 8, 3, 1, 1, 1), s, p,
        "bn2", 1e-5, NONE);
    double[] sum = new double[a1.length];
    for (int i = 0; i < sum.length; i++) {
      sum[i] = Math.max(a2[i] + a1[i], 0);
    }
    double[] a2b = norm(conv(sum, 8, 9, 9, p, at(s, "c2b", "weight"), -1, 8, 3, 1, 1, 1), s, p,
        "bn2b", 1e-5, v -> v > 0 ? v : 0.1 * v);
    double[] a3 = norm(conv(a2b, 8, 9, 9, p, at(s, "c3", "weight"), -1, 8, 3, 2, 1, 1), s, p,
        "bn3", 1e-3, RELU);
    double[] a4 = norm(conv(a3, 8, 5, 5, p, at(s, "g4", "weight"), at(s, "g4", "bias"), 4, 1, 1,
        0, 2), s, p, "bn4", 1e-5, NONE);
    double[] a5 = norm(conv(a4, 4, 5, 5, p, at(s, "c5", "weight"), at(s, "c5", "bias"), 4, 1, 1,
        0, 1), s, p, "bn5", 1e-5, Math::tanh);
    double[] gap = new double[4];
    for (int i = 0; i < a5.length; i++) {
      gap[i / 25] += a5[i] / 25;
    }
    int w = at(s, "out", "weight");
    int b = at(s, "out", "bias");
    double[] out = new double[4];
    for (int j = 0; j < 4; j++) {
      out[j] = p[b + j];
      for (int i = 0; i < 4; i++) {
        out[j] += gap[i] * p[w + i * 4 + j];
      }
    }
    return out;
  }

  private static double[] reference(NetworkSummary s, double[] p, double[] x, int batch) {
    double[] out = new double[batch * 4];
    for (int n = 0; n < batch; n++) {
      double[] sample = Arrays.copyOfRange(x, n * SAMPLE, (n + 1) * SAMPLE);
      System.arraycopy(reference(s, p, sample), 0, out, n * 4, 4);
    }
    return out;
  }

  /** Compares every value; returns how many were compared. */
  private static int assertClose(double[] expected, double[] actual, double tolerance,
      String what) {
    assertEquals(expected.length, actual.length, what);
    for (int i = 0; i < expected.length; i++) {
      double bound = tolerance * Math.max(1, Math.abs(expected[i]));
      assertTrue(Math.abs(expected[i] - actual[i]) <= bound,
          what + " [" + i + "]: expected " + expected[i] + ", got " + actual[i]);
    }
    return expected.length;
  }

  @Test
  void floatInferenceMatchesTheUnfoldedReference() {
    Lamina_FoldNet net = new Lamina_FoldNet();
    double[] p = parameters(net.summary(), 1);
    System.arraycopy(floats(p), 0, net.parameters(), 0, p.length);
    double[] x = inputs(BATCH, 2);
    FloatWorkspace ws = net.newWorkspace(BATCH);
    int compared = 0;
    for (int batch : new int[] {BATCH, 1}) {
      float[] out = ws.forward(floats(x), 0, batch, false);
      double[] got = Arrays.copyOf(doubles(out), batch * 4);
      compared += assertClose(reference(net.summary(), doubles(net.parameters()), x, batch), got,
          2e-4, "float inference, batch " + batch);
    }
    assertEquals((BATCH + 1) * 4, compared);
  }

  @Test
  void doubleInferenceMatchesTheUnfoldedReference() {
    Lamina_FoldNet_F64 net = new Lamina_FoldNet_F64();
    double[] p = parameters(net.summary(), 3);
    System.arraycopy(p, 0, net.parameters(), 0, p.length);
    double[] x = inputs(BATCH, 4);
    double[] out = net.newWorkspace(BATCH).forward(x, 0, BATCH, false);
    assertEquals(BATCH * 4, assertClose(reference(net.summary(), p, x, BATCH),
        Arrays.copyOf(out, BATCH * 4), 1e-12, "double inference"));
  }

  /**
   * A training pass (forward, running statistics, backward) gives FoldTwin's bits, also after an
   * inference pass of the same workspace; then backward after an inference pass does too.
   */
  @Test
  void trainingAndBackwardAfterInferenceAreTheUnfoldedBitsInFloat() {
    Lamina_FoldNet net = new Lamina_FoldNet();
    Lamina_FoldTwin twin = new Lamina_FoldTwin();
    float[] p = floats(parameters(net.summary(), 5));
    assertEquals(twin.parameters().length, p.length);
    System.arraycopy(p, 0, net.parameters(), 0, p.length);
    System.arraycopy(p, 0, twin.parameters(), 0, p.length);
    float[] x = floats(inputs(BATCH, 6));
    float[] dy = floats(inputs(1, 7));
    FloatWorkspace a = net.newWorkspace(BATCH);
    FloatWorkspace b = twin.newWorkspace(BATCH);
    a.setInputGradientEnabled(true);
    b.setInputGradientEnabled(true);
    a.forward(x, 0, BATCH, false);
    for (boolean training : new boolean[] {true, false, true}) {
      a.zeroGradients();
      b.zeroGradients();
      float[] ya = a.forward(x, 0, BATCH, training).clone();
      float[] yb = b.forward(x, 0, BATCH, training);
      if (training) {
        assertArrayEquals(yb, ya, "output, training");
      }
      a.backward(dy, 0, BATCH);
      b.backward(dy, 0, BATCH);
      assertArrayEquals(b.gradients(), a.gradients(), "gradients, training " + training);
      assertArrayEquals(b.inputGradient(), a.inputGradient(), "dL/dx, training " + training);
      assertArrayEquals(twin.parameters(), net.parameters(), "running statistics");
    }
  }

  @Test
  void trainingAndBackwardAfterInferenceAreTheUnfoldedBitsInDouble() {
    Lamina_FoldNet_F64 net = new Lamina_FoldNet_F64();
    Lamina_FoldTwin_F64 twin = new Lamina_FoldTwin_F64();
    double[] p = parameters(net.summary(), 8);
    System.arraycopy(p, 0, net.parameters(), 0, p.length);
    System.arraycopy(p, 0, twin.parameters(), 0, p.length);
    double[] x = inputs(BATCH, 9);
    double[] dy = inputs(1, 10);
    DoubleWorkspace a = net.newWorkspace(BATCH);
    DoubleWorkspace b = twin.newWorkspace(BATCH);
    a.setInputGradientEnabled(true);
    b.setInputGradientEnabled(true);
    for (boolean training : new boolean[] {false, true}) {
      a.zeroGradients();
      b.zeroGradients();
      double[] ya = a.forward(x, 0, BATCH, training).clone();
      double[] yb = b.forward(x, 0, BATCH, training);
      if (training) {
        assertArrayEquals(yb, ya, "output, training");
      }
      a.backward(dy, 0, BATCH);
      b.backward(dy, 0, BATCH);
      assertArrayEquals(b.gradients(), a.gradients(), "gradients, training " + training);
      assertArrayEquals(b.inputGradient(), a.inputGradient(), "dL/dx, training " + training);
      assertArrayEquals(twin.parameters(), net.parameters(), "running statistics");
    }
  }

  /**
   * An inference pass after an optimizer step, or after a write into the parameter array, sees
   * the new parameters: the folded copy is never stale.
   */
  @Test
  void inferenceFollowsTheParameters() {
    Lamina_FoldNet net = new Lamina_FoldNet();
    System.arraycopy(floats(parameters(net.summary(), 11)), 0, net.parameters(), 0,
        net.parameterCount());
    double[] x = inputs(BATCH, 12);
    FloatWorkspace ws = net.newWorkspace(BATCH);
    double[] before = doubles(ws.forward(floats(x), 0, BATCH, false).clone());
    net.setOptimizer(Optimizers.sgd(0.5f).build(net.summary()));
    net.trainStep(floats(x), new int[] {0, 1, 2, 3, 0}, BATCH);
    double[] stepped = doubles(ws.forward(floats(x), 0, BATCH, false).clone());
    assertClose(reference(net.summary(), doubles(net.parameters()), x, BATCH), stepped, 2e-4,
        "after an optimizer step");
    assertTrue(Arrays.stream(before).map(Math::abs).sum() > 0);
    double moved = 0;
    for (int i = 0; i < before.length; i++) {
      moved = Math.max(moved, Math.abs(before[i] - stepped[i]));
    }
    assertTrue(moved > 1e-3, "the step changed the output by " + moved);
    int g2 = at(net.summary(), "bn2", "weight");
    for (int c = 0; c < 8; c++) {
      net.parameters()[g2 + c] *= -2;
    }
    double[] written = doubles(ws.forward(floats(x), 0, BATCH, false));
    assertEquals(BATCH * 4, assertClose(reference(net.summary(), doubles(net.parameters()), x,
        BATCH), written, 2e-4, "after a write into parameters()"));
  }

  /** Several threads evaluating one network, each with its own workspace, agree with one. */
  @Test
  void threadsShareTheParametersNotTheFoldedCopy() throws Exception {
    Lamina_FoldNet net = new Lamina_FoldNet();
    System.arraycopy(floats(parameters(net.summary(), 13)), 0, net.parameters(), 0,
        net.parameterCount());
    float[] x = floats(inputs(BATCH, 14));
    float[] expected = net.newWorkspace(BATCH).forward(x, 0, BATCH, false).clone();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<float[]>> runs = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        runs.add(pool.submit(() -> {
          FloatWorkspace ws = net.newWorkspace(BATCH);
          float[] y = null;
          for (int i = 0; i < 200; i++) {
            y = ws.forward(x, 0, BATCH, false);
          }
          return y.clone();
        }));
      }
      for (Future<float[]> f : runs) {
        assertArrayEquals(expected, f.get());
      }
    } finally {
      pool.shutdown();
    }
  }
}
