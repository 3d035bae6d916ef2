package dev.lamina.runtime.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The {@link Kernels} on the JDK Vector API: loaded (and linked against the incubating module)
 * only when {@link Kernels} has found the module on JDK 21 or later. Register blocking throughout:
 * in {@link #accumulate} six, four or three outputs by two vectors of positions stay in registers
 * while every row streams past once; the other kernels block taps, positions or dz rows the same
 * way. No kernel allocates: a vector or mask passed between methods that C2 does not inline would
 * be boxed, so each kernel creates its own. Blocks stay small enough for C1: an eight-tap block
 * with masks ran out of C1's virtual registers on JDK 25 and was then never compiled by C2, some
 * fifty times slower.
 */
final class VectorKernels {
  private VectorKernels() {}

  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

  /** Ints with as many lanes as {@link #S} (both 32-bit). */
  private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;

  /** The even lanes into the lower half (0, 2, 4, ...), the odd ones above them. */
  private static final VectorShuffle<Float> EVENS =
      VectorShuffle.fromOp(S, i -> 2 * i < S.length() ? 2 * i : 2 * i - S.length() + 1);

  /** The odd lanes into the lower half (1, 3, 5, ...), the even ones above them. */
  private static final VectorShuffle<Float> ODDS =
      VectorShuffle.fromOp(S, i -> 2 * i < S.length() ? 2 * i + 1 : 2 * i - S.length());

  /** Per thread, one vector's lanes, for reductions in a fixed order without allocating. */
  private static final ThreadLocal<float[]> LANES =
      ThreadLocal.withInitial(() -> new float[S.length()]);

  /** Whether the Vector API computes a small product exactly as expected on this JVM. */
  static boolean selfCheck() {
    int len = S.length() + 3;
    float[][] rows = new float[2][len];
    float[][] out = new float[5][len];
    for (int i = 0; i < len; i++) {
      rows[0][i] = i;
      rows[1][i] = 1;
    }
    float[] coef = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    accumulate(out, 5, rows, new int[2], 2, coef, 0, 2, 1, len);
    for (int o = 0; o < 5; o++) {
      for (int i = 0; i < len; i++) {
        if (out[o][i] != coef[2 * o] * i + coef[2 * o + 1]) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * {@code out[o][i] += Σ_s coef[coefOff + o·outStride + s·sumStride] · rows[s][offsets[s] + i]}:
   * {@link Kernels#accumulate}, with each row read from its own offset.
   */
  static void accumulate(float[][] out, int outCount, float[][] rows, int[] offsets,
      int sumCount, float[] coef, int coefOff, int outStride, int sumStride, int len) {
    int o = 0;
    // blocks of six (twelve sums in registers: each row vector loaded serves six outputs), then
    // of four, but of three for the last six or nine outputs where fours would leave a pair or a
    // single output (one or two accumulator chains: latency-bound); one six fewer where it would
    // leave one or two
    int hexes = outCount / 6 - (outCount > 6 && (outCount % 6 == 1 || outCount % 6 == 2) ? 1 : 0);
    for (; o < 6 * hexes; o += 6) {
      hex(out[o], out[o + 1], out[o + 2], out[o + 3], out[o + 4], out[o + 5], rows, offsets,
          sumCount, coef, coefOff + o * outStride, outStride, sumStride, len);
    }
    int left = outCount - o;
    int quads = o + left - (left % 4 == 1 && left >= 9 ? 9 : left % 4 == 2 ? 6 : 0);
    for (; o + 3 < quads; o += 4) {
      quad(out[o], out[o + 1], out[o + 2], out[o + 3], rows, offsets, sumCount, coef,
          coefOff + o * outStride, outStride, sumStride, len);
    }
    for (; o + 2 < outCount; o += 3) {
      triple(out[o], out[o + 1], out[o + 2], rows, offsets, sumCount, coef,
          coefOff + o * outStride, outStride, sumStride, len);
    }
    for (; o + 1 < outCount; o += 2) {
      pair(out[o], out[o + 1], rows, offsets, sumCount, coef, coefOff + o * outStride, outStride,
          sumStride, len);
    }
    if (o < outCount) {
      single(out[o], rows, offsets, sumCount, coef, coefOff + o * outStride, sumStride, len);
    }
  }

  /** Six outputs, two vectors of positions at a time; the rest in two {@link #tripleTail}s. */
  private static void hex(float[] d0, float[] d1, float[] d2, float[] d3, float[] d4, float[] d5,
      float[][] rows, int[] offsets, int sumCount, float[] coef, int c0, int outStride,
      int sumStride, int len) {
    int vl = S.length();
    int c1 = c0 + outStride;
    int c2 = c1 + outStride;
    int c3 = c2 + outStride;
    int c4 = c3 + outStride;
    int c5 = c4 + outStride;
    int i = 0;
    for (; i + 2 * vl <= len; i += 2 * vl) {
      int j = i + vl;
      FloatVector a0 = FloatVector.fromArray(S, d0, i);
      FloatVector a1 = FloatVector.fromArray(S, d1, i);
      FloatVector a2 = FloatVector.fromArray(S, d2, i);
      FloatVector a3 = FloatVector.fromArray(S, d3, i);
      FloatVector a4 = FloatVector.fromArray(S, d4, i);
      FloatVector a5 = FloatVector.fromArray(S, d5, i);
      FloatVector b0 = FloatVector.fromArray(S, d0, j);
      FloatVector b1 = FloatVector.fromArray(S, d1, j);
      FloatVector b2 = FloatVector.fromArray(S, d2, j);
      FloatVector b3 = FloatVector.fromArray(S, d3, j);
      FloatVector b4 = FloatVector.fromArray(S, d4, j);
      FloatVector b5 = FloatVector.fromArray(S, d5, j);
      for (int s = 0, cs = 0; s < sumCount; s++, cs += sumStride) {
        float[] row = rows[s];
        int at = offsets[s] + i;
        FloatVector x = FloatVector.fromArray(S, row, at);
        FloatVector y = FloatVector.fromArray(S, row, at + vl);
        FloatVector w0 = FloatVector.broadcast(S, coef[c0 + cs]);
        a0 = x.fma(w0, a0);
        b0 = y.fma(w0, b0);
        FloatVector w1 = FloatVector.broadcast(S, coef[c1 + cs]);
        a1 = x.fma(w1, a1);
        b1 = y.fma(w1, b1);
        FloatVector w2 = FloatVector.broadcast(S, coef[c2 + cs]);
        a2 = x.fma(w2, a2);
        b2 = y.fma(w2, b2);
        FloatVector w3 = FloatVector.broadcast(S, coef[c3 + cs]);
        a3 = x.fma(w3, a3);
        b3 = y.fma(w3, b3);
        FloatVector w4 = FloatVector.broadcast(S, coef[c4 + cs]);
        a4 = x.fma(w4, a4);
        b4 = y.fma(w4, b4);
        FloatVector w5 = FloatVector.broadcast(S, coef[c5 + cs]);
        a5 = x.fma(w5, a5);
        b5 = y.fma(w5, b5);
      }
      a0.intoArray(d0, i);
      a1.intoArray(d1, i);
      a2.intoArray(d2, i);
      a3.intoArray(d3, i);
      a4.intoArray(d4, i);
      a5.intoArray(d5, i);
      b0.intoArray(d0, j);
      b1.intoArray(d1, j);
      b2.intoArray(d2, j);
      b3.intoArray(d3, j);
      b4.intoArray(d4, j);
      b5.intoArray(d5, j);
    }
    if (i < len) {
      tripleTail(d0, d1, d2, rows, offsets, sumCount, coef, c0, outStride, sumStride, i, len);
      tripleTail(d3, d4, d5, rows, offsets, sumCount, coef, c3, outStride, sumStride, i, len);
    }
  }

  /** Four outputs, two vectors of positions at a time; the rest in {@link #quadTail}. */
  private static void quad(float[] d0, float[] d1, float[] d2, float[] d3, float[][] rows,
      int[] offsets, int sumCount, float[] coef, int c0, int outStride, int sumStride, int len) {
    int vl = S.length();
    int c1 = c0 + outStride;
    int c2 = c1 + outStride;
    int c3 = c2 + outStride;
    int i = 0;
    for (; i + 2 * vl <= len; i += 2 * vl) {
      int j = i + vl;
      FloatVector a0 = FloatVector.fromArray(S, d0, i);
      FloatVector a1 = FloatVector.fromArray(S, d1, i);
      FloatVector a2 = FloatVector.fromArray(S, d2, i);
      FloatVector a3 = FloatVector.fromArray(S, d3, i);
      FloatVector b0 = FloatVector.fromArray(S, d0, j);
      FloatVector b1 = FloatVector.fromArray(S, d1, j);
      FloatVector b2 = FloatVector.fromArray(S, d2, j);
      FloatVector b3 = FloatVector.fromArray(S, d3, j);
      for (int s = 0, cs = 0; s < sumCount; s++, cs += sumStride) {
        float[] row = rows[s];
        int at = offsets[s] + i;
        FloatVector x = FloatVector.fromArray(S, row, at);
        FloatVector y = FloatVector.fromArray(S, row, at + vl);
        FloatVector w0 = FloatVector.broadcast(S, coef[c0 + cs]);
        FloatVector w1 = FloatVector.broadcast(S, coef[c1 + cs]);
        FloatVector w2 = FloatVector.broadcast(S, coef[c2 + cs]);
        FloatVector w3 = FloatVector.broadcast(S, coef[c3 + cs]);
        a0 = x.fma(w0, a0);
        a1 = x.fma(w1, a1);
        a2 = x.fma(w2, a2);
        a3 = x.fma(w3, a3);
        b0 = y.fma(w0, b0);
        b1 = y.fma(w1, b1);
        b2 = y.fma(w2, b2);
        b3 = y.fma(w3, b3);
      }
      a0.intoArray(d0, i);
      a1.intoArray(d1, i);
      a2.intoArray(d2, i);
      a3.intoArray(d3, i);
      b0.intoArray(d0, j);
      b1.intoArray(d1, j);
      b2.intoArray(d2, j);
      b3.intoArray(d3, j);
    }
    if (i < len) {
      quadTail(d0, d1, d2, d3, rows, offsets, sumCount, coef, c0, outStride, sumStride, i, len);
    }
  }

  /** Three outputs, two vectors of positions at a time; the rest one masked vector at a time. */
  private static void triple(float[] d0, float[] d1, float[] d2, float[][] rows, int[] offsets,
      int sumCount, float[] coef, int c0, int outStride, int sumStride, int len) {
    int vl = S.length();
    int c1 = c0 + outStride;
    int c2 = c1 + outStride;
    int i = 0;
    for (; i + 2 * vl <= len; i += 2 * vl) {
      int j = i + vl;
      FloatVector a0 = FloatVector.fromArray(S, d0, i);
      FloatVector a1 = FloatVector.fromArray(S, d1, i);
      FloatVector a2 = FloatVector.fromArray(S, d2, i);
      FloatVector b0 = FloatVector.fromArray(S, d0, j);
      FloatVector b1 = FloatVector.fromArray(S, d1, j);
      FloatVector b2 = FloatVector.fromArray(S, d2, j);
      for (int s = 0, cs = 0; s < sumCount; s++, cs += sumStride) {
        float[] row = rows[s];
        int at = offsets[s] + i;
        FloatVector x = FloatVector.fromArray(S, row, at);
        FloatVector y = FloatVector.fromArray(S, row, at + vl);
        FloatVector w0 = FloatVector.broadcast(S, coef[c0 + cs]);
        FloatVector w1 = FloatVector.broadcast(S, coef[c1 + cs]);
        FloatVector w2 = FloatVector.broadcast(S, coef[c2 + cs]);
        a0 = x.fma(w0, a0);
        a1 = x.fma(w1, a1);
        a2 = x.fma(w2, a2);
        b0 = y.fma(w0, b0);
        b1 = y.fma(w1, b1);
        b2 = y.fma(w2, b2);
      }
      a0.intoArray(d0, i);
      a1.intoArray(d1, i);
      a2.intoArray(d2, i);
      b0.intoArray(d0, j);
      b1.intoArray(d1, j);
      b2.intoArray(d2, j);
    }
    if (i < len) {
      tripleTail(d0, d1, d2, rows, offsets, sumCount, coef, c0, outStride, sumStride, i, len);
    }
  }

  private static void tripleTail(float[] d0, float[] d1, float[] d2, float[][] rows,
      int[] offsets, int sumCount, float[] coef, int c0, int outStride, int sumStride, int from,
      int len) {
    int c1 = c0 + outStride;
    int c2 = c1 + outStride;
    for (int i = from; i < len; i += S.length()) {
      VectorMask<Float> m = S.indexInRange(i, len);
      FloatVector a0 = FloatVector.fromArray(S, d0, i, m);
      FloatVector a1 = FloatVector.fromArray(S, d1, i, m);
      FloatVector a2 = FloatVector.fromArray(S, d2, i, m);
      for (int s = 0, cs = 0; s < sumCount; s++, cs += sumStride) {
        FloatVector x = FloatVector.fromArray(S, rows[s], offsets[s] + i, m);
        a0 = x.fma(FloatVector.broadcast(S, coef[c0 + cs]), a0);
        a1 = x.fma(FloatVector.broadcast(S, coef[c1 + cs]), a1);
        a2 = x.fma(FloatVector.broadcast(S, coef[c2 + cs]), a2);
      }
      a0.intoArray(d0, i, m);
      a1.intoArray(d1, i, m);
      a2.intoArray(d2, i, m);
    }
  }

  /** Four outputs from position {@code from} on, one masked vector at a time. */
  private static void quadTail(float[] d0, float[] d1, float[] d2, float[] d3, float[][] rows,
      int[] offsets, int sumCount, float[] coef, int c0, int outStride, int sumStride, int from, int len) {
    int c1 = c0 + outStride;
    int c2 = c1 + outStride;
    int c3 = c2 + outStride;
    for (int i = from; i < len; i += S.length()) {
      VectorMask<Float> m = S.indexInRange(i, len);
      FloatVector a0 = FloatVector.fromArray(S, d0, i, m);
      FloatVector a1 = FloatVector.fromArray(S, d1, i, m);
      FloatVector a2 = FloatVector.fromArray(S, d2, i, m);
      FloatVector a3 = FloatVector.fromArray(S, d3, i, m);
      for (int s = 0, cs = 0; s < sumCount; s++, cs += sumStride) {
        FloatVector x = FloatVector.fromArray(S, rows[s], offsets[s] + i, m);
        a0 = x.fma(FloatVector.broadcast(S, coef[c0 + cs]), a0);
        a1 = x.fma(FloatVector.broadcast(S, coef[c1 + cs]), a1);
        a2 = x.fma(FloatVector.broadcast(S, coef[c2 + cs]), a2);
        a3 = x.fma(FloatVector.broadcast(S, coef[c3 + cs]), a3);
      }
      a0.intoArray(d0, i, m);
      a1.intoArray(d1, i, m);
      a2.intoArray(d2, i, m);
      a3.intoArray(d3, i, m);
    }
  }

  /** Two outputs: one vector of positions at a time, then a masked tail. */
  private static void pair(float[] d0, float[] d1, float[][] rows, int[] offsets, int sumCount,
      float[] coef,
      int c0, int outStride, int sumStride, int len) {
    int vl = S.length();
    int c1 = c0 + outStride;
    int i = 0;
    for (; i + vl <= len; i += vl) {
      FloatVector a0 = FloatVector.fromArray(S, d0, i);
      FloatVector a1 = FloatVector.fromArray(S, d1, i);
      for (int s = 0, cs = 0; s < sumCount; s++, cs += sumStride) {
        FloatVector x = FloatVector.fromArray(S, rows[s], offsets[s] + i);
        a0 = x.fma(FloatVector.broadcast(S, coef[c0 + cs]), a0);
        a1 = x.fma(FloatVector.broadcast(S, coef[c1 + cs]), a1);
      }
      a0.intoArray(d0, i);
      a1.intoArray(d1, i);
    }
    if (i < len) {
      VectorMask<Float> m = S.indexInRange(i, len);
      FloatVector a0 = FloatVector.fromArray(S, d0, i, m);
      FloatVector a1 = FloatVector.fromArray(S, d1, i, m);
      for (int s = 0, cs = 0; s < sumCount; s++, cs += sumStride) {
        FloatVector x = FloatVector.fromArray(S, rows[s], offsets[s] + i, m);
        a0 = x.fma(FloatVector.broadcast(S, coef[c0 + cs]), a0);
        a1 = x.fma(FloatVector.broadcast(S, coef[c1 + cs]), a1);
      }
      a0.intoArray(d0, i, m);
      a1.intoArray(d1, i, m);
    }
  }

  /** One output: one vector of positions at a time, then a masked tail. */
  private static void single(float[] d, float[][] rows, int[] offsets, int sumCount, float[] coef,
      int c,
      int sumStride, int len) {
    int vl = S.length();
    int i = 0;
    for (; i + vl <= len; i += vl) {
      FloatVector a = FloatVector.fromArray(S, d, i);
      for (int s = 0, cs = 0; s < sumCount; s++, cs += sumStride) {
        a = FloatVector.fromArray(S, rows[s], offsets[s] + i)
            .fma(FloatVector.broadcast(S, coef[c + cs]), a);
      }
      a.intoArray(d, i);
    }
    if (i < len) {
      VectorMask<Float> m = S.indexInRange(i, len);
      FloatVector a = FloatVector.fromArray(S, d, i, m);
      for (int s = 0, cs = 0; s < sumCount; s++, cs += sumStride) {
        a = FloatVector.fromArray(S, rows[s], offsets[s] + i, m)
            .fma(FloatVector.broadcast(S, coef[c + cs]), a);
      }
      a.intoArray(d, i, m);
    }
  }

  static void accumulateRow(float[] out, float[] rows, int rowOff, int rowStride, int sumCount,
      float[] coef, int coefOff, int len) {
    int vl = S.length();
    int i = 0;
    for (; i + 2 * vl <= len; i += 2 * vl) {
      FloatVector a = FloatVector.fromArray(S, out, i);
      FloatVector b = FloatVector.fromArray(S, out, i + vl);
      for (int s = 0, r = rowOff + i; s < sumCount; s++, r += rowStride) {
        FloatVector w = FloatVector.broadcast(S, coef[coefOff + s]);
        a = FloatVector.fromArray(S, rows, r).fma(w, a);
        b = FloatVector.fromArray(S, rows, r + vl).fma(w, b);
      }
      a.intoArray(out, i);
      b.intoArray(out, i + vl);
    }
    for (; i < len; i += vl) {
      VectorMask<Float> m = S.indexInRange(i, len);
      FloatVector a = FloatVector.fromArray(S, out, i, m);
      for (int s = 0, r = rowOff + i; s < sumCount; s++, r += rowStride) {
        a = FloatVector.fromArray(S, rows, r, m).fma(FloatVector.broadcast(S, coef[coefOff + s]),
            a);
      }
      a.intoArray(out, i, m);
    }
  }

  /**
   * {@code grad[gradOff + t] += Σ_i dz[dzOff + i] · taps[t][offsets[t] + i]}: {@link Kernels#dots},
   * each tap read from its own offset.
   */
  static void dots(float[] dz, int dzOff, float[][] taps, int[] offsets, int tapCount,
      float[] grad, int gradOff, int len) {
    float[] lanes = LANES.get();
    int t = 0;
    for (; t + 3 < tapCount; t += 4) {
      dots4(dz, dzOff, taps[t], offsets[t], taps[t + 1], offsets[t + 1], taps[t + 2],
          offsets[t + 2], taps[t + 3], offsets[t + 3], grad, gradOff + t, len, lanes);
    }
    for (; t < tapCount; t++) {
      dot1(dz, dzOff, taps[t], offsets[t], grad, gradOff + t, len, lanes);
    }
  }

  /**
   * {@link Kernels#outerWindows}: the output channels {@code k} are the lanes; six taps' partial
   * sums per vector stay in registers while the positions stream past, one broadcast input per
   * tap and position: two whole vectors of channels by six taps where two remain (each broadcast
   * serves two multiply-adds), else one vector by six taps; the taps left over four and one at a
   * time, the last channels masked. Twelve taps of one vector measured slower than six: their
   * twelve input offsets no longer fit the integer registers.
   */
  static void outerWindows(float[] out, int outOff, float[] dzT, int dzOff, int len, float[] src,
      int[] offsets, int taps, int oh, int ow, int posRowStep) {
    int vl = S.length();
    int k = 0;
    for (; k + 2 * vl <= len; k += 2 * vl) {
      int t = 0;
      for (; t + 5 < taps; t += 6) {
        outer2x6(out, outOff + t * len, dzT, dzOff, k, len, src, offsets, t, oh, ow, posRowStep);
      }
      outerFrom(out, outOff, dzT, dzOff, k, len, src, offsets, t, taps, oh, ow, posRowStep);
      outerFrom(out, outOff, dzT, dzOff, k + vl, len, src, offsets, t, taps, oh, ow, posRowStep);
    }
    for (; k < len; k += vl) {
      int t = 0;
      if (k + vl <= len) {
        for (; t + 5 < taps; t += 6) {
          outer6(out, outOff + t * len, dzT, dzOff, k, len, src, offsets, t, oh, ow, posRowStep);
        }
      }
      outerFrom(out, outOff, dzT, dzOff, k, len, src, offsets, t, taps, oh, ow, posRowStep);
    }
  }

  /** Taps {@code from..taps}, channels {@code k..k+vl}: four, then one at a time. */
  private static void outerFrom(float[] out, int outOff, float[] dzT, int dzOff, int k, int len,
      float[] src, int[] offsets, int from, int taps, int oh, int ow, int posRowStep) {
    int t = from;
    for (; t + 3 < taps; t += 4) {
      outer4(out, outOff + t * len, dzT, dzOff, k, len, src, offsets, t, oh, ow, posRowStep);
    }
    for (; t < taps; t++) {
      outer1(out, outOff + t * len, dzT, dzOff, k, len, src, offsets[t], oh, ow, posRowStep);
    }
  }

  /**
   * {@link Kernels#windowProducts}: the output channels are the lanes; twelve sums stay in
   * registers while the taps stream past, one broadcast input per position and tap: two whole
   * vectors of channels by six positions where two remain (each broadcast serves two
   * multiply-adds), else one vector by twelve positions; the positions left over four and one at
   * a time, the last channels masked. Twelve sums (not eight) keep the multiply-adds from waiting
   * on the broadcasts, and with the two vectors of weights and a broadcast they still fit the 16
   * registers of AVX2.
   */
  static void windowProducts(float[] out, int outOff, float[] wT, int wOff, int len, float[] src,
      int[] offsets, int taps, int oh, int ow, int posRowStep) {
    int vl = S.length();
    int positions = oh * ow;
    int k = 0;
    for (; k + 2 * vl <= len; k += 2 * vl) {
      int q = 0;
      for (; q + 5 < positions; q += 6) {
        products2x6(out, outOff, wT, wOff, k, len, src, offsets, taps, q, ow, posRowStep);
      }
      productsFrom(out, outOff, wT, wOff, k, len, src, offsets, taps, q, oh, ow, posRowStep);
      productsFrom(out, outOff, wT, wOff, k + vl, len, src, offsets, taps, q, oh, ow,
          posRowStep);
    }
    for (; k < len; k += vl) {
      int q = 0;
      if (k + vl <= len) {
        for (; q + 11 < positions; q += 12) {
          products12(out, outOff, wT, wOff, k, len, src, offsets, taps, q, ow, posRowStep);
        }
      }
      productsFrom(out, outOff, wT, wOff, k, len, src, offsets, taps, q, oh, ow, posRowStep);
    }
  }

  /** Positions {@code from..oh·ow}, channels {@code k..k+vl}: four, then one at a time. */
  private static void productsFrom(float[] out, int outOff, float[] wT, int wOff, int k, int len,
      float[] src, int[] offsets, int taps, int from, int oh, int ow, int posRowStep) {
    int positions = oh * ow;
    int q = from;
    for (; q + 3 < positions; q += 4) {
      products4(out, outOff, wT, wOff, k, len, src, offsets, taps, q, ow, posRowStep);
    }
    for (; q < positions; q++) {
      products1(out, outOff, wT, wOff, k, len, src, offsets, taps, q, ow, posRowStep);
    }
  }

  /**
   * Positions {@code q..q+5}, channels {@code k..k+2·vl} (two whole vectors: no mask): each
   * broadcast input serves both vectors of weights.
   */
  private static void products2x6(float[] out, int outOff, float[] wT, int wOff, int k, int len,
      float[] src, int[] offsets, int taps, int q, int ow, int posRowStep) {
    int vl = S.length();
    int p0 = q / ow * posRowStep + q % ow;
    int p1 = (q + 1) / ow * posRowStep + (q + 1) % ow;
    int p2 = (q + 2) / ow * posRowStep + (q + 2) % ow;
    int p3 = (q + 3) / ow * posRowStep + (q + 3) % ow;
    int p4 = (q + 4) / ow * posRowStep + (q + 4) % ow;
    int p5 = (q + 5) / ow * posRowStep + (q + 5) % ow;
    FloatVector a0 = FloatVector.zero(S);
    FloatVector a1 = a0;
    FloatVector a2 = a0;
    FloatVector a3 = a0;
    FloatVector a4 = a0;
    FloatVector a5 = a0;
    FloatVector b0 = a0;
    FloatVector b1 = a0;
    FloatVector b2 = a0;
    FloatVector b3 = a0;
    FloatVector b4 = a0;
    FloatVector b5 = a0;
    for (int t = 0, w = wOff + k; t < taps; t++, w += len) {
      FloatVector x = FloatVector.fromArray(S, wT, w);
      FloatVector y = FloatVector.fromArray(S, wT, w + vl);
      int o = offsets[t];
      FloatVector s = FloatVector.broadcast(S, src[o + p0]);
      a0 = x.fma(s, a0);
      b0 = y.fma(s, b0);
      s = FloatVector.broadcast(S, src[o + p1]);
      a1 = x.fma(s, a1);
      b1 = y.fma(s, b1);
      s = FloatVector.broadcast(S, src[o + p2]);
      a2 = x.fma(s, a2);
      b2 = y.fma(s, b2);
      s = FloatVector.broadcast(S, src[o + p3]);
      a3 = x.fma(s, a3);
      b3 = y.fma(s, b3);
      s = FloatVector.broadcast(S, src[o + p4]);
      a4 = x.fma(s, a4);
      b4 = y.fma(s, b4);
      s = FloatVector.broadcast(S, src[o + p5]);
      a5 = x.fma(s, a5);
      b5 = y.fma(s, b5);
    }
    int d = outOff + q * len + k;
    FloatVector.fromArray(S, out, d).add(a0).intoArray(out, d);
    FloatVector.fromArray(S, out, d + vl).add(b0).intoArray(out, d + vl);
    FloatVector.fromArray(S, out, d + len).add(a1).intoArray(out, d + len);
    FloatVector.fromArray(S, out, d + len + vl).add(b1).intoArray(out, d + len + vl);
    FloatVector.fromArray(S, out, d + 2 * len).add(a2).intoArray(out, d + 2 * len);
    FloatVector.fromArray(S, out, d + 2 * len + vl).add(b2).intoArray(out, d + 2 * len + vl);
    FloatVector.fromArray(S, out, d + 3 * len).add(a3).intoArray(out, d + 3 * len);
    FloatVector.fromArray(S, out, d + 3 * len + vl).add(b3).intoArray(out, d + 3 * len + vl);
    FloatVector.fromArray(S, out, d + 4 * len).add(a4).intoArray(out, d + 4 * len);
    FloatVector.fromArray(S, out, d + 4 * len + vl).add(b4).intoArray(out, d + 4 * len + vl);
    FloatVector.fromArray(S, out, d + 5 * len).add(a5).intoArray(out, d + 5 * len);
    FloatVector.fromArray(S, out, d + 5 * len + vl).add(b5).intoArray(out, d + 5 * len + vl);
  }

  /** Positions {@code q..q+11}, channels {@code k..k+vl} (a whole vector: no mask). */
  private static void products12(float[] out, int outOff, float[] wT, int wOff, int k, int len,
      float[] src, int[] offsets, int taps, int q, int ow, int posRowStep) {
    int p0 = q / ow * posRowStep + q % ow;
    int p1 = (q + 1) / ow * posRowStep + (q + 1) % ow;
    int p2 = (q + 2) / ow * posRowStep + (q + 2) % ow;
    int p3 = (q + 3) / ow * posRowStep + (q + 3) % ow;
    int p4 = (q + 4) / ow * posRowStep + (q + 4) % ow;
    int p5 = (q + 5) / ow * posRowStep + (q + 5) % ow;
    int p6 = (q + 6) / ow * posRowStep + (q + 6) % ow;
    int p7 = (q + 7) / ow * posRowStep + (q + 7) % ow;
    int p8 = (q + 8) / ow * posRowStep + (q + 8) % ow;
    int p9 = (q + 9) / ow * posRowStep + (q + 9) % ow;
    int p10 = (q + 10) / ow * posRowStep + (q + 10) % ow;
    int p11 = (q + 11) / ow * posRowStep + (q + 11) % ow;
    FloatVector a0 = FloatVector.zero(S);
    FloatVector a1 = a0;
    FloatVector a2 = a0;
    FloatVector a3 = a0;
    FloatVector a4 = a0;
    FloatVector a5 = a0;
    FloatVector a6 = a0;
    FloatVector a7 = a0;
    FloatVector a8 = a0;
    FloatVector a9 = a0;
    FloatVector a10 = a0;
    FloatVector a11 = a0;
    for (int t = 0, w = wOff + k; t < taps; t++, w += len) {
      FloatVector x = FloatVector.fromArray(S, wT, w);
      int o = offsets[t];
      a0 = x.fma(FloatVector.broadcast(S, src[o + p0]), a0);
      a1 = x.fma(FloatVector.broadcast(S, src[o + p1]), a1);
      a2 = x.fma(FloatVector.broadcast(S, src[o + p2]), a2);
      a3 = x.fma(FloatVector.broadcast(S, src[o + p3]), a3);
      a4 = x.fma(FloatVector.broadcast(S, src[o + p4]), a4);
      a5 = x.fma(FloatVector.broadcast(S, src[o + p5]), a5);
      a6 = x.fma(FloatVector.broadcast(S, src[o + p6]), a6);
      a7 = x.fma(FloatVector.broadcast(S, src[o + p7]), a7);
      a8 = x.fma(FloatVector.broadcast(S, src[o + p8]), a8);
      a9 = x.fma(FloatVector.broadcast(S, src[o + p9]), a9);
      a10 = x.fma(FloatVector.broadcast(S, src[o + p10]), a10);
      a11 = x.fma(FloatVector.broadcast(S, src[o + p11]), a11);
    }
    int d = outOff + q * len + k;
    FloatVector.fromArray(S, out, d).add(a0).intoArray(out, d);
    d += len;
    FloatVector.fromArray(S, out, d).add(a1).intoArray(out, d);
    d += len;
    FloatVector.fromArray(S, out, d).add(a2).intoArray(out, d);
    d += len;
    FloatVector.fromArray(S, out, d).add(a3).intoArray(out, d);
    d += len;
    FloatVector.fromArray(S, out, d).add(a4).intoArray(out, d);
    d += len;
    FloatVector.fromArray(S, out, d).add(a5).intoArray(out, d);
    d += len;
    FloatVector.fromArray(S, out, d).add(a6).intoArray(out, d);
    d += len;
    FloatVector.fromArray(S, out, d).add(a7).intoArray(out, d);
    d += len;
    FloatVector.fromArray(S, out, d).add(a8).intoArray(out, d);
    d += len;
    FloatVector.fromArray(S, out, d).add(a9).intoArray(out, d);
    d += len;
    FloatVector.fromArray(S, out, d).add(a10).intoArray(out, d);
    d += len;
    FloatVector.fromArray(S, out, d).add(a11).intoArray(out, d);
  }

  /** Positions {@code q..q+3}, channels {@code k..k+vl} (masked past {@code len}). */
  private static void products4(float[] out, int outOff, float[] wT, int wOff, int k, int len,
      float[] src, int[] offsets, int taps, int q, int ow, int posRowStep) {
    VectorMask<Float> m = S.indexInRange(k, len);
    int p0 = q / ow * posRowStep + q % ow;
    int p1 = (q + 1) / ow * posRowStep + (q + 1) % ow;
    int p2 = (q + 2) / ow * posRowStep + (q + 2) % ow;
    int p3 = (q + 3) / ow * posRowStep + (q + 3) % ow;
    FloatVector a0 = FloatVector.zero(S);
    FloatVector a1 = a0;
    FloatVector a2 = a0;
    FloatVector a3 = a0;
    for (int t = 0, w = wOff + k; t < taps; t++, w += len) {
      FloatVector x = FloatVector.fromArray(S, wT, w, m);
      int o = offsets[t];
      a0 = x.fma(FloatVector.broadcast(S, src[o + p0]), a0);
      a1 = x.fma(FloatVector.broadcast(S, src[o + p1]), a1);
      a2 = x.fma(FloatVector.broadcast(S, src[o + p2]), a2);
      a3 = x.fma(FloatVector.broadcast(S, src[o + p3]), a3);
    }
    int d = outOff + q * len + k;
    FloatVector.fromArray(S, out, d, m).add(a0).intoArray(out, d, m);
    d += len;
    FloatVector.fromArray(S, out, d, m).add(a1).intoArray(out, d, m);
    d += len;
    FloatVector.fromArray(S, out, d, m).add(a2).intoArray(out, d, m);
    d += len;
    FloatVector.fromArray(S, out, d, m).add(a3).intoArray(out, d, m);
  }

  private static void products1(float[] out, int outOff, float[] wT, int wOff, int k, int len,
      float[] src, int[] offsets, int taps, int q, int ow, int posRowStep) {
    VectorMask<Float> m = S.indexInRange(k, len);
    int p0 = q / ow * posRowStep + q % ow;
    FloatVector a0 = FloatVector.zero(S);
    for (int t = 0, w = wOff + k; t < taps; t++, w += len) {
      a0 = FloatVector.fromArray(S, wT, w, m).fma(FloatVector.broadcast(S, src[offsets[t] + p0]),
          a0);
    }
    int d = outOff + q * len + k;
    FloatVector.fromArray(S, out, d, m).add(a0).intoArray(out, d, m);
  }

  /**
   * Taps {@code t..t+5}, channels {@code k..k+2·vl} (two whole vectors: no mask): each broadcast
   * input serves both vectors of dL/dz.
   */
  private static void outer2x6(float[] out, int o, float[] dzT, int dz, int k, int len,
      float[] src, int[] offsets, int t, int oh, int ow, int posRowStep) {
    int vl = S.length();
    int s0 = offsets[t];
    int s1 = offsets[t + 1];
    int s2 = offsets[t + 2];
    int s3 = offsets[t + 3];
    int s4 = offsets[t + 4];
    int s5 = offsets[t + 5];
    FloatVector a0 = FloatVector.zero(S);
    FloatVector a1 = a0;
    FloatVector a2 = a0;
    FloatVector a3 = a0;
    FloatVector a4 = a0;
    FloatVector a5 = a0;
    FloatVector b0 = a0;
    FloatVector b1 = a0;
    FloatVector b2 = a0;
    FloatVector b3 = a0;
    FloatVector b4 = a0;
    FloatVector b5 = a0;
    int q = dz + k;
    for (int i = 0, r = 0; i < oh; i++, r += posRowStep) {
      for (int j = r, e = r + ow; j < e; j++, q += len) {
        FloatVector d = FloatVector.fromArray(S, dzT, q);
        FloatVector f = FloatVector.fromArray(S, dzT, q + vl);
        FloatVector x0 = FloatVector.broadcast(S, src[s0 + j]);
        a0 = d.fma(x0, a0);
        b0 = f.fma(x0, b0);
        FloatVector x1 = FloatVector.broadcast(S, src[s1 + j]);
        a1 = d.fma(x1, a1);
        b1 = f.fma(x1, b1);
        FloatVector x2 = FloatVector.broadcast(S, src[s2 + j]);
        a2 = d.fma(x2, a2);
        b2 = f.fma(x2, b2);
        FloatVector x3 = FloatVector.broadcast(S, src[s3 + j]);
        a3 = d.fma(x3, a3);
        b3 = f.fma(x3, b3);
        FloatVector x4 = FloatVector.broadcast(S, src[s4 + j]);
        a4 = d.fma(x4, a4);
        b4 = f.fma(x4, b4);
        FloatVector x5 = FloatVector.broadcast(S, src[s5 + j]);
        a5 = d.fma(x5, a5);
        b5 = f.fma(x5, b5);
      }
    }
    o += k;
    FloatVector.fromArray(S, out, o).add(a0).intoArray(out, o);
    FloatVector.fromArray(S, out, o + vl).add(b0).intoArray(out, o + vl);
    FloatVector.fromArray(S, out, o + 1 * len).add(a1).intoArray(out, o + 1 * len);
    FloatVector.fromArray(S, out, o + 1 * len + vl).add(b1).intoArray(out, o + 1 * len + vl);
    FloatVector.fromArray(S, out, o + 2 * len).add(a2).intoArray(out, o + 2 * len);
    FloatVector.fromArray(S, out, o + 2 * len + vl).add(b2).intoArray(out, o + 2 * len + vl);
    FloatVector.fromArray(S, out, o + 3 * len).add(a3).intoArray(out, o + 3 * len);
    FloatVector.fromArray(S, out, o + 3 * len + vl).add(b3).intoArray(out, o + 3 * len + vl);
    FloatVector.fromArray(S, out, o + 4 * len).add(a4).intoArray(out, o + 4 * len);
    FloatVector.fromArray(S, out, o + 4 * len + vl).add(b4).intoArray(out, o + 4 * len + vl);
    FloatVector.fromArray(S, out, o + 5 * len).add(a5).intoArray(out, o + 5 * len);
    FloatVector.fromArray(S, out, o + 5 * len + vl).add(b5).intoArray(out, o + 5 * len + vl);
  }

  /** Taps {@code t..t+5}, channels {@code k..k+vl} (a whole vector: no mask). */
  private static void outer6(float[] out, int o, float[] dzT, int dz, int k, int len,
      float[] src, int[] offsets, int t, int oh, int ow, int posRowStep) {
    int s0 = offsets[t];
    int s1 = offsets[t + 1];
    int s2 = offsets[t + 2];
    int s3 = offsets[t + 3];
    int s4 = offsets[t + 4];
    int s5 = offsets[t + 5];
    FloatVector a0 = FloatVector.zero(S);
    FloatVector a1 = a0;
    FloatVector a2 = a0;
    FloatVector a3 = a0;
    FloatVector a4 = a0;
    FloatVector a5 = a0;
    int q = dz + k;
    for (int i = 0, r = 0; i < oh; i++, r += posRowStep) {
      for (int j = r, e = r + ow; j < e; j++, q += len) {
        FloatVector d = FloatVector.fromArray(S, dzT, q);
        a0 = d.fma(FloatVector.broadcast(S, src[s0 + j]), a0);
        a1 = d.fma(FloatVector.broadcast(S, src[s1 + j]), a1);
        a2 = d.fma(FloatVector.broadcast(S, src[s2 + j]), a2);
        a3 = d.fma(FloatVector.broadcast(S, src[s3 + j]), a3);
        a4 = d.fma(FloatVector.broadcast(S, src[s4 + j]), a4);
        a5 = d.fma(FloatVector.broadcast(S, src[s5 + j]), a5);
      }
    }
    o += k;
    FloatVector.fromArray(S, out, o).add(a0).intoArray(out, o);
    o += len;
    FloatVector.fromArray(S, out, o).add(a1).intoArray(out, o);
    o += len;
    FloatVector.fromArray(S, out, o).add(a2).intoArray(out, o);
    o += len;
    FloatVector.fromArray(S, out, o).add(a3).intoArray(out, o);
    o += len;
    FloatVector.fromArray(S, out, o).add(a4).intoArray(out, o);
    o += len;
    FloatVector.fromArray(S, out, o).add(a5).intoArray(out, o);
  }

  /** Taps {@code t..t+3}, channels {@code k..k+vl} (masked past {@code len}). */
  private static void outer4(float[] out, int o, float[] dzT, int dz, int k, int len,
      float[] src, int[] offsets, int t, int oh, int ow, int posRowStep) {
    VectorMask<Float> m = S.indexInRange(k, len);
    int s0 = offsets[t];
    int s1 = offsets[t + 1];
    int s2 = offsets[t + 2];
    int s3 = offsets[t + 3];
    FloatVector a0 = FloatVector.zero(S);
    FloatVector a1 = a0;
    FloatVector a2 = a0;
    FloatVector a3 = a0;
    int q = dz + k;
    for (int i = 0, r = 0; i < oh; i++, r += posRowStep) {
      for (int j = r, e = r + ow; j < e; j++, q += len) {
        FloatVector d = FloatVector.fromArray(S, dzT, q, m);
        a0 = d.fma(FloatVector.broadcast(S, src[s0 + j]), a0);
        a1 = d.fma(FloatVector.broadcast(S, src[s1 + j]), a1);
        a2 = d.fma(FloatVector.broadcast(S, src[s2 + j]), a2);
        a3 = d.fma(FloatVector.broadcast(S, src[s3 + j]), a3);
      }
    }
    o += k;
    FloatVector.fromArray(S, out, o, m).add(a0).intoArray(out, o, m);
    o += len;
    FloatVector.fromArray(S, out, o, m).add(a1).intoArray(out, o, m);
    o += len;
    FloatVector.fromArray(S, out, o, m).add(a2).intoArray(out, o, m);
    o += len;
    FloatVector.fromArray(S, out, o, m).add(a3).intoArray(out, o, m);
  }

  private static void outer1(float[] out, int o, float[] dzT, int dz, int k, int len,
      float[] src, int s0, int oh, int ow, int posRowStep) {
    VectorMask<Float> m = S.indexInRange(k, len);
    FloatVector a0 = FloatVector.zero(S);
    int q = dz + k;
    for (int i = 0, r = 0; i < oh; i++, r += posRowStep) {
      for (int j = r, e = r + ow; j < e; j++, q += len) {
        a0 = FloatVector.fromArray(S, dzT, q, m).fma(FloatVector.broadcast(S, src[s0 + j]), a0);
      }
    }
    o += k;
    FloatVector.fromArray(S, out, o, m).add(a0).intoArray(out, o, m);
  }

  /** The vector length in floats. */
  static int lanes() {
    return S.length();
  }

  /**
   * {@link Kernels#addWindowProducts}: dz copied into {@code pz} with rows {@code posRowStep}
   * apart (zeros between them), then per tap the products over the whole padded plane added onto
   * the destination in place, four (or three) input channels by two vectors per block, the
   * output channels streaming past. Blocks only where planes are at least two vectors apart, so
   * the vectors one step of a block loads and stores never share an element; runs that overlap
   * further apart are added in turn, each step seeing the stores before it.
   */
  static void addWindowProducts(float[] dst, int base, int channels, int planeStep, int kh,
      int kw, int rowStep, int colStep, int oh, int ow, int posRowStep, float[] dz, int dzOff,
      int outChannels, float[] w, int wOff, int kStride, float[] pz) {
    int vl = S.length();
    int plane = oh * posRowStep;
    int rows = outChannels * oh;
    if (posRowStep <= vl) {
      // one masked load per row (zeros past ow); the whole-vector store's spill past posRowStep
      // is overwritten by the next row, the last row's by nothing (pz has a vector of room)
      VectorMask<Float> m = S.indexInRange(0, ow);
      for (int r = 0, from = dzOff, to = 0; r < rows; r++, from += ow, to += posRowStep) {
        FloatVector.fromArray(S, dz, from, m).intoArray(pz, to);
      }
    } else {
      for (int r = 0, from = dzOff, to = 0; r < rows; r++, from += ow, to += posRowStep) {
        for (int x = 0; x < posRowStep; x += vl) {
          FloatVector.fromArray(S, dz, from + x, S.indexInRange(x, ow))
              .intoArray(pz, to + x, S.indexInRange(x, posRowStep));
        }
      }
    }
    int len = (oh - 1) * posRowStep + ow;
    int taps = kh * kw;
    // A block loads two vectors of each of its channels before it stores any: several channels
    // per block only where planes are at least that far apart, so that no two of them touch the
    // same element (runs overlapping further apart are added in turn); otherwise one at a time.
    int blocked = planeStep >= 2 * vl ? channels : 0;
    int quads = blocked - (blocked % 4 == 1 && blocked >= 9 ? 9 : blocked % 4 == 2 ? 6 : 0);
    for (int u = 0; u < kh; u++) {
      for (int v = 0; v < kw; v++) {
        int d = base + u * rowStep + v * colStep;
        int cf = wOff + u * kw + v;
        int c = 0;
        for (; c + 3 < quads; c += 4) {
          tapQuad(dst, d + c * planeStep, planeStep, pz, plane, outChannels, w, cf + c * taps,
              taps, kStride, len);
        }
        for (; c + 2 < blocked; c += 3) {
          tapTriple(dst, d + c * planeStep, planeStep, pz, plane, outChannels, w, cf + c * taps,
              taps, kStride, len);
        }
        for (; c < channels; c++) {
          tapSingle(dst, d + c * planeStep, pz, plane, outChannels, w, cf + c * taps, kStride,
              len);
        }
      }
    }
  }

  /** Four channels of {@link #addWindowProducts}, two vectors at a time, then masked ones. */
  private static void tapQuad(float[] dst, int d0, int dStep, float[] pz, int plane,
      int sumCount, float[] coef, int c0, int outStride, int sumStride, int len) {
    int vl = S.length();
    int d1 = d0 + dStep;
    int d2 = d1 + dStep;
    int d3 = d2 + dStep;
    int c1 = c0 + outStride;
    int c2 = c1 + outStride;
    int c3 = c2 + outStride;
    int i = 0;
    for (; i + 2 * vl <= len; i += 2 * vl) {
      FloatVector a0 = FloatVector.fromArray(S, dst, d0 + i);
      FloatVector a1 = FloatVector.fromArray(S, dst, d1 + i);
      FloatVector a2 = FloatVector.fromArray(S, dst, d2 + i);
      FloatVector a3 = FloatVector.fromArray(S, dst, d3 + i);
      FloatVector b0 = FloatVector.fromArray(S, dst, d0 + i + vl);
      FloatVector b1 = FloatVector.fromArray(S, dst, d1 + i + vl);
      FloatVector b2 = FloatVector.fromArray(S, dst, d2 + i + vl);
      FloatVector b3 = FloatVector.fromArray(S, dst, d3 + i + vl);
      for (int s = 0, r = i, cs = 0; s < sumCount; s++, r += plane, cs += sumStride) {
        FloatVector x = FloatVector.fromArray(S, pz, r);
        FloatVector y = FloatVector.fromArray(S, pz, r + vl);
        FloatVector w0 = FloatVector.broadcast(S, coef[c0 + cs]);
        FloatVector w1 = FloatVector.broadcast(S, coef[c1 + cs]);
        FloatVector w2 = FloatVector.broadcast(S, coef[c2 + cs]);
        FloatVector w3 = FloatVector.broadcast(S, coef[c3 + cs]);
        a0 = x.fma(w0, a0);
        a1 = x.fma(w1, a1);
        a2 = x.fma(w2, a2);
        a3 = x.fma(w3, a3);
        b0 = y.fma(w0, b0);
        b1 = y.fma(w1, b1);
        b2 = y.fma(w2, b2);
        b3 = y.fma(w3, b3);
      }
      a0.intoArray(dst, d0 + i);
      a1.intoArray(dst, d1 + i);
      a2.intoArray(dst, d2 + i);
      a3.intoArray(dst, d3 + i);
      b0.intoArray(dst, d0 + i + vl);
      b1.intoArray(dst, d1 + i + vl);
      b2.intoArray(dst, d2 + i + vl);
      b3.intoArray(dst, d3 + i + vl);
    }
    if (i < len) {
      tapQuadTail(dst, d0, dStep, pz, plane, sumCount, coef, c0, outStride, sumStride, i, len);
    }
  }

  /**
   * {@link #tapQuad}'s positions {@code from..len} (less than two vectors), masked: a method of
   * its own, so that C1 can compile {@code tapQuad}'s loop on its own (the two loops together once
   * ran out of C1's virtual registers in an on-stack-replacement compilation, leaving the kernel
   * in code that boxes every vector until the JVM exits).
   */
  private static void tapQuadTail(float[] dst, int d0, int dStep, float[] pz, int plane,
      int sumCount, float[] coef, int c0, int outStride, int sumStride, int from, int len) {
    int vl = S.length();
    int d1 = d0 + dStep;
    int d2 = d1 + dStep;
    int d3 = d2 + dStep;
    int c1 = c0 + outStride;
    int c2 = c1 + outStride;
    int c3 = c2 + outStride;
    for (int i = from; i < len; i += vl) {
      VectorMask<Float> m = S.indexInRange(i, len);
      FloatVector a0 = FloatVector.fromArray(S, dst, d0 + i, m);
      FloatVector a1 = FloatVector.fromArray(S, dst, d1 + i, m);
      FloatVector a2 = FloatVector.fromArray(S, dst, d2 + i, m);
      FloatVector a3 = FloatVector.fromArray(S, dst, d3 + i, m);
      for (int s = 0, r = i, cs = 0; s < sumCount; s++, r += plane, cs += sumStride) {
        FloatVector x = FloatVector.fromArray(S, pz, r, m);
        a0 = x.fma(FloatVector.broadcast(S, coef[c0 + cs]), a0);
        a1 = x.fma(FloatVector.broadcast(S, coef[c1 + cs]), a1);
        a2 = x.fma(FloatVector.broadcast(S, coef[c2 + cs]), a2);
        a3 = x.fma(FloatVector.broadcast(S, coef[c3 + cs]), a3);
      }
      a0.intoArray(dst, d0 + i, m);
      a1.intoArray(dst, d1 + i, m);
      a2.intoArray(dst, d2 + i, m);
      a3.intoArray(dst, d3 + i, m);
    }
  }

  /** Three channels of {@link #addWindowProducts}. */
  private static void tapTriple(float[] dst, int d0, int dStep, float[] pz, int plane,
      int sumCount, float[] coef, int c0, int outStride, int sumStride, int len) {
    int vl = S.length();
    int d1 = d0 + dStep;
    int d2 = d1 + dStep;
    int c1 = c0 + outStride;
    int c2 = c1 + outStride;
    int i = 0;
    for (; i + 2 * vl <= len; i += 2 * vl) {
      FloatVector a0 = FloatVector.fromArray(S, dst, d0 + i);
      FloatVector a1 = FloatVector.fromArray(S, dst, d1 + i);
      FloatVector a2 = FloatVector.fromArray(S, dst, d2 + i);
      FloatVector b0 = FloatVector.fromArray(S, dst, d0 + i + vl);
      FloatVector b1 = FloatVector.fromArray(S, dst, d1 + i + vl);
      FloatVector b2 = FloatVector.fromArray(S, dst, d2 + i + vl);
      for (int s = 0, r = i, cs = 0; s < sumCount; s++, r += plane, cs += sumStride) {
        FloatVector x = FloatVector.fromArray(S, pz, r);
        FloatVector y = FloatVector.fromArray(S, pz, r + vl);
        FloatVector w0 = FloatVector.broadcast(S, coef[c0 + cs]);
        FloatVector w1 = FloatVector.broadcast(S, coef[c1 + cs]);
        FloatVector w2 = FloatVector.broadcast(S, coef[c2 + cs]);
        a0 = x.fma(w0, a0);
        a1 = x.fma(w1, a1);
        a2 = x.fma(w2, a2);
        b0 = y.fma(w0, b0);
        b1 = y.fma(w1, b1);
        b2 = y.fma(w2, b2);
      }
      a0.intoArray(dst, d0 + i);
      a1.intoArray(dst, d1 + i);
      a2.intoArray(dst, d2 + i);
      b0.intoArray(dst, d0 + i + vl);
      b1.intoArray(dst, d1 + i + vl);
      b2.intoArray(dst, d2 + i + vl);
    }
    for (; i < len; i += vl) {
      VectorMask<Float> m = S.indexInRange(i, len);
      FloatVector a0 = FloatVector.fromArray(S, dst, d0 + i, m);
      FloatVector a1 = FloatVector.fromArray(S, dst, d1 + i, m);
      FloatVector a2 = FloatVector.fromArray(S, dst, d2 + i, m);
      for (int s = 0, r = i, cs = 0; s < sumCount; s++, r += plane, cs += sumStride) {
        FloatVector x = FloatVector.fromArray(S, pz, r, m);
        a0 = x.fma(FloatVector.broadcast(S, coef[c0 + cs]), a0);
        a1 = x.fma(FloatVector.broadcast(S, coef[c1 + cs]), a1);
        a2 = x.fma(FloatVector.broadcast(S, coef[c2 + cs]), a2);
      }
      a0.intoArray(dst, d0 + i, m);
      a1.intoArray(dst, d1 + i, m);
      a2.intoArray(dst, d2 + i, m);
    }
  }

  /** One channel of {@link #addWindowProducts}. */
  private static void tapSingle(float[] dst, int d0, float[] pz, int plane, int sumCount,
      float[] coef, int c0, int sumStride, int len) {
    int vl = S.length();
    int i = 0;
    for (; i + 2 * vl <= len; i += 2 * vl) {
      FloatVector a0 = FloatVector.fromArray(S, dst, d0 + i);
      FloatVector b0 = FloatVector.fromArray(S, dst, d0 + i + vl);
      for (int s = 0, r = i, cs = 0; s < sumCount; s++, r += plane, cs += sumStride) {
        FloatVector x = FloatVector.fromArray(S, pz, r);
        FloatVector y = FloatVector.fromArray(S, pz, r + vl);
        FloatVector w0 = FloatVector.broadcast(S, coef[c0 + cs]);
        a0 = x.fma(w0, a0);
        b0 = y.fma(w0, b0);
      }
      a0.intoArray(dst, d0 + i);
      b0.intoArray(dst, d0 + i + vl);
    }
    for (; i < len; i += vl) {
      VectorMask<Float> m = S.indexInRange(i, len);
      FloatVector a0 = FloatVector.fromArray(S, dst, d0 + i, m);
      for (int s = 0, r = i, cs = 0; s < sumCount; s++, r += plane, cs += sumStride) {
        FloatVector x = FloatVector.fromArray(S, pz, r, m);
        a0 = x.fma(FloatVector.broadcast(S, coef[c0 + cs]), a0);
      }
      a0.intoArray(dst, d0 + i, m);
    }
  }

  /**
   * {@link Kernels#maxPool2x2}: per output row, half a vector of windows at a time: the even and
   * odd inputs of both rows shuffled into the lower lanes, the maxima and the comparison bits as vectors,
   * the arg-max indices built from the bits in int lanes.
   */
  static void maxPool2x2(float[] x, int xc, int w, int oh, int ow, float[] z, int zc, int[] a,
      int argBase) {
    int half = S.length() / 2;
    IntVector steps = IntVector.zero(I).addIndex(2);
    IntVector zero = IntVector.zero(I);
    IntVector one = IntVector.broadcast(I, 1);
    for (int i = 0; i < oh; i++) {
      int xr = xc + 2 * i * w;
      int zr = zc + i * ow;
      for (int j = 0; j < ow; j += half) {
        int n = Math.min(half, ow - j);
        VectorMask<Float> in = S.indexInRange(0, 2 * n);
        VectorMask<Float> out = S.indexInRange(0, n);
        FloatVector r0 = FloatVector.fromArray(S, x, xr + 2 * j, in);
        FloatVector r1 = FloatVector.fromArray(S, x, xr + w + 2 * j, in);
        FloatVector x0 = r0.rearrange(EVENS);
        FloatVector x1 = r0.rearrange(ODDS);
        FloatVector x2 = r1.rearrange(EVENS);
        FloatVector x3 = r1.rearrange(ODDS);
        VectorMask<Float> s01 = x1.compare(VectorOperators.GT, x0);
        VectorMask<Float> s23 = x3.compare(VectorOperators.GT, x2);
        FloatVector m01 = x0.max(x1);
        FloatVector m23 = x2.max(x3);
        VectorMask<Float> low = m23.compare(VectorOperators.GT, m01);
        m01.max(m23).intoArray(z, zr + j, out);
        // index of the first maximum: q + s01, or q + w + s23 when the lower pair wins
        IntVector first = zero.blend(one, s01.cast(I));
        IntVector second = zero.blend(one, s23.cast(I)).add(w);
        steps.add(argBase + 2 * i * w + 2 * j).add(first.blend(second, low.cast(I)))
            .intoArray(a, zr + j, out.cast(I));
      }
    }
  }

  /**
   * {@link Kernels#sum}: four vectors of partial sums (one add each per four vectors read), added
   * in a fixed order, then their lanes, then the last values one by one.
   */
  static float sum(float[] a, int from, int len) {
    int vl = S.length();
    FloatVector s0 = FloatVector.zero(S);
    FloatVector s1 = s0;
    FloatVector s2 = s0;
    FloatVector s3 = s0;
    int i = from;
    int end = from + len;
    for (; i + 4 * vl <= end; i += 4 * vl) {
      s0 = s0.add(FloatVector.fromArray(S, a, i));
      s1 = s1.add(FloatVector.fromArray(S, a, i + vl));
      s2 = s2.add(FloatVector.fromArray(S, a, i + 2 * vl));
      s3 = s3.add(FloatVector.fromArray(S, a, i + 3 * vl));
    }
    for (; i + vl <= end; i += vl) {
      s0 = s0.add(FloatVector.fromArray(S, a, i));
    }
    float[] lanes = LANES.get();
    s0.add(s1).add(s2.add(s3)).intoArray(lanes, 0);
    float total = sum(lanes);
    for (; i < end; i++) {
      total += a[i];
    }
    return total;
  }

  /**
   * {@link Kernels#sumSquaredDeviations}: four vectors of partial sums of {@code (a − mean)²}
   * (fused multiply-adds), added in a fixed order, then their lanes, then the last values one by
   * one.
   */
  static float sumSquaredDeviations(float[] a, int from, int len, float mean) {
    int vl = S.length();
    FloatVector m = FloatVector.broadcast(S, mean);
    FloatVector s0 = FloatVector.zero(S);
    FloatVector s1 = s0;
    FloatVector s2 = s0;
    FloatVector s3 = s0;
    int i = from;
    int end = from + len;
    for (; i + 4 * vl <= end; i += 4 * vl) {
      FloatVector d0 = FloatVector.fromArray(S, a, i).sub(m);
      FloatVector d1 = FloatVector.fromArray(S, a, i + vl).sub(m);
      FloatVector d2 = FloatVector.fromArray(S, a, i + 2 * vl).sub(m);
      FloatVector d3 = FloatVector.fromArray(S, a, i + 3 * vl).sub(m);
      s0 = d0.fma(d0, s0);
      s1 = d1.fma(d1, s1);
      s2 = d2.fma(d2, s2);
      s3 = d3.fma(d3, s3);
    }
    for (; i + vl <= end; i += vl) {
      FloatVector d = FloatVector.fromArray(S, a, i).sub(m);
      s0 = d.fma(d, s0);
    }
    float[] lanes = LANES.get();
    s0.add(s1).add(s2.add(s3)).intoArray(lanes, 0);
    float total = sum(lanes);
    for (; i < end; i++) {
      float d = a[i] - mean;
      total += d * d;
    }
    return total;
  }

  /**
   * {@link Kernels#dot}: four vectors of partial sums (fused multiply-adds), added in a fixed
   * order, then their lanes, then the last products one by one.
   */
  static float dot(float[] a, float[] b, int from, int len) {
    int vl = S.length();
    FloatVector s0 = FloatVector.zero(S);
    FloatVector s1 = s0;
    FloatVector s2 = s0;
    FloatVector s3 = s0;
    int i = from;
    int end = from + len;
    for (; i + 4 * vl <= end; i += 4 * vl) {
      s0 = FloatVector.fromArray(S, a, i).fma(FloatVector.fromArray(S, b, i), s0);
      s1 = FloatVector.fromArray(S, a, i + vl).fma(FloatVector.fromArray(S, b, i + vl), s1);
      s2 = FloatVector.fromArray(S, a, i + 2 * vl)
          .fma(FloatVector.fromArray(S, b, i + 2 * vl), s2);
      s3 = FloatVector.fromArray(S, a, i + 3 * vl)
          .fma(FloatVector.fromArray(S, b, i + 3 * vl), s3);
    }
    for (; i + vl <= end; i += vl) {
      s0 = FloatVector.fromArray(S, a, i).fma(FloatVector.fromArray(S, b, i), s0);
    }
    float[] lanes = LANES.get();
    s0.add(s1).add(s2.add(s3)).intoArray(lanes, 0);
    float total = sum(lanes);
    for (; i < end; i++) {
      total += a[i] * b[i];
    }
    return total;
  }

  /** {@code g[gOff + r·len + i] += x[xOff + r] · v[vOff + i]}: see {@link Kernels#outer}. */
  static void outer(float[] g, int gOff, float[] x, int xOff, int rows, float[] v, int vOff,
      int len) {
    int vl = S.length();
    for (int r = 0; r < rows; r++) {
      FloatVector a = FloatVector.broadcast(S, x[xOff + r]);
      int row = gOff + r * len;
      int i = 0;
      for (; i + vl <= len; i += vl) {
        FloatVector.fromArray(S, v, vOff + i).fma(a, FloatVector.fromArray(S, g, row + i))
            .intoArray(g, row + i);
      }
      if (i < len) {
        VectorMask<Float> m = S.indexInRange(i, len);
        FloatVector.fromArray(S, v, vOff + i, m).fma(a, FloatVector.fromArray(S, g, row + i, m))
            .intoArray(g, row + i, m);
      }
    }
  }

  /**
   * {@link Kernels#dotsWindows(float[][], int, float[], int, int, int, int, int, float[], int, int,
   * int)}: three rows of dz by four taps at a time, twelve partial sums in registers, so each
   * loaded vector feeds three or four multiply-adds instead of one or four.
   */
  static void dotsRows(float[][] dz, int dzCount, float[][] taps, int[] offsets, int tapCount,
      float[] grad, int gradOff, int gradStride, int len) {
    float[] lanes = LANES.get();
    int full = len - len % S.length();
    int r = 0;
    for (; r + 2 < dzCount; r += 3) {
      int g0 = gradOff + r * gradStride;
      int t = 0;
      for (; t + 3 < tapCount; t += 4) {
        dots34(dz[r], dz[r + 1], dz[r + 2], taps[t], offsets[t], taps[t + 1], offsets[t + 1],
            taps[t + 2], offsets[t + 2], taps[t + 3], offsets[t + 3], grad, g0 + t, gradStride,
            full, lanes);
        if (full < len) {
          // the last partial vector: 12 short scalar sums cost less than masked vectors
          for (int q = 0; q < 3; q++) {
            float[] z = dz[r + q];
            for (int u = 0; u < 4; u++) {
              float[] x = taps[t + u];
              int o = offsets[t + u];
              float acc = 0;
              for (int i = full; i < len; i++) {
                acc += z[i] * x[o + i];
              }
              grad[g0 + q * gradStride + t + u] += acc;
            }
          }
        }
      }
      for (; t < tapCount; t++) {
        for (int q = 0; q < 3; q++) {
          dot1(dz[r + q], 0, taps[t], offsets[t], grad, g0 + q * gradStride + t, len, lanes);
        }
      }
    }
    for (; r < dzCount; r++) {
      dots(dz[r], 0, taps, offsets, tapCount, grad, gradOff + r * gradStride, len);
    }
  }

  /** Three rows of dz by four taps over whole vectors ({@code len} a multiple of the length). */
  private static void dots34(float[] z0, float[] z1, float[] z2, float[] a, int oa, float[] b,
      int ob, float[] c, int oc, float[] d, int od, float[] grad, int gi, int gs, int len,
      float[] lanes) {
    int vl = S.length();
    FloatVector s0 = FloatVector.zero(S);
    FloatVector s1 = s0;
    FloatVector s2 = s0;
    FloatVector s3 = s0;
    FloatVector t0 = s0;
    FloatVector t1 = s0;
    FloatVector t2 = s0;
    FloatVector t3 = s0;
    FloatVector u0 = s0;
    FloatVector u1 = s0;
    FloatVector u2 = s0;
    FloatVector u3 = s0;
    int i = 0;
    for (; i + vl <= len; i += vl) {
      FloatVector xa = FloatVector.fromArray(S, a, oa + i);
      FloatVector xb = FloatVector.fromArray(S, b, ob + i);
      FloatVector xc = FloatVector.fromArray(S, c, oc + i);
      FloatVector xd = FloatVector.fromArray(S, d, od + i);
      FloatVector z = FloatVector.fromArray(S, z0, i);
      s0 = z.fma(xa, s0);
      s1 = z.fma(xb, s1);
      s2 = z.fma(xc, s2);
      s3 = z.fma(xd, s3);
      z = FloatVector.fromArray(S, z1, i);
      t0 = z.fma(xa, t0);
      t1 = z.fma(xb, t1);
      t2 = z.fma(xc, t2);
      t3 = z.fma(xd, t3);
      z = FloatVector.fromArray(S, z2, i);
      u0 = z.fma(xa, u0);
      u1 = z.fma(xb, u1);
      u2 = z.fma(xc, u2);
      u3 = z.fma(xd, u3);
    }
    s0.intoArray(lanes, 0);
    grad[gi] += sum(lanes);
    s1.intoArray(lanes, 0);
    grad[gi + 1] += sum(lanes);
    s2.intoArray(lanes, 0);
    grad[gi + 2] += sum(lanes);
    s3.intoArray(lanes, 0);
    grad[gi + 3] += sum(lanes);
    t0.intoArray(lanes, 0);
    grad[gi + gs] += sum(lanes);
    t1.intoArray(lanes, 0);
    grad[gi + gs + 1] += sum(lanes);
    t2.intoArray(lanes, 0);
    grad[gi + gs + 2] += sum(lanes);
    t3.intoArray(lanes, 0);
    grad[gi + gs + 3] += sum(lanes);
    u0.intoArray(lanes, 0);
    grad[gi + 2 * gs] += sum(lanes);
    u1.intoArray(lanes, 0);
    grad[gi + 2 * gs + 1] += sum(lanes);
    u2.intoArray(lanes, 0);
    grad[gi + 2 * gs + 2] += sum(lanes);
    u3.intoArray(lanes, 0);
    grad[gi + 2 * gs + 3] += sum(lanes);
  }

  /** Four dot products with one shared load of {@code dz} per vector. */
  private static void dots4(float[] dz, int oz, float[] a, int oa, float[] b, int ob, float[] c, int oc,
      float[] d, int od, float[] grad, int gi, int len, float[] lanes) {
    int vl = S.length();
    FloatVector sa = FloatVector.zero(S);
    FloatVector sb = FloatVector.zero(S);
    FloatVector sc = FloatVector.zero(S);
    FloatVector sd = FloatVector.zero(S);
    int i = 0;
    for (; i + vl <= len; i += vl) {
      FloatVector z = FloatVector.fromArray(S, dz, oz + i);
      sa = z.fma(FloatVector.fromArray(S, a, oa + i), sa);
      sb = z.fma(FloatVector.fromArray(S, b, ob + i), sb);
      sc = z.fma(FloatVector.fromArray(S, c, oc + i), sc);
      sd = z.fma(FloatVector.fromArray(S, d, od + i), sd);
    }
    if (i < len) {
      VectorMask<Float> m = S.indexInRange(i, len);
      FloatVector z = FloatVector.fromArray(S, dz, oz + i, m);
      sa = z.fma(FloatVector.fromArray(S, a, oa + i, m), sa);
      sb = z.fma(FloatVector.fromArray(S, b, ob + i, m), sb);
      sc = z.fma(FloatVector.fromArray(S, c, oc + i, m), sc);
      sd = z.fma(FloatVector.fromArray(S, d, od + i, m), sd);
    }
    sa.intoArray(lanes, 0);
    grad[gi] += sum(lanes);
    sb.intoArray(lanes, 0);
    grad[gi + 1] += sum(lanes);
    sc.intoArray(lanes, 0);
    grad[gi + 2] += sum(lanes);
    sd.intoArray(lanes, 0);
    grad[gi + 3] += sum(lanes);
  }

  private static void dot1(float[] dz, int oz, float[] a, int oa, float[] grad, int gi, int len,
      float[] lanes) {
    int vl = S.length();
    FloatVector sa = FloatVector.zero(S);
    int i = 0;
    for (; i + vl <= len; i += vl) {
      sa = FloatVector.fromArray(S, dz, oz + i).fma(FloatVector.fromArray(S, a, oa + i), sa);
    }
    if (i < len) {
      VectorMask<Float> m = S.indexInRange(i, len);
      sa = FloatVector.fromArray(S, dz, oz + i, m)
          .fma(FloatVector.fromArray(S, a, oa + i, m), sa);
    }
    sa.intoArray(lanes, 0);
    grad[gi] += sum(lanes);
  }

  /**
   * A vector's lanes, stored into {@code lanes} by the caller, added in a fixed order: four running
   * sums over lanes {@code i mod 4}, then {@code (s0 + s1) + (s2 + s3)}. {@code reduceLanes(ADD)}
   * leaves the order unspecified, and a fixed order keeps training reproducible; four sums instead
   * of one wait on a quarter of the adds. The vector itself is not passed: where C2 did not
   * inline this method, it would be boxed (an allocation per call).
   */
  private static float sum(float[] lanes) {
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    int i = 0;
    for (; i + 3 < lanes.length; i += 4) {
      s0 += lanes[i];
      s1 += lanes[i + 1];
      s2 += lanes[i + 2];
      s3 += lanes[i + 3];
    }
    for (; i < lanes.length; i++) {
      s0 += lanes[i];
    }
    return (s0 + s1) + (s2 + s3);
  }

  /**
   * {@link Kernels#maskedDotAndSum}: the derivative applied vector by vector, the products and
   * the values summed in the partial sums of {@link #dot} and {@link #sum}, in their orders.
   */
  static float maskedDotAndSum(float[] d, float[] xh, int from, int len, float g, float beta,
      float lo, float hi, float below, float[] sum, int sumAt) {
    int vl = S.length();
    FloatVector s0 = FloatVector.zero(S);
    FloatVector s1 = s0;
    FloatVector s2 = s0;
    FloatVector s3 = s0;
    FloatVector t0 = s0;
    FloatVector t1 = s0;
    FloatVector t2 = s0;
    FloatVector t3 = s0;
    int i = from;
    int end = from + len;
    for (; i + 4 * vl <= end; i += 4 * vl) {
      FloatVector v0 = masked(d, xh, i, g, beta, lo, hi, below);
      FloatVector v1 = masked(d, xh, i + vl, g, beta, lo, hi, below);
      FloatVector v2 = masked(d, xh, i + 2 * vl, g, beta, lo, hi, below);
      FloatVector v3 = masked(d, xh, i + 3 * vl, g, beta, lo, hi, below);
      s0 = v0.fma(FloatVector.fromArray(S, xh, i), s0);
      s1 = v1.fma(FloatVector.fromArray(S, xh, i + vl), s1);
      s2 = v2.fma(FloatVector.fromArray(S, xh, i + 2 * vl), s2);
      s3 = v3.fma(FloatVector.fromArray(S, xh, i + 3 * vl), s3);
      t0 = t0.add(v0);
      t1 = t1.add(v1);
      t2 = t2.add(v2);
      t3 = t3.add(v3);
    }
    for (; i + vl <= end; i += vl) {
      FloatVector v = masked(d, xh, i, g, beta, lo, hi, below);
      s0 = v.fma(FloatVector.fromArray(S, xh, i), s0);
      t0 = t0.add(v);
    }
    float[] lanes = LANES.get();
    s0.add(s1).add(s2.add(s3)).intoArray(lanes, 0);
    float dot = sum(lanes);
    t0.add(t1).add(t2.add(t3)).intoArray(lanes, 0);
    float total = sum(lanes);
    for (; i < end; i++) {
      float z = g * xh[i] + beta;
      float v = d[i] * (z > lo && z < hi ? 1f : below);
      d[i] = v;
      dot += v * xh[i];
      total += v;
    }
    sum[sumAt] = total;
    return dot;
  }

  /**
   * One vector of {@code d[at..]} times the derivative at {@code g·xh + beta} (1 inside (lo, hi),
   * else {@code below}), stored back and returned.
   */
  private static FloatVector masked(float[] d, float[] xh, int at, float g, float beta, float lo,
      float hi, float below) {
    FloatVector z = FloatVector.fromArray(S, xh, at).mul(g).add(beta);
    VectorMask<Float> inside = z.compare(VectorOperators.GT, lo)
        .and(z.compare(VectorOperators.LT, hi));
    FloatVector v = FloatVector.fromArray(S, d, at)
        .mul(FloatVector.broadcast(S, below).blend(1f, inside));
    v.intoArray(d, at);
    return v;
  }
}
