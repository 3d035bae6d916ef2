package dev.lamina.runtime.gan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.runtime.FloatWorkspace;
import dev.lamina.runtime.optim.Optimizers;
import dev.lamina.tests.nets.Lamina_LeNet5;
import dev.lamina.tests.nets.Lamina_TinyCritic;
import dev.lamina.tests.nets.Lamina_TinyGenerator;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Adversarial training of two generated networks: the generator's step never touches the
 * discriminator, the generator's gradient is that of the non-saturating loss through the
 * discriminator (central differences), a seed fixes everything, and a step allocates nothing.
 */
class GanTrainerTest {
  private static final int BATCH = 8;

  /** Real "images": blobs in [-1, 1], {@code batches} batches of 8. */
  private static float[] reals(int batches, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[batches * BATCH * 36];
    for (int i = 0; i < x.length; i++) {
      int p = i % 36;
      double blob = Math.exp(-((p / 6 - 2.5) * (p / 6 - 2.5) + (p % 6 - 2.5) * (p % 6 - 2.5)) / 4);
      x[i] = (float) (2 * blob - 1 + 0.1 * r.nextGaussian());
    }
    return x;
  }

  private static GanTrainer trainer(Lamina_TinyGenerator g, Lamina_TinyCritic d, long seed) {
    return GanTrainer.builder(g, d).batchSize(BATCH).seed(seed).build();
  }

  @Test
  void theGeneratorStepLeavesTheDiscriminatorBitIdentical() {
    Lamina_TinyGenerator g = new Lamina_TinyGenerator(1);
    Lamina_TinyCritic d = new Lamina_TinyCritic(2);
    GanTrainer t = trainer(g, d, 3);
    float[] real = reals(1, 4);
    for (int step = 0; step < 3; step++) {
      t.generate();
      float[] beforeD = d.parameters().clone();
      t.discriminatorStep(real, 0);
      assertFalse(Arrays.equals(beforeD, d.parameters()), "the discriminator's step moves D");
      float[] dAfterItsStep = d.parameters().clone();
      float[] gBefore = g.parameters().clone();
      t.generatorStep();
      // Every value of D's array, batch norm's running statistics included, to the bit.
      assertArrayEquals(dAfterItsStep, d.parameters(), "step " + step);
      assertFalse(Arrays.equals(gBefore, g.parameters()), "the generator's step moves G");
    }
  }

  /** The non-saturating loss of the trainer's current noise, for G's parameters as they are. */
  private static double generatorLoss(GanTrainer t, Lamina_TinyGenerator g, FloatWorkspace gw,
      FloatWorkspace dw) {
    float[] fake = gw.forward(t.noise(), 0, BATCH, true).clone();
    float[] ones = new float[BATCH];
    Arrays.fill(ones, 1f);
    return dw.lossAndGradients(fake, 0, ones, 0, BATCH, 1f / BATCH) / BATCH;
  }

  @Test
  void theGeneratorsGradientIsThatOfTheLossThroughTheDiscriminator() {
    Lamina_TinyGenerator g = new Lamina_TinyGenerator(5);
    Lamina_TinyCritic d = new Lamina_TinyCritic(6);
    // A learning rate of 0 keeps G as it is, so its gradient can be compared with differences.
    GanTrainer t = GanTrainer.builder(g, d).batchSize(BATCH).seed(7)
        .generatorOptimizer(Optimizers.sgd(0f).build()).build();
    t.generate();
    t.discriminatorStep(reals(1, 8), 0);
    t.generatorStep();
    float[] grad = t.generatorGradients().clone();
    FloatWorkspace gw = g.newWorkspace(BATCH);
    FloatWorkspace dw = d.newWorkspace(BATCH);
    dw.setDeferredStatistics(true);
    float[] p = g.parameters();
    int checked = 0;
    for (int i = 0; i < p.length; i += 7) {
      float keep = p[i];
      float h = 1e-2f;
      p[i] = keep + h;
      double up = generatorLoss(t, g, gw, dw);
      p[i] = keep - h;
      double down = generatorLoss(t, g, gw, dw);
      p[i] = keep;
      double numeric = (up - down) / (2 * h);
      assertEquals(numeric, grad[i], 2e-3 + 3e-2 * Math.abs(numeric), "parameter " + i);
      checked++;
    }
    assertTrue(checked > 10, "checked " + checked);
  }

  @Test
  void aSeedFixesEveryStep() {
    float[] real = reals(4, 9);
    float[][] runs = new float[3][];
    long[] seeds = {11, 11, 12};
    for (int r = 0; r < 3; r++) {
      Lamina_TinyGenerator g = new Lamina_TinyGenerator(1);
      Lamina_TinyCritic d = new Lamina_TinyCritic(2);
      GanTrainer t = trainer(g, d, seeds[r]);
      for (int b = 0; b < 4; b++) {
        t.step(real, b * BATCH * 36);
        GanTrainer.StepResult s = t.lastStep();
        assertTrue(Float.isFinite(s.discriminator()) && Float.isFinite(s.generator()));
      }
      runs[r] = g.parameters().clone();
    }
    assertArrayEquals(runs[0], runs[1]);
    assertFalse(Arrays.equals(runs[0], runs[2]), "another seed, other noise");
  }

  @Test
  void aStepAllocatesNothing() {
    GanTrainer t = trainer(new Lamina_TinyGenerator(1), new Lamina_TinyCritic(2), 3);
    float[] real = reals(1, 4);
    var bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long tid = Thread.currentThread().getId();
    long least = Long.MAX_VALUE;
    for (int i = 0; i < 3000; i++) {
      t.step(real, 0);
    }
    for (int window = 0; window < 5 && least > 0; window++) {
      long before = bean.getThreadAllocatedBytes(tid);
      for (int i = 0; i < 200; i++) {
        t.step(real, 0);
      }
      least = Math.min(least, bean.getThreadAllocatedBytes(tid) - before);
    }
    assertEquals(0, least, "bytes allocated by 200 steps");
  }

  @Test
  void networksThatDoNotFitAreRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> GanTrainer.builder(new Lamina_TinyGenerator(1), new Lamina_LeNet5(1)).build());
    assertTrue(e.getMessage().contains("makes samples of 36 values but the discriminator reads"
        + " 784"), e.getMessage());
  }
}
