package dev.lamina.tests.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.runtime.DoubleNetwork;
import dev.lamina.runtime.DoubleWorkspace;
import dev.lamina.runtime.FloatNetwork;
import dev.lamina.runtime.FloatWorkspace;
import dev.lamina.runtime.ParameterTensor;
import dev.lamina.runtime.kernel.Kernels;
import dev.lamina.tests.nets.Lamina_LeNet5;
import dev.lamina.tests.nets.Lamina_LeNet5_F64;
import dev.lamina.tests.nets.Lamina_PatchConvs;
import dev.lamina.tests.nets.Lamina_PatchConvs_F64;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Checks of the convolution kernels against independent references, run by {@link KernelsTest}
 * in the test JVM (the plain path on JDK 17) and by {@link #main} in a JDK 21+ JVM with the Vector
 * API (the vector path).
 */
final class KernelChecks {
  private KernelChecks() {}

  /** Lengths around one and two vectors of every species, and the LeNet-5 rows. */
  private static final int[] LENGTHS = {1, 3, 7, 8, 15, 16, 17, 31, 32, 33, 47, 63, 64, 65, 100,
      136, 150};

  /**
   * Runs every check and exits 0, or prints the failure and exits 1. {@code args[0]} is the
   * backend this JVM must be using.
   */
  public static void main(String[] args) {
    try {
      assertEquals(args[0], Kernels.BACKEND, "kernel backend");
      accumulateMatchesDirectSums();
      accumulateLeavesOtherValuesAlone();
      dotsMatchDirectSums();
      dotsAreReproducible();
      accumulateRowMatchesDirectSums();
      accumulateWindowsMatchesDirectSums();
      dotsWindowsMatchDirectSums();
      dotsWindowsOfManyRowsMatchDirectSums();
      rowDotsAndOuterMatchDirectSums();
      outerWindowsMatchesDirectSums();
      windowProductsMatchDirectSums();
      addWindowProductsMatchesDirectSums();
      maxPool2x2MatchesDirectMaxima();
      sumMatchesDirectSums();
      batchNormReductionsMatchDirectSums();
      maskedDotAndSumMatchesDirectSums();
      outputDoesNotDependOnTheBatch();
      floatLeNetAgreesWithDouble(64);
      floatLeNetAgreesWithDouble(7);
      floatLeNetAgreesWithDouble(2);
      floatPatchConvsAgreeWithDouble(9);
      System.out.println("kernel checks passed on the " + Kernels.BACKEND + " kernels, Java "
          + Runtime.version());
      System.exit(0);
    } catch (Throwable e) {
      e.printStackTrace(System.out);
      System.exit(1);
    }
  }

  /**
   * {@code accumulate} against direct double sums for 1 to 14 outputs (every block and remainder
   * of the vector kernel: sixes, fours, then threes for the last six or nine), 1 to 13 rows,
   * forward and reversed coefficient strides.
   */
  static void accumulateMatchesDirectSums() {
    SplittableRandom r = new SplittableRandom(17);
    for (int outCount : new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}) {
      for (int sumCount : new int[] {1, 2, 4, 5, 6, 11, 13}) {
        for (int len : LENGTHS) {
          boolean reversed = r.nextBoolean();
          int outStride = sumCount + r.nextInt(3);
          int sumStride = reversed ? -1 : 1;
          int coefOff = 3 + (reversed ? sumCount - 1 : 0);
          float[] coef = random(coefOff + outCount * outStride + sumCount + 3, r);
          float[][] rows = new float[sumCount][];
          for (int s = 0; s < sumCount; s++) {
            rows[s] = random(len, r);
          }
          float[][] out = new float[outCount][];
          double[][] expected = new double[outCount][len];
          for (int o = 0; o < outCount; o++) {
            out[o] = random(len, r);
            for (int i = 0; i < len; i++) {
              double e = out[o][i];
              for (int s = 0; s < sumCount; s++) {
                e += (double) coef[coefOff + o * outStride + s * sumStride] * rows[s][i];
              }
              expected[o][i] = e;
            }
          }
          Kernels.accumulate(out, outCount, rows, sumCount, coef, coefOff, outStride, sumStride,
              len);
          for (int o = 0; o < outCount; o++) {
            for (int i = 0; i < len; i++) {
              assertClose(expected[o][i], out[o][i], sumCount + 1, "accumulate: out " + o + " of "
                  + outCount + ", rows " + sumCount + ", len " + len + ", i " + i);
            }
          }
        }
      }
    }
  }

  /** Positions at and beyond {@code len}, and outputs beyond {@code outCount}, stay unchanged. */
  static void accumulateLeavesOtherValuesAlone() {
    for (int len : LENGTHS) {
      float[][] out = new float[6][len + 20];
      float[][] rows = new float[3][len + 20];
      for (float[] row : rows) {
        Arrays.fill(row, 1);
      }
      float[] coef = new float[15];
      Arrays.fill(coef, 2);
      Kernels.accumulate(out, 5, rows, 3, coef, 0, 3, 1, len);
      for (int o = 0; o < 6; o++) {
        for (int i = 0; i < len + 20; i++) {
          assertEquals(o < 5 && i < len ? 6f : 0f, out[o][i],
              "accumulate, len " + len + ": out[" + o + "][" + i + "]");
        }
      }
    }
  }

  /** {@code accumulateRow} against direct double sums, rows as slices of one flat array. */
  static void accumulateRowMatchesDirectSums() {
    SplittableRandom r = new SplittableRandom(31);
    for (int sumCount : new int[] {1, 2, 5, 13, 84}) {
      for (int len : LENGTHS) {
        int rowStride = len + r.nextInt(3);
        int rowOff = 5;
        float[] rows = random(rowOff + sumCount * rowStride + 5, r);
        float[] coef = random(sumCount + 7, r);
        float[] out = random(len + 9, r);
        double[] expected = new double[out.length];
        for (int i = 0; i < out.length; i++) {
          expected[i] = out[i];
          if (i < len) {
            for (int s = 0; s < sumCount; s++) {
              expected[i] += (double) coef[3 + s] * rows[rowOff + s * rowStride + i];
            }
          }
        }
        Kernels.accumulateRow(out, rows, rowOff, rowStride, sumCount, coef, 3, len);
        for (int i = 0; i < out.length; i++) {
          assertClose(expected[i], out[i], sumCount + 1,
              "accumulateRow: rows " + sumCount + ", len " + len + ", i " + i);
        }
      }
    }
  }

  /** {@code accumulateWindows} against direct double sums over the windows of a random plane. */
  static void accumulateWindowsMatchesDirectSums() {
    SplittableRandom r = new SplittableRandom(41);
    for (int kh = 1; kh <= 5; kh += 2) {
      for (int kw = 1; kw <= 9; kw += 4) {
        for (int outCount : new int[] {1, 3, 6}) {
          int rowStep = kw + 3 + r.nextInt(20);
          int colStep = 1 + r.nextInt(2);
          int len = 1 + r.nextInt(70);
          int base = r.nextInt(5);
          int extent = base + (kh - 1) * rowStep + (kw - 1) * colStep + len;
          float[] src = random(extent, r);
          float[] coef = random(outCount * kh * kw + 2, r);
          float[][] out = new float[outCount][];
          double[][] expected = new double[outCount][len];
          for (int o = 0; o < outCount; o++) {
            out[o] = random(len, r);
            for (int i = 0; i < len; i++) {
              double e = out[o][i];
              for (int u = 0; u < kh; u++) {
                for (int v = 0; v < kw; v++) {
                  e += (double) coef[1 + o * kh * kw + u * kw + v]
                      * src[base + u * rowStep + v * colStep + i];
                }
              }
              expected[o][i] = e;
            }
          }
          Kernels.accumulateWindows(out, outCount, src, base, kh, kw, rowStep, colStep, coef, 1,
              kh * kw, 1, len);
          for (int o = 0; o < outCount; o++) {
            for (int i = 0; i < len; i++) {
              assertClose(expected[o][i], out[o][i], kh * kw + 1, "accumulateWindows " + kh + "x"
                  + kw + ", out " + o + ", len " + len + ", i " + i);
            }
          }
        }
      }
    }
  }

  /** {@code dotsWindows} against direct double sums over the windows of a random plane. */
  static void dotsWindowsMatchDirectSums() {
    SplittableRandom r = new SplittableRandom(43);
    for (int kh = 1; kh <= 5; kh += 2) {
      for (int kw = 1; kw <= 9; kw += 4) {
        for (int len : LENGTHS) {
          int rowStep = kw + 3 + r.nextInt(20);
          int colStep = 1 + r.nextInt(2);
          int base = r.nextInt(5);
          float[] src = random(base + (kh - 1) * rowStep + (kw - 1) * colStep + len, r);
          float[] dz = random(len, r);
          float[] grad = random(kh * kw + 3, r);
          double[] expected = new double[grad.length];
          for (int t = 0; t < grad.length; t++) {
            expected[t] = grad[t];
          }
          for (int u = 0; u < kh; u++) {
            for (int v = 0; v < kw; v++) {
              for (int i = 0; i < len; i++) {
                expected[2 + u * kw + v] +=
                    (double) dz[i] * src[base + u * rowStep + v * colStep + i];
              }
            }
          }
          Kernels.dotsWindows(dz, src, base, kh, kw, rowStep, colStep, grad, 2, len);
          for (int t = 0; t < grad.length; t++) {
            assertClose(expected[t], grad[t], len + 1,
                "dotsWindows " + kh + "x" + kw + ", len " + len + ", grad " + t);
          }
        }
      }
    }
  }

  /**
   * {@code dotsWindows} over several dz rows at once (blocks of three rows by four taps and every
   * remainder, lengths with and without a partial last vector) against direct double sums.
   */
  static void dotsWindowsOfManyRowsMatchDirectSums() {
    SplittableRandom r = new SplittableRandom(67);
    int[][] kernels = {{1, 1}, {2, 4}, {3, 3}, {5, 5}};
    for (int[] k : kernels) {
      int kh = k[0];
      int kw = k[1];
      int taps = kh * kw;
      for (int rows : new int[] {1, 2, 3, 4, 6, 7}) {
        for (int len : LENGTHS) {
          int rowStep = kw + 2 + r.nextInt(9);
          int colStep = 1 + r.nextInt(2);
          int base = r.nextInt(5);
          float[] src = random(base + (kh - 1) * rowStep + (kw - 1) * colStep + len, r);
          float[][] dz = new float[rows][];
          for (int q = 0; q < rows; q++) {
            dz[q] = random(len, r);
          }
          int gradStride = taps + r.nextInt(3);
          float[] grad = random(2 + rows * gradStride, r);
          double[] expected = widen(grad);
          for (int q = 0; q < rows; q++) {
            for (int u = 0; u < kh; u++) {
              for (int v = 0; v < kw; v++) {
                for (int i = 0; i < len; i++) {
                  expected[2 + q * gradStride + u * kw + v] +=
                      (double) dz[q][i] * src[base + u * rowStep + v * colStep + i];
                }
              }
            }
          }
          Kernels.dotsWindows(dz, rows, src, base, kh, kw, rowStep, colStep, grad, 2, gradStride,
              len);
          for (int i = 0; i < grad.length; i++) {
            assertClose(expected[i], grad[i], len + 1, "dotsWindows of " + rows + " rows, " + kh
                + "x" + kw + ", len " + len + ", grad " + i);
          }
        }
      }
    }
  }

  /** {@code rowDots} and {@code outer} against direct double sums, rows in one flat array. */
  static void rowDotsAndOuterMatchDirectSums() {
    SplittableRandom r = new SplittableRandom(47);
    for (int rowCount : new int[] {1, 3, 4, 5, 9, 84}) {
      for (int len : LENGTHS) {
        int rowStride = len + r.nextInt(3);
        float[] rows = random(7 + rowCount * rowStride, r);
        float[] v = random(len + 4, r);
        float[] out = random(rowCount + 5, r);
        double[] expected = widen(out);
        for (int k = 0; k < rowCount; k++) {
          for (int i = 0; i < len; i++) {
            expected[2 + k] += (double) rows[7 + k * rowStride + i] * v[3 + i];
          }
        }
        Kernels.rowDots(out, 2, rows, 7, rowStride, rowCount, v, 3, len);
        for (int i = 0; i < out.length; i++) {
          assertClose(expected[i], out[i], len + 1,
              "rowDots: rows " + rowCount + ", len " + len + ", out " + i);
        }
        float[] x = random(rowCount + 2, r);
        float[] g = random(5 + rowCount * len + 5, r);
        double[] eg = new double[g.length];
        for (int i = 0; i < g.length; i++) {
          eg[i] = g[i];
        }
        for (int k = 0; k < rowCount; k++) {
          for (int i = 0; i < len; i++) {
            eg[5 + k * len + i] += (double) x[1 + k] * v[3 + i];
          }
        }
        Kernels.outer(g, 5, x, 1, rowCount, v, 3, len);
        for (int i = 0; i < g.length; i++) {
          assertClose(eg[i], g[i], 2, "outer: rows " + rowCount + ", len " + len + ", g " + i);
        }
      }
    }
  }

  /**
   * A sample's output is the same, bit for bit, whether it is forwarded alone, in a batch of 3 or
   * in a batch of 64 (the paths for few samples and for blocks of samples agree).
   */
  static void outputDoesNotDependOnTheBatch() {
    Lamina_LeNet5 net = new Lamina_LeNet5(3);
    SplittableRandom r = new SplittableRandom(37);
    float[] x = new float[64 * 784];
    for (int i = 0; i < x.length; i++) {
      x[i] = r.nextFloat();
    }
    float[] all = net.newWorkspace(64).forward(x, 0, 64, false).clone();
    FloatWorkspace three = net.newWorkspace(3);
    FloatWorkspace one = net.newWorkspace(1);
    for (int n = 0; n < 64; n++) {
      float[] alone = one.forward(x, n * 784, 1, false);
      for (int o = 0; o < 10; o++) {
        assertEquals(all[n * 10 + o], alone[o], "sample " + n + " alone, output " + o);
      }
    }
    for (int n = 0; n + 3 <= 64; n += 3) {
      float[] out = three.forward(x, n * 784, 3, false);
      for (int o = 0; o < 30; o++) {
        assertEquals(all[n * 10 + o], out[o], "samples " + n + ".." + (n + 2) + ", output " + o);
      }
    }
  }

  /** {@code dots} against direct double sums, for tap counts around the vector kernel's blocks. */
  static void dotsMatchDirectSums() {
    SplittableRandom r = new SplittableRandom(23);
    for (int tapCount : new int[] {1, 3, 4, 5, 8, 9, 25}) {
      for (int len : LENGTHS) {
        float[] dz = random(len + 5, r);
        float[][] taps = new float[tapCount][];
        for (int t = 0; t < tapCount; t++) {
          taps[t] = random(len + 5, r);
        }
        float[] grad = random(tapCount + 4, r);
        double[] expected = new double[grad.length];
        for (int g = 0; g < grad.length; g++) {
          expected[g] = grad[g];
        }
        for (int t = 0; t < tapCount; t++) {
          for (int i = 0; i < len; i++) {
            expected[2 + t] += (double) dz[i] * taps[t][i];
          }
        }
        Kernels.dots(dz, taps, tapCount, grad, 2, len);
        for (int g = 0; g < grad.length; g++) {
          assertClose(expected[g], grad[g], len + 1,
              "dots: taps " + tapCount + ", len " + len + ", grad " + g);
        }
      }
    }
  }

  /** The same dot products, computed again and again (interpreted, then JIT-compiled), agree bit for bit. */
  static void dotsAreReproducible() {
    SplittableRandom r = new SplittableRandom(29);
    float[] dz = random(150, r);
    float[][] taps = new float[7][];
    for (int t = 0; t < 7; t++) {
      taps[t] = random(150, r);
    }
    float[] first = new float[7];
    Kernels.dots(dz, taps, 7, first, 0, 150);
    for (int rep = 0; rep < 20_000; rep++) {
      float[] again = new float[7];
      Kernels.dots(dz, taps, 7, again, 0, 150);
      assertTrue(Arrays.equals(first, again), "dots: run " + rep + " differs");
    }
  }

  /**
   * The float LeNet-5 (its convolutions and dense layers on this JVM's kernels) against its double
   * twin (always the plain loops): loss, every parameter gradient, the input gradient. Batch 7
   * leaves partial blocks of samples in every batched product.
   */
  static void floatLeNetAgreesWithDouble(int batch) {
    floatAgreesWithDouble(new Lamina_LeNet5(11), new Lamina_LeNet5_F64(11), batch);
  }

  /**
   * As {@link #floatLeNetAgreesWithDouble} for convolutions whose gradients run on patch rows
   * zero-padded, dilated, and with a channel count that is not a whole number of vectors.
   */
  static void floatPatchConvsAgreeWithDouble(int batch) {
    floatAgreesWithDouble(new Lamina_PatchConvs(3), new Lamina_PatchConvs_F64(3), batch);
  }

  private static void floatAgreesWithDouble(FloatNetwork f, DoubleNetwork d, int batch) {
    int in = f.summary().inputSize();
    float[] fp = f.parameters();
    double[] dp = d.parameters();
    for (int i = 0; i < fp.length; i++) {
      dp[i] = fp[i];
    }
    SplittableRandom r = new SplittableRandom(5);
    float[] xf = new float[batch * in];
    double[] xd = new double[xf.length];
    for (int i = 0; i < xf.length; i++) {
      xf[i] = r.nextFloat();
      xd[i] = xf[i];
    }
    int[] labels = new int[batch];
    for (int n = 0; n < batch; n++) {
      labels[n] = r.nextInt(10);
    }
    FloatWorkspace fw = f.newWorkspace(batch);
    DoubleWorkspace dw = d.newWorkspace(batch);
    fw.setInputGradientEnabled(true);
    dw.setInputGradientEnabled(true);
    for (int step = 0; step < 3; step++) {
      fw.zeroGradients();
      dw.zeroGradients();
      double lf = fw.lossAndGradients(xf, 0, labels, 0, batch, 1f / batch);
      double ld = dw.lossAndGradients(xd, 0, labels, 0, batch, 1.0 / batch);
      assertTrue(Math.abs(lf - ld) <= 1e-5 * Math.abs(ld),
          "batch " + batch + ": loss " + lf + " vs " + ld);
    }
    float[] gf = fw.gradients();
    double[] gd = dw.gradients();
    for (ParameterTensor t : f.summary().parameterTensors()) {
      assertRelative(gf, gd, t.offset(), t.size(),
          "batch " + batch + ": " + t.layer() + "." + t.name());
    }
    assertRelative(fw.inputGradient(), dw.inputGradient(), 0, xf.length,
        "batch " + batch + ": input gradient");
  }

  /** A convolution's windows: input channels, kernel, dilation and output size. */
  private record Win(int channels, int kh, int kw, int dh, int dw, int oh, int ow) {
    int taps() {
      return channels * kh * kw;
    }

    /** A row step between input rows wide enough for every window row, plus {@code slack}. */
    int posRowStep(int slack) {
      return ow + (kw - 1) * dw + slack;
    }

    /**
     * Every tap {@code t = (c·kh + u)·kw + v} at every window position {@code q = i·ow + j}, with
     * the index of the value under it: {@code base + c·planeStep + u·rowStep + v·dw +
     * i·posRowStep + j}.
     */
    void forEachTap(int base, int planeStep, int rowStep, int posRowStep, TapVisitor visit) {
      for (int c = 0; c < channels; c++) {
        for (int u = 0; u < kh; u++) {
          for (int v = 0; v < kw; v++) {
            int t = (c * kh + u) * kw + v;
            for (int i = 0; i < oh; i++) {
              for (int j = 0; j < ow; j++) {
                visit.at(t, i * ow + j,
                    base + c * planeStep + u * rowStep + v * dw + i * posRowStep + j);
              }
            }
          }
        }
      }
    }
  }

  private interface TapVisitor {
    void at(int tap, int position, int index);
  }

  /**
   * LeNet-5's c3, dilated windows, window rows shorter and longer than one or two vectors, channel
   * counts that fill blocks of four and three and leave one over.
   */
  private static final Win[] WINDOWS = {new Win(1, 1, 1, 1, 1, 1, 1),
      new Win(6, 5, 5, 1, 1, 10, 10), new Win(3, 3, 3, 2, 2, 4, 17), new Win(2, 5, 3, 1, 2, 3, 33),
      new Win(1, 2, 4, 3, 1, 5, 16), new Win(4, 3, 1, 1, 1, 2, 7), new Win(5, 3, 3, 1, 1, 6, 6),
      new Win(9, 2, 2, 1, 1, 3, 20)};

  /**
   * {@code outerWindows} against direct double sums: channel counts around one, two and three
   * vectors of 16 lanes (blocks of two vectors by six taps, of one vector by six, masked
   * remainders), tap counts with and without a remainder, dilated windows, window rows shorter
   * and longer than a vector.
   */
  static void outerWindowsMatchesDirectSums() {
    SplittableRandom r = new SplittableRandom(59);
    for (Win w : WINDOWS) {
      int channels = w.channels();
      int kh = w.kh();
      int kw = w.kw();
      int oh = w.oh();
      int ow = w.ow();
      int posRowStep = w.posRowStep(r.nextInt(3));
      int rowStep = w.dh() * posRowStep;
      int colStep = w.dw();
      int planeStep = (oh + (kh - 1) * w.dh()) * posRowStep + r.nextInt(3);
      int base = r.nextInt(4);
      for (int len : new int[] {1, 6, 16, 20, 32, 33, 48}) {
        float[] src = random(base + channels * planeStep, r);
        int dzOff = r.nextInt(3);
        float[] dzT = random(dzOff + oh * ow * len, r);
        float[] out = random(2 + w.taps() * len, r);
        double[] expected = widen(out);
        w.forEachTap(base, planeStep, rowStep, posRowStep, (t, q, at) -> {
          for (int k = 0; k < len; k++) {
            expected[2 + t * len + k] += (double) src[at] * dzT[dzOff + q * len + k];
          }
        });
        Kernels.outerWindows(out, 2, dzT, dzOff, len, src, base, channels, planeStep, kh, kw,
            rowStep, colStep, oh, ow, posRowStep);
        for (int i = 0; i < out.length; i++) {
          assertClose(expected[i], out[i], oh * ow + 1, "outerWindows " + w
              + ", channels " + len + ", element " + i);
        }
      }
    }
  }

  /**
   * {@code windowProducts} against direct double sums: channel counts around one, two and three
   * vectors of 16 lanes (blocks of two vectors by six positions, of one vector by twelve, masked
   * remainders), position counts with and without a remainder of six, twelve and four, dilated
   * windows.
   */
  static void windowProductsMatchDirectSums() {
    SplittableRandom r = new SplittableRandom(71);
    for (Win w : WINDOWS) {
      int posRowStep = w.posRowStep(r.nextInt(3));
      int rowStep = w.dh() * posRowStep;
      int planeStep = (w.oh() + (w.kh() - 1) * w.dh()) * posRowStep + r.nextInt(3);
      int base = r.nextInt(4);
      int positions = w.oh() * w.ow();
      for (int len : new int[] {1, 6, 16, 20, 32, 33, 48}) {
        float[] src = random(base + w.channels() * planeStep, r);
        int wOff = r.nextInt(3);
        float[] wT = random(wOff + w.taps() * len, r);
        float[] out = random(3 + positions * len, r);
        double[] expected = widen(out);
        w.forEachTap(base, planeStep, rowStep, posRowStep, (t, q, at) -> {
          for (int k = 0; k < len; k++) {
            expected[3 + q * len + k] += (double) src[at] * wT[wOff + t * len + k];
          }
        });
        Kernels.windowProducts(out, 3, wT, wOff, len, src, base, w.channels(), planeStep,
            w.kh(), w.kw(), rowStep, w.dw(), w.oh(), w.ow(), posRowStep);
        for (int i = 0; i < out.length; i++) {
          assertClose(expected[i], out[i], w.taps() + 1, "windowProducts " + w + ", channels "
              + len + ", element " + i);
        }
      }
    }
  }

  /**
   * {@code addWindowProducts} against direct double sums over the whole destination (values
   * outside the windows unchanged): output channel counts of one, three and sixteen, row steps
   * that are and are not whole window rows, and planes closer than their runs: less than one,
   * between one and two, and at least two vectors of 16 lanes apart (below two vectors no two
   * channels may share a block, which loads each of them before storing any).
   */
  static void addWindowProductsMatchesDirectSums() {
    SplittableRandom r = new SplittableRandom(61);
    int[] close = {0, 15, 16, 17, 31, 32, 33};
    for (Win w : WINDOWS) {
      for (int variant = 0; variant < 2 + close.length; variant++) {
        boolean wholeRows = variant % 2 == 0;
        boolean overlapping = variant >= 2;
        int posRowStep = w.posRowStep(r.nextInt(3));
        int rowStep = w.dh() * posRowStep + (wholeRows ? 0 : 1);
        int span = (w.kh() - 1) * rowStep + (w.oh() - 1) * posRowStep + w.posRowStep(0);
        int near = overlapping ? close[variant - 2] : 0;
        int planeStep = !overlapping ? span + r.nextInt(3) : near > 0 ? near : 1 + r.nextInt(15);
        int base = r.nextInt(4);
        float[] dst = random(base + (w.channels() - 1) * planeStep + span + 5, r);
        double[] expected = widen(dst);
        for (int k : new int[] {1, 3, 16}) {
          int dzOff = r.nextInt(3);
          float[] dz = random(dzOff + k * w.oh() * w.ow(), r);
          int wOff = r.nextInt(4);
          int kStride = w.taps() + r.nextInt(3);
          float[] wt = random(wOff + k * kStride, r);
          w.forEachTap(base, planeStep, rowStep, posRowStep, (t, q, at) -> {
            for (int s = 0; s < k; s++) {
              expected[at] += (double) wt[wOff + s * kStride + t] * dz[dzOff + s * w.oh() * w.ow() + q];
            }
          });
          Kernels.addWindowProducts(dst, base, w.channels(), planeStep, w.kh(), w.kw(), rowStep,
              w.dw(), w.oh(), w.ow(), posRowStep, dz, dzOff, k, wt, wOff, kStride);
          for (int i = 0; i < dst.length; i++) {
            assertClose(expected[i], dst[i], 16 * w.taps() + 1, "addWindowProducts " + w
                + ", " + k + " output channels" + (wholeRows ? "" : ", row step not whole rows")
                + (overlapping ? ", overlapping planes" : "") + ", element " + i);
          }
        }
      }
    }
  }

  /**
   * {@code maxPool2x2} against a direct search of each window for its first maximum: planes with
   * odd widths and heights (the last column and row dropped), rows of windows shorter and longer
   * than half a vector, ties (values drawn from a few levels) and NaNs.
   */
  static void maxPool2x2MatchesDirectMaxima() {
    SplittableRandom r = new SplittableRandom(73);
    int[][] planes = {{2, 2}, {28, 28}, {10, 10}, {7, 9}, {4, 34}, {6, 40}, {3, 17}};
    for (int[] hw : planes) {
      int h = hw[0];
      int w = hw[1];
      int oh = h / 2;
      int ow = w / 2;
      for (boolean nans : new boolean[] {false, true}) {
        int xc = 5 + r.nextInt(4);
        float[] x = new float[xc + h * w + 3];
        for (int i = 0; i < x.length; i++) {
          x[i] = r.nextInt(4) - 1.5f;
          if (nans && r.nextInt(9) == 0) {
            x[i] = Float.NaN;
          }
        }
        int zc = r.nextInt(3);
        float[] z = new float[zc + oh * ow + 2];
        int[] a = new int[z.length];
        int argBase = r.nextInt(100);
        Kernels.maxPool2x2(x, xc, w, oh, ow, z, zc, a, argBase);
        for (int i = 0; i < oh; i++) {
          for (int j = 0; j < ow; j++) {
            int q = xc + 2 * i * w + 2 * j;
            int[] window = {q, q + 1, q + w, q + w + 1};
            int best = q;
            boolean nan = false;
            for (int e : window) {
              nan |= Float.isNaN(x[e]);
            }
            // first maximum: the winner of each pair (ties to the first), then of the two pairs
            int p01 = x[q + 1] > x[q] ? q + 1 : q;
            int p23 = x[q + w + 1] > x[q + w] ? q + w + 1 : q + w;
            float m01 = Math.max(x[q], x[q + 1]);
            float m23 = Math.max(x[q + w], x[q + w + 1]);
            best = m23 > m01 ? p23 : p01;
            float max = Math.max(m01, m23);
            String what = "maxPool2x2 " + h + "x" + w + (nans ? " with NaNs" : "") + ", window "
                + i + "," + j;
            int o = zc + i * ow + j;
            assertEquals(nan ? Float.NaN : max, z[o], what + " maximum");
            if (!nan) {
              float direct = Float.NEGATIVE_INFINITY;
              int first = -1;
              for (int e : window) {
                if (first < 0 || x[e] > direct) {
                  direct = x[e];
                  first = e;
                }
              }
              assertEquals(direct, z[o], what + " maximum, direct");
              assertEquals(argBase + first - xc, a[o], what + " arg-max, direct");
            }
            assertEquals(argBase + best - xc, a[o], what + " arg-max");
          }
        }
      }
    }
  }

  /** {@code sum} against a double sum, over lengths around every block of the vector loop. */
  static void sumMatchesDirectSums() {
    SplittableRandom r = new SplittableRandom(79);
    for (int len : new int[] {0, 1, 5, 8, 15, 16, 63, 64, 65, 100, 784, 1001}) {
      int from = r.nextInt(5);
      float[] a = random(from + len + 3, r);
      double expected = 0;
      for (int i = from; i < from + len; i++) {
        expected += a[i];
      }
      assertClose(expected, Kernels.sum(a, from, len), len + 1, "sum of " + len);
    }
  }

  /**
   * The reductions of batch normalization ({@code sumSquaredDeviations}, {@code dot}) against
   * direct double sums, in float on lengths around every block and tail of both paths, and the
   * double overloads (and {@code sum}'s) to within double rounding.
   */
  static void batchNormReductionsMatchDirectSums() {
    SplittableRandom r = new SplittableRandom(83);
    for (int len : new int[] {0, 1, 5, 8, 15, 16, 49, 63, 64, 65, 196, 784, 1001}) {
      int from = r.nextInt(5);
      float[] a = random(from + len + 3, r);
      float[] b = random(from + len + 3, r);
      float mean = (float) (r.nextDouble() - 0.5);
      double squares = 0;
      double dot = 0;
      double sum = 0;
      for (int i = from; i < from + len; i++) {
        squares += ((double) a[i] - mean) * ((double) a[i] - mean);
        dot += (double) a[i] * b[i];
        sum += a[i];
      }
      // deviations reach 1.5, their squares 2.25
      assertClose(squares / 2.25, Kernels.sumSquaredDeviations(a, from, len, mean) / 2.25f,
          len + 1, "squared deviations of " + len);
      assertClose(dot, Kernels.dot(a, b, from, len), len + 1, "dot of " + len);
      double[] wa = widen(a);
      double tolerance = 4 * (len + 1) * Math.ulp(2.25);
      assertTrue(Math.abs(Kernels.sumSquaredDeviations(wa, from, len, mean) - squares)
          <= tolerance, "double squared deviations of " + len);
      assertTrue(Math.abs(Kernels.dot(wa, widen(b), from, len) - dot) <= tolerance,
          "double dot of " + len);
      assertTrue(Math.abs(Kernels.sum(wa, from, len) - sum) <= tolerance,
          "double sum of " + len);
    }
  }

  /**
   * {@code maskedDotAndSum} against the derivative and the sums written out here, in double, for
   * ReLU, ReLU6 and leaky ReLUs of either sign, on every remainder of the vector loops: the
   * masked values exactly (a product by 1 or by the slope), the sums within rounding; and the
   * values outside the plane untouched.
   */
  static void maskedDotAndSumMatchesDirectSums() {
    SplittableRandom r = new SplittableRandom(89);
    float inf = Float.POSITIVE_INFINITY;
    float[][] pieces = {{0, inf, 0}, {0, 6, 0}, {0, inf, 0.1f}, {0, inf, -0.5f}};
    int cases = 0;
    for (float[] piece : pieces) {
      for (int len : new int[] {0, 1, 5, 15, 16, 17, 49, 63, 64, 65, 196, 784}) {
        int from = r.nextInt(5);
        float[] d = random(from + len + 3, r);
        float[] xh = random(from + len + 3, r);
        float g = (float) (4 + 4 * r.nextDouble());
        float beta = (float) (r.nextDouble() - 0.5);
        float[] before = d.clone();
        double dot = 0;
        double sum = 0;
        float[] masked = new float[d.length];
        for (int i = from; i < from + len; i++) {
          double z = (double) g * xh[i] + beta;
          double factor = z > piece[0] && z < piece[1] ? 1 : piece[2];
          masked[i] = (float) (d[i] * factor);
          dot += (double) masked[i] * xh[i];
          sum += masked[i];
        }
        float[] out = {7, 7, 7};
        float got = Kernels.maskedDotAndSum(d, xh, from, len, g, beta, piece[0], piece[1],
            piece[2], out, 1);
        String what = "maskedDotAndSum of " + len + " with " + java.util.Arrays.toString(piece);
        for (int i = 0; i < d.length; i++) {
          boolean inside = i >= from && i < from + len;
          double z = (double) g * xh[i] + beta;
          // z within a float's rounding of a boundary may fall either way
          boolean edge = Math.abs(z) < 1e-5 || Math.abs(z - 6) < 1e-5;
          if (!inside) {
            assertEquals(before[i], d[i], what + ": value " + i + " outside the plane");
          } else if (!edge) {
            assertEquals(masked[i], d[i], what + ": value " + i);
          }
        }
        assertClose(dot, got, len + 1, what + ": Σ d·xh");
        assertClose(sum, out[1], len + 1, what + ": Σ d");
        assertEquals(7f, out[0], what + ": sum[sumAt - 1]");
        assertEquals(7f, out[2], what + ": sum[sumAt + 1]");
        cases++;
      }
    }
    assertEquals(48, cases);
  }

  /** {@code a} in double, for sums expected of a kernel that adds into it. */
  private static double[] widen(float[] a) {
    double[] d = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      d[i] = a[i];
    }
    return d;
  }

  private static float[] random(int n, SplittableRandom r) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (r.nextDouble() * 2 - 1);
    }
    return a;
  }

  /** Within float rounding of {@code terms} products of values in [-1, 1]. */
  private static void assertClose(double expected, float actual, int terms, String what) {
    double tolerance = 4 * terms * Math.ulp(1f);
    assertTrue(Math.abs(actual - expected) <= tolerance, what + ": " + actual + " vs " + expected);
  }

  private static void assertRelative(float[] f, double[] d, int from, int size, String what) {
    double diff = 0;
    double norm = 0;
    for (int i = from; i < from + size; i++) {
      diff += (f[i] - d[i]) * (f[i] - d[i]);
      norm += d[i] * d[i];
    }
    double rel = Math.sqrt(diff / norm);
    assertTrue(rel < 1e-4, what + " (" + Kernels.BACKEND + " kernels): relative error " + rel);
  }
}
