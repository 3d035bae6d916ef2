package dev.lamina.processor.gen;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.dsl.Activation;
import dev.lamina.dsl.PoolKind;
import dev.lamina.processor.model.Geometry;
import dev.lamina.processor.model.NetworkModel;
import dev.lamina.processor.model.ConvOp;
import dev.lamina.processor.model.PoolOp;
import dev.lamina.processor.model.Op;
import dev.lamina.processor.model.Shape;
import dev.lamina.runtime.DoubleNetwork;
import dev.lamina.runtime.FloatNetwork;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Forward of Conv and Pool against a naive direct implementation written here (nested loops over
 * every output, channel and tap, with a bounds check per tap, in double), on seeded random shapes,
 * strides, paddings and dilations. Both precisions get the same inputs and parameters (rounded to
 * float first for the float network); tolerances are relative to the largest output magnitude:
 * 1e-5 in float, 1e-12 in double.
 */
class NaiveReferenceTest {
  private static final int CONFIGS = 24;

  record Config(Shape in, Op op) {
    @Override
    public String toString() {
      return in + " " + op;
    }
  }

  static Stream<Arguments> convs() {
    SplittableRandom r = new SplittableRandom(2024);
    List<Arguments> out = new ArrayList<>();
    while (out.size() < CONFIGS) {
      int kh = 1 + r.nextInt(r.nextInt(4) == 0 ? 9 : 5);
      int kw = 1 + r.nextInt(r.nextInt(4) == 0 ? 9 : 5);
      int dh = 1 + r.nextInt(3);
      int dw = 1 + r.nextInt(3);
      int sh = 1 + r.nextInt(3);
      int sw = 1 + r.nextInt(3);
      int ph = r.nextInt(dh * (kh - 1) + 1);
      int pw = r.nextInt(dw * (kw - 1) + 1);
      // one in three asymmetric
      boolean asym = r.nextInt(3) == 0;
      int pb = asym ? r.nextInt(dh * (kh - 1) + 1) : ph;
      int pr = asym ? r.nextInt(dw * (kw - 1) + 1) : pw;
      int c = 1 + r.nextInt(3);
      int h = 1 + r.nextInt(16);
      int w = 1 + r.nextInt(16);
      int k = 1 + r.nextInt(4);
      if (Geometry.outputSize(h, kh, sh, ph, pb, dh, false) < 1
          || Geometry.outputSize(w, kw, sw, pw, pr, dw, false) < 1) {
        continue;
      }
      Config cfg = new Config(Shape.image(c, h, w),
          new ConvOp(k, kh, kw, sh, sw, ph, pw, pb, pr, dh, dw, r.nextBoolean()));
      out.add(Arguments.of(Named.of(cfg.toString(), cfg)));
    }
    return out.stream();
  }

  /**
   * Strided or asymmetrically padded convolutions of 8 to 20 filters, which the Vector API runs
   * on im2col columns (the convolutions above have at most 4 filters).
   */
  static Stream<Arguments> wideConvs() {
    SplittableRandom r = new SplittableRandom(2025);
    List<Arguments> out = new ArrayList<>();
    while (out.size() < CONFIGS / 3) {
      int kh = 1 + r.nextInt(5);
      int kw = 1 + r.nextInt(5);
      int dh = 1 + r.nextInt(2);
      int dw = 1 + r.nextInt(2);
      int sh = 1 + r.nextInt(3);
      int sw = 2 + r.nextInt(2);
      int ph = r.nextInt(dh * (kh - 1) + 1);
      int pw = r.nextInt(dw * (kw - 1) + 1);
      int pb = r.nextInt(dh * (kh - 1) + 1);
      int pr = r.nextInt(dw * (kw - 1) + 1);
      int c = 1 + r.nextInt(5);
      int h = 2 + r.nextInt(15);
      int w = 2 + r.nextInt(15);
      if (Geometry.outputSize(h, kh, sh, ph, pb, dh, false) < 1
          || Geometry.outputSize(w, kw, sw, pw, pr, dw, false) < 1) {
        continue;
      }
      Config cfg = new Config(Shape.image(c, h, w), new ConvOp(8 + r.nextInt(13), kh, kw, sh, sw,
          ph, pw, pb, pr, dh, dw, r.nextBoolean()));
      out.add(Arguments.of(Named.of(cfg.toString(), cfg)));
    }
    return out.stream();
  }

