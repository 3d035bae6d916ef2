package dev.lamina.samples.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The fused multiply-add form of {@link FmaPeak}, on the JDK Vector API: loaded only when the
 * runtime's Vector API kernels are in use (JDK 21+ with {@code --add-modules
 * jdk.incubator.vector}), so that their GFLOP/s are compared with a peak the same instructions
 * reach.
 */
final class VectorPeak {
  private VectorPeak() {}

  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

  /**
   * {@code a[i] = (…(a[i]·m + c)·m + c…)}, 16 fused multiply-adds per element, eight vectors of
   * the array in flight at once (independent chains to cover the FMA latency). {@code a.length}
   * must be a multiple of eight vectors.
   */
  static void chain16(float[] a, float m, float c) {
    int vl = S.length();
    FloatVector vm = FloatVector.broadcast(S, m);
    FloatVector vc = FloatVector.broadcast(S, c);
    for (int i = 0; i + 8 * vl <= a.length; i += 8 * vl) {
      FloatVector x0 = FloatVector.fromArray(S, a, i);
      FloatVector x1 = FloatVector.fromArray(S, a, i + vl);
      FloatVector x2 = FloatVector.fromArray(S, a, i + 2 * vl);
      FloatVector x3 = FloatVector.fromArray(S, a, i + 3 * vl);
      FloatVector x4 = FloatVector.fromArray(S, a, i + 4 * vl);
      FloatVector x5 = FloatVector.fromArray(S, a, i + 5 * vl);
      FloatVector x6 = FloatVector.fromArray(S, a, i + 6 * vl);
      FloatVector x7 = FloatVector.fromArray(S, a, i + 7 * vl);
      for (int k = 0; k < 16; k++) {
        x0 = x0.fma(vm, vc);
        x1 = x1.fma(vm, vc);
        x2 = x2.fma(vm, vc);
        x3 = x3.fma(vm, vc);
        x4 = x4.fma(vm, vc);
        x5 = x5.fma(vm, vc);
        x6 = x6.fma(vm, vc);
        x7 = x7.fma(vm, vc);
      }
      x0.intoArray(a, i);
      x1.intoArray(a, i + vl);
      x2.intoArray(a, i + 2 * vl);
      x3.intoArray(a, i + 3 * vl);
      x4.intoArray(a, i + 4 * vl);
      x5.intoArray(a, i + 5 * vl);
      x6.intoArray(a, i + 6 * vl);
      x7.intoArray(a, i + 7 * vl);
    }
  }
}
