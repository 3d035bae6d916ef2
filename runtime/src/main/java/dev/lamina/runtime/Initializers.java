package dev.lamina.runtime;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Default parameter initialization (interim minimal version for the code generator; the runtime's
 * full implementation supersedes it). Each tensor gets its {@link ParameterTensor#init()}: He normal
 * with std {@code sqrt(2/fanIn)}, Xavier uniform with limit {@code sqrt(6/(fanIn+fanOut))}, zeros
 * or ones. The same seed gives the same values.
 */
public final class Initializers {
  private Initializers() {}

  /** Initializes every tensor with its compile-time default {@link ParameterTensor#init()}. */
  public static void initialize(float[] params, List<ParameterTensor> tensors, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    for (ParameterTensor t : tensors) {
      for (int i = 0; i < t.size(); i++) {
        params[t.offset() + i] = (float) draw(t, random);
      }
    }
  }

  /** Initializes every tensor with its compile-time default {@link ParameterTensor#init()}. */
  public static void initialize(double[] params, List<ParameterTensor> tensors, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    for (ParameterTensor t : tensors) {
      for (int i = 0; i < t.size(); i++) {
        params[t.offset() + i] = draw(t, random);
      }
    }
  }

  private static double draw(ParameterTensor t, SplittableRandom random) {
    return switch (t.init()) {
      case HE_NORMAL -> gaussian(random) * Math.sqrt(2.0 / Math.max(1, t.fanIn()));
      case XAVIER_UNIFORM -> {
        double limit = Math.sqrt(6.0 / Math.max(1, t.fanIn() + t.fanOut()));
        yield (2 * random.nextDouble() - 1) * limit;
      }
      case ZEROS -> 0.0;
      case ONES -> 1.0;
    };
  }

  /** Box-Muller: one standard normal value. */
  private static double gaussian(SplittableRandom random) {
    double u = 1.0 - random.nextDouble();
    double v = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
