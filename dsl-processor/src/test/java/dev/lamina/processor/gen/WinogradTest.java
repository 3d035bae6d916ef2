package dev.lamina.processor.gen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.palantir.javapoet.JavaFile;

import dev.lamina.dsl.Activation;
import dev.lamina.dsl.Precision;
import dev.lamina.processor.kind.LayerKinds;
import dev.lamina.processor.model.BatchNormOp;
import dev.lamina.processor.model.ConvOp;
import dev.lamina.processor.model.NetworkModel;
import dev.lamina.processor.model.Node;
import dev.lamina.processor.model.Shape;
import dev.lamina.runtime.FloatNetwork;
import dev.lamina.runtime.FloatWorkspace;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The forward pass and the input gradient of float 3×3 stride-1 convolutions on Winograd F(2×2,
 * 3×3) tiles ({@link WinogradConv}) against a direct convolution in double written here, on even
 * and odd planes
 * (14×14, 13×13, 11×12, 12×13: the last tile row or column half outside), padding 0 and 1, with
 * and without bias, batches of 1, 3, 5 and 64 (groups of two samples, the last one short), and a
 * full batch after a short one in the same workspace (the polyphase planes' zero border laid out
 * for another group size); an inference pass with a batch normalization and its ReLU folded into
 * the convolution; and the plan's choice: SmallResNet's 16-channel 14×14 convolutions take the
 * tiles, its 32-channel 7×7 ones and narrower layers do not. The tiles run without the Vector API
 * only; the run of {@code mvn verify} on the Vector API kernels holds the direct loops to the
 * same reference.
 *
 * <p>Tolerance: Winograd rounds differently from a direct sum. Each transformed value is a sum of
 * at most 16 terms with coefficients of magnitude at most 1, and the result a sum over the
 * channels of 16 such products; the float error stays within a few units of {@code 2⁻²⁴} times
 * the sum of the magnitudes the direct convolution adds ({@code Σ |w|·|x|}, plus the bias). The
 * test allows {@code 1e-5} of that sum (about 170 units), per element; a wrong transform, tile
 * position or rotated tap is off by the order of the sum itself.
 */
class WinogradTest {
  private static int ran;

  record Case(int c, int h, int w, int k, int pad, boolean bias, int batch) {
    @Override
    public String toString() {
      return c + "x" + h + "x" + w + " -> " + k + " pad " + pad + (bias ? " bias" : "")
          + " batch " + batch;
    }

    ConvOp op() {
      return new ConvOp(k, 3, 3, 1, 1, pad, pad, pad, pad, 1, 1, bias);
    }
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        new Case(16, 14, 14, 16, 1, false, 64), new Case(16, 14, 14, 16, 0, true, 1),
        new Case(16, 14, 14, 16, 1, false, 5), new Case(16, 13, 13, 24, 1, true, 2),
        new Case(20, 11, 12, 16, 0, false, 3), new Case(16, 12, 13, 16, 1, true, 64))
        .map(c -> Arguments.of(Named.of(c.toString(), c)));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void forwardAndInputGradientMatchDirectConvolution(Case c) {
    Compiled compiled = Compiled.of(model(c));
    String source = compiled.source(Precision.FLOAT);
    assertTrue(source.contains("private static void lWinoProducts("),
        c + ": forward on tiles");
    assertTrue(source.contains("private static void lWinoBackProducts("),
        c + ": input gradient on tiles");
    FloatNetwork net = compiled.floatNetwork(5);
    SplittableRandom r = new SplittableRandom(c.hashCode());
    float[] p = net.parameters();
    System.arraycopy(random(r, p.length), 0, p, 0, p.length);
    FloatWorkspace ws = net.newWorkspace(64);
    ws.setInputGradientEnabled(true);
    if (c.batch() == 64) { // first a short batch, whose groups lay the planes out closer
      pass(ws, c, 5, r);
    }
    float[] x = random(r, c.batch() * c.c() * c.h() * c.w());
    float[] dz = random(r, c.batch() * c.k() * (c.h() + 2 * c.pad() - 2)
        * (c.w() + 2 * c.pad() - 2));
    ws.zeroGradients();
    float[] z = ws.forward(x, 0, c.batch(), true).clone();
    ws.backward(dz, 0, c.batch());

    Direct d = new Direct(c, p, 0);
    d.forward(x, c.bias() ? c.k() * c.c() * 9 : -1);
    near(c, "forward", d.z, d.zScale, Arrays.copyOf(z, d.z.length));
    d.inputGradient(dz);
    near(c, "dL/dx", d.dx, d.dxScale, Arrays.copyOf(ws.inputGradient(), d.dx.length));
    ran++;
  }

