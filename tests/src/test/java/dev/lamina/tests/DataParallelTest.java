package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.runtime.FloatWorkspace;
import dev.lamina.runtime.ParameterTensor;
import dev.lamina.runtime.SeededRandom;
import dev.lamina.runtime.optim.Optimizers;
import dev.lamina.runtime.train.Trainer;
import dev.lamina.tests.nets.Lamina_BnInput;
import dev.lamina.tests.nets.Lamina_DropInput;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * What data-parallel training keeps deterministic: batch normalization's running statistics (one
 * update per batch with the whole batch's statistics, merged in a fixed order) and dropout masks
 * (one stream per thread, derived from the trainer's seed).
 */
class DataParallelTest {
  private static final int CHANNELS = 2;
  private static final int PLANE = 9;
  private static final int SAMPLE = CHANNELS * PLANE;
  private static final double MOMENTUM = 0.3;
  private static final int BATCH = 10;
  private static final int STEPS = 12;

  /** {@code STEPS} batches; channel c has mean {@code 1.5 - 2c} and deviation {@code 1 + c}. */
  private static float[] inputs() {
    SeededRandom r = new SeededRandom(11);
    float[] x = new float[STEPS * BATCH * SAMPLE];
    for (int s = 0; s < STEPS * BATCH; s++) {
      for (int c = 0; c < CHANNELS; c++) {
        for (int i = 0; i < PLANE; i++) {
          x[s * SAMPLE + c * PLANE + i] = (float) (1.5 - 2 * c + (1 + c) * r.nextGaussian());
        }
      }
    }
    return x;
  }

  private static int[] labels() {
    SeededRandom r = new SeededRandom(12);
    int[] y = new int[STEPS * BATCH];
    for (int i = 0; i < y.length; i++) {
      y[i] = r.nextInt(3);
    }
    return y;
  }

  private static ParameterTensor tensor(Lamina_BnInput net, String layer, String name) {
    for (ParameterTensor t : net.summary().parameterTensors()) {
      if (t.layer().equals(layer) && t.name().equals(name)) {
        return t;
      }
    }
    throw new AssertionError(layer + "." + name);
  }

  /** Running mean then running variance, per channel. */
  private static float[] runningStatistics(Lamina_BnInput net) {
    int mean = tensor(net, "bn", "running_mean").offset();
    int var = tensor(net, "bn", "running_var").offset();
    float[] p = net.parameters();
    return new float[] {p[mean], p[mean + 1], p[var], p[var + 1]};
  }

  /** Trains {@code STEPS} batches of {@code BATCH} on {@code threads} threads. */
  private static Lamina_BnInput trainBn(int threads) {
    return trainBn(threads, Trainer.DEFAULT_PASS_SAMPLES);
  }

  /** As {@link #trainBn(int)}, asking for passes of {@code passSamples} samples. */
  private static Lamina_BnInput trainBn(int threads, int passSamples) {
    Lamina_BnInput net = new Lamina_BnInput(5);
    float[] x = inputs();
    int[] y = labels();
    try (Trainer trainer = Trainer.builder(net, Optimizers.sgd(0.1f).momentum(0.9f).build())
        .batchSize(BATCH).threads(threads).passSamples(passSamples).seed(1).build()) {
      // Batch normalization couples the samples: each thread's chunk stays one pass.
      assertEquals((BATCH + threads - 1) / threads, trainer.passSamples());
      assertFalse(trainer.handsOutPasses());
      for (int s = 0; s < STEPS; s++) {
        trainer.trainBatch(x, s * BATCH * SAMPLE, y, s * BATCH, BATCH);
      }
    }
    return net;
  }

  /**
   * The running statistics computed independently: for each batch the mean and variance of every
   * channel's BATCH·PLANE values, in double, the variance made unbiased, then one momentum update
   * per batch (stored as float, as the network does).
   */
  private static float[] expectedRunningStatistics(int steps) {
    float[] x = inputs();
    float[] r = {0, 0, 1, 1};
    for (int s = 0; s < steps; s++) {
      for (int c = 0; c < CHANNELS; c++) {
        double sum = 0;
        for (int n = 0; n < BATCH; n++) {
          for (int i = 0; i < PLANE; i++) {
            sum += x[(s * BATCH + n) * SAMPLE + c * PLANE + i];
          }
        }
        int m = BATCH * PLANE;
        double mean = sum / m;
        double squares = 0;
        for (int n = 0; n < BATCH; n++) {
          for (int i = 0; i < PLANE; i++) {
            double d = x[(s * BATCH + n) * SAMPLE + c * PLANE + i] - mean;
            squares += d * d;
          }
        }
        double unbiased = squares / (m - 1);
        r[c] = (float) ((1 - MOMENTUM) * r[c] + MOMENTUM * mean);
        r[CHANNELS + c] = (float) ((1 - MOMENTUM) * r[CHANNELS + c] + MOMENTUM * unbiased);
      }
    }
    return r;
  }

  private static void assertClose(float[] expected, float[] actual, String what) {
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], 1e-5 * Math.max(1, Math.abs(expected[i])),
          what + " [" + i + "]: " + Arrays.toString(actual) + " vs " + Arrays.toString(expected));
    }
  }

  static int[] bits(float[] values) {
    int[] b = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = Float.floatToRawIntBits(values[i]);
    }
    return b;
  }

  @Test
  void runningStatisticsAreThoseOfTheWholeBatchWhateverTheThreads() {
    float[] expected = expectedRunningStatistics(STEPS);
    // The data really moves the statistics away from their initial (0, 0, 1, 1).
    assertTrue(expected[0] > 1 && expected[1] < -0.2 && expected[3] > 3, Arrays.toString(expected));
    Lamina_BnInput one = trainBn(1);
    Lamina_BnInput two = trainBn(2);
    Lamina_BnInput twoAgain = trainBn(2);
    Lamina_BnInput three = trainBn(3); // chunks of 3, 3 and 4 samples
    assertClose(expected, runningStatistics(one), "1 thread");
    assertClose(expected, runningStatistics(two), "2 threads");
    assertClose(expected, runningStatistics(three), "3 threads");
    assertClose(runningStatistics(one), runningStatistics(two), "1 vs 2 threads");
    assertArrayEquals(bits(two.parameters()), bits(twoAgain.parameters()),
        "2 threads twice: parameters and running statistics bit for bit");
  }

  @Test
  void oneThreadTrainerMatchesTrainStepBitForBit() {
    assertTrue(Lamina_BnInput.SUMMARY.couplesBatchSamples());
    // Passes of one sample asked for, and ignored: a pass would normalize over its own samples.
    Lamina_BnInput viaTrainer = trainBn(1, 1);
    Lamina_BnInput direct = new Lamina_BnInput(5);
    direct.setOptimizer(Optimizers.sgd(0.1f).momentum(0.9f).build());
    float[] x = inputs();
    int[] y = labels();
    for (int s = 0; s < STEPS; s++) {
      direct.trainStep(Arrays.copyOfRange(x, s * BATCH * SAMPLE, (s + 1) * BATCH * SAMPLE),
          Arrays.copyOfRange(y, s * BATCH, (s + 1) * BATCH), BATCH);
    }
    // trainStep's workspace updates the statistics in each pass (immediate mode).
    assertArrayEquals(bits(direct.parameters()), bits(viaTrainer.parameters()));
  }

  @Test
  void deferredStatisticsWaitForTheCommitAndMergeExactly() {
    Lamina_BnInput net = new Lamina_BnInput(5);
    float[] x = inputs();
    FloatWorkspace a = net.newWorkspace(BATCH);
    FloatWorkspace b = net.newWorkspace(BATCH);
    a.setDeferredStatistics(true);
    b.setDeferredStatistics(true);
    float[] before = runningStatistics(net);
    // Batch 0 cut unevenly: 3 samples in two passes on a, 7 on b.
    a.forward(x, 0, 1, true);
    a.forward(x, SAMPLE, 2, true);
    b.forward(x, 3 * SAMPLE, 7, true);
    assertArrayEquals(before, runningStatistics(net), "nothing changes before the commit");
    a.mergeStatistics(b);
    a.commitStatistics();
    assertClose(expectedRunningStatistics(1), runningStatistics(net), "merged batch 0");
    float[] committed = runningStatistics(net);
    a.commitStatistics();
    b.commitStatistics();
    assertArrayEquals(committed, runningStatistics(net), "a commit clears the pending statistics");
    // Switching the mode discards what is pending.
    b.forward(x, 0, 4, true);
    b.setDeferredStatistics(true);
    b.commitStatistics();
    assertArrayEquals(committed, runningStatistics(net));
    // Immediate mode again: the training pass updates the statistics itself.
    b.setDeferredStatistics(false);
    b.forward(x, 0, 4, true);
    assertFalse(Arrays.equals(committed, runningStatistics(net)));

    FloatWorkspace other = new Lamina_BnInput(5).newWorkspace(1);
    assertThrows(IllegalArgumentException.class, () -> a.mergeStatistics(other));
    assertThrows(IllegalArgumentException.class, () -> a.mergeStatistics(a));
  }

  private static float[] dropoutStep(long seed, float[] x, int[] y) {
    Lamina_DropInput net = new Lamina_DropInput(1);
    // out starts at 0: its output, hence dL/dz, is the same for every mask.
    Arrays.fill(net.parameters(), 0f);
    try (Trainer trainer = Trainer.builder(net, Optimizers.sgd(1f).build()).batchSize(2)
        .threads(2).seed(seed).build()) {
      trainer.trainBatch(x, 0, y, 0, 2);
    }
    return net.parameters().clone();
  }

  /**
   * The mask thread t drew in the first step: sample t is all ones, the other sample all zeros, so
   * out.weight[0][j] moves exactly where thread t's mask kept value j.
   */
  private static boolean[] firstMask(long seed, int thread) {
    float[] x = new float[2 * 64];
    Arrays.fill(x, thread * 64, thread * 64 + 64, 1f);
    float[] p = dropoutStep(seed, x, new int[] {0, 0});
    boolean[] kept = new boolean[64];
    int count = 0;
    for (int j = 0; j < 64; j++) {
      kept[j] = p[Lamina_DropInput.OUT_WEIGHT + j] != 0;
      count += kept[j] ? 1 : 0;
    }
    assertTrue(count > 12 && count < 52, "about half of 64 values kept, got " + count);
    return kept;
  }

  @Test
  void everyThreadDrawsItsOwnDropoutMasks() {
    boolean[] first = firstMask(3, 0);
    boolean[] second = firstMask(3, 1);
    assertFalse(Arrays.equals(first, second), "both threads drew the same mask");
    assertArrayEquals(first, firstMask(3, 0), "the same seed gives the same mask");
    assertFalse(Arrays.equals(first, firstMask(4, 0)), "the seed has no effect on the masks");
  }

  private static int[] trainDropout(long seed) {
    return trainDropout(seed, 2, Trainer.DEFAULT_PASS_SAMPLES, false);
  }

  private static int[] trainDropout(long seed, int threads, int passSamples, boolean handsOut) {
    Lamina_DropInput net = new Lamina_DropInput(2);
    SeededRandom r = new SeededRandom(8);
    float[] x = new float[20 * 8 * 64];
    int[] y = new int[20 * 8];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    for (int i = 0; i < y.length; i++) {
      y[i] = r.nextInt(2);
    }
    try (Trainer trainer = Trainer.builder(net, Optimizers.adam(0.01f).build()).batchSize(8)
        .threads(threads).passSamples(passSamples).seed(seed).build()) {
      assertEquals(handsOut, trainer.handsOutPasses());
      for (int s = 0; s < 20; s++) {
        trainer.trainBatch(x, s * 8 * 64, y, s * 8, 8);
      }
    }
    return bits(net.parameters());
  }

  @Test
  void sameSeedTwiceGivesBitIdenticalParametersWithDropout() {
    int[] first = trainDropout(7);
    assertArrayEquals(first, trainDropout(7));
    assertNotEquals(Arrays.hashCode(first), Arrays.hashCode(trainDropout(8)),
        "the seed has no effect on the dropout masks");
  }

  /**
   * Passes handed out (batch 8 in passes of 1, 8 passes on 2 threads and on 4): each pass draws its
   * masks from a stream of its own, so the result is bit for bit the same on 2 and 4 threads,
   * whichever thread ran which pass, and still depends on the seed.
   */
  @Test
  void passesHandedOutDrawTheirOwnMasksWhateverTheThread() {
    int[] two = trainDropout(7, 2, 1, true);
    assertArrayEquals(two, trainDropout(7, 4, 1, true));
    assertArrayEquals(two, trainDropout(7, 2, 1, true));
    assertNotEquals(Arrays.hashCode(two), Arrays.hashCode(trainDropout(8, 2, 1, true)),
        "the seed has no effect on the dropout masks");
  }
}
