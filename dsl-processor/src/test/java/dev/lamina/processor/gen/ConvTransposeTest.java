package dev.lamina.processor.gen;

import static dev.lamina.processor.gen.Models.builder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.dsl.Activation;
import dev.lamina.dsl.Loss;
import dev.lamina.dsl.Precision;
import dev.lamina.processor.kind.LayerKinds;
import dev.lamina.processor.model.AffineOp;
import dev.lamina.processor.model.ConvTransposeOp;
import dev.lamina.processor.model.NetworkModel;
import dev.lamina.processor.model.ReshapeOp;
import dev.lamina.processor.model.Shape;
import dev.lamina.runtime.DoubleNetwork;
import dev.lamina.runtime.DoubleWorkspace;
import dev.lamina.runtime.FloatNetwork;
import dev.lamina.runtime.FloatWorkspace;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Transposed convolution, reshape and binary cross-entropy on logits: double-precision gradient
 * checks of every attribute, and a naive transposed convolution written from its definition
 * (scatter every input value through every tap), against which the forward pass, the input
 * gradient and the weight gradient are compared in both precisions on random shapes (the last
 * one large enough for the Vector API kernels, which the build's second run on a JDK with the
 * Vector API takes).
 */
class ConvTransposeTest {
  /** in C×H×W, filters, kernel {h, w}, stride, padding, output padding, dilation, bias. */
  static Stream<Arguments> shapes() {
    return Stream.of(
        Arguments.of(2, 3, 4, 3, new int[] {3, 3}, 1, 0, 0, 1, true),
        Arguments.of(3, 4, 4, 2, new int[] {4, 4}, 2, 1, 0, 1, true), // DCGAN's up-sampling
        Arguments.of(2, 3, 4, 3, new int[] {3, 3}, 2, 1, 1, 1, true), // output padding
        Arguments.of(3, 3, 3, 2, new int[] {2, 3}, 2, 0, 0, 1, false), // non-square, no bias
        Arguments.of(2, 4, 4, 2, new int[] {3, 3}, 1, 1, 0, 2, true), // dilation
        Arguments.of(1, 3, 2, 4, new int[] {5, 5}, 3, 2, 0, 1, true), // stride 3
        Arguments.of(2, 3, 3, 2, new int[] {3, 3}, 2, 1, 1, 2, true), // dilation > stride's op
        Arguments.of(3, 1, 1, 4, new int[] {4, 4}, 1, 0, 0, 1, false), // DCGAN's 1x1 to 4x4
        Arguments.of(1, 5, 4, 1, new int[] {1, 1}, 1, 0, 0, 1, true), // one channel, one tap
        Arguments.of(8, 3, 3, 8, new int[] {4, 4}, 2, 1, 0, 1, true)); // Vector API kernels
  }

  private static ConvTransposeOp op(int f, int[] k, int s, int p, int o, int d, boolean bias) {
    return new ConvTransposeOp(f, k[0], k[1], s, s, p, p, o, o, d, d, bias);
  }

  @ParameterizedTest
  @MethodSource("shapes")
  void gradientsMatchCentralDifferences(int c, int h, int w, int f, int[] k, int s, int p, int o,
      int d, boolean bias) {
    NetworkModel m = builder("G_convT" + c + h + w + f + k[1] + s + p + o + d,
        Shape.image(c, h, w))
        .add("up", op(f, k, s, p, o, d, bias), Activation.TANH, 0)
        .add("out", new AffineOp(3, true), Activation.IDENTITY, 0)
        .loss(Loss.MSE).build();
    new GradientChecker(m, 2, 29).run(400).assertPassed(0);
  }

  @Test
  void aGeneratorFromNoiseThroughReshapeToALogitWithBinaryCrossEntropy() {
    NetworkModel m = builder("G_gen", Shape.flat(5))
        .add("fc", new AffineOp(18, true), Activation.RELU, 0)
        .add("img", new ReshapeOp(2, 3, 3), Activation.IDENTITY, 0)
        .add("up", op(2, new int[] {4, 4}, 2, 1, 0, 1, true), Activation.TANH, 0)
        .add("logit", new AffineOp(1, true), Activation.IDENTITY, 0)
        .loss(Loss.BCE_WITH_LOGITS).build();
    assertEquals(Shape.image(2, 6, 6), m.nodes().get(2).outputShape());
    new GradientChecker(m, 3, 31).run(400).assertPassed(0.05);
  }

  /** The definition, in double: every input value through every tap, [n][f][oh][ow]. */
  private static double[] naive(double[] x, double[] wt, double[] b, int n, int c, int h, int w,
      ConvTransposeOp op, int oh, int ow) {
    int f = op.filters();
    double[] z = new double[n * f * oh * ow];
    for (int s = 0; s < n; s++) {
      for (int k = 0; k < f; k++) {
        for (int q = 0; q < oh * ow; q++) {
          z[(s * f + k) * oh * ow + q] = b == null ? 0 : b[k];
        }
      }
      for (int ch = 0; ch < c; ch++) {
        for (int i = 0; i < h; i++) {
          for (int j = 0; j < w; j++) {
            double v = x[((s * c + ch) * h + i) * w + j];
            for (int k = 0; k < f; k++) {
              for (int u = 0; u < op.kh(); u++) {
                for (int t = 0; t < op.kw(); t++) {
                  int oy = i * op.sh() - op.ph() + u * op.dh();
                  int ox = j * op.sw() - op.pw() + t * op.dw();
                  if (oy >= 0 && oy < oh && ox >= 0 && ox < ow) {
                    z[((s * f + k) * oh + oy) * ow + ox] +=
                        v * wt[((ch * f + k) * op.kh() + u) * op.kw() + t];
                  }
                }
              }
            }
          }
        }
      }
    }
    return z;
  }