  static Stream<Arguments> pools() {
    SplittableRandom r = new SplittableRandom(4048);
    List<Arguments> out = new ArrayList<>();
    PoolKind[] kinds = PoolKind.values();
    while (out.size() < CONFIGS) {
      int kh = 1 + r.nextInt(r.nextInt(4) == 0 ? 9 : 4);
      int kw = 1 + r.nextInt(r.nextInt(4) == 0 ? 9 : 4);
      int sh = 1 + r.nextInt(3);
      int sw = 1 + r.nextInt(3);
      // dilation, ceil mode and padding up to the window minus one (asymmetric) in half the cases
      boolean ext = r.nextBoolean();
      int dh = ext ? 1 + r.nextInt(3) : 1;
      int dw = ext ? 1 + r.nextInt(3) : 1;
      boolean ceil = ext && r.nextBoolean();
      int ph = r.nextInt(ext ? dh * (kh - 1) + 1 : kh / 2 + 1);
      int pw = r.nextInt(ext ? dw * (kw - 1) + 1 : kw / 2 + 1);
      int pb = ext ? r.nextInt(dh * (kh - 1) + 1) : ph;
      int pr = ext ? r.nextInt(dw * (kw - 1) + 1) : pw;
      int c = 1 + r.nextInt(3);
      int h = 1 + r.nextInt(14);
      int w = 1 + r.nextInt(14);
      long oh = Geometry.outputSize(h, kh, sh, ph, pb, dh, ceil);
      long ow = Geometry.outputSize(w, kw, sw, pw, pr, dw, ceil);
      if (oh < 1 || ow < 1 || Geometry.firstEmptyWindow(h, kh, sh, ph, dh, oh) >= 0
          || Geometry.firstEmptyWindow(w, kw, sw, pw, dw, ow) >= 0) {
        continue; // the checker rejects windows that read padding only
      }
      Config cfg = new Config(Shape.image(c, h, w), new PoolOp(kinds[out.size() % 3], kh, kw, sh,
          sw, ph, pw, pb, pr, dh, dw, ceil, r.nextBoolean()));
      out.add(Arguments.of(Named.of(cfg.toString(), cfg)));
    }
    return out.stream();
  }

  @ParameterizedTest
  @MethodSource("convs")
  void convForward(Config cfg) {
    check(cfg);
  }

  @ParameterizedTest
  @MethodSource("wideConvs")
  void wideConvForward(Config cfg) {
    check(cfg);
  }

  @ParameterizedTest
  @MethodSource("pools")
  void poolForward(Config cfg) {
    check(cfg);
  }

  private static void check(Config cfg) {
    NetworkModel model = Models.builder("Naive", cfg.in())
        .add("l", cfg.op(), Activation.IDENTITY, 0).build();
    Compiled compiled = Compiled.of(model);
    FloatNetwork fnet = compiled.floatNetwork(3);
    DoubleNetwork dnet = compiled.doubleNetwork(3);
    SplittableRandom r = new SplittableRandom(cfg.hashCode());
    int batch = 2;
    int inSize = (int) cfg.in().size();
    float[] xf = new float[batch * inSize];
    double[] xd = new double[xf.length];
    for (int i = 0; i < xf.length; i++) {
      xf[i] = (float) (2 * r.nextDouble() - 1);
      xd[i] = xf[i];
    }
    float[] pf = fnet.parameters();
    double[] pd = dnet.parameters();
    for (int i = 0; i < pf.length; i++) {
      pf[i] = (float) (2 * r.nextDouble() - 1);
      pd[i] = pf[i];
    }
    Shape out = model.output();
    double[] expected = new double[batch * (int) out.size()];
    for (int n = 0; n < batch; n++) {
      if (cfg.op() instanceof ConvOp c) {
        naiveConv(c, cfg.in(), out, xd, n * inSize, pd, expected, n * (int) out.size());
      } else {
        naivePool((PoolOp) cfg.op(), cfg.in(), out, xd, n * inSize, pd, expected,
            n * (int) out.size());
      }
    }
    float[] gotF = new float[expected.length];
    fnet.forward(xf, batch, gotF);
    double[] gotD = new double[expected.length];
    dnet.forward(xd, batch, gotD);
    double max = 0;
    for (double e : expected) {
      max = Math.max(max, Math.abs(e));
    }
    for (int i = 0; i < expected.length; i++) {
      int idx = i;
      double m = max;
      assertTrue(Math.abs(gotD[i] - expected[i]) <= 1e-12 * max,
          () -> "double [" + idx + "]: expected " + expected[idx] + ", got " + gotD[idx]);
      assertTrue(Math.abs(gotF[i] - expected[i]) <= 1e-5 * max,
          () -> "float [" + idx + "]: expected " + expected[idx] + ", got " + gotF[idx]
              + " (largest " + m + ")");
    }
  }

