package dev.lamina.runtime.gan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.runtime.FloatWorkspace;
import dev.lamina.runtime.optim.Optimizers;
import dev.lamina.tests.nets.Lamina_LeNet5;
import dev.lamina.tests.nets.Lamina_TinyCritic;
import dev.lamina.tests.nets.Lamina_TinyGenerator;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Adversarial training of two generated networks: the generator's step never touches the
 * discriminator, the generator's gradient is that of the non-saturating loss through the
 * discriminator (central differences), a step on two threads is the sum of its chunks, a seed and
 * a thread count fix every bit, and a step allocates nothing on any thread.
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
    return trainer(g, d, seed, 1);
  }

  private static GanTrainer trainer(Lamina_TinyGenerator g, Lamina_TinyCritic d, long seed,
      int threads) {
    return GanTrainer.builder(g, d).batchSize(BATCH).seed(seed).threads(threads).build();
  }

  @ParameterizedTest(name = "{0} threads")
  @ValueSource(ints = {1, 2, 3})
  void theGeneratorStepLeavesTheDiscriminatorBitIdentical(int threads) {
    Lamina_TinyGenerator g = new Lamina_TinyGenerator(1);
    Lamina_TinyCritic d = new Lamina_TinyCritic(2);
    GanTrainer t = trainer(g, d, 3, threads);
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
    t.close();
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

  /** G's and D's parameters after four steps with {@code seed} on {@code threads} threads. */
  private static float[][] fourSteps(long seed, int threads) {
    float[] real = reals(4, 9);
    Lamina_TinyGenerator g = new Lamina_TinyGenerator(1);
    Lamina_TinyCritic d = new Lamina_TinyCritic(2);
    try (GanTrainer t = trainer(g, d, seed, threads)) {
      for (int b = 0; b < 4; b++) {
        t.step(real, b * BATCH * 36);
        GanTrainer.StepResult s = t.lastStep();
        assertEquals(b + 1, s.step());
        assertTrue(Float.isFinite(s.discriminator()) && Float.isFinite(s.generator()));
      }
    }
    return new float[][] {g.parameters().clone(), d.parameters().clone()};
  }

  @ParameterizedTest(name = "{0} threads")
  @ValueSource(ints = {1, 2, 3})
  void aSeedAndAThreadCountFixEveryBit(int threads) {
    float[][] a = fourSteps(11, threads);
    float[][] b = fourSteps(11, threads);
    assertArrayEquals(a[0], b[0], "G");
    assertArrayEquals(a[1], b[1], "D, running statistics included");
    assertFalse(Arrays.equals(a[0], fourSteps(12, threads)[0]), "another seed, other noise");
  }

  /**
   * A step on two threads is, to rounding, what this test does one chunk after the other: chunks
   * [0, 4) and [4, 8) on workspaces of their own, the running statistics merged chunk 0 then 1 and
   * applied once per pass, the chunks' gradients summed, a plain SGD step for each network.
   */
  @Test
  void aStepOnTwoThreadsIsTheSumOfItsChunks() {
    float lr = 0.05f;
    Lamina_TinyGenerator g = new Lamina_TinyGenerator(1);
    Lamina_TinyCritic d = new Lamina_TinyCritic(2);
    Lamina_TinyGenerator gRef = new Lamina_TinyGenerator(1);
    Lamina_TinyCritic dRef = new Lamina_TinyCritic(2);
    float[] real = reals(2, 13);
    int half = BATCH / 2;
    FloatWorkspace[] gw = {gRef.newWorkspace(half), gRef.newWorkspace(half)};
    FloatWorkspace[] dw = {dRef.newWorkspace(half), dRef.newWorkspace(half)};
    float[] ones = new float[half];
    Arrays.fill(ones, 1f);
    float[] zeros = new float[half];
    float[][] fake = new float[2][];
    try (GanTrainer t = GanTrainer.builder(g, d).batchSize(BATCH).seed(5).threads(2)
        .generatorOptimizer(Optimizers.sgd(lr).build())
        .discriminatorOptimizer(Optimizers.sgd(lr).build()).build()) {
      for (int step = 0; step < 2; step++) {
        int offset = step * BATCH * 36;
        t.step(real, offset);
        float[] noise = t.noise();
        for (int c = 0; c < 2; c++) {
          gw[c].setDeferredStatistics(true);
          dw[c].setDeferredStatistics(true);
          fake[c] = gw[c].forward(noise, c * half * 4, half, true).clone();
        }
        commit(gw);
        double realLoss = 0;
        double fakeLoss = 0;
        for (int c = 0; c < 2; c++) {
          dw[c].zeroGradients();
          realLoss += dw[c].lossAndGradients(real, offset + c * half * 36, ones, 0, half,
              1f / BATCH);
        }
        commit(dw);
        for (int c = 0; c < 2; c++) {
          fakeLoss += dw[c].lossAndGradients(fake[c], 0, zeros, 0, half, 1f / BATCH);
        }
        commit(dw);
        sgd(dRef.parameters(), dw, lr);
        double generatorLoss = 0;
        for (int c = 0; c < 2; c++) {
          dw[c].setInputGradientEnabled(true);
          generatorLoss += dw[c].lossAndGradients(fake[c], 0, ones, 0, half, 1f / BATCH);
          dw[c].setDeferredStatistics(true);
          gw[c].zeroGradients();
          gw[c].backward(dw[c].inputGradient(), 0, half);
        }
        sgd(gRef.parameters(), gw, lr);
        GanTrainer.StepResult s = t.lastStep();
        assertEquals(realLoss / BATCH, s.discriminatorReal(), 1e-6, "step " + step);
        assertEquals(fakeLoss / BATCH, s.discriminatorFake(), 1e-6, "step " + step);
        assertEquals(generatorLoss / BATCH, s.generator(), 1e-6, "step " + step);
        assertArrayEquals(dRef.parameters(), d.parameters(), 1e-6f, "D after step " + step);
        assertArrayEquals(gRef.parameters(), g.parameters(), 1e-6f, "G after step " + step);
      }
    }
  }

  /** Merges the pending statistics of the chunks, chunk 0 first, and applies them. */
  private static void commit(FloatWorkspace[] w) {
    w[0].mergeStatistics(w[1]);
    w[0].commitStatistics();
  }

  /** {@code p -= lr · (sum of the chunks' gradients)}. */
  private static void sgd(float[] p, FloatWorkspace[] w, float lr) {
    for (int i = 0; i < p.length; i++) {
      p[i] -= lr * (w[0].gradients()[i] + w[1].gradients()[i]);
    }
  }

  @ParameterizedTest(name = "{0} threads")
  @ValueSource(ints = {1, 2})
  void aStepAllocatesNothing(int threads) {
    float[] real = reals(1, 4);
    var bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    try (GanTrainer t = trainer(new Lamina_TinyGenerator(1), new Lamina_TinyCritic(2), 3,
        threads)) {
      long[] ids = t.workerThreadIds();
      assertEquals(threads - 1, ids.length);
      for (int i = 0; i < 3000; i++) {
        t.step(real, 0);
      }
      List<String> windows = new ArrayList<>();
      boolean clean = false;
      for (int window = 0; window < 5 && !clean; window++) {
        long[] workersBefore = bean.getThreadAllocatedBytes(ids);
        long before = bean.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 200; i++) {
          t.step(real, 0);
        }
        long bytes = bean.getCurrentThreadAllocatedBytes() - before;
        long[] workersAfter = bean.getThreadAllocatedBytes(ids);
        for (int w = 0; w < ids.length; w++) {
          bytes += workersAfter[w] - workersBefore[w];
        }
        windows.add(Long.toString(bytes));
        clean = bytes == 0;
      }
      assertTrue(clean, "bytes allocated (calling thread and workers) by windows of 200 steps: "
          + windows);
    }
  }

  @Test
  void closeStopsTheWorkers() {
    GanTrainer t = trainer(new Lamina_TinyGenerator(1), new Lamina_TinyCritic(2), 3, 3);
    long[] ids = t.workerThreadIds();
    assertEquals(2, ids.length);
    t.close();
    t.close();
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      for (long id : ids) {
        assertNotEquals(id, thread.getId(), "worker " + thread.getName() + " still alive");
      }
    }
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> t.step(reals(1, 4), 0));
    assertEquals("this trainer is closed", e.getMessage());
  }

  @Test
  void moreThreadsThanSamplesAreRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> trainer(new Lamina_TinyGenerator(1), new Lamina_TinyCritic(2), 3, BATCH + 1));
    assertEquals("threads must be in 1..batch size (8), got 9", e.getMessage());
  }

  @Test
  void networksThatDoNotFitAreRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> GanTrainer.builder(new Lamina_TinyGenerator(1), new Lamina_LeNet5(1)).build());
    assertTrue(e.getMessage().contains("makes samples of 36 values but the discriminator reads"
        + " 784"), e.getMessage());
  }

  /** Binary cross-entropy on logit {@code z} against target {@code y}, in double. */
  private static double bce(double z, double y) {
    return Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z)));
  }

  @ParameterizedTest(name = "real target {0}")
  @ValueSource(floats = {1f, 0.9f})
  void theRealSamplesLossIsTheirCrossEntropyAgainstTheRealTarget(float target) {
    float[] real = reals(1, 12);
    // D as it is when the step reads the real batch: its initialization, seed 2.
    float[] logits = new Lamina_TinyCritic(2).newWorkspace(BATCH).forward(real, 0, BATCH, true)
        .clone();
    double want = 0;
    for (float z : logits) {
      want += bce(z, target) / BATCH;
    }
    try (GanTrainer t = GanTrainer.builder(new Lamina_TinyGenerator(1), new Lamina_TinyCritic(2))
        .batchSize(BATCH).seed(3).realTarget(target).build()) {
      t.step(real, 0);
      assertEquals(want, t.lastStep().discriminatorReal(), 1e-5);
    }
  }

  @Test
  void theAverageIsTheMovingAverageOfTheGeneratorsParameters() {
    float[] real = reals(4, 13);
    float decay = 0.7f;
    Lamina_TinyGenerator g = new Lamina_TinyGenerator(1);
    Lamina_TinyGenerator avg = new Lamina_TinyGenerator(99);
    Lamina_TinyGenerator plain = new Lamina_TinyGenerator(1);
    double[] want = new double[g.parameters().length];
    for (int i = 0; i < want.length; i++) {
      want[i] = g.parameters()[i];
    }
    try (GanTrainer t = GanTrainer.builder(g, new Lamina_TinyCritic(2)).batchSize(BATCH).seed(3)
        .generatorAverage(avg, decay).build();
        GanTrainer u = GanTrainer.builder(plain, new Lamina_TinyCritic(2)).batchSize(BATCH)
            .seed(3).build()) {
      for (int s = 0; s < 4; s++) {
        t.step(real, s * BATCH * 36);
        u.step(real, s * BATCH * 36);
        double d = Math.min(decay, (1.0 + s) / (10.0 + s));
        for (int i = 0; i < want.length; i++) {
          want[i] += (1 - d) * (g.parameters()[i] - want[i]);
        }
        for (int i = 0; i < want.length; i++) {
          assertEquals(want[i], avg.parameters()[i], 1e-5 * (1 + Math.abs(want[i])),
              "step " + s + ", parameter " + i);
        }
      }
      // the average is only read: the generator trains as it would without one
      assertArrayEquals(plain.parameters(), g.parameters());
      assertFalse(Arrays.equals(avg.parameters(), g.parameters()));
    }
  }

  @Test
  void anAverageThatIsNotAnotherGeneratorAndBadTargetsAreRefused() {
    Lamina_TinyGenerator g = new Lamina_TinyGenerator(1);
    GanTrainer.Builder b = GanTrainer.builder(g, new Lamina_TinyCritic(2));
    IllegalArgumentException self = assertThrows(IllegalArgumentException.class,
        () -> b.generatorAverage(g, 0.999f));
    assertTrue(self.getMessage().contains("the generator itself"), self.getMessage());
    IllegalArgumentException other = assertThrows(IllegalArgumentException.class,
        () -> b.generatorAverage(new Lamina_TinyCritic(3), 0.999f));
    assertTrue(other.getMessage().contains("Lamina_TinyCritic"), other.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> b.generatorAverage(new Lamina_TinyGenerator(2), 1f));
    assertThrows(IllegalArgumentException.class, () -> b.realTarget(0.5f));
    assertThrows(IllegalArgumentException.class, () -> b.realTarget(1.1f));
  }
}
