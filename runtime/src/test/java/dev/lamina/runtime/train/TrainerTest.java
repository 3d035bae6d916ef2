package dev.lamina.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.runtime.Initializers;
import dev.lamina.runtime.SeededRandom;
import dev.lamina.runtime.TestMlp;
import dev.lamina.runtime.data.Dataset;
import dev.lamina.runtime.data.FashionMnist;
import dev.lamina.runtime.data.MiniBatches;
import dev.lamina.runtime.optim.LearningRateSchedule;
import dev.lamina.runtime.optim.Optimizers;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainerTest {
  private static final int DIM = 8;
  private static final int CLASSES = 4;

  /** Gaussian blobs around four well-separated centres: linearly separable with high margin. */
  static Dataset blobs(int n, long seed) {
    SeededRandom r = new SeededRandom(seed);
    float[] x = new float[n * DIM];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      int c = r.nextInt(CLASSES);
      y[i] = c;
      for (int d = 0; d < DIM; d++) {
        double centre = d % CLASSES == c ? 2.0 : 0.0;
        x[i * DIM + d] = (float) (centre + 0.5 * r.nextGaussian());
      }
    }
    return new Dataset(x, y, new int[] {DIM}, CLASSES);
  }

  private static TestMlp network(long seed) {
    TestMlp net = new TestMlp("test.Blobs", DIM, 16, CLASSES);
    Initializers.initialize(net, seed);
    return net;
  }

  @Test
  void lossDecreasesAndAccuracyRises() {
    Dataset train = blobs(2000, 1);
    Dataset test = blobs(500, 2);
    TestMlp net = network(3);
    List<int[]> progress = new ArrayList<>();
    TrainingListener listener = new TrainingListener() {
      @Override
      public void onBatch(int epoch, int batch, int batches, double imagesPerSecond,
          double runningLoss) {
        progress.add(new int[] {epoch, batch, batches});
        assertTrue(runningLoss > 0 && imagesPerSecond > 0);
      }
    };
    try (Trainer trainer = Trainer.builder(net, Optimizers.sgd(0.05f).momentum(0.9f).build())
        .batchSize(50).threads(2).seed(4).listener(listener)
        .schedule(LearningRateSchedule.cosine(0.05f, 0.005f, 4)).build()) {
      double before = trainer.evaluate(test).loss();
      List<EpochResult> results = trainer.fit(train, test, 4);
      assertEquals(4, results.size());
      for (int e = 1; e < results.size(); e++) {
        assertTrue(results.get(e).trainLoss() < results.get(e - 1).trainLoss(),
            "epoch " + (e + 1) + " loss " + results.get(e).trainLoss() + " not below "
                + results.get(e - 1).trainLoss());
      }
      EpochResult last = results.get(3);
      assertTrue(last.test().loss() < before / 5, before + " -> " + last.test().loss());
      assertTrue(last.trainAccuracy() > 0.95, "train accuracy " + last.trainAccuracy());
      assertTrue(last.testAccuracy() > 0.95, "test accuracy " + last.testAccuracy());
      assertEquals(500, last.test().confusion().total());
      assertEquals(4, last.epoch());
      assertEquals(0.005f + (0.05f - 0.005f) * (1 + Math.cos(Math.PI * 159 / 160)) / 2,
          last.learningRate(), 1e-6, "the schedule's rate at the last step");
    }
    assertEquals(4 * 40, progress.size());
    assertArrayEquals(new int[] {1, 1, 40}, progress.get(0));
    assertArrayEquals(new int[] {4, 40, 40}, progress.get(progress.size() - 1));
  }

  @Test
  void divergenceNamesEpochAndBatch() {
    Dataset train = blobs(640, 1);
    // ReLU: the hidden gradients grow with the huge output weights and overflow (tanh would
    // saturate and keep the loss huge but finite).
    TestMlp net = new TestMlp("test.Blobs", true, DIM, 16, CLASSES);
    Initializers.initialize(net, 3);
    try (Trainer trainer = Trainer.builder(net, Optimizers.sgd(1e30f).build()).batchSize(64)
        .build()) {
      TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
          () -> trainer.fit(train, null, 3));
      assertTrue(e.getMessage().matches(
          "epoch 1, batch " + e.batch() + " of 10: loss is (NaN|\\+infinite) \\(learning rate"
              + " 1\\.0E30\\): training diverged\\. Lower the learning rate.*"), e.getMessage());
      assertEquals(1, e.epoch());
      assertTrue(e.batch() >= 2, "the first batch runs on the initial parameters");
    }
  }

  /** Trains {@code steps} batches and returns the mean losses. */
  private static float[] train(TestMlp net, int threads, int steps) {
    Dataset data = blobs(1000, 5);
    MiniBatches batches = new MiniBatches(data, 64, 7, true);
    float[] losses = new float[steps];
    try (Trainer trainer = Trainer.builder(net, Optimizers.adam(0.01f).build()).batchSize(64)
        .threads(threads).build()) {
      for (int s = 0; s < steps; s++) {
        int b = s % batches.batchesPerEpoch();
        if (b == 0) {
          batches.startEpoch(s / batches.batchesPerEpoch());
        }
        int n = batches.load(b);
        losses[s] = trainer.trainBatch(batches.inputs(), 0, batches.labels(), 0, n);
      }
    }
    return losses;
  }

  @Test
  void threadCountChangesOnlyRoundingAndRunsAreReproducible() {
    TestMlp one = network(9);
    TestMlp two = network(9);
    TestMlp twoAgain = network(9);
    TestMlp three = network(9);
    float[] l1 = train(one, 1, 40);
    float[] l2 = train(two, 2, 40);
    float[] l2again = train(twoAgain, 2, 40);
    float[] l3 = train(three, 3, 40);
    for (int s = 0; s < l1.length; s++) {
      assertEquals(l1[s], l2[s], 1e-4 * Math.max(1, l1[s]), "step " + s);
      assertEquals(l1[s], l3[s], 1e-4 * Math.max(1, l1[s]), "step " + s);
    }
    assertArrayEquals(l2, l2again);
    float[] p2 = two.parameters();
    float[] p2again = twoAgain.parameters();
    for (int i = 0; i < p2.length; i++) {
      assertEquals(Float.floatToRawIntBits(p2[i]), Float.floatToRawIntBits(p2again[i]),
          "parameter " + i);
    }
    float[] p1 = one.parameters();
    boolean anyDifferent = false;
    for (int i = 0; i < p1.length; i++) {
      assertEquals(p1[i], p2[i], 1e-3, "parameter " + i);
      anyDifferent |= p1[i] != p2[i];
    }
    // Not a requirement, but shows the test would see a different summation order.
    assertTrue(anyDifferent || l1[l1.length - 1] == l2[l2.length - 1]);
  }

  /**
   * Passes of 7 samples over 2 threads' chunks of 25 (passes of 7, 7, 7 and 4 each) add up to the
   * gradient of the whole batch's mean loss, computed in one call on a separate workspace; loss and
   * correct count cover every pass.
   */
  @Test
  void passesAddUpToTheGradientOfTheWholeBatch() {
    int batch = 50;
    float rate = 0.5f;
    Dataset data = blobs(batch, 12);
    float[] x = data.features();
    int[] y = data.labels();
    TestMlp reference = network(4);
    TestMlp net = network(4);
    int correctBefore = 0;
    for (int i = 0; i < batch; i++) {
      correctBefore += reference.predict(Arrays.copyOfRange(x, i * DIM, (i + 1) * DIM)) == y[i]
          ? 1 : 0;
    }
    TestMlp.Workspace ws = reference.newWorkspace(batch);
    ws.zeroGradients();
    float lossSum = ws.lossAndGradients(x, 0, y, 0, batch, 1f / batch);
    float[] expected = reference.parameters();
    float[] grad = ws.gradients();
    for (int i = 0; i < expected.length; i++) {
      expected[i] -= rate * grad[i];
    }
    try (Trainer trainer = Trainer.builder(net, Optimizers.sgd(rate).build()).batchSize(batch)
        .threads(2).passSamples(7).build()) {
      assertEquals(7, trainer.passSamples());
      float mean = trainer.trainBatch(x, 0, y, 0, batch);
      assertEquals(lossSum / batch, mean, 1e-6 * Math.max(1, Math.abs(mean)));
      assertEquals(correctBefore, trainer.lastBatchCorrect());
    }
    float[] actual = net.parameters();
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], 1e-6, "parameter " + i);
    }
  }

  @Test
  void passesAreAtMostAThreadsShareAndAtLeastOneSample() {
    try (Trainer trainer = Trainer.builder(network(1), Optimizers.sgd(0.1f).build()).batchSize(64)
        .threads(2).passSamples(1000).build()) {
      assertEquals(32, trainer.passSamples());
      assertEquals(32, trainer.workspaceBatch());
    }
    try (Trainer trainer = Trainer.builder(network(1), Optimizers.sgd(0.1f).build()).batchSize(256)
        .threads(2).build()) {
      assertEquals(Trainer.DEFAULT_PASS_SAMPLES, trainer.passSamples());
      assertEquals(Trainer.DEFAULT_PASS_SAMPLES, trainer.workspaceBatch());
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Trainer.builder(network(1), Optimizers.sgd(0.1f).build()).passSamples(0).build());
    assertEquals("samples per pass must be >= 1, got 0", e.getMessage());
  }

  @Test
  void evaluationCountsEverySample() {
    Dataset test = blobs(301, 8);
    TestMlp net = network(1);
    try (Trainer one = Trainer.builder(net, Optimizers.sgd(0.1f).build()).batchSize(32).build();
        Trainer three = Trainer.builder(net, Optimizers.sgd(0.1f).build()).batchSize(32).threads(3)
            .build()) {
      Evaluation a = one.evaluate(test);
      Evaluation b = three.evaluate(test);
      assertEquals(301, a.confusion().total());
      for (int i = 0; i < CLASSES; i++) {
        for (int j = 0; j < CLASSES; j++) {
          assertEquals(a.confusion().count(i, j), b.confusion().count(i, j));
        }
      }
      assertEquals(a.loss(), b.loss(), 1e-5);
      // Independent check of the accuracy with the network's own predict.
      int correct = 0;
      float[] sample = new float[DIM];
      for (int i = 0; i < test.size(); i++) {
        test.copySample(i, sample, 0);
        correct += net.predict(sample) == test.label(i) ? 1 : 0;
      }
      assertEquals(correct / 301.0, a.accuracy(), 1e-12);
    }
  }

  @Test
  void workerFailuresReachTheCaller() {
    TestMlp net = network(1);
    try (Trainer trainer = Trainer.builder(net, Optimizers.sgd(0.1f).build()).batchSize(4)
        .threads(2).build()) {
      float[] x = new float[4 * DIM];
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> trainer.trainBatch(x, 0, new int[] {0, 1, 2, 9}, 0, 4));
      assertTrue(e.getMessage().contains("label 9"), e.getMessage());
      // The trainer still works afterwards.
      assertTrue(Float.isFinite(trainer.trainBatch(x, 0, new int[] {0, 1, 2, 3}, 0, 4)));
    }
  }

  @Test
  void closeStopsTheWorkers() throws InterruptedException {
    Trainer trainer = Trainer.builder(network(1), Optimizers.sgd(0.1f).build()).batchSize(8)
        .threads(3).build();
    long[] ids = trainer.workerThreadIds();
    assertEquals(2, ids.length);
    trainer.close();
    trainer.close();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      for (long id : ids) {
        assertNotEquals(id, t.getId(), "worker " + t.getName() + " still alive");
      }
    }
    assertThrows(IllegalStateException.class, () -> trainer.evaluate(blobs(10, 1)));
  }

  @Test
  void steadyStateTrainingStepAllocatesNothing() {
    com.sun.management.ThreadMXBean mx =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    assertTrue(mx.isThreadAllocatedMemorySupported() && mx.isThreadAllocatedMemoryEnabled());
    Dataset data = blobs(1024, 3);
    MiniBatches batches = new MiniBatches(data, 64, 1, true);
    LearningRateSchedule schedule = LearningRateSchedule.cosine(0.01f, 0.001f, 1000, 1);
    TestMlp net = network(2);
    try (Trainer trainer = Trainer.builder(net,
        Optimizers.sgd(0.01f).momentum(0.9f).weightDecay(1e-4f).build()).batchSize(64).threads(2)
        .build()) {
      int perEpoch = batches.batchesPerEpoch();
      float sink = 0;
      for (int s = 0; s < 3000; s++) { // warm-up: JIT compilation, lazily allocated state
        sink += step(trainer, batches, schedule, s, perEpoch);
      }
      long[] ids = trainer.workerThreadIds();
      long[] workersBefore = mx.getThreadAllocatedBytes(ids);
      long before = mx.getCurrentThreadAllocatedBytes();
      for (int s = 3000; s < 3200; s++) {
        sink += step(trainer, batches, schedule, s, perEpoch);
      }
      long after = mx.getCurrentThreadAllocatedBytes();
      long[] workersAfter = mx.getThreadAllocatedBytes(ids);
      assertEquals(0, after - before, "bytes allocated on the calling thread by 200 steps");
      for (int i = 0; i < ids.length; i++) {
        assertEquals(0, workersAfter[i] - workersBefore[i],
            "bytes allocated on worker " + i + " by 200 steps");
      }
      assertTrue(Float.isFinite(sink));
    }
  }

  private static float step(Trainer trainer, MiniBatches batches, LearningRateSchedule schedule,
      int s, int perEpoch) {
    int epoch = s / perEpoch;
    int b = s % perEpoch;
    if (b == 0) {
      batches.startEpoch(epoch);
    }
    trainer.optimizer().setLearningRate(schedule.learningRate(epoch, b, perEpoch));
    int n = batches.load(b);
    return trainer.trainBatch(batches.inputs(), 0, batches.labels(), 0, n);
  }

  @Test
  void softmaxRegressionLearnsFashionMnistIfInstalled() throws java.io.IOException {
    java.nio.file.Path folder = java.nio.file.Path.of(System.getProperty("lamina.fashionMnist",
        "/usr/share/datasets/fashion-mnist"));
    org.junit.jupiter.api.Assumptions.assumeTrue(
        java.nio.file.Files.isRegularFile(folder.resolve(FashionMnist.TRAIN_IMAGES)),
        "Fashion-MNIST is not installed");
    FashionMnist.Split data = FashionMnist.load(folder).normalized();
    TestMlp net = new TestMlp("test.FashionSoftmax", 784, 10);
    Initializers.initialize(net, 1);
    try (Trainer trainer = Trainer.builder(net, Optimizers.sgd(0.01f).momentum(0.9f).build())
        .batchSize(100).threads(2).seed(1).build()) {
      EpochResult r = trainer.trainEpoch(data.train(), data.test(), 0);
      // Softmax regression reaches about 80-84% on Fashion-MNIST; one epoch is well above 75%.
      assertTrue(r.testAccuracy() > 0.75, r.toString());
      String table = r.test().confusion().render(FashionMnist.CLASS_NAMES);
      assertTrue(table.contains("9 Ankle boot"), table);
      assertEquals(10_000, r.test().confusion().total());
    }
  }

  @Test
  void confusionMatrixRendering() {
    ConfusionMatrix m = new ConfusionMatrix(3, new long[] {8, 1, 1, 0, 5, 0, 2, 0, 3});
    assertEquals(20, m.total());
    assertEquals(16 / 20.0, m.accuracy(), 1e-12);
    assertArrayEquals(new double[] {0.8, 1.0, 0.6}, m.perClassAccuracy(), 1e-12);
    String text = m.render(List.of("cat", "dog", "bird"));
    assertEquals(String.join("\n",
        "actual \\ predicted  0  1  2  accuracy",
        "0 cat               8  1  1     80.0%",
        "1 dog               0  5  0    100.0%",
        "2 bird              2  0  3     60.0%",
        "overall accuracy 80.0% (16 of 20)"), text);
    assertFalse(new ConfusionMatrix(2, new long[4]).toString().isEmpty());
  }
}