  /** A forward and backward pass of {@code batch} random samples. */
  private static void pass(FloatWorkspace ws, Case c, int batch, SplittableRandom r) {
    ws.zeroGradients();
    ws.forward(random(r, batch * c.c() * c.h() * c.w()), 0, batch, true);
    ws.backward(random(r, batch * c.k() * (c.h() + 2 * c.pad() - 2) * (c.w() + 2 * c.pad() - 2)),
        0, batch);
  }

  /**
   * A convolution without bias followed by a batch normalization with ReLU: in an inference pass
   * the normalization is folded into the convolution's weights and shift, and its ReLU applied as
   * the convolution writes its blocks.
   */
  @Test
  void foldedBatchNormAndReluMatchDirect() {
    Case c = new Case(16, 13, 14, 16, 1, false, 3);
    NetworkModel model = Models.builder("WinoFold", Shape.image(c.c(), c.h(), c.w()))
        .add("l", c.op(), Activation.IDENTITY, 0)
        .add("bn", new BatchNormOp(1e-5, 0.1), Activation.RELU, 0).build();
    Compiled compiled = Compiled.of(model);
    String source = compiled.source(Precision.FLOAT);
    assertTrue(source.contains("private void lWinoOutput("), "forward on tiles, folding");
    assertTrue(source.contains("= Math.max((ye[yq + j * group] + bias), 0.0f)"), "ReLU fused");
    FloatNetwork net = compiled.floatNetwork(7);
    SplittableRandom r = new SplittableRandom(11);
    float[] p = net.parameters();
    System.arraycopy(random(r, p.length), 0, p, 0, p.length);
    Node bn = model.nodes().get(model.indexOf("bn"));
    int gamma = bn.parameter("weight").offset();
    int beta = bn.parameter("bias").offset();
    int mean = bn.parameter("running_mean").offset();
    int var = bn.parameter("running_var").offset();
    for (int k = 0; k < c.k(); k++) {
      p[var + k] = (float) (0.5 + r.nextDouble()); // variances must be positive
    }
    float[] x = random(r, c.batch() * c.c() * c.h() * c.w());
    float[] y = net.newWorkspace(c.batch()).forward(x, 0, c.batch(), false).clone();

    Direct d = new Direct(c, p, 0);
    d.forward(x, -1);
    int plane = d.oh * d.ow;
    double[] expected = new double[d.z.length];
    double[] scale = new double[d.z.length];
    for (int i = 0; i < expected.length; i++) {
      int k = i / plane % c.k();
      double s = p[gamma + k] / Math.sqrt(p[var + k] + 1e-5);
      expected[i] = Math.max(0, s * (d.z[i] - p[mean + k]) + p[beta + k]);
      scale[i] = Math.abs(s) * (d.zScale[i] + Math.abs(p[mean + k])) + Math.abs(p[beta + k]);
    }
    near(c, "folded forward", expected, scale, y);
    ran++;
  }

  /** SmallResNet's 3×3 convolutions: the 16-channel ones on 14×14 take the tiles. */
  @Test
  void planTakesTilesWhereTheyMeasuredFaster() {
    assertTrue(tiles(new Case(16, 14, 14, 16, 1, false, 1), Precision.FLOAT), "16 at 14x14");
    assertFalse(tiles(new Case(32, 7, 7, 32, 1, false, 1), Precision.FLOAT), "32 at 7x7");
    assertFalse(tiles(new Case(8, 14, 14, 8, 1, false, 1), Precision.FLOAT), "8 channels");
    assertFalse(tiles(new Case(16, 14, 14, 16, 1, false, 1), Precision.DOUBLE), "double");
    ran++;
  }