  /**
   * The float variant runs on the column passes when their scratch fits the budget (so the small
   * shapes of the test below check those passes in float, and the direct loops in double); the
   * double variant, and a float layer whose columns would not fit, run the direct loops.
   */
  @Test
  void theFloatVariantTakesTheColumnPassesWhenTheyFit() {
    NetworkGenerator gen = new NetworkGenerator(LayerKinds.STANDARD::emitterFor);
    NetworkModel dcgan = builder("C_dcgan", Shape.image(64, 7, 7))
        .add("up", op(32, new int[] {4, 4}, 2, 1, 0, 1, false), Activation.IDENTITY, 0).build();
    String f = gen.generate(dcgan, Precision.FLOAT).toString();
    assertTrue(f.contains("Kernels.windowProducts(cols, 0, p, UP_WEIGHT, 512, x, xs, 64, 49, 1,"
        + " 1, 0, 0, 7, 7, 7);"), f);
    assertTrue(f.contains("upColumns(dz, zs, cols, 1, 512);"), f);
    assertTrue(f.contains("upColumns(dz, zs, cols, 49, 1);"), f);
    assertFalse(gen.generate(dcgan, Precision.DOUBLE).toString().contains("Columns("));
    // 1,024 input positions by 2,048 taps: four times the budget
    NetworkModel large = builder("C_large", Shape.image(16, 32, 32))
        .add("up", op(128, new int[] {4, 4}, 2, 1, 0, 1, false), Activation.IDENTITY, 0).build();
    String l = gen.generate(large, Precision.FLOAT).toString();
    assertFalse(l.contains("Columns("), l);
    assertTrue(l.contains("z[sr + j * 2] += wt * x[dr + j];"), l);
  }

  @ParameterizedTest
  @MethodSource("shapes")
  void forwardAndGradientsMatchTheDefinitionInBothPrecisions(int c, int h, int w, int f, int[] k,
      int s, int p, int o, int d, boolean bias) {
    ConvTransposeOp op = op(f, k, s, p, o, d, bias);
    NetworkModel m = builder("N_convT" + c + h + w + f + k[1] + s + p + o + d,
        Shape.image(c, h, w)).add("up", op, Activation.IDENTITY, 0).build();
    Shape out = m.nodes().get(0).outputShape();
    assertEquals((h - 1) * s - 2 * p + d * (k[0] - 1) + o + 1, out.height());
    assertEquals((w - 1) * s - 2 * p + d * (k[1] - 1) + o + 1, out.width());
    int n = 2;
    Compiled compiled = Compiled.of(m);
    DoubleNetwork dn = compiled.doubleNetwork(5);
    FloatNetwork fn = compiled.floatNetwork(5);
    double[] params = dn.parameters();
    for (int i = 0; i < params.length; i++) {
      fn.parameters()[i] = (float) params[i];
    }
    int wn = c * f * k[0] * k[1];
    double[] wt = java.util.Arrays.copyOf(params, wn);
    double[] b = bias ? java.util.Arrays.copyOfRange(params, wn, wn + f) : null;
    SplittableRandom r = new SplittableRandom(c * 37 + f);
    double[] x = new double[n * c * h * w];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextDouble(-1, 1);
    }
    double[] dz = new double[n * (int) out.size()];
    for (int i = 0; i < dz.length; i++) {
      dz[i] = (float) r.nextDouble(-1, 1);
    }
    int oh = out.height();
    int ow = out.width();
    double[] want = naive(x, wt, b, n, c, h, w, op, oh, ow);
    double[] wantDx = new double[x.length];
    double[] wantDw = new double[wn];
    for (int i = 0; i < x.length; i++) {
      double[] e = new double[x.length];
      e[i] = 1;
      wantDx[i] = dot(dz, naive(e, wt, null, n, c, h, w, op, oh, ow));
    }
    for (int i = 0; i < wn; i++) {
      double[] e = new double[wn];
      e[i] = 1;
      wantDw[i] = dot(dz, naive(x, e, null, n, c, h, w, op, oh, ow));
    }
    DoubleWorkspace dw = dn.newWorkspace(n);
    dw.setInputGradientEnabled(true);
    double[] got = dw.forward(x, 0, n, true);
    dw.zeroGradients();
    dw.backward(dz, 0, n);
    FloatWorkspace fw = fn.newWorkspace(n);
    fw.setInputGradientEnabled(true);
    float[] gotF = fw.forward(narrow(x), 0, n, true);
    fw.zeroGradients();
    fw.backward(narrow(dz), 0, n);
    for (int i = 0; i < want.length; i++) {
      assertEquals(want[i], got[i], 1e-12, "double z " + i);
      assertEquals(want[i], gotF[i], 1e-5, "float z " + i);
    }
    for (int i = 0; i < x.length; i++) {
      assertEquals(wantDx[i], dw.inputGradient()[i], 1e-12, "double dx " + i);
      assertEquals(wantDx[i], fw.inputGradient()[i], 1e-5, "float dx " + i);
    }
    for (int i = 0; i < wn; i++) {
      assertEquals(wantDw[i], dw.gradients()[i], 1e-11, "double dw " + i);
      assertEquals(wantDw[i], fw.gradients()[i], 1e-4, "float dw " + i);
    }
  }

  private static float[] narrow(double[] x) {
    float[] f = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      f[i] = (float) x[i];
    }
    return f;
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }
}
