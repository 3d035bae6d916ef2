package dev.lamina.processor.gen;

import static dev.lamina.processor.gen.Models.builder;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lamina.dsl.Activation;
import dev.lamina.dsl.Loss;
import dev.lamina.processor.model.AffineOp;
import dev.lamina.processor.model.ConvOp;
import dev.lamina.processor.model.NetworkModel;
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
 * Grouped and depthwise convolution (PyTorch's {@code groups}) and the RELU6 activation:
 * double-precision gradient checks, and a naive direct grouped convolution written here, against
 * which the forward pass, the input gradient and the weight gradient are compared in both
 * precisions on random shapes.
 */
class GroupedConvTest {
  /** in C×H×W, filters, groups, kernel, stride, padding {t, l, b, r}, dilation. */
  static Stream<Arguments> shapes() {
    return Stream.of(
        Arguments.of(4, 5, 6, 6, 2, 3, 1, new int[] {1, 1, 1, 1}, 1, true),
        Arguments.of(3, 6, 5, 3, 3, 3, 1, new int[] {1, 1, 1, 1}, 1, true), // depthwise
        Arguments.of(4, 7, 7, 8, 4, 3, 2, new int[] {1, 1, 1, 1}, 1, false), // depthwise x2
        Arguments.of(6, 5, 5, 4, 2, 2, 1, new int[] {0, 1, 1, 0}, 2, true),
        Arguments.of(2, 6, 7, 2, 2, 5, 3, new int[] {2, 2, 2, 2}, 1, true),
        Arguments.of(6, 4, 4, 3, 3, 1, 1, new int[] {0, 0, 0, 0}, 1, false)); // pointwise
  }

  private static ConvOp op(int f, int g, int k, int s, int[] p, int d, boolean bias) {
    return new ConvOp(f, k, k, s, s, p[0], p[1], p[2], p[3], d, d, bias, g);
  }

  @ParameterizedTest
  @MethodSource("shapes")
  void gradientsMatchCentralDifferences(int c, int h, int w, int f, int g, int k, int s,
      int[] p, int d, boolean bias) {
    NetworkModel m = builder("G_gconv" + c + h + w + f + g, Shape.image(c, h, w))
        .add("conv", op(f, g, k, s, p, d, bias), Activation.TANH, 0)
        .add("out", new AffineOp(3, true), Activation.IDENTITY, 0)
        .loss(Loss.MSE).build();
    new GradientChecker(m, 2, 17).run(400).assertPassed(0);
  }

  @Test
  void relu6GradientsMatchAwayFromItsKinks() {
    NetworkModel m = builder("G_relu6", Shape.image(4, 5, 5))
        .add("dw", op(4, 4, 3, 1, new int[] {1, 1, 1, 1}, 1, true), Activation.RELU6, 0)
        .add("out", new AffineOp(3, true), Activation.IDENTITY, 0)
        .loss(Loss.MSE).build();
    new GradientChecker(m, 2, 23).run(400).assertPassed(0.05);
  }

  /** The convolution by its definition, in double: [n][f][oh][ow]. */
  private static double[] naiveForward(double[] x, double[] wt, double[] b, int n, int c, int h,
      int w, ConvOp op, int oh, int ow) {
    int f = op.filters();
    int cg = c / op.groups();
    int fg = f / op.groups();
    double[] z = new double[n * f * oh * ow];
    for (int s = 0; s < n; s++) {
      for (int k = 0; k < f; k++) {
        for (int oy = 0; oy < oh; oy++) {
          for (int ox = 0; ox < ow; ox++) {
            double acc = b == null ? 0 : b[k];
            for (int cl = 0; cl < cg; cl++) {
              int ch = k / fg * cg + cl;
              for (int u = 0; u < op.kh(); u++) {
                for (int v = 0; v < op.kw(); v++) {
                  int iy = oy * op.sh() - op.ph() + u * op.dh();
                  int ix = ox * op.sw() - op.pw() + v * op.dw();
                  if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                    acc += wt[((k * cg + cl) * op.kh() + u) * op.kw() + v]
                        * x[((s * c + ch) * h + iy) * w + ix];
                  }
                }
              }
            }
            z[((s * f + k) * oh + oy) * ow + ox] = acc;
          }
        }
      }
    }
    return z;
  }

  @ParameterizedTest
  @MethodSource("shapes")
  void forwardAndGradientsMatchTheDefinitionInBothPrecisions(int c, int h, int w, int f, int g,
      int k, int s, int[] p, int d, boolean bias) {
    ConvOp op = op(f, g, k, s, p, d, bias);
    NetworkModel m = builder("N_gconv" + c + h + w + f + g, Shape.image(c, h, w))
        .add("conv", op, Activation.IDENTITY, 0).build();
    Shape out = m.nodes().get(0).outputShape();
    int n = 2;
    Compiled compiled = Compiled.of(m);
    DoubleNetwork dn = compiled.doubleNetwork(5);
    FloatNetwork fn = compiled.floatNetwork(5);
    double[] params = dn.parameters();
    for (int i = 0; i < params.length; i++) {
      fn.parameters()[i] = (float) params[i];
    }
    int wn = f * (c / g) * k * k;
    double[] wt = java.util.Arrays.copyOf(params, wn);
    double[] b = bias ? java.util.Arrays.copyOfRange(params, wn, wn + f) : null;
    SplittableRandom r = new SplittableRandom(c * 31 + f);
    double[] x = new double[n * c * h * w];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextDouble(-1, 1);
    }
    double[] dz = new double[n * (int) out.size()];
    for (int i = 0; i < dz.length; i++) {
      dz[i] = (float) r.nextDouble(-1, 1);
    }
    double[] want = naiveForward(x, wt, b, n, c, h, w, op, out.height(), out.width());
    // dL/dx and dL/dw of L = Σ dz·z, by the definition: z is linear in x and in w.
    double[] wantDx = new double[x.length];
    double[] wantDw = new double[wn];
    for (int i = 0; i < x.length; i++) {
      double[] e = new double[x.length];
      e[i] = 1;
      wantDx[i] = dot(dz, naiveForward(e, wt, null, n, c, h, w, op, out.height(), out.width()));
    }
    for (int i = 0; i < wn; i++) {
      double[] e = new double[wn];
      e[i] = 1;
      wantDw[i] = dot(dz, naiveForward(x, e, null, n, c, h, w, op, out.height(), out.width()));
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

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  private static float[] narrow(double[] x) {
    float[] f = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      f[i] = (float) x[i];
    }
    return f;
  }

  @Test
  void relu6MatchesItsDefinition() {
    NetworkModel m = builder("N_relu6", Shape.flat(7))
        .add("l", new AffineOp(7, false), Activation.RELU6, 0).build();
    Compiled compiled = Compiled.of(m);
    DoubleNetwork dn = compiled.doubleNetwork(1);
    double[] w = dn.parameters();
    java.util.Arrays.fill(w, 0);
    for (int i = 0; i < 7; i++) {
      w[i * 7 + i] = 1; // identity, so the layer is the activation alone
    }
    double[] x = {-1, 0, 0.5, 5.999, 6, 6.5, 3};
    double[] dy = {1, 2, 3, 4, 5, 6, 7};
    DoubleWorkspace ws = dn.newWorkspace(1);
    ws.setInputGradientEnabled(true);
    double[] y = ws.forward(x, 0, 1, true);
    ws.backward(dy, 0, 1);
    double[] wantY = {0, 0, 0.5, 5.999, 6, 6, 3};
    double[] wantDx = {0, 0, 3, 4, 0, 0, 7};
    for (int i = 0; i < 7; i++) {
      assertEquals(wantY[i], y[i], 0, "y " + i);
      assertEquals(wantDx[i], ws.inputGradient()[i], 0, "dx " + i);
    }
  }
}