  private static NetworkModel model(Case c) {
    return Models.builder("Wino", Shape.image(c.c(), c.h(), c.w()))
        .add("l", c.op(), Activation.IDENTITY, 0).build();
  }

  /** Whether the class of {@code precision} runs the case's input gradient on tiles. */
  private static boolean tiles(Case c, Precision precision) {
    NetworkModel model = model(c);
    for (JavaFile f : new NetworkGenerator(LayerKinds.STANDARD::emitterFor).generateAll(model)) {
      if (f.typeSpec().name().equals(model.generatedSimpleName(precision))) {
        return f.toString().contains("lWinoProducts(");
      }
    }
    throw new AssertionError("no class generated for " + precision);
  }

  @AfterAll
  static void ranEveryCase() {
    assertEquals(8, ran, "cases run");
  }

  /**
   * The direct convolution in double, one tap at a time with a bounds check: {@code z[n,k,i,j] =
   * b[k] + Σ W[k,c,u,v]·x[n,c,i-p+u,j-p+v]} and {@code dx[n,c,i-p+u,j-p+v] +=
   * W[k,c,u,v]·dz[n,k,i,j]}, with the sums of the terms' magnitudes beside.
   */
  private static final class Direct {
    final Case c;
    final float[] p;
    final int weight;
    final int oh;
    final int ow;
    double[] z;
    double[] zScale;
    double[] dx;
    double[] dxScale;

    Direct(Case c, float[] p, int weight) {
      this.c = c;
      this.p = p;
      this.weight = weight;
      this.oh = c.h() + 2 * c.pad() - 2;
      this.ow = c.w() + 2 * c.pad() - 2;
    }

    /** The forward pass, with the bias at {@code bias} or none for -1. */
    void forward(float[] x, int bias) {
      z = new double[c.batch() * c.k() * oh * ow];
      zScale = new double[z.length];
      walk((zi, xi, wi) -> {
        z[zi] += (double) p[wi] * x[xi];
        zScale[zi] += Math.abs((double) p[wi] * x[xi]);
      });
      for (int i = 0; bias >= 0 && i < z.length; i++) {
        int k = i / (oh * ow) % c.k();
        z[i] += p[bias + k];
        zScale[i] += Math.abs(p[bias + k]);
      }
    }

    void inputGradient(float[] dz) {
      dx = new double[c.batch() * c.c() * c.h() * c.w()];
      dxScale = new double[dx.length];
      walk((zi, xi, wi) -> {
        dx[xi] += (double) p[wi] * dz[zi];
        dxScale[xi] += Math.abs((double) p[wi] * dz[zi]);
      });
    }

    interface Term {
      void add(int zi, int xi, int wi);
    }

    /** Every (output, input, weight) triple of the convolution whose input is not padding. */
    void walk(Term t) {
      for (int n = 0; n < c.batch(); n++) {
        for (int k = 0; k < c.k(); k++) {
          for (int i = 0; i < oh; i++) {
            for (int j = 0; j < ow; j++) {
              int zi = ((n * c.k() + k) * oh + i) * ow + j;
              for (int ch = 0; ch < c.c(); ch++) {
                for (int u = 0; u < 3; u++) {
                  for (int v = 0; v < 3; v++) {
                    int row = i - c.pad() + u;
                    int col = j - c.pad() + v;
                    if (row >= 0 && row < c.h() && col >= 0 && col < c.w()) {
                      t.add(zi, ((n * c.c() + ch) * c.h() + row) * c.w() + col,
                          weight + ((k * c.c() + ch) * 3 + u) * 3 + v);
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }

  private static float[] random(SplittableRandom r, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (2 * r.nextDouble() - 1);
    }
    return a;
  }

  /** Every element within {@code 1e-5} of its sum of magnitudes (and a floor of 1e-8). */
  private static void near(Case c, String what, double[] expected, double[] scale, float[] got) {
    assertEquals(expected.length, got.length, c + ": " + what + " length");
    for (int i = 0; i < expected.length; i++) {
      int at = i;
      double tol = 1e-5 * (scale[i] + 1e-3);
      assertTrue(Math.abs(got[i] - expected[i]) <= tol, () -> c + ": " + what + " [" + at
          + "]: expected " + expected[at] + ", got " + got[at] + " (tolerance " + tol + ")");
    }
  }
}
