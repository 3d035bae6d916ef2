package dev.lamina.runtime.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.runtime.Layouts;
import dev.lamina.runtime.Optimizer;
import dev.lamina.runtime.ParameterTensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each optimizer against its update rule written out in double precision. */
class OptimizersTest {
  /** fc.weight = [0, 4) (decayed), fc.bias = [4, 6) (not decayed). */
  private static final List<ParameterTensor> LAYOUT = List.of(
      Layouts.weight("fc", 0, 2, 2, ParameterTensor.Init.HE_NORMAL),
      Layouts.bias("fc", 4, 2));
  private static final double[] P0 = {0.5, -1.25, 2.0, 0.75, 0.1, -0.3};
  /** Gradients of three steps. */
  private static final double[][] G = {
      {0.2, -0.4, 1.5, -0.05, 0.3, -0.7},
      {-0.1, 0.25, 0.5, 0.02, 0.3, 0.1},
      {0.6, 0.0, -0.3, 0.12, -0.2, 0.4}};

  private static float[] floats(double[] a) {
    float[] f = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      f[i] = (float) a[i];
    }
    return f;
  }

  private static boolean isWeight(int i) {
    return i < 4;
  }

  private static void run(Optimizer opt, float[] p, int steps) {
    for (int s = 0; s < steps; s++) {
      opt.step(p, floats(G[s]));
    }
  }

  private static void assertClose(double[] expected, float[] actual) {
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], 1e-6 * Math.max(1, Math.abs(expected[i])),
          "element " + i);
    }
  }

  /**
   * A step taken in parts, cut inside the weight range and across its border with the bias, in
   * any order, gives the bits of one step: three steps of each element-wise optimizer.
   */
  @Test
  void aStepTakenInPartsIsOneStep() {
    List<BaseOptimizer> whole = List.of(
        Optimizers.sgd(0.05f).momentum(0.9f).weightDecay(0.01f).build().attach(LAYOUT),
        Optimizers.adam(0.01f).weightDecay(0.01f).build().attach(LAYOUT));
    List<BaseOptimizer> parts = List.of(
        Optimizers.sgd(0.05f).momentum(0.9f).weightDecay(0.01f).build().attach(LAYOUT),
        Optimizers.adam(0.01f).weightDecay(0.01f).build().attach(LAYOUT));
    for (int o = 0; o < whole.size(); o++) {
      assertTrue(parts.get(o).updatesElementWise());
      float[] expected = floats(P0);
      float[] actual = floats(P0);
      for (int s = 0; s < 3; s++) {
        whole.get(o).step(expected, floats(G[s]));
        float[] g = floats(G[s]);
        parts.get(o).startStep(actual, g);
        parts.get(o).stepPart(actual, g, 3, 5);
        parts.get(o).stepPart(actual, g, 5, 6);
        parts.get(o).stepPart(actual, g, 0, 3);
      }
      for (int i = 0; i < expected.length; i++) {
        assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]),
            whole.get(o).getClass().getSimpleName() + " element " + i);
      }
    }
    BaseOptimizer sgd = parts.get(0);
    assertThrows(IndexOutOfBoundsException.class,
        () -> sgd.stepPart(new float[6], new float[6], 4, 7));
    assertThrows(IllegalStateException.class,
        () -> sgd.stepPart(new float[7], new float[7], 0, 7), "no step of 7 was started");
    BaseOptimizer fresh = Optimizers.sgd(0.05f).build();
    assertThrows(IllegalStateException.class,
        () -> fresh.stepPart(new float[6], new float[6], 0, 6), "no step was started");
  }

  /** Adam's bias corrections and the step decay use it instead of StrictMath.pow. */
  @Test
  void powerBySquaringMatchesPow() {
    assertEquals(1.0, BaseOptimizer.power(0.9, 0));
    assertEquals(0.9, BaseOptimizer.power(0.9, 1));
    assertEquals(1024.0, BaseOptimizer.power(2, 10));
    assertEquals(0.25, BaseOptimizer.power(2, -2));
    for (double base : new double[] {0.9, 0.999, 0.99, (float) 0.1, 0.5}) {
      for (long t = 1; t < 2_000_000; t = t * 3 + 1) {
        double expected = StrictMath.pow(base, t);
        // Squaring loses about one rounding per factor of the exponent: relative error ~ t·2^-53.
        assertEquals(expected, BaseOptimizer.power(base, t),
            (4 + t) * 0x1p-52 * expected + Double.MIN_VALUE, base + "^" + t);
        // What Adam uses: the float bias correction.
        assertEquals((float) (1 - expected), (float) (1 - BaseOptimizer.power(base, t)),
            Math.ulp((float) (1 - expected)), "1 - " + base + "^" + t);
      }
    }
  }

  @Test
  void plainSgd() {
    double lr = 0.1;
    double[] p = P0.clone();
    for (int s = 0; s < 3; s++) {
      for (int i = 0; i < p.length; i++) {
        p[i] -= lr * G[s][i];
      }
    }
    float[] actual = floats(P0);
    run(Optimizers.sgd(0.1f).build(), actual, 3);
    assertClose(p, actual);
    // first step by hand: 0.5 - 0.1 * 0.2 = 0.48
    float[] one = floats(P0);
    Optimizers.sgd(0.1f).build().step(one, floats(G[0]));
    assertEquals(0.48, one[0], 1e-7);
  }

  @Test
  void sgdWithMomentumAndWeightDecayOnWeightsOnly() {
    double lr = 0.05;
    double mu = 0.9;
    double wd = 0.01;
    double[] p = P0.clone();
    double[] v = new double[p.length];
    for (int s = 0; s < 3; s++) {
      for (int i = 0; i < p.length; i++) {
        double g = G[s][i] + (isWeight(i) ? wd * p[i] : 0);
        v[i] = mu * v[i] + g;
        p[i] -= lr * v[i];
      }
    }
    float[] actual = floats(P0);
    run(Optimizers.sgd(0.05f).momentum(0.9f).weightDecay(0.01f).build().attach(LAYOUT), actual, 3);
    assertClose(p, actual);
  }

  @Test
  void nesterovMomentum() {
    double lr = 0.05;
    double mu = 0.8;
    double[] p = P0.clone();
    double[] v = new double[p.length];
    for (int s = 0; s < 3; s++) {
      for (int i = 0; i < p.length; i++) {
        v[i] = mu * v[i] + G[s][i];
        p[i] -= lr * (G[s][i] + mu * v[i]);
      }
    }
    float[] actual = floats(P0);
    run(Optimizers.sgd(0.05f).momentum(0.8f).nesterov(true).build(), actual, 3);
    assertClose(p, actual);
    // Nesterov differs from classic momentum after the first step.
    float[] classic = floats(P0);
    run(Optimizers.sgd(0.05f).momentum(0.8f).build(), classic, 3);
    assertTrue(Math.abs(classic[2] - actual[2]) > 1e-3);
  }

  @Test
  void adamWithBiasCorrectionAndL2() {
    double lr = 0.01;
    double b1 = 0.9;
    double b2 = 0.999;
    double eps = 1e-8;
    double wd = 0.1;
    double[] p = P0.clone();
    double[] m = new double[p.length];
    double[] v = new double[p.length];
    for (int s = 0; s < 3; s++) {
      int t = s + 1;
      for (int i = 0; i < p.length; i++) {
        double g = G[s][i] + (isWeight(i) ? wd * p[i] : 0);
        m[i] = b1 * m[i] + (1 - b1) * g;
        v[i] = b2 * v[i] + (1 - b2) * g * g;
        double mHat = m[i] / (1 - Math.pow(b1, t));
        double vHat = v[i] / (1 - Math.pow(b2, t));
        p[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
      }
    }
    float[] actual = floats(P0);
    Adam adam = Optimizers.adam(0.01f).weightDecay(0.1f).build();
    adam.attach(LAYOUT);
    run(adam, actual, 3);
    assertClose(p, actual);
    assertEquals(3, adam.stepCount());
  }

  @Test
  void adamWDecouplesTheDecay() {
    double lr = 0.01;
    double wd = 0.5;
    double[] p = P0.clone();
    double[] m = new double[p.length];
    double[] v = new double[p.length];
    for (int s = 0; s < 3; s++) {
      int t = s + 1;
      for (int i = 0; i < p.length; i++) {
        if (isWeight(i)) {
          p[i] -= lr * wd * p[i];
        }
        double g = G[s][i];
        m[i] = 0.9 * m[i] + 0.1 * g;
        v[i] = 0.999 * v[i] + 0.001 * g * g;
        p[i] -= lr * (m[i] / (1 - Math.pow(0.9, t))) / (Math.sqrt(v[i] / (1 - Math.pow(0.999, t)))
            + 1e-8);
      }
    }
    float[] actual = floats(P0);
    run(Optimizers.adam(0.01f).decoupledWeightDecay(0.5f).build().attach(LAYOUT), actual, 3);
    assertClose(p, actual);
  }

  @Test
  void adamFirstStepIsLearningRateTimesSignOfGradient() {
    float[] p = floats(P0);
    float[] g = {0.2f, -0.4f, 1500f, -0.00005f, 3e-3f, -7f};
    Optimizers.adam(0.001f).build().step(p, g);
    for (int i = 0; i < p.length; i++) {
      assertEquals(P0[i] - 0.001 * Math.signum(g[i]), p[i], 1e-6, "element " + i);
    }
  }

  @Test
  void weightDecayWithoutLayoutIsRefused() {
    Optimizer opt = Optimizers.sgd(0.1f).weightDecay(1e-4f).build();
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> opt.step(new float[6], new float[6]));
    assertTrue(e.getMessage().contains("attach"), e.getMessage());
  }

  @Test
  void mismatchedLengthsAreRefused() {
    Optimizer opt = Optimizers.adam(0.1f).build();
    assertThrows(IllegalArgumentException.class, () -> opt.step(new float[6], new float[5]));
  }

  @Test
  void setLearningRateTakesEffect() {
    Optimizer opt = Optimizers.sgd(0.1f).build();
    opt.setLearningRate(0.5f);
    assertEquals(0.5f, opt.learningRate());
    float[] p = {1f};
    opt.step(p, new float[] {1f});
    assertEquals(0.5f, p[0]);
  }

  @Test
  void schedules() {
    LearningRateSchedule constant = LearningRateSchedule.constant(0.1f);
    assertEquals(0.1f, constant.learningRate(7, 3, 10));

    LearningRateSchedule step = LearningRateSchedule.stepDecay(0.1f, 10, 0.5f);
    assertEquals(0.1, step.learningRate(0, 0, 100), 1e-8);
    assertEquals(0.1, step.learningRate(9, 99, 100), 1e-8);
    assertEquals(0.05, step.learningRate(10, 0, 100), 1e-8);
    assertEquals(0.025, step.learningRate(25, 5, 100), 1e-8);

    // cosine from 0.1 to 0 over 10 epochs: at epoch e (batch 0) lr = 0.05 (1 + cos(pi e / 10))
    LearningRateSchedule cos = LearningRateSchedule.cosine(0.1f, 0f, 10);
    assertEquals(0.1, cos.learningRate(0, 0, 50), 1e-7);
    assertEquals(0.05, cos.learningRate(5, 0, 50), 1e-7);
    assertEquals(0.05 * (1 + Math.cos(Math.PI * 0.25)), cos.learningRate(2, 25, 50), 1e-7);
    assertEquals(0, cos.learningRate(10, 0, 50), 1e-8);
    assertEquals(0, cos.learningRate(12, 3, 50), 1e-8);

    // 2 warm-up epochs of 10 batches: step s gets 0.1 (s + 1) / 20, then cosine over 80 steps.
    LearningRateSchedule warm = LearningRateSchedule.cosine(0.1f, 0.01f, 10, 2);
    assertEquals(0.005, warm.learningRate(0, 0, 10), 1e-7);
    assertEquals(0.1 * 15 / 20, warm.learningRate(1, 4, 10), 1e-7);
    assertEquals(0.1, warm.learningRate(2, 0, 10), 1e-7);
    assertEquals(0.01 + 0.09 * 0.5, warm.learningRate(6, 0, 10), 1e-7);
  }
}
