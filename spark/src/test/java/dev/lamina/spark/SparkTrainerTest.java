package dev.lamina.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.runtime.FloatNetwork;
import dev.lamina.runtime.FloatWorkspace;
import dev.lamina.runtime.Losses;
import dev.lamina.runtime.NetworkSummary;
import dev.lamina.runtime.ParameterTensor;
import dev.lamina.runtime.data.Dataset;
import dev.lamina.runtime.data.MiniBatches;
import dev.lamina.runtime.io.CheckpointException;
import dev.lamina.runtime.io.Checkpoints;
import dev.lamina.runtime.optim.BaseOptimizer;
import dev.lamina.runtime.optim.Optimizers;
import dev.lamina.runtime.train.EpochResult;
import dev.lamina.runtime.train.Trainer;
import dev.lamina.spark.nets.Lamina_SmallBn;
import dev.lamina.spark.nets.Lamina_SmallConv;
import dev.lamina.spark.nets.Lamina_SmallDrop;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkContext;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SparkTrainer in local mode (two executor threads, a task tried up to 4 times) against the local
 * Trainer and against sums and averages computed here.
 */
class SparkTrainerTest {
  private static final long NET_SEED = 7;
  private static final NetworkFactory NET = () -> new Lamina_SmallConv(NET_SEED);
  private static final NetworkFactory BN = () -> new Lamina_SmallBn(NET_SEED);
  private static final OptimizerFactory ADAM = s -> Optimizers.adam(0.01f).build(s);
  private static final OptimizerFactory SGD = s -> Optimizers.sgd(0.1f).build(s);

  private static JavaSparkContext sc;
  private static Dataset data;
  private static JavaRDD<Sample> rdd;

  @BeforeAll
  static void start() {
    sc = TestData.local("local[2,4]", "SparkTrainerTest");
    data = TestData.images(200, 3);
    rdd = SparkTrainer.samples(sc, data, 3).cache();
  }

  @AfterAll
  static void stop() {
    Steps.passHook = null;
    sc.stop();
  }

  /** The local trainer's parameters after {@code epochs} epochs, with the per-epoch losses. */
  private static float[] local(int threads, int batch, int passSamples, OptimizerFactory opt,
      int epochs, double[] losses) {
    return local(NET, 5, threads, batch, passSamples, opt, epochs, losses);
  }

  private static float[] local(NetworkFactory factory, long seed, int threads, int batch,
      int passSamples, OptimizerFactory opt, int epochs, double[] losses) {
    FloatNetwork net = factory.create();
    try (Trainer t = Trainer.builder(net, opt.create(net.summary())).threads(threads)
        .batchSize(batch).passSamples(passSamples).seed(seed).build()) {
      List<EpochResult> r = t.fit(data, null, epochs);
      for (int e = 0; e < epochs; e++) {
        losses[e] = r.get(e).trainLoss();
      }
    }
    return net.parameters();
  }

  private static SparkTrainer.Builder spark(int partitions, int batch, int passSamples,
      OptimizerFactory opt) {
    return spark(NET, partitions, batch, passSamples, opt);
  }

  private static SparkTrainer.Builder spark(NetworkFactory factory, int partitions, int batch,
      int passSamples, OptimizerFactory opt) {
    return SparkTrainer.builder(sc, factory, opt).partitions(partitions).batchSize(batch)
        .passSamples(passSamples).seed(5);
  }

  /** The running means and variances in {@code parameters}, in the layout's order. */
  private static float[] runningStatistics(NetworkSummary summary, float[] parameters) {
    float[] out = new float[0];
    for (ParameterTensor t : summary.parameterTensors()) {
      if (t.role() == ParameterTensor.Role.STATISTIC) {
        int at = out.length;
        out = java.util.Arrays.copyOf(out, at + t.size());
        System.arraycopy(parameters, t.offset(), out, at, t.size());
      }
    }
    return out;
  }