  /** y[k,i,j] = b[k] + Σ_c Σ_u Σ_v w[k,c,u,v]·x[c, i·sh-ph+u·dh, j·sw-pw+v·dw], zero outside. */
  static void naiveConv(ConvOp c, Shape in, Shape out, double[] x, int xo, double[] p,
      double[] y, int yo) {
    int cin = in.channels();
    int h = in.height();
    int w = in.width();
    int bias = c.filters() * cin * c.kh() * c.kw();
    for (int k = 0; k < c.filters(); k++) {
      for (int i = 0; i < out.height(); i++) {
        for (int j = 0; j < out.width(); j++) {
          double s = c.bias() ? p[bias + k] : 0;
          for (int ch = 0; ch < cin; ch++) {
            for (int u = 0; u < c.kh(); u++) {
              for (int v = 0; v < c.kw(); v++) {
                int row = i * c.sh() - c.ph() + u * c.dh(); // ph, pw: top and left padding
                int col = j * c.sw() - c.pw() + v * c.dw();
                if (row >= 0 && row < h && col >= 0 && col < w) {
                  s += p[((k * cin + ch) * c.kh() + u) * c.kw() + v]
                      * x[xo + (ch * h + row) * w + col];
                }
              }
            }
          }
          y[yo + (k * out.height() + i) * out.width() + j] = s;
        }
      }
    }
  }

  /** Max (padding never wins), average (divisor kh·kw or in-bounds count), subsample. */
  static void naivePool(PoolOp pl, Shape in, Shape out, double[] x, int xo, double[] p,
      double[] y, int yo) {
    int cin = in.channels();
    int h = in.height();
    int w = in.width();
    for (int ch = 0; ch < cin; ch++) {
      for (int i = 0; i < out.height(); i++) {
        for (int j = 0; j < out.width(); j++) {
          double max = Double.NEGATIVE_INFINITY;
          double sum = 0;
          int count = 0;
          int padded = 0; // taps inside the padded input (a ceil-mode window may reach past it)
          for (int u = 0; u < pl.kh(); u++) {
            for (int v = 0; v < pl.kw(); v++) {
              int row = i * pl.sh() - pl.ph() + u * pl.dh();
              int col = j * pl.sw() - pl.pw() + v * pl.dw();
              if (row >= -pl.ph() && row < h + pl.pb() && col >= -pl.pw() && col < w + pl.pr()) {
                padded++;
              }
              if (row >= 0 && row < h && col >= 0 && col < w) {
                double val = x[xo + (ch * h + row) * w + col];
                max = Math.max(max, val);
                sum += val;
                count++;
              }
            }
          }
          double r = switch (pl.kind()) {
            case MAX -> max;
            case AVG -> sum / (pl.countPadding() ? padded : count);
            case SUBSAMPLE -> p[ch] * sum + p[cin + ch];
          };
          y[yo + (ch * out.height() + i) * out.width() + j] = r;
        }
      }
    }
  }
}
