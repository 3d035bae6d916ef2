package dev.lamina.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.dsl.Layer;
import dev.lamina.runtime.FloatNetwork;
import dev.lamina.runtime.FloatWorkspace;
import dev.lamina.runtime.Initializers;
import dev.lamina.runtime.NetworkSummary;
import dev.lamina.runtime.Optimizer;
import dev.lamina.runtime.SeededRandom;
import dev.lamina.runtime.TestMlp;
import dev.lamina.runtime.data.Dataset;
import dev.lamina.runtime.data.FashionMnist;
import dev.lamina.runtime.data.MiniBatches;
import dev.lamina.runtime.optim.BaseOptimizer;
import dev.lamina.runtime.optim.LearningRateSchedule;
import dev.lamina.runtime.optim.Optimizers;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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
   * Passes handed out (a batch of 50 in passes of at most 7 on 2 threads: 8 passes of 6 or 7) add
   * up to the gradient of the whole batch's mean loss, computed in one call on a separate
   * workspace; loss and correct count cover every pass.
   */
  @Test
  void passesHandedOutAddUpToTheGradientOfTheWholeBatch() {
    assertPassesAddUpToTheBatchGradient(network(4), network(4), 50, 50, 7, true);
  }

  /**
   * Short batches of a trainer that hands out passes (batch size 256, passes of at most 32, 2
   * threads): 63 samples in 2 passes, and a single sample in one pass while the other thread has
   * none.
   */
  @ParameterizedTest
  @CsvSource({"63", "1"})
  void shortBatchesHandedOutAddUpToTheirGradient(int batch) {
    assertPassesAddUpToTheBatchGradient(network(4), network(4), 256, batch, 32, true);
  }

  /**
   * The same with fixed chunks of several passes: a network of 1,066,004 parameters, too large for
   * a gradient buffer per pass, on a batch of 16 in passes of 1 (each of the 2 threads accumulates
   * 8 passes in its own buffer).
   */
  @Test
  void passesOfFixedChunksAddUpToTheGradientOfTheWholeBatch() {
    assertPassesAddUpToTheBatchGradient(bigNetwork(4), bigNetwork(4), 16, 16, 1, false);
  }

  /** An MLP of 1,066,004 parameters: 16 gradient buffers of it exceed the trainer's limit. */
  private static TestMlp bigNetwork(long seed) {
    TestMlp net = new TestMlp("test.Big", DIM, 82_000, CLASSES);
    Initializers.initialize(net, seed);
    return net;
  }

  private static void assertPassesAddUpToTheBatchGradient(TestMlp reference, TestMlp net,
      int batchSize, int batch, int pass, boolean handsOut) {
    float rate = 0.5f;
    Dataset data = blobs(batch, 12);
    float[] x = data.features();
    int[] y = data.labels();
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
    try (Trainer trainer = Trainer.builder(net, Optimizers.sgd(rate).build())
        .batchSize(batchSize).threads(2).passSamples(pass).build()) {
      assertEquals(pass, trainer.passSamples());
      assertEquals(handsOut, trainer.handsOutPasses());
      float mean = trainer.trainBatch(x, 0, y, 0, batch);
      assertEquals(lossSum / batch, mean, 1e-6 * Math.max(1, Math.abs(mean)));
      assertEquals(correctBefore, trainer.lastBatchCorrect());
    }
    float[] actual = net.parameters();
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], 1e-6, "parameter " + i);
    }
  }

  /** Trains 10 batches of 60 with Adam in passes of 5 samples and returns the parameters' bits. */
  private static int[] trainInPasses(int threads) {
    Dataset data = blobs(600, 13);
    TestMlp net = network(6);
    try (Trainer trainer = Trainer.builder(net, Optimizers.adam(0.01f).build()).batchSize(60)
        .threads(threads).passSamples(5).build()) {
      assertEquals(threads > 1, trainer.handsOutPasses());
      for (int s = 0; s < 10; s++) {
        trainer.trainBatch(data.features(), s * 60 * DIM, data.labels(), s * 60, 60);
      }
    }
    return bits(net.parameters());
  }

  private static int[] bits(float[] values) {
    int[] bits = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      bits[i] = Float.floatToRawIntBits(values[i]);
    }
    return bits;
  }

  /**
   * Passes handed out: every pass's gradients computed from zero and added in pass order, so the
   * parameters are bit for bit the same on 2, 3 and 4 threads (each cuts the batch of 60 into the
   * same 12 passes of 5), however the passes fell to them; one thread accumulates its passes in
   * one buffer (another summation order, close but not the same bits).
   */
  @Test
  void passesHandedOutGiveTheSameBitsOnThreadCountsThatCutAlike() {
    int[] two = trainInPasses(2);
    assertArrayEquals(two, trainInPasses(3));
    assertArrayEquals(two, trainInPasses(4));
    int[] one = trainInPasses(1);
    for (int i = 0; i < one.length; i++) {
      assertEquals(Float.intBitsToFloat(one[i]), Float.intBitsToFloat(two[i]), 1e-4,
          "parameter " + i);
    }
  }

  /**
   * Passes finished out of order: the pass starting at sample {@code slowSample} waits until every
   * later pass has been run (and 20 ms more), so the threads finish those first and their gradients
   * wait in the passes' own buffers until it is done. One SGD step on 48 samples in 12 passes of 4
   * (on 2, 3 and 4 threads alike) must give bit for bit the parameters of the passes' gradients,
   * each computed from zero on a separate workspace and added in pass order by hand.
   */
  @ParameterizedTest
  @CsvSource({"0, 2", "16, 2", "40, 2", "0, 3", "24, 4"})
  void passesFinishedOutOfOrderAreAddedInPassOrder(int slowSample, int threads)
      throws InterruptedException {
    int batch = 48;
    int pass = 4;
    float rate = 0.5f;
    Dataset data = blobs(batch, 21);
    float[] x = data.features();
    int[] y = data.labels();
    float[] expected = sgdStepOnPasses(x, y, batch, pass, rate);
    PassHooks net = new PassHooks(network(5), slowSample * DIM, (batch - slowSample) / pass - 1,
        -1);
    try (Trainer trainer = Trainer.builder(net, Optimizers.sgd(rate).build()).batchSize(batch)
        .threads(threads).passSamples(pass).build()) {
      assertTrue(trainer.handsOutPasses());
      trainer.trainBatch(x, 0, y, 0, batch);
    }
    assertTrue(net.laterPassesRanFirst, "the passes after the slow one did not all run first");
    assertSameBits(expected, net.parameters());
  }

  /**
   * The parameters of {@code network(5)} after one SGD step at {@code rate} on the gradients of
   * {@code batch} samples in passes of {@code pass}, each computed from zero on a separate
   * workspace and added in pass order by hand.
   */
  private static float[] sgdStepOnPasses(float[] x, int[] y, int batch, int pass, float rate) {
    TestMlp reference = network(5);
    TestMlp.Workspace ws = reference.newWorkspace(pass);
    float[] sum = new float[reference.parameterCount()];
    for (int s = 0; s < batch; s += pass) {
      ws.zeroGradients();
      ws.lossAndGradients(x, s * DIM, y, s, pass, 1f / batch);
      addTo(sum, ws.gradients(), s == 0);
    }
    float[] expected = reference.parameters();
    for (int i = 0; i < expected.length; i++) {
      expected[i] -= rate * sum[i];
    }
    return expected;
  }

  private static void assertSameBits(float[] expected, float[] actual) {
    for (int i = 0; i < expected.length; i++) {
      assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]),
          "parameter " + i + ": " + expected[i] + " expected, " + actual[i]);
    }
  }

  /**
   * A thousand steps of 64 one-sample passes on 2 and on 4 threads, so passes finish in every order
   * and threads meet at the sum: every pass must reach it (the trainer checks that each step) and
   * the parameters must be bit for bit the same.
   */
  @Test
  void passesHandedOutSurviveManyStepsOnManyThreads() {
    assertArrayEquals(trainOnePassPerSample(2), trainOnePassPerSample(4));
  }

  private static int[] trainOnePassPerSample(int threads) {
    Dataset data = blobs(64 * 100, 22);
    TestMlp net = network(7);
    try (Trainer trainer = Trainer.builder(net, Optimizers.sgd(0.05f).build()).batchSize(64)
        .threads(threads).passSamples(1).build()) {
      for (int round = 0; round < 10; round++) {
        for (int s = 0; s < 100; s++) {
          trainer.trainBatch(data.features(), s * 64 * DIM, data.labels(), s * 64, 64);
        }
      }
    }
    return bits(net.parameters());
  }

  /**
   * The one order of events the re-check after letting go of the sum exists for, brought about
   * with hooks, on 2 threads and 3 one-sample passes: pass 0 is held until pass 2 has started, so
   * the other thread has run pass 1, left it in its buffer and let go of the sum; pass 2 is held
   * until the thread of pass 0 holds the sum after adding passes 0 and 1, and that thread waits
   * there until pass 2's thread has found the sum taken and left pass 2 in its buffer. Letting
   * go, the holder must look again and add pass 2: the step succeeds, and the parameters are
   * those of the three passes' gradients added in pass order.
   */
  @Test
  void aPassLeftToTheHolderOfTheSumIsAddedWhenItLetsGo() {
    int batch = 3;
    float rate = 0.5f;
    Dataset data = blobs(batch, 23);
    float[] x = data.features();
    int[] y = data.labels();
    float[] expected = sgdStepOnPasses(x, y, batch, 1, rate);
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch left = new CountDownLatch(1);
    AtomicBoolean leftInTime = new AtomicBoolean();
    PassHooks net = new PassHooks(network(5), 0, 0, -1, 2 * DIM, holding);
    try (Trainer trainer = Trainer.builder(net, Optimizers.sgd(rate).build()).batchSize(batch)
        .threads(2).passSamples(1).build()) {
      assertTrue(trainer.handsOutPasses());
      trainer.setSumHooks(new Trainer.SumHooks() {
        @Override
        public void holding(int summed) {
          if (summed == 2 && holding.getCount() > 0) {
            holding.countDown();
            leftInTime.set(await(left));
          }
        }

        @Override
        public void leftToHolder() {
          left.countDown();
        }
      });
      trainer.trainBatch(x, 0, y, 0, batch);
    }
    assertTrue(net.gateStartedFirst, "pass 0 did not wait for pass 2 to start");
    assertTrue(leftInTime.get(), "pass 2 was not left to the holder of the sum while it held it");
    assertSameBits(expected, net.parameters());
  }

  /** Waits up to 10 seconds for {@code latch}. */
  private static boolean await(CountDownLatch latch) {
    try {
      return latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * A {@link TestMlp} whose workspaces hold up the forward pass starting at input offset {@code
   * slowOffset} until {@code laterPasses} backward passes of later offsets have finished (and,
   * with a gate, until the forward pass at {@code gateOffset} has started), hold up that one until
   * {@code gate} opens, and fail the first forward pass starting at {@code failOffset} (-1: none).
   */
  private static final class PassHooks implements FloatNetwork {
    private final TestMlp net;
    private final int slowOffset;
    private final CountDownLatch later;
    private final AtomicInteger failOffset;
    private final int gateOffset;
    private final CountDownLatch gate;
    private final CountDownLatch gateStarted;
    volatile boolean laterPassesRanFirst;
    volatile boolean gateStartedFirst;

    PassHooks(TestMlp net, int slowOffset, int laterPasses, int failOffset) {
      this(net, slowOffset, laterPasses, failOffset, -1, new CountDownLatch(0));
    }

    PassHooks(TestMlp net, int slowOffset, int laterPasses, int failOffset, int gateOffset,
        CountDownLatch gate) {
      this.net = net;
      this.slowOffset = slowOffset;
      this.later = new CountDownLatch(laterPasses);
      this.failOffset = new AtomicInteger(failOffset);
      this.gateOffset = gateOffset;
      this.gate = gate;
      this.gateStarted = new CountDownLatch(gateOffset >= 0 ? 1 : 0);
    }

    @Override
    public NetworkSummary summary() {
      return net.summary();
    }

    @Override
    public float[] parameters() {
      return net.parameters();
    }

    @Override
    public List<Layer> layers() {
      return net.layers();
    }

    @Override
    public FloatWorkspace newWorkspace(int maxBatch) {
      TestMlp.Workspace ws = net.newWorkspace(maxBatch);
      return new FloatWorkspace() {
        @Override
        public FloatNetwork network() {
          return PassHooks.this;
        }

        @Override
        public int maxBatch() {
          return ws.maxBatch();
        }

        @Override
        public float[] forward(float[] input, int offset, int batch, boolean training) {
          this.offset = offset;
          if (failOffset.compareAndSet(offset, -1)) {
            throw new IllegalStateException("the pass at input offset " + offset + " fails");
          }
          if (offset == slowOffset) {
            try {
              // then give the later passes' threads time to hand their gradients on
              laterPassesRanFirst = later.await(10, TimeUnit.SECONDS);
              gateStartedFirst = await(gateStarted);
              Thread.sleep(20);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          if (offset == gateOffset) {
            gateStarted.countDown();
            await(gate);
          }
          return ws.forward(input, offset, batch, training);
        }

        private int offset;

        @Override
        public void backward(float[] gradOutput, int offset, int batch) {
          ws.backward(gradOutput, offset, batch);
          if (this.offset > slowOffset) {
            later.countDown();
          }
        }

        @Override
        public float[] outputGradientBuffer() {
          return ws.outputGradientBuffer();
        }

        @Override
        public float[] gradients() {
          return ws.gradients();
        }

        @Override
        public void zeroGradients() {
          ws.zeroGradients();
        }

        @Override
        public void setInputGradientEnabled(boolean enabled) {
          ws.setInputGradientEnabled(enabled);
        }

        @Override
        public float[] inputGradient() {
          return ws.inputGradient();
        }
      };
    }

    @Override
    public void forward(float[] input, int batch, float[] output) {
      net.forward(input, batch, output);
    }

    @Override
    public int predict(float[] sample) {
      return net.predict(sample);
    }

    @Override
    public Optimizer optimizer() {
      return net.optimizer();
    }

    @Override
    public void setOptimizer(Optimizer optimizer) {
      net.setOptimizer(optimizer);
    }

    @Override
    public float trainStep(float[] input, int[] labels, int batch) {
      return net.trainStep(input, labels, batch);
    }

    @Override
    public float trainStep(float[] input, float[] targets, int batch) {
      return net.trainStep(input, targets, batch);
    }
  }

  /**
   * Every thread takes a slice of the optimizer step (both optimizers update element-wise): five
   * steps of Adam with decoupled weight decay and of SGD with Nesterov momentum and weight decay,
   * with fixed chunks (passes of 32) and with passes handed out (passes of 4), on 2 and 3
   * threads, must give bit for bit the parameters of the chunks' or passes' gradients added by
   * hand in the trainer's order followed by one optimizer step on one thread.
   */
  @ParameterizedTest
  @CsvSource({"adam, 2, 32", "adam, 3, 4", "sgd, 2, 4", "sgd, 3, 32"})
  void theOptimizerStepSplitOverThreadsGivesTheBitsOfOneStep(String kind, int threads, int pass) {
    int batch = 48;
    Dataset data = blobs(batch * 5, 24);
    float[] x = data.features();
    int[] y = data.labels();
    TestMlp reference = network(9);
    BaseOptimizer single = optimizer(kind).attach(reference.summary());
    TestMlp.Workspace ws = reference.newWorkspace(batch);
    TestMlp net = network(9);
    try (Trainer trainer = Trainer.builder(net, optimizer(kind)).batchSize(batch)
        .threads(threads).passSamples(pass).build()) {
      assertEquals(pass == 4, trainer.handsOutPasses());
      int passes = trainer.handsOutPasses() ? trainer.handedOutPasses(batch) : 0;
      for (int step = 0; step < 5; step++) {
        int first = step * batch;
        float[] sum = new float[reference.parameterCount()];
        if (passes > 0) {
          for (int p = 0; p < passes; p++) {
            int s = first + batch * p / passes;
            ws.zeroGradients();
            ws.lossAndGradients(x, s * DIM, y, s, batch / passes, 1f / batch);
            addTo(sum, ws.gradients(), p == 0);
          }
        } else {
          for (int t = 0; t < threads; t++) {
            ws.zeroGradients();
            int to = first + batch * (t + 1) / threads;
            for (int s = first + batch * t / threads; s < to; s += trainer.passSamples()) {
              ws.lossAndGradients(x, s * DIM, y, s, Math.min(trainer.passSamples(), to - s),
                  1f / batch);
            }
            addTo(sum, ws.gradients(), t == 0);
          }
        }
        single.step(reference.parameters(), sum);
        trainer.trainBatch(x, first * DIM, y, first, batch);
      }
    }
    assertArrayEquals(bits(reference.parameters()), bits(net.parameters()));
  }

  /**
   * The optimizer step is split over the threads only for an optimizer that says it updates
   * element-wise: on 2 threads its updates then run on both, otherwise (or on one thread) on the
   * calling thread alone.
   */
  @ParameterizedTest
  @CsvSource({"true, 2, 2", "false, 2, 1", "true, 1, 1"})
  void theStepIsSplitOnlyForOptimizersThatUpdateElementWise(boolean elementWise, int threads,
      int updatingThreads) {
    RecordingSgd sgd = new RecordingSgd(elementWise, false);
    Dataset data = blobs(64, 25);
    try (Trainer trainer = Trainer.builder(network(3), sgd).batchSize(64).threads(threads)
        .build()) {
      trainer.trainBatch(data.features(), 0, data.labels(), 0, 64);
    }
    assertEquals(updatingThreads, sgd.threads.size(), "threads that updated: " + sgd.threads);
    assertTrue(sgd.threads.contains(Thread.currentThread()));
  }

  /**
   * An update that fails on a worker thread fails its step with that exception; the trainer goes
   * on training.
   */
  @Test
  void aFailedPartOfTheStepFailsItsStepOnly() {
    RecordingSgd sgd = new RecordingSgd(true, true);
    Dataset data = blobs(128, 26);
    try (Trainer trainer = Trainer.builder(network(3), sgd).batchSize(64).threads(2).build()) {
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> trainer.trainBatch(data.features(), 0, data.labels(), 0, 64));
      assertEquals("update fails on a worker", e.getMessage());
      float loss = trainer.trainBatch(data.features(), 64 * DIM, data.labels(), 64, 64);
      assertTrue(Float.isFinite(loss));
    }
  }

  /** Plain SGD that records the threads its updates run on, and can fail once on a worker. */
  private static final class RecordingSgd extends BaseOptimizer {
    final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private final boolean elementWise;
    private final AtomicBoolean failOnWorker;
    private final Thread trainer = Thread.currentThread();

    RecordingSgd(boolean elementWise, boolean failOnWorker) {
      super(0.01f, 0f);
      this.elementWise = elementWise;
      this.failOnWorker = new AtomicBoolean(failOnWorker);
    }

    @Override
    public boolean updatesElementWise() {
      return elementWise;
    }

    @Override
    public void reset() {}

    @Override
    protected void allocateState(int length) {}

    @Override
    protected void update(float[] p, float[] grad, int from, int to, float decay) {
      threads.add(Thread.currentThread());
      if (Thread.currentThread() != trainer && failOnWorker.compareAndSet(true, false)) {
        throw new IllegalStateException("update fails on a worker");
      }
      for (int i = from; i < to; i++) {
        p[i] -= learningRate() * grad[i];
      }
    }
  }

  private static BaseOptimizer optimizer(String kind) {
    return kind.equals("adam") ? Optimizers.adam(0.01f).decoupledWeightDecay(0.01f).build()
        : Optimizers.sgd(0.05f).momentum(0.9f).nesterov(true).weightDecay(1e-3f).build();
  }

  /** {@code sum = g} when {@code first}, else {@code sum += g}. */
  private static void addTo(float[] sum, float[] g, boolean first) {
    for (int i = 0; i < sum.length; i++) {
      sum[i] = first ? g[i] : sum[i] + g[i];
    }
  }

  /** Each part of each step of each seed draws its dropout masks from a stream of its own. */
  @Test
  void dropoutSeedsDifferBySeedStepAndPart() {
    long base = Trainer.dropoutSeed(7, 1, 0);
    assertNotEquals(base, Trainer.dropoutSeed(8, 1, 0), "seed");
    assertNotEquals(base, Trainer.dropoutSeed(7, 2, 0), "step");
    assertNotEquals(base, Trainer.dropoutSeed(7, 1, 1), "part");
    assertNotEquals(Trainer.dropoutSeed(7, 1, 2), Trainer.dropoutSeed(7, 2, 1),
        "step and part swapped");
  }

  @Test
  void passesAreHandedOutOnlyWhenThereAreMoreThanThreadsAndTheirBuffersFit() {
    assertHandsOut(false, network(1), 64, 1, 32, "one thread");
    assertHandsOut(false, network(1), 64, 2, 32, "two passes of 32 for two threads");
    assertHandsOut(true, network(1), 65, 2, 32, "four passes of 16 or 17 for two threads");
    assertHandsOut(true, network(1), 256, 2, 32, "eight passes of 32 for two threads");
    assertHandsOut(false, network(1), 256, 8, 32, "eight passes of 32 for eight threads");
    // As many passes for each thread, each of at most the pass size, none empty: {batch size,
    // threads, pass size, a batch, its passes}.
    int[][] cuts = {{256, 2, 32, 256, 8}, {96, 2, 32, 96, 4}, {65, 2, 32, 65, 4},
        {256, 3, 32, 256, 9}, {256, 2, 32, 63, 2}, {256, 2, 32, 1, 1}, {7, 2, 1, 7, 7},
        {7, 2, 1, 6, 6}};
    for (int[] c : cuts) {
      try (Trainer trainer = Trainer.builder(network(1), Optimizers.sgd(0.1f).build())
          .batchSize(c[0]).threads(c[1]).passSamples(c[2]).build()) {
        assertEquals(c[4], trainer.handedOutPasses(c[3]), Arrays.toString(c));
      }
    }
    // 16 passes of a network of 1,066,004 parameters need more than the limit of 16 Mi floats,
    // 14 do not (on 2 threads the pass count is even).
    TestMlp big = bigNetwork(1);
    assertTrue(16L * big.parameterCount() > Trainer.PASS_BUFFER_LIMIT_FLOATS);
    assertTrue(14L * big.parameterCount() <= Trainer.PASS_BUFFER_LIMIT_FLOATS);
    assertHandsOut(false, big, 16, 2, 1, "16 passes of a large network");
    assertHandsOut(true, big, 14, 2, 1, "14 passes of a large network");
  }

  private static void assertHandsOut(boolean expected, TestMlp net, int batch, int threads,
      int pass, String what) {
    try (Trainer trainer = Trainer.builder(net, Optimizers.sgd(0.1f).build()).batchSize(batch)
        .threads(threads).passSamples(pass).build()) {
      assertEquals(expected, trainer.handsOutPasses(), what);
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

  /**
   * A label outside the classes is refused before any thread starts, naming its sample in the batch
   * and its place in the array (with passes handed out, a pass would only know its own samples).
   */
  @Test
  void aBadLabelNamesItsSampleInTheBatch() {
    TestMlp net = network(1);
    float[] before = net.parameters().clone();
    int[] labels = {0, 0, 0, 1, 2, 3, 0, 1, 9, 2, 3};
    try (Trainer trainer = Trainer.builder(net, Optimizers.sgd(0.1f).build()).batchSize(8)
        .threads(2).passSamples(1).build()) {
      assertTrue(trainer.handsOutPasses());
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> trainer.trainBatch(new float[8 * DIM], 0, labels, 3, 8));
      assertTrue(e.getMessage().contains("label 9 of sample 5 of the batch (labels[8])"),
          e.getMessage());
    }
    assertArrayEquals(before, net.parameters(), "a step was taken");
  }

  /** Fixed chunks: the worker's chunk (samples 2 and 3) fails; the caller gets its exception. */
  @Test
  void workerFailuresReachTheCaller() {
    PassHooks net = new PassHooks(network(1), -1, 0, 2 * DIM);
    try (Trainer trainer = Trainer.builder(net, Optimizers.sgd(0.1f).build()).batchSize(4)
        .threads(2).build()) {
      assertFalse(trainer.handsOutPasses());
      float[] x = new float[4 * DIM];
      int[] y = {0, 1, 2, 3};
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> trainer.trainBatch(x, 0, y, 0, 4));
      assertTrue(e.getMessage().contains("offset " + 2 * DIM + " fails"), e.getMessage());
      // The trainer still works afterwards.
      assertTrue(Float.isFinite(trainer.trainBatch(x, 0, y, 0, 4)));
    }
  }

  /**
   * Passes handed out (batch 8 in passes of 1): the sixth pass fails, which fails the step and
   * takes no step; the next step, on other samples, then sums its own passes only and gives the
   * parameters of a trainer that never saw the failed batch.
   */
  @Test
  void aFailedPassHandedOutFailsOnlyItsStep() {
    Dataset first = blobs(8, 23);
    Dataset next = blobs(8, 24);
    PassHooks net = new PassHooks(network(2), -1, 0, 5 * DIM);
    TestMlp clean = network(2);
    try (Trainer trainer = Trainer.builder(net, Optimizers.sgd(0.1f).build()).batchSize(8)
            .threads(2).passSamples(1).build();
        Trainer reference = Trainer.builder(clean, Optimizers.sgd(0.1f).build()).batchSize(8)
            .threads(2).passSamples(1).build()) {
      assertTrue(trainer.handsOutPasses());
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> trainer.trainBatch(first.features(), 0, first.labels(), 0, 8));
      assertTrue(e.getMessage().contains("offset " + 5 * DIM + " fails"), e.getMessage());
      assertArrayEquals(clean.parameters(), net.parameters(), "a step was taken");
      assertEquals(reference.trainBatch(next.features(), 0, next.labels(), 0, 8),
          trainer.trainBatch(next.features(), 0, next.labels(), 0, 8));
    }
    assertArrayEquals(bits(clean.parameters()), bits(net.parameters()));
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