  private static void assertSameBits(float[] expected, float[] actual) {
    assertEquals(expected.length, actual.length);
    for (int i = 0; i < expected.length; i++) {
      if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
        throw new AssertionError("parameter " + i + ": expected " + expected[i] + " but got "
            + actual[i]);
      }
    }
  }

  /** N partitions against N threads: fixed chunks, and passes handed out. */
  private static void assertSameAsLocal(int partitions, int batch, int passSamples,
      boolean perPass) {
    double[] expectedLoss = new double[2];
    float[] expected = local(partitions, batch, passSamples, ADAM, 2, expectedLoss);
    try (SparkTrainer st = spark(partitions, batch, passSamples, ADAM).build()) {
      assertEquals(perPass, st.gradientsPerPass());
      List<EpochResult> r = st.fit(rdd, null, 2);
      assertEquals(2, r.size());
      assertSameBits(expected, st.network().parameters());
      assertEquals(expectedLoss[0], r.get(0).trainLoss());
      assertEquals(expectedLoss[1], r.get(1).trainLoss());
    }
  }

  @Test
  void threePartitionsGiveTheBitsOfThreeThreadsWithFixedChunks() {
    // 200 samples in batches of 24: 8 full batches and one of 8, chunks of 8 (2, 3, 3 at the end)
    assertSameAsLocal(3, 24, 32, false);
  }

  @Test
  void threePartitionsGiveTheBitsOfThreeThreadsWithPassesHandedOut() {
    // batches of 60 in 15 passes of 4 (the last batch of 20: 6 passes), 5 passes per partition
    assertSameAsLocal(3, 60, 4, true);
  }

  @Test
  void twoPartitionsGiveTheBitsOfTwoThreadsWithTwoPassesPerChunk() {
    assertSameAsLocal(2, 16, 4, true);
    assertSameAsLocal(2, 16, 32, false);
  }

  /**
   * A network with two dropout layers: each chunk or pass draws the local trainer's masks, with
   * fixed chunks and with passes handed out; another seed changes the masks, hence the bits.
   */
  @Test
  void dropoutMasksAreTheLocalTrainersForTheSameSeed() {
    NetworkFactory drop = () -> new Lamina_SmallDrop(NET_SEED);
    int[][] cuts = {{2, 16, 32}, {3, 60, 4}};
    for (int[] cut : cuts) {
      double[] losses = new double[2];
      float[] expected = local(drop, 5, cut[0], cut[1], cut[2], ADAM, 2, losses);
      float[] otherSeed = local(drop, 6, cut[0], cut[1], cut[2], ADAM, 2, new double[2]);
      assertFalse(java.util.Arrays.equals(expected, otherSeed), "the masks have no effect");
      try (SparkTrainer st = SparkTrainer.builder(sc, drop, ADAM).partitions(cut[0])
          .batchSize(cut[1]).passSamples(cut[2]).seed(5).build()) {
        assertEquals(cut[2] == 4, st.gradientsPerPass());
        List<EpochResult> r = st.fit(rdd, null, 2);
        assertSameBits(expected, st.network().parameters());
        assertEquals(losses[0], r.get(0).trainLoss());
        assertEquals(losses[1], r.get(1).trainLoss());
      }
    }
  }

  /**
   * A network with two batch-normalization layers on 2 partitions (passes of 4 asked for, and
   * ignored: each chunk of 8 is one pass) and on 3 (chunks of 8; the last batch of 8 in chunks
   * of 2, 3 and 3): the partitions' batch statistics, merged on the driver in partition order,
   * move the running statistics as the local trainer's threads do. Parameters, running
   * statistics and losses to the bit; and the statistics the driver merged in the last step are
   * those of the last batch's chunks merged here in partition order, not in reverse order (which
   * the float running statistics would hide).
   */
  @Test
  void batchNormalizationGivesTheLocalTrainersBitsRunningStatisticsIncluded() {
    NetworkSummary summary = BN.create().summary();
    float[] initial = runningStatistics(summary, BN.create().parameters());
    assertEquals(28, initial.length); // running mean and variance of 4 and of 10 channels
    int[][] cuts = {{2, 16, 4}, {3, 24, 32}};
    boolean orderVisible = false;
    for (int[] cut : cuts) {
      FloatNetwork local = BN.create();
      float[][] beforeLast = new float[1][];
      List<EpochResult> expectedEpochs;
      try (Trainer t = Trainer.builder(local, ADAM.create(summary)).threads(cut[0])
          .batchSize(cut[1]).passSamples(cut[2]).seed(5)
          .listener((epoch, b, count, speed, loss) -> {
            if (epoch == 2 && b == count - 1) {
              beforeLast[0] = local.parameters().clone();
            }
          }).build()) {
        expectedEpochs = t.fit(data, null, 2);
      }
      float[] expected = local.parameters();
      float[] running = runningStatistics(summary, expected);
      for (int i = 0; i < running.length; i++) {
        assertTrue(running[i] != initial[i], "running statistic " + i + " never moved");
      }
      int lastBatch = (data.size() + cut[1] - 1) / cut[1] - 1;
      double[][] lastStep = chunkStatistics(beforeLast[0], cut[0], cut[1], 1, lastBatch, data);
      orderVisible |= !java.util.Arrays.equals(lastStep[0], lastStep[1]);
      try (SparkTrainer st = spark(BN, cut[0], cut[1], cut[2], ADAM).build()) {
        assertFalse(st.gradientsPerPass());
        assertEquals(8, st.passSamples());
        List<EpochResult> r = st.fit(rdd, null, 2);
        assertSameBits(running, runningStatistics(summary, st.network().parameters()));
        assertSameBits(expected, st.network().parameters());
        assertSameBits(lastStep[0], st.lastStatistics());
        assertEquals(expectedEpochs.get(0).trainLoss(), r.get(0).trainLoss());
        assertEquals(expectedEpochs.get(1).trainLoss(), r.get(1).trainLoss());
      }
    }
    // two equal chunks may merge to the same bits in either order; three uneven ones must not
    assertTrue(orderVisible, "the merge order must change some bits for this test to see it");
  }

  /**
   * The batch statistics of step {@code step} of epoch {@code epoch} (0-based) of {@code of} in
   * batches of {@code batch}, run by {@link #BN} with {@code parameters}, cut into {@code
   * partitions} chunks as the trainers cut it; merged in partition order, then in reverse order.
   */
  private static double[][] chunkStatistics(float[] parameters, int partitions, int batch,
      int epoch, int step, Dataset of) {
    MiniBatches mb = new MiniBatches(of, batch, 5, true);
    mb.startEpoch(epoch);
    int n = mb.load(step);
    FloatNetwork net = BN.create();
    System.arraycopy(parameters, 0, net.parameters(), 0, parameters.length);
    double[][] chunk = new double[partitions][];
    for (int t = 0; t < partitions; t++) {
      int from = n * t / partitions;
      int to = n * (t + 1) / partitions;
      FloatWorkspace ws = net.newWorkspace(Math.max(1, to - from));
      ws.setDeferredStatistics(true);
      if (to > from) {
        ws.forward(mb.inputs(), from * 64, to - from, true);
      }
      chunk[t] = new double[ws.pendingStatisticsLength()];
      ws.exportStatistics(chunk[t], 0);
    }
    double[][] merged = new double[2][];
    for (int order = 0; order < 2; order++) {
      FloatWorkspace ws = net.newWorkspace(1);
      ws.setDeferredStatistics(true);
      for (int t = 0; t < partitions; t++) {
        ws.mergeStatistics(chunk[order == 0 ? t : partitions - 1 - t], 0);
      }
      merged[order] = new double[ws.pendingStatisticsLength()];
      ws.exportStatistics(merged[order], 0);
    }
    return merged;
  }

  private static void assertSameBits(double[] expected, double[] actual) {
    assertEquals(expected.length, actual.length);
    for (int i = 0; i < expected.length; i++) {
      if (Double.doubleToRawLongBits(expected[i]) != Double.doubleToRawLongBits(actual[i])) {
        throw new AssertionError("statistic " + i + ": expected " + expected[i] + " but got "
            + actual[i]);
      }
    }
  }

  /**
   * One step on one batch of 24 on 3 partitions: the statistics the driver merged are those of
   * the three chunks computed here, merged in partition order, to the bit, and not those merged
   * in reverse order; the running statistics are those of their commit.
   */
  @Test
  void batchStatisticsAreMergedInPartitionOrder() {
    Dataset one = data.subset(0, 24);
    FloatNetwork net = BN.create();
    double[][] merged = chunkStatistics(net.parameters(), 3, 24, 0, 0, one);
    assertEquals(30, merged[0].length);
    assertEquals(24 * 64, merged[0][0]);
    assertFalse(java.util.Arrays.equals(merged[0], merged[1]),
        "the merge order must change some bits for this test to hold");
    FloatWorkspace commit = net.newWorkspace(1);
    commit.setDeferredStatistics(true);
    commit.mergeStatistics(merged[0], 0);
    commit.commitStatistics();

    try (SparkTrainer st = spark(BN, 3, 24, 32, SGD).build()) {
      st.fit(SparkTrainer.samples(sc, one, 2), null, 1);
      assertSameBits(merged[0], st.lastStatistics());
      assertSameBits(runningStatistics(net.summary(), net.parameters()),
          runningStatistics(net.summary(), st.network().parameters()));
    }
  }

  /** Without shuffling the samples are laid out once and every epoch keeps the order. */
  @Test
  void withoutShufflingEveryEpochGivesTheLocalTrainersBits() {
    Lamina_SmallConv net = new Lamina_SmallConv(NET_SEED);
    double[] expectedLoss = new double[3];
    try (Trainer t = Trainer.builder(net, ADAM.create(net.summary())).threads(2).batchSize(16)
        .passSamples(4).seed(5).shuffle(false).build()) {
      List<EpochResult> r = t.fit(data, null, 3);
      for (int e = 0; e < 3; e++) {
        expectedLoss[e] = r.get(e).trainLoss();
      }
    }
    try (SparkTrainer st = spark(2, 16, 4, ADAM).shuffle(false).build()) {
      List<EpochResult> r = st.fit(rdd, null, 3);
      assertSameBits(net.parameters(), st.network().parameters());
      for (int e = 0; e < 3; e++) {
        assertEquals(expectedLoss[e], r.get(e).trainLoss());
      }
    }
  }

  /** One step on one batch of 24: chunk gradients computed here, summed in order and reversed. */
  @Test
  void stepSumsTheChunksInPartitionOrder() {
    Dataset one = data.subset(0, 24);
    int batch = 24;
    MiniBatches mb = new MiniBatches(one, batch, 5, true);
    mb.startEpoch(0);
    mb.load(0);
    FloatNetwork net = NET.create();
    float[][] chunk = new float[3][];
    for (int t = 0; t < 3; t++) {
      FloatWorkspace ws = net.newWorkspace(8);
      ws.zeroGradients();
      float[] out = ws.forward(mb.inputs(), t * 8 * 64, 8, true);
      float[] g = ws.outputGradientBuffer();
      Losses.forwardBackward(dev.lamina.dsl.Loss.SOFTMAX_CROSS_ENTROPY, out, 8, 3, mb.labels(),
          t * 8, g, 1f / batch);
      ws.backward(g, 0, 8);
      chunk[t] = ws.gradients().clone();
    }
    float[] inOrder = new float[chunk[0].length];
    float[] reversed = new float[chunk[0].length];
    boolean orderMatters = false;
    for (int i = 0; i < inOrder.length; i++) {
      inOrder[i] = (chunk[0][i] + chunk[1][i]) + chunk[2][i];
      reversed[i] = (chunk[2][i] + chunk[1][i]) + chunk[0][i];
      orderMatters |= Float.floatToRawIntBits(inOrder[i]) != Float.floatToRawIntBits(reversed[i]);
    }
    assertTrue(orderMatters, "the order of the sum must change some bits for this test to hold");
    float[] expected = net.parameters().clone();
    float[] other = net.parameters().clone();
    SGD.create(net.summary()).step(expected, inOrder);
    SGD.create(net.summary()).step(other, reversed);

    try (SparkTrainer st = spark(3, batch, 32, SGD).build()) {
      st.fit(SparkTrainer.samples(sc, one, 2), null, 1);
      assertSameBits(expected, st.network().parameters());
      assertFalse(java.util.Arrays.equals(other, st.network().parameters()));
    }
  }

  /**
   * A task killed in the middle of step 3 (partition 1, after its first pass) is run again by
   * Spark, and training ends with the bits of the local trainer.
   */
  @Test
  void aTaskKilledMidStepIsRetriedAndTheStepIsUnchanged() {
    double[] losses = new double[1];
    float[] expected = local(2, 16, 4, ADAM, 1, losses);
    AtomicInteger kills = new AtomicInteger();
    AtomicInteger retries = new AtomicInteger();
    Steps.passHook = (step, partition, pass) -> {
      if (step != 3 || partition != 1 || pass != 1) {
        return;
      }
      TaskContext context = TaskContext.get();
      if (context.attemptNumber() > 0) {
        retries.incrementAndGet();
        return;
      }
      kills.incrementAndGet();
      SparkContext.getOrCreate().killTaskAttempt(context.taskAttemptId(), true, "test kill");
      long deadline = System.nanoTime() + 20_000_000_000L;
      while (!context.isInterrupted() && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
    };
    try (SparkTrainer st = spark(2, 16, 4, ADAM).build()) {
      List<EpochResult> r = st.fit(rdd, null, 1);
      assertEquals(1, kills.get(), "kills");
      assertEquals(1, retries.get(), "retries");
      assertSameBits(expected, st.network().parameters());
      assertEquals(losses[0], r.get(0).trainLoss());
    } finally {
      Steps.passHook = null;
    }
  }

  /** A task that fails (throws) mid-step is run again, and the step's result is unchanged. */
  @Test
  void aTaskFailingMidStepIsRetriedAndTheStepIsUnchanged() {
    double[] losses = new double[1];
    float[] expected = local(3, 24, 32, ADAM, 1, losses);
    AtomicInteger failures = new AtomicInteger();
    Steps.passHook = (step, partition, pass) -> {
      if (step == 2 && partition == 2 && TaskContext.get().attemptNumber() == 0) {
        failures.incrementAndGet();
        throw new IllegalStateException("test failure");
      }
    };
    try (SparkTrainer st = spark(3, 24, 32, ADAM).build()) {
      st.fit(rdd, null, 1);
      assertEquals(1, failures.get());
      assertSameBits(expected, st.network().parameters());
    } finally {
      Steps.passHook = null;
    }
  }

  /**
   * A run stopped after epoch 2 and resumed from its checkpoint (Adam's moments and step count
   * restored) ends with the bits of a run that never stopped, synchronous and averaging; resumed
   * with the parameters alone (Adam restarted) it would not.
   */
  @Test
  void resumesFromTheNewestEpochCheckpointWithTheOptimizerState(@TempDir Path dir)
      throws Exception {
    Path straight = dir.resolve("straight");
    Path resumed = dir.resolve("resumed");
    float[] expected;
    try (SparkTrainer st = spark(2, 16, 32, ADAM).checkpointDirectory(straight.toString())
        .build()) {
      assertEquals(3, st.fit(rdd, null, 3).size());
      expected = st.network().parameters().clone();
    }
    assertTrue(Files.exists(straight.resolve("epoch-0001.ckpt")));
    assertTrue(Files.exists(straight.resolve("epoch-0003.ckpt")));
    try (SparkTrainer st = spark(2, 16, 32, ADAM).checkpointDirectory(resumed.toString())
        .build()) {
      assertEquals(2, st.fit(rdd, null, 2).size());
    }
    try (SparkTrainer st = spark(2, 16, 32, ADAM).checkpointDirectory("file://" + resumed)
        .build()) {
      List<EpochResult> r = st.fit(rdd, null, 3);
      assertEquals(1, r.size());
      assertEquals(3, r.get(0).epoch());
      assertSameBits(expected, st.network().parameters());
    }
    try (SparkTrainer st = spark(2, 16, 32, ADAM).build()) {
      Checkpoints.load(st.network(), resumed.resolve("epoch-0002.ckpt"));
      st.trainEpoch(rdd, null, 2);
      assertFalse(java.util.Arrays.equals(expected, st.network().parameters()),
          "Adam's state had no effect on the resumed run");
    }
    // Averaging keeps its mean optimizer state in the checkpoints too.
    float[] averaged;
    try (SparkTrainer st = spark(2, 16, 32, ADAM).averaging(3).build()) {
      st.fit(rdd, null, 3);
      averaged = st.network().parameters().clone();
    }
    Path rounds = dir.resolve("rounds");
    try (SparkTrainer st = spark(2, 16, 32, ADAM).averaging(3)
        .checkpointDirectory(rounds.toString()).build()) {
      st.fit(rdd, null, 2);
    }
    try (SparkTrainer st = spark(2, 16, 32, ADAM).averaging(3)
        .checkpointDirectory(rounds.toString()).build()) {
      assertEquals(1, st.fit(rdd, null, 3).size());
      assertSameBits(averaged, st.network().parameters());
    }
    // Another seed or optimizer would not continue the run: refused, naming the file.
    try (SparkTrainer st = spark(2, 16, 32, SGD).checkpointDirectory(resumed.toString())
        .build()) {
      UncheckedIOException e = assertThrows(UncheckedIOException.class,
          () -> st.fit(rdd, null, 4));
      assertTrue(e.getMessage().contains("epoch-0003.ckpt: the run was trained with seed 5 and"
          + " optimizer Adam; this trainer has seed 5 and optimizer Sgd"), e.getMessage());
    }
    // A damaged newest checkpoint is an error naming it, not a silent start from scratch.
    byte[] bytes = Files.readAllBytes(resumed.resolve("epoch-0003.ckpt"));
    bytes[bytes.length / 2] ^= 1;
    Files.write(resumed.resolve("epoch-0003.ckpt"), bytes);
    try (SparkTrainer st = spark(2, 16, 32, ADAM).checkpointDirectory(resumed.toString())
        .build()) {
      UncheckedIOException e = assertThrows(UncheckedIOException.class,
          () -> st.fit(rdd, null, 4));
      assertTrue(e.getCause() instanceof CheckpointException);
      assertTrue(e.getMessage().contains("epoch-0003.ckpt: file checksum mismatch"),
          e.getMessage());
    }
  }

  /**
   * A network with batch normalization stopped after epoch 1 and resumed from its checkpoint
   * ends with the bits of a run that never stopped: the checkpoint holds the running statistics.
   */
  @Test
  void batchNormalizationResumesFromItsCheckpoint(@TempDir Path dir) {
    float[] expected;
    try (SparkTrainer st = spark(BN, 3, 24, 32, ADAM).build()) {
      st.fit(rdd, null, 2);
      expected = st.network().parameters().clone();
    }
    try (SparkTrainer st = spark(BN, 3, 24, 32, ADAM).checkpointDirectory(dir.toString())
        .build()) {
      assertEquals(1, st.fit(rdd, null, 1).size());
    }
    try (SparkTrainer st = spark(BN, 3, 24, 32, ADAM).checkpointDirectory(dir.toString())
        .build()) {
      List<EpochResult> r = st.fit(rdd, null, 2);
      assertEquals(1, r.size());
      assertEquals(2, r.get(0).epoch());
      assertSameBits(expected, st.network().parameters());
    }
  }

  /**
   * Averaging every 3 steps on 2 partitions against an average computed here: each partition's
   * steps taken by a local one-thread trainer on its chunk of each batch, with an Adam that
   * starts from the mean state of the round before; then the mean, in double, of the parameters,
   * of both of Adam's moments, and the step count.
   */
  @Test
  void averagingAveragesParametersAndOptimizerState() {
    assertAveraging(NET);
  }

  /** With batch normalization the running statistics are averaged with the parameters. */
  @Test
  void averagingAveragesRunningStatistics() {
    assertAveraging(BN);
  }

  private static void assertAveraging(NetworkFactory factory) {
    int batch = 16;
    int k = 3;
    Dataset part = data.subset(0, 96); // 6 batches: two rounds
    MiniBatches mb = new MiniBatches(part, batch, 5, true);
    mb.startEpoch(0);
    float[] averaged = factory.create().parameters().clone();
    float[][] state = new float[0][];
    long steps = 0;
    for (int round = 0; round < 2; round++) {
      double[] sum = new double[averaged.length];
      double[][] stateSum = new double[2][averaged.length];
      for (int t = 0; t < 2; t++) {
        FloatNetwork net = factory.create();
        System.arraycopy(averaged, 0, net.parameters(), 0, averaged.length);
        BaseOptimizer adam = (BaseOptimizer) ADAM.create(net.summary());
        if (state.length > 0) {
          adam.restoreState(averaged.length, steps, state);
        }
        try (Trainer local = Trainer.builder(net, adam).batchSize(8).build()) {
          for (int s = round * k; s < (round + 1) * k; s++) {
            mb.load(s);
            local.trainBatch(mb.inputs(), t * 8 * 64, mb.labels(), t * 8, 8);
          }
        }
        add(sum, net.parameters());
        float[][] own = adam.stateArrays();
        assertEquals(2, own.length);
        add(stateSum[0], own[0]);
        add(stateSum[1], own[1]);
        assertEquals((round + 1) * k, adam.stateSteps());
      }
      averaged = half(sum);
      state = new float[][] {half(stateSum[0]), half(stateSum[1])};
      steps = (round + 1) * k;
    }
    try (SparkTrainer st = spark(factory, 2, batch, 32, ADAM).averaging(k).build()) {
      EpochResult r = st.fit(SparkTrainer.samples(sc, part, 2), null, 1).get(0);
      assertSameBits(averaged, st.network().parameters());
      BaseOptimizer driver = (BaseOptimizer) st.optimizer();
      assertEquals(steps, driver.stateSteps());
      assertSameBits(state[0], driver.stateArrays()[0]);
      assertSameBits(state[1], driver.stateArrays()[1]);
      assertTrue(r.trainLoss() > 0 && r.trainLoss() < 2, "loss " + r.trainLoss());
    }
  }

  private static void add(double[] sum, float[] a) {
    for (int i = 0; i < sum.length; i++) {
      sum[i] += a[i];
    }
  }

  private static float[] half(double[] sum) {
    float[] mean = new float[sum.length];
    for (int i = 0; i < sum.length; i++) {
      mean[i] = (float) (sum[i] / 2);
    }
    return mean;
  }

  @Test
  void averagingLearns() {
    try (SparkTrainer st = spark(2, 16, 32, ADAM).averaging(4).build()) {
      List<EpochResult> r = st.fit(rdd, data, 4);
      assertTrue(r.get(3).testAccuracy() > 0.9, "accuracy " + r.get(3).testAccuracy());
    }
  }

  @Test
  void refusesBadSamples() {
    JavaRDD<Sample> bad = sc.parallelize(List.of(new Sample(new float[64], 0),
        new Sample(new float[63], 1)), 2);
    try (SparkTrainer st = spark(2, 16, 32, SGD).build()) {
      Exception e = assertThrows(Exception.class, () -> st.fit(bad, null, 1));
      assertTrue(e.getMessage().contains("sample 1 of the training RDD has 63 values; the"
          + " network's input has 64"), e.getMessage());
    }
    JavaRDD<Sample> label = sc.parallelize(List.of(new Sample(new float[64], 3)), 1);
    try (SparkTrainer st = spark(1, 16, 32, SGD).build()) {
      Exception e = assertThrows(Exception.class, () -> st.fit(label, null, 1));
      assertTrue(e.getMessage().contains("sample 0 of the training RDD has label 3, outside"
          + " 0..2"), e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> spark(17, 16, 32, SGD).build());
  }

  @Test
  void bytesPerStep() {
    int p = new Lamina_SmallConv(1).parameterCount();
    try (SparkTrainer st = spark(3, 24, 32, SGD).build()) {
      assertEquals(3.0 * 4 * p, st.bytesToDriverPerStep());
    }
    try (SparkTrainer st = spark(3, 60, 4, SGD).build()) {
      assertEquals(15.0 * 4 * p, st.bytesToDriverPerStep());
    }
    try (SparkTrainer st = spark(2, 16, 32, SGD).averaging(4).build()) {
      assertEquals(2.0 * 4 * p / 4, st.bytesToDriverPerStep());
    }
    // Batch statistics: 8·(1 + 2·4) + 8·(1 + 2·10) bytes per partition.
    int bn = new Lamina_SmallBn(1).parameterCount();
    try (SparkTrainer st = spark(BN, 2, 16, 32, SGD).build()) {
      assertEquals(2.0 * 4 * bn + 2 * 240, st.bytesToDriverPerStep());
    }
    // Adam's two moments travel with the parameters.
    try (SparkTrainer st = spark(2, 16, 32, ADAM).averaging(4).build()) {
      assertEquals(3 * 2.0 * 4 * p / 4, st.bytesToDriverPerStep());
    }
  }
}
