package dev.lamina.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.runtime.Initializers;
import dev.lamina.runtime.Optimizer;
import dev.lamina.runtime.SeededRandom;
import dev.lamina.runtime.TestMlp;
import dev.lamina.runtime.data.Augmentation;
import dev.lamina.runtime.data.Dataset;
import dev.lamina.runtime.io.CheckpointException;
import dev.lamina.runtime.io.Checkpoints;
import dev.lamina.runtime.optim.LearningRateSchedule;
import dev.lamina.runtime.optim.Optimizers;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs over several epochs: resuming from a checkpoint, early stopping, augmentation. */
class TrainerRunTest {
  private static final int[] SHAPE = {1, 3, 4};
  private static final int SIZE = 12;
  private static final int CLASSES = 4;

  @TempDir Path dir;

  /** Noisy 1×3×4 "images" whose class brightens one quarter of the pixels. */
  private static Dataset images(int n, long seed) {
    return images(n, seed, 0.7);
  }

  private static Dataset images(int n, long seed, double noise) {
    SeededRandom r = new SeededRandom(seed);
    float[] x = new float[n * SIZE];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      int c = r.nextInt(CLASSES);
      for (int d = 0; d < SIZE; d++) {
        x[i * SIZE + d] = (float) ((d % CLASSES == c ? 1.5 : 0) + noise * r.nextGaussian());
      }
      y[i] = c;
    }
    return new Dataset(x, y, SHAPE, CLASSES);
  }

  private static TestMlp network(int hidden) {
    TestMlp net = new TestMlp("test.Images", true, SIZE, hidden, CLASSES);
    Initializers.initialize(net, 5);
    return net;
  }

  private static Trainer.Builder builder(TestMlp net, Optimizer optimizer, int threads) {
    return Trainer.builder(net, optimizer).batchSize(16).threads(threads).seed(9)
        .schedule(LearningRateSchedule.cosine(0.01f, 0.001f, 4))
        .augmentation(Augmentation.builder().flip(true).crop(1).build());
  }

  private static int[] bits(float[] values) {
    int[] b = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = Float.floatToRawIntBits(values[i]);
    }
    return b;
  }

  /**
   * Four epochs in one go against two, a checkpoint, and two more in a new trainer on a new
   * network and optimizer: the same bits. Resuming the parameters alone (without the optimizer
   * state and step count) does not give them, so the comparison can fail.
   */
  private void resumedRunIsBitIdentical(Function<TestMlp, Optimizer> optimizer, int threads)
      throws IOException {
    Dataset train = images(200, 1);
    TestMlp straight = network(16);
    try (Trainer t = builder(straight, optimizer.apply(straight), threads).build()) {
      t.fit(train, null, 4);
    }

    Path checkpoint = dir.resolve("run.ckpt");
    TestMlp first = network(16);
    try (Trainer t = builder(first, optimizer.apply(first), threads).build()) {
      t.fit(train, null, 2);
      t.saveCheckpoint(checkpoint, 2);
    }
    TestMlp resumed = new TestMlp("test.Images", true, SIZE, 16, CLASSES);
    try (Trainer t = builder(resumed, optimizer.apply(resumed), threads).build()) {
      int next = t.resume(checkpoint);
      assertEquals(2, next);
      for (int e = next; e < 4; e++) {
        t.trainEpoch(train, null, e);
      }
    }
    assertArrayEquals(bits(straight.parameters()), bits(resumed.parameters()));

    TestMlp parametersOnly = new TestMlp("test.Images", true, SIZE, 16, CLASSES);
    Checkpoints.load(parametersOnly, checkpoint);
    try (Trainer t = builder(parametersOnly, optimizer.apply(parametersOnly), threads).build()) {
      t.trainEpoch(train, null, 2);
      t.trainEpoch(train, null, 3);
    }
    assertFalse(Arrays.equals(bits(straight.parameters()), bits(parametersOnly.parameters())),
        "without the optimizer state the run differs");
  }

  @Test
  void resumingAdamAfterEpochTwoIsBitIdentical() throws IOException {
    resumedRunIsBitIdentical(net -> Optimizers.adam(0.01f).build(net.summary()), 1);
    resumedRunIsBitIdentical(net -> Optimizers.adam(0.01f).build(net.summary()), 2);
  }

  @Test
  void resumingSgdWithMomentumAfterEpochTwoIsBitIdentical() throws IOException {
    resumedRunIsBitIdentical(
        net -> Optimizers.sgd(0.05f).momentum(0.9f).weightDecay(1e-3f).build(net.summary()), 2);
  }

  @Test
  void resumeRefusesAnotherSeedOrACheckpointWithoutState() throws IOException {
    Dataset train = images(64, 1);
    TestMlp net = network(8);
    Path checkpoint = dir.resolve("run.ckpt");
    try (Trainer t = builder(net, Optimizers.adam(0.01f).build(net.summary()), 1).build()) {
      t.fit(train, null, 1);
      t.saveCheckpoint(checkpoint, 1);
    }
    TestMlp other = network(8);
    float[] before = other.parameters().clone();
    try (Trainer t = Trainer.builder(other, Optimizers.adam(0.01f).build(other.summary()))
        .seed(10).build()) {
      CheckpointException e = assertThrows(CheckpointException.class, () -> t.resume(checkpoint));
      assertEquals(CheckpointException.Kind.NOT_RESUMABLE, e.kind());
      assertTrue(e.getMessage().contains("trained with seed 9 and optimizer Adam; this trainer"
          + " has seed 10"), e.getMessage());
    }
    Path plain = dir.resolve("plain.ckpt");
    Checkpoints.save(net, plain);
    try (Trainer t = builder(other, Optimizers.adam(0.01f).build(other.summary()), 1).build()) {
      CheckpointException e = assertThrows(CheckpointException.class, () -> t.resume(plain));
      assertTrue(e.getMessage().contains("no training state"), e.getMessage());
    }
    assertArrayEquals(bits(before), bits(other.parameters()));
  }

  /**
   * A small training set and a large network: the validation loss falls while the network learns
   * the classes and rises as it fits the training set's noise. Training stops {@code patience} epochs
   * after the lowest validation loss, and the network is left as it was after that epoch (a
   * plain run of that many epochs gives the same bits).
   */
  @Test
  void earlyStoppingStopsWhereTheValidationLossStoppedImproving() {
    Dataset train = images(32, 2, 2.0);
    Dataset validation = images(200, 3, 2.0);
    int patience = 3;
    int max = 60;
    TestMlp net = network(64);
    List<EpochResult> results;
    try (Trainer t = Trainer.builder(net, Optimizers.adam(0.02f).build(net.summary()))
        .batchSize(16).seed(4).earlyStopping(patience).build()) {
      results = t.fit(train, validation, max);
    }
    int best = 0;
    for (int e = 1; e < results.size(); e++) {
      if (results.get(e).test().loss() < results.get(best).test().loss()) {
        best = e;
      }
    }
    assertTrue(results.size() < max, "stopped early: " + results.size() + " epochs");
    assertEquals(best + 1 + patience, results.size(), "stopped " + patience
        + " epochs after the best epoch " + (best + 1));
    assertTrue(best > 0, "the validation loss improved at first");

    TestMlp plain = network(64);
    try (Trainer t = Trainer.builder(plain, Optimizers.adam(0.02f).build(plain.summary()))
        .batchSize(16).seed(4).build()) {
      t.fit(train, validation, best + 1);
    }
    assertArrayEquals(bits(plain.parameters()), bits(net.parameters()),
        "the best epoch's parameters are kept");
  }

  @Test
  void augmentationChangesTrainingAndNothingInEvaluation() {
    Dataset train = images(128, 1);
    Dataset test = images(100, 2);
    TestMlp augmented = network(16);
    TestMlp plain = network(16);
    try (Trainer a = builder(augmented, Optimizers.adam(0.01f).build(augmented.summary()), 2)
        .build();
        Trainer p = Trainer.builder(plain, Optimizers.adam(0.01f).build(plain.summary()))
            .batchSize(16).threads(2).seed(9)
            .schedule(LearningRateSchedule.cosine(0.01f, 0.001f, 4)).build()) {
      a.trainEpoch(train, null, 0);
      p.trainEpoch(train, null, 0);
      assertFalse(Arrays.equals(bits(augmented.parameters()), bits(plain.parameters())),
          "augmentation changes the training batches");
      // The same parameters evaluated by both trainers: the same loss and counts.
      System.arraycopy(augmented.parameters(), 0, plain.parameters(), 0,
          plain.parameters().length);
      Evaluation withAugmentation = a.evaluate(test);
      Evaluation without = p.evaluate(test);
      assertEquals(without.loss(), withAugmentation.loss());
      assertEquals(without.confusion().toString(), withAugmentation.confusion().toString());
    }
    assertThrows(IllegalArgumentException.class, () -> {
      try (Trainer t = builder(augmented, Optimizers.adam(0.01f).build(), 1).build()) {
        t.trainEpoch(new Dataset(train.features(), train.labels(), new int[] {SIZE}, CLASSES),
            null, 0);
      }
    });
  }

  /**
   * Evaluation with mirror images against the definition computed here sample by sample: the
   * softmax of the image and of its mirror (written pixel by pixel), averaged in double; the
   * prediction its largest class, the loss {@code -ln} of the label's mean probability. 101
   * samples on 2 threads, so each thread runs several workspace batches and a partial one.
   */
  @Test
  void mirrorEvaluationAveragesEachImageWithItsMirror() {
    Dataset train = images(128, 1);
    Dataset test = images(101, 2);
    TestMlp net = network(16);
    try (Trainer t = builder(net, Optimizers.adam(0.01f).build(net.summary()), 2)
        .mirrorEvaluation(true).build()) {
      t.trainEpoch(train, null, 0);
      float[] x = test.features();
      long[] counts = new long[CLASSES * CLASSES];
      double loss = 0;
      float[] in = new float[SIZE];
      float[] out = new float[CLASSES];
      for (int i = 0; i < test.size(); i++) {
        double[] mean = new double[CLASSES];
        for (int mirrored = 0; mirrored < 2; mirrored++) {
          for (int y = 0; y < SHAPE[1]; y++) {
            for (int c = 0; c < SHAPE[2]; c++) {
              int from = mirrored == 0 ? c : SHAPE[2] - 1 - c;
              in[y * SHAPE[2] + c] = x[i * SIZE + y * SHAPE[2] + from];
            }
          }
          net.forward(in, 1, out);
          double max = Double.NEGATIVE_INFINITY;
          double sum = 0;
          for (float v : out) {
            max = Math.max(max, v);
          }
          for (float v : out) {
            sum += Math.exp(v - max);
          }
          for (int k = 0; k < CLASSES; k++) {
            mean[k] += Math.exp(out[k] - max) / sum / 2;
          }
        }
        int best = 0;
        for (int k = 1; k < CLASSES; k++) {
          best = mean[k] > mean[best] ? k : best;
        }
        counts[test.labels()[i] * CLASSES + best]++;
        loss -= Math.log(mean[test.labels()[i]]);
      }
      loss /= test.size();
      Evaluation e = t.evaluate(test);
      assertEquals(new ConfusionMatrix(CLASSES, counts).toString(), e.confusion().toString());
      assertEquals(loss, e.loss(), 1e-5 * loss);
      assertEquals(e.loss(), t.evaluate(test, true).loss(), "the builder's choice is the default");
      Evaluation plain = t.evaluate(test, false);
      assertTrue(Math.abs(plain.loss() - e.loss()) > 1e-4,
          "the mirror images change the loss: " + plain.loss() + " against " + e.loss());
      Dataset vectors = new Dataset(test.features(), test.labels(), new int[] {SIZE}, CLASSES);
      IllegalArgumentException refused =
          assertThrows(IllegalArgumentException.class, () -> t.evaluate(vectors, true));
      assertTrue(refused.getMessage().contains("images"), refused.getMessage());
    }
  }
}
