package dev.lamina.samples.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.runtime.FloatWorkspace;
import dev.lamina.runtime.optim.Optimizers;
import dev.lamina.samples.Lamina_LeNet5;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The naive baseline computes what the generated network computes, from the same parameters. */
class NaiveLeNet5Test {
  static final int BATCH = 8;

  static float[] images(long seed, int n) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[n * 784];
    for (int i = 0; i < x.length; i++) {
      // Sparse bright strokes on a dark background, like Fashion-MNIST.
      x[i] = r.nextInt(3) == 0 ? (float) r.nextDouble() : 0f;
    }
    return x;
  }

  static int[] labels(long seed, int n) {
    SplittableRandom r = new SplittableRandom(seed);
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = r.nextInt(10);
    }
    return y;
  }

  static void assertClose(float[] expected, float[] actual, double tolerance, String what) {
    assertEquals(expected.length, actual.length, what + ": lengths");
    double scale = 0;
    for (float v : expected) {
      scale = Math.max(scale, Math.abs(v));
    }
    for (int i = 0; i < expected.length; i++) {
      double diff = Math.abs(expected[i] - actual[i]);
      assertTrue(diff <= tolerance * Math.max(scale, 1e-3),
          what + "[" + i + "]: generated " + expected[i] + ", naive " + actual[i]);
    }
  }

  @Test
  void sameInitialParametersAsTheGeneratedNetwork() {
    assertArrayEquals(new Lamina_LeNet5(7).parameters(), new NaiveLeNet5(7).parameters());
  }

  @Test
  void forwardAndGradientsMatchTheGeneratedNetwork() {
    Lamina_LeNet5 gen = new Lamina_LeNet5(3);
    NaiveLeNet5 naive = new NaiveLeNet5(gen.parameters());
    float[] x = images(11, BATCH);
    int[] y = labels(12, BATCH);
    FloatWorkspace a = gen.newWorkspace(BATCH);
    FloatWorkspace b = naive.newWorkspace(BATCH);
    assertClose(a.forward(x, 0, BATCH, false).clone(), b.forward(x, 0, BATCH, false).clone(),
        1e-5, "scores");
    a.zeroGradients();
    b.zeroGradients();
    float la = a.lossAndGradients(x, 0, y, 0, BATCH, 1f / BATCH);
    float lb = b.lossAndGradients(x, 0, y, 0, BATCH, 1f / BATCH);
    assertEquals(la, lb, 1e-5 * Math.abs(la), "summed loss");
    assertClose(a.gradients(), b.gradients(), 1e-4, "gradients");
  }

  @Test
  void sameLossesOverSeveralSgdSteps() {
    Lamina_LeNet5 gen = new Lamina_LeNet5(5);
    NaiveLeNet5 naive = new NaiveLeNet5(gen.parameters());
    gen.setOptimizer(Optimizers.sgd(0.05f).build(gen.summary()));
    naive.setOptimizer(Optimizers.sgd(0.05f).build(naive.summary()));
    float first = Float.NaN;
    float last = Float.NaN;
    for (int step = 0; step < 6; step++) {
      float[] x = images(100 + step, BATCH);
      int[] y = labels(200 + step, BATCH);
      float lg = gen.trainStep(x, y, BATCH);
      float ln = naive.trainStep(x, y, BATCH);
      assertEquals(lg, ln, 1e-4 * Math.max(1, Math.abs(lg)), "loss of step " + step);
      if (step == 0) {
        first = lg;
      }
      last = lg;
    }
    assertTrue(Float.isFinite(first) && Float.isFinite(last));
    assertClose(gen.parameters(), naive.parameters(), 1e-4, "parameters after 6 steps");
  }

  @Test
  void predictAgreesWithTheGeneratedNetwork() {
    Lamina_LeNet5 gen = new Lamina_LeNet5(9);
    NaiveLeNet5 naive = new NaiveLeNet5(gen.parameters());
    float[] x = images(31, 20);
    for (int i = 0; i < 20; i++) {
      float[] sample = java.util.Arrays.copyOfRange(x, i * 784, (i + 1) * 784);
      assertEquals(gen.predict(sample), naive.predict(sample), "sample " + i);
    }
  }
}
