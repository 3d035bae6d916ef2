package dev.lamina.processor.gen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.palantir.javapoet.JavaFile;
import dev.lamina.dsl.Activation;
import dev.lamina.dsl.Precision;
import dev.lamina.processor.kind.LayerKinds;
import dev.lamina.processor.model.ConvOp;
import dev.lamina.processor.model.Geometry;
import dev.lamina.processor.model.NetworkModel;
import dev.lamina.processor.model.Shape;
import dev.lamina.runtime.FloatNetwork;
import dev.lamina.runtime.FloatWorkspace;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The float convolutions that run on im2col columns ({@link ColumnConv}: strided or asymmetrically
 * padded with at least 8 filters on every JVM; the forward pass of 3×3 patch-row convolutions
 * with at least 8 filters without the Vector API), all three passes against naive double loops
 * written here. The shapes are chosen for the gather's and the scatter's column ranges: padding
 * wider than a tap's reach (a kernel column reading padding only), windows reaching past the last
 * input column, strides and dilations that leave input columns unread, widths not divisible by
 * the stride, and batches that leave the last group of samples short. Without the Vector API a
 * stride-1 convolution takes its input gradient on the columns only when their rows are longer
 * than its patch rows; {@link #inputGradientPath} holds the generator to that choice.
 */
class ColumnPassesTest {
  private static final int RANDOM = 12;
  private static int ran;

  record Case(Shape in, ConvOp op, int batch) {
    @Override
    public String toString() {
      return in + " " + op + " batch " + batch;
    }
  }

  static Stream<Arguments> cases() {
    List<Case> all = new ArrayList<>();
    // SmallResNet's 3×3 shapes at small sizes, stride 1 (patch rows, forward on columns)
    all.add(new Case(Shape.image(8, 7, 5), new ConvOp(8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, false), 3));
    all.add(new Case(Shape.image(9, 6, 6), new ConvOp(9, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, true), 2));
    // 32 channels: patch rows of 288, longer than the columns' rows (the input gradient keeps them)
    all.add(new Case(Shape.image(32, 5, 4), new ConvOp(8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, true), 3));
    // stride 2 on odd and even widths; a 1×1 projection
    all.add(new Case(Shape.image(3, 7, 7), new ConvOp(8, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, false), 5));
    all.add(new Case(Shape.image(2, 6, 8), new ConvOp(10, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, true), 3));
    // one input column, padding 2, stride 2: kernel column 1 reads padding only
    all.add(new Case(Shape.image(2, 3, 1), new ConvOp(8, 3, 3, 1, 2, 1, 2, 1, 2, 1, 1, true), 2));
    // dilation 3, stride 3, asymmetric padding: the last windows reach past the input
    all.add(new Case(Shape.image(2, 9, 11), new ConvOp(12, 3, 2, 3, 3, 0, 2, 4, 3, 3, 3, true), 4));
    SplittableRandom r = new SplittableRandom(4711);
    while (all.size() < 7 + RANDOM) {
      int kh = 1 + r.nextInt(4);
      int kw = 1 + r.nextInt(4);
      int dh = 1 + r.nextInt(2);
      int dw = 1 + r.nextInt(3);
      int sh = 1 + r.nextInt(3);
      int sw = 1 + r.nextInt(3);
      int reachH = dh * (kh - 1);
      int reachW = dw * (kw - 1);
      int ph = r.nextInt(reachH + 1);
      int pw = r.nextInt(reachW + 1);
      int pb = r.nextInt(3) == 0 ? r.nextInt(reachH + 1) : ph;
      int pr = r.nextInt(3) == 0 ? r.nextInt(reachW + 1) : pw;
      int h = 1 + r.nextInt(12);
      int w = 1 + r.nextInt(12);
      if (Geometry.outputSize(h, kh, sh, ph, pb, dh, false) < 1
          || Geometry.outputSize(w, kw, sw, pw, pr, dw, false) < 1
          || sh == 1 && sw == 1 && ph == pb && pw == pr) {
        continue; // stride 1 with symmetric padding runs on the grid at these sizes
      }
      all.add(new Case(Shape.image(1 + r.nextInt(4), h, w), new ConvOp(8 + r.nextInt(9), kh, kw,
          sh, sw, ph, pw, pb, pr, dh, dw, r.nextBoolean()), 1 + r.nextInt(6)));
    }
    return all.stream().map(c -> Arguments.of(Named.of(c.toString(), c)));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void allPassesMatchNaiveLoops(Case c) {
    NetworkModel model = Models.builder("Columns", c.in())
        .add("l", c.op(), Activation.IDENTITY, 0).build();
    Compiled compiled = Compiled.of(model);
    String source = compiled.source(Precision.FLOAT);
    assertTrue(source.contains("private static void lColumns("),
        () -> c + ": expected the forward pass on im2col columns");
    FloatNetwork net = compiled.floatNetwork(5);
    SplittableRandom r = new SplittableRandom(c.hashCode());
    Shape out = model.output();
    int in = (int) c.in().size();
    int os = (int) out.size();
    float[] x = random(r, c.batch() * in);
    float[] p = net.parameters();
    System.arraycopy(random(r, p.length), 0, p, 0, p.length);
    float[] dz = random(r, c.batch() * os);

    FloatWorkspace ws = net.newWorkspace(c.batch());
    ws.setInputGradientEnabled(true);
    ws.zeroGradients();
    float[] z = ws.forward(x, 0, c.batch(), true).clone();
    ws.backward(dz, 0, c.batch());

    int weights = c.op().filters() * c.in().channels() * c.op().kh() * c.op().kw();
    double[] zd = new double[c.batch() * os];
    double[] gd = new double[p.length];
    double[] dxd = new double[c.batch() * in];
    naive(c, out, x, p, dz, zd, gd, dxd, weights);
    near(c, "forward", zd, z, 0, zd.length);
    near(c, "dL/dweight", gd, ws.gradients(), 0, weights);
    if (c.op().bias()) {
      near(c, "dL/dbias", gd, ws.gradients(), weights, p.length);
    }
    near(c, "dL/dx", dxd, ws.inputGradient(), 0, dxd.length);
    ran++;
  }

  /**
   * SmallResNet's 3×3 convolutions without the Vector API: at 16 channels on 14×14 the input
   * gradient runs on columns (groups of 2 samples, rows of 392 positions against patch rows of
   * 144), at 32 channels on 7×7 on patch rows (rows of 196 against 288).
   */
  @Test
  void inputGradientPath() {
    String narrow = floatSource(Shape.image(16, 14, 14), 16);
    assertTrue(narrow.contains("lDataColumns(dx, batch);"), "16 channels: columns");
    assertTrue(narrow.contains("private static void lUncolumns("), "16 channels: scatter");
    assertFalse(narrow.contains("private static void lScatter("), "16 channels: no patch rows");
    String wide = floatSource(Shape.image(32, 7, 7), 32);
    assertFalse(wide.contains("lDataColumns("), "32 channels: patch rows");
    assertTrue(wide.contains("private static void lScatter("), "32 channels: patch rows");
    assertTrue(wide.contains("private static void lColumns("), "32 channels: forward on columns");
  }

  /** The float class of a network of one 3×3 convolution, padding 1, of {@code k} filters. */
  private static String floatSource(Shape in, int k) {
    NetworkModel model = Models.builder("Path", in)
        .add("l", new ConvOp(k, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, false), Activation.IDENTITY, 0)
        .build();
    for (JavaFile f : new NetworkGenerator(LayerKinds.STANDARD::emitterFor).generateAll(model)) {
      if (f.typeSpec().name().equals("Lamina_Path")) {
        return f.toString();
      }
    }
    throw new AssertionError("no float class generated");
  }

  @AfterAll
  static void ranEveryCase() {
    assertEquals(7 + RANDOM, ran, "cases run");
  }

  private static float[] random(SplittableRandom r, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (2 * r.nextDouble() - 1);
    }
    return a;
  }

  /**
   * The three passes in double, one tap at a time with a bounds check: {@code z = conv(x)}, {@code
   * dW[k,c,u,v] = Σ dz[k,i,j]·x[c, i·sh-ph+u·dh, j·sw-pw+v·dw]}, {@code dx[c, …] += Σ
   * W[k,c,u,v]·dz[k,i,j]}, {@code db[k] = Σ dz[k,i,j]}.
   */
  private static void naive(Case c, Shape out, float[] x, float[] p, float[] dz, double[] z,
      double[] g, double[] dx, int weights) {
    ConvOp o = c.op();
    int cin = c.in().channels();
    int h = c.in().height();
    int w = c.in().width();
    int in = (int) c.in().size();
    int os = (int) out.size();
    for (int n = 0; n < c.batch(); n++) {
      for (int k = 0; k < o.filters(); k++) {
        for (int i = 0; i < out.height(); i++) {
          for (int j = 0; j < out.width(); j++) {
            int zi = n * os + (k * out.height() + i) * out.width() + j;
            double s = o.bias() ? p[weights + k] : 0;
            if (o.bias()) {
              g[weights + k] += dz[zi];
            }
            for (int ch = 0; ch < cin; ch++) {
              for (int u = 0; u < o.kh(); u++) {
                for (int v = 0; v < o.kw(); v++) {
                  int row = i * o.sh() - o.ph() + u * o.dh();
                  int col = j * o.sw() - o.pw() + v * o.dw();
                  if (row >= 0 && row < h && col >= 0 && col < w) {
                    int wi = ((k * cin + ch) * o.kh() + u) * o.kw() + v;
                    int xi = n * in + (ch * h + row) * w + col;
                    s += (double) p[wi] * x[xi];
                    g[wi] += (double) dz[zi] * x[xi];
                    dx[xi] += (double) p[wi] * dz[zi];
                  }
                }
              }
            }
            z[zi] = s;
          }
        }
      }
    }
  }

  /** {@code got[from..to)} within 1e-5 of the largest expected magnitude. */
  private static void near(Case c, String what, double[] expected, float[] got, int from,
      int to) {
    double max = 1e-30;
    for (int i = from; i < to; i++) {
      max = Math.max(max, Math.abs(expected[i]));
    }
    for (int i = from; i < to; i++) {
      int at = i;
      double m = max;
      assertTrue(Math.abs(got[i] - expected[i]) <= 1e-5 * max, () -> c + ": " + what + " ["
          + at + "]: expected " + expected[at] + ", got " + got[at] + " (largest " + m + ")");
    }
  }
}
