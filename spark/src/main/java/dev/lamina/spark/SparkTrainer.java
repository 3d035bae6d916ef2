package dev.lamina.spark;

import dev.lamina.dsl.Loss;
import dev.lamina.runtime.FloatNetwork;
import dev.lamina.runtime.FloatWorkspace;
import dev.lamina.runtime.NetworkSummary;
import dev.lamina.runtime.Optimizer;
import dev.lamina.runtime.data.Dataset;
import dev.lamina.runtime.io.TrainingState;
import dev.lamina.runtime.optim.BaseOptimizer;
import dev.lamina.runtime.optim.LearningRateSchedule;
import dev.lamina.runtime.train.EpochResult;
import dev.lamina.runtime.train.Evaluation;
import dev.lamina.runtime.train.Trainer;
import dev.lamina.runtime.train.TrainingDivergedException;
import dev.lamina.runtime.train.TrainingListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;

/**
 * Trains a generated classifier on a Spark RDD of {@link Sample}s, data-parallel over N
 * partitions: the local {@link Trainer}'s N threads become N Spark tasks, on as many executors
 * as the cluster gives.
 *
 * <p><b>Epochs.</b> Each epoch visits the samples in the local trainer's order (a seeded
 * shuffle of the whole RDD, sample i being the i-th of the RDD, its partitions in order) in
 * global batches of {@link Builder#batchSize} samples. One shuffle per epoch sends every sample to
 * the partition that trains it and keeps it there in memory (4 bytes per sample of the data set
 * on each executor for the order, plus the samples); cache the training RDD if it is costly to
 * compute, since each epoch reads it once. Without shuffling ({@link Builder#shuffle}) the
 * samples are sent once, for all epochs. The epoch's time in its {@link EpochResult} includes
 * this shuffle.
 *
 * <p><b>Synchronous SGD</b> (the default). Each step the driver broadcasts the parameters (4·P
 * bytes for P parameters, fetched once by each executor), each task computes the gradients of
 * its share of the batch with the loss scaled by 1/B, exactly as a thread of the local trainer
 * cuts the batch (chunk t of N, in passes of at most {@link Builder#passSamples} samples; or,
 * when the local trainer would hand out passes, one gradient per pass), and sends them back
 * (4·P bytes per chunk or pass); the driver adds them in the fixed order of the chunks or passes
 * and takes one optimizer step. For the same seed, batch size and pass size, N partitions give
 * bit-identical parameters and losses to the local trainer with N threads, whichever executors
 * ran which task, and a task that fails or is killed mid-step and is run again by Spark gives
 * the same result (every task sets its copy's parameters from the broadcast and zeroes its
 * gradients first). It costs a Spark job per step.
 *
 * <p><b>Parameter averaging</b> ({@link Builder#averaging}), as Deeplearning4j's parameter
 * averaging training master does. Each task runs K local steps, each on its share of that step's
 * global batch with the loss scaled by 1 over its share, with an optimizer made by the factory
 * that starts from the driver's optimizer state; then the driver averages the N parameter arrays
 * and the N optimizer states (each state array, such as momentum or Adam's two moments, element
 * by element; in partition order, in double) and keeps the mean state for the next round, with
 * the largest step count of the partitions (Adam's bias corrections). One job per K steps, each
 * way per partition per round 4·P bytes of parameters plus 4·P per state array (Adam: 12·P).
 * The driver's learning rate (or the schedule's) is the rate of every local step. The optimizer
 * must extend {@link BaseOptimizer}, whose state can be read and restored.
 *
 * <p><b>Checkpoints</b> ({@link Builder#checkpointDirectory}): after every epoch the parameters
 * and the run's {@link TrainingState} (the optimizer's state, the steps taken, the seed) go to
 * {@code epoch-NNNN.ckpt} in a directory of any Hadoop-compatible file system, and {@link #fit}
 * starts after the newest one found there, restoring the optimizer: the resumed run has the bits
 * of a run that never stopped (the data order, the schedule and the dropout masks are functions
 * of the seed, the epoch and the step). A checkpoint of another seed or optimizer is refused. The
 * optimizer must extend {@link BaseOptimizer}.
 *
 * <p><b>Fault tolerance.</b> Spark runs a failed or killed task again (up to {@code
 * spark.task.maxFailures} times; in local mode give a master such as {@code local[2,4]}); the
 * step's result does not change. A lost executor loses its cached samples, which Spark
 * recomputes from the epoch's shuffle.
 *
 * <p><b>Dropout.</b> Each chunk or pass draws its masks from the stream the local trainer gives
 * it ({@link Trainer#dropoutSeed}: the seed, the step, the chunk or pass), so a network with
 * dropout gets the local trainer's bits too.
 *
 * <p><b>Batch normalization.</b> As in the local trainer, each partition normalizes its chunk
 * over the chunk (in one pass, whatever {@link Builder#passSamples}), and the running mean and
 * variance move once per step with the statistics of the whole batch: each task sends the
 * pending statistics of its chunk with its gradients ({@link FloatWorkspace#exportStatistics}:
 * per batch-normalization layer of C channels, 1 + 2·C doubles, the count, the means and the
 * squared deviations; 8·(1 + 2·C) bytes), and the driver merges them in partition order ({@link
 * FloatWorkspace#mergeStatistics(double[], int)}, the arithmetic of the local trainer's merge of
 * its threads) and commits them once, before the optimizer step. So a network with batch
 * normalization gets the local trainer's bits too, running statistics included. When
 * averaging, each task commits its share's statistics to its copy's running statistics after
 * each local step, as a one-thread trainer does, and the running means and variances are
 * averaged with the parameters, element by element (the mean of the partitions' running
 * variances, not the variance of all their samples).
 *
 * <p>Not thread-safe. {@link #close()} releases the cached samples.
 */
public final class SparkTrainer implements AutoCloseable {
  private final JavaSparkContext sc;
  private final NetworkFactory networkFactory;
  private final OptimizerFactory optimizerFactory;
  private final FloatNetwork network;
  private final Optimizer optimizer;
  private final LearningRateSchedule schedule;
  private final TrainingListener listener;
  private final int partitions;
  private final int averagingSteps;
  /** Arrays of optimizer state an averaging round exchanges (Adam 2, momentum 1, else 0). */
  private final int stateArrays;
  private final long seed;
  private final boolean shuffle;
  private final BatchCut cut;
  private final Steps.Job job;
  private final EpochCheckpoints checkpoints;
  /** The driver's workspace that merges and commits the batch statistics; null without. */
  private final FloatWorkspace statistics;
  /** The merged batch statistics of the last synchronous step, before the commit. */
  private final double[] lastStatistics;

  private JavaRDD<Sample> source;
  private JavaPairRDD<Sample, Long> indexed;
  private int size;
  private JavaRDD<Shard> shards;
  private int shardsEpoch = -1;
  private Trainer evaluator;

  private SparkTrainer(Builder b) {
    this.sc = b.sc;
    this.networkFactory = b.networkFactory;
    this.optimizerFactory = b.optimizerFactory;
    this.network = Objects.requireNonNull(networkFactory.create(), "the network factory made null");
    NetworkSummary summary = network.summary();
    if (summary.loss() != Loss.SOFTMAX_CROSS_ENTROPY) {
      throw new IllegalArgumentException("SparkTrainer trains classifiers on class labels, which"
          + " needs loss SOFTMAX_CROSS_ENTROPY; " + summary.networkName() + " has "
          + summary.loss());
    }
    if (summary.couplesBatchSamples()) {
      FloatWorkspace merger = network.newWorkspace(1);
      merger.setDeferredStatistics(true);
      this.statistics = merger.pendingStatisticsLength() > 0 ? merger : null;
    } else {
      this.statistics = null;
    }
    this.lastStatistics = statistics == null ? null
        : new double[statistics.pendingStatisticsLength()];
    Optimizer made = Objects.requireNonNull(optimizerFactory.create(summary),
        "the optimizer factory made null");
    if (b.averagingSteps > 0 || b.checkpointDirectory != null) {
      made = attached(made, summary);
    } else if (made instanceof BaseOptimizer
        && ((BaseOptimizer) made).parameterTensors() == null) {
      ((BaseOptimizer) made).attach(summary);
    }
    this.optimizer = made;
    this.schedule = b.schedule;
    this.listener = b.listener;
    this.partitions = b.partitions > 0 ? b.partitions : sc.defaultParallelism();
    if (partitions > b.batchSize) {
      throw new IllegalArgumentException("partitions must be in 1..batch size (" + b.batchSize
          + "), got " + partitions);
    }
    this.averagingSteps = b.averagingSteps;
    if (averagingSteps > 0) {
      // A step of an optimizer of the factory's on zeros allocates its state: count the arrays.
      BaseOptimizer probe = attached(optimizerFactory.create(summary), summary);
      probe.step(new float[network.parameterCount()], new float[network.parameterCount()]);
      this.stateArrays = probe.stateArrays().length;
    } else {
      this.stateArrays = 0;
    }
    this.seed = b.seed;
    this.shuffle = b.shuffle;
    this.cut = new BatchCut(b.batchSize, partitions, b.passSamples, network.parameterCount(),
        summary.couplesBatchSamples());
    this.job = new Steps.Job(UUID.randomUUID().toString(), networkFactory, cut, seed,
        network.outputSize(), network.inputSize());
    this.checkpoints = b.checkpointDirectory == null ? null
        : new EpochCheckpoints(b.checkpointDirectory, sc.hadoopConfiguration());
  }

  /**
   * {@code optimizer} as a {@link BaseOptimizer} attached to the network's layout, whose state
   * can be averaged and saved.
   *
   * @throws IllegalArgumentException if it does not extend BaseOptimizer
   */
  static BaseOptimizer attached(Optimizer optimizer, NetworkSummary summary) {
    if (!(optimizer instanceof BaseOptimizer)) {
      throw new IllegalArgumentException("parameter averaging and checkpoints need the"
          + " optimizer's state, which only optimizers extending BaseOptimizer expose; the"
          + " factory made " + optimizer);
    }
    BaseOptimizer base = (BaseOptimizer) optimizer;
    if (base.parameterTensors() == null) {
      base.attach(summary);
    }
    return base;
  }

  /**
   * A builder: the network made by {@code network} (on the driver and on every executor),
   * trained with the optimizer made by {@code optimizer}, on the cluster of {@code sc}.
   */
  public static Builder builder(JavaSparkContext sc, NetworkFactory network,
      OptimizerFactory optimizer) {
    return new Builder(sc, network, optimizer);
  }

  /** The driver's network: the trained parameters (load a checkpoint into it to start from). */
  public FloatNetwork network() {
    return network;
  }

  /** The driver's optimizer (synchronous training steps with it). */
  public Optimizer optimizer() {
    return optimizer;
  }

  /** Partitions, hence Spark tasks per step. */
  public int partitions() {
    return partitions;
  }

  /** Local steps per averaging round, or 0 for synchronous SGD. */
  public int averagingSteps() {
    return averagingSteps;
  }

  /**
   * Whether a step's gradients come back one per pass (the local trainer with as many threads
   * hands the passes out) rather than one per partition.
   */
  public boolean gradientsPerPass() {
    return cut.handOut;
  }

  /**
   * Samples per forward and backward pass of a task (as for the local trainer: a whole chunk for
   * a network with batch normalization).
   */
  public int passSamples() {
    return cut.passSamples;
  }

  /**
   * Bytes of gradients or parameters the tasks send to the driver per global step: 4·P per
   * partition (4·P per pass when gradients come back per pass), plus, with batch normalization,
   * the batch statistics, 8·(1 + 2·C) bytes per layer of C channels per partition; when
   * averaging, 4·P per partition for the parameters (running statistics included) and as much
   * for each optimizer state array (Adam has two), divided by K. The parameters (and the state)
   * go the other way once per step (per round when averaging) to each executor.
   */
  public double bytesToDriverPerStep() {
    long p = 4L * network.parameterCount();
    if (averagingSteps > 0) {
      return (double) p * (1 + stateArrays) * partitions / averagingSteps;
    }
    long s = statistics == null ? 0 : 8L * lastStatistics.length;
    return (double) p * cut.units(cut.batchSize) + (double) s * partitions;
  }

  /**
   * Trains until {@code epochs} epochs are done, evaluating on {@code test} after each one when
   * it is not {@code null}. With a checkpoint directory it first loads the newest checkpoint
   * there, if any, and trains only the epochs after it; returns the results of the epochs it
   * trained.
   */
  public List<EpochResult> fit(JavaRDD<Sample> train, Dataset test, int epochs) {
    int done = 0;
    if (checkpoints != null) {
      try {
        TrainingState state = checkpoints.loadNewest(network, (BaseOptimizer) optimizer, seed);
        done = state == null ? 0 : state.epochs();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the checkpoints: " + e.getMessage(), e);
      }
    }
    List<EpochResult> results = new ArrayList<>();
    for (int e = done; e < epochs; e++) {
      results.add(trainEpoch(train, test, e));
    }
    return results;
  }

  /**
   * Trains epoch {@code epoch} (0-based: it selects the shuffle and the schedule's rates) over
   * {@code train}, then evaluates on {@code test} unless it is {@code null}, then writes the
   * epoch's checkpoint when there is a checkpoint directory.
   */
  public EpochResult trainEpoch(JavaRDD<Sample> train, Dataset test, int epoch) {
    long start = System.nanoTime();
    layOut(train, epoch);
    int count = (size + cut.batchSize - 1) / cut.batchSize;
    double lossSum = 0;
    long correct = 0;
    long seen = 0;
    for (int b = 0; b < count; ) {
      int steps = averagingSteps == 0 ? 1 : Math.min(averagingSteps, count - b);
      long globalStep = (long) epoch * count + b + 1;
      double[] outcome = averagingSteps == 0 ? synchronousStep(epoch, b, count, globalStep)
          : averagingRound(epoch, b, steps, count, globalStep);
      lossSum += outcome[0];
      correct += (long) outcome[1];
      seen += (long) outcome[2];
      b += steps;
      if (listener != null) {
        double elapsed = (System.nanoTime() - start) / 1e9;
        listener.onBatch(epoch + 1, b, count, elapsed > 0 ? seen / elapsed : 0, lossSum / seen);
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Evaluation evaluation = test == null ? null : evaluate(test);
    EpochResult result = new EpochResult(epoch + 1, lossSum / seen, (double) correct / seen,
        evaluation, optimizer.learningRate(), seconds, seconds > 0 ? seen / seconds : 0);
    if (checkpoints != null) {
      BaseOptimizer base = (BaseOptimizer) optimizer;
      try {
        checkpoints.save(network, new TrainingState(epoch + 1, (long) (epoch + 1) * count, seed,
            base.getClass().getSimpleName(), base.stateSteps(), base.stateArrays()));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write the checkpoint of epoch " + (epoch + 1)
            + ": " + e.getMessage(), e);
      }
    }
    if (listener != null) {
      listener.onEpoch(result);
    }
    return result;
  }

  /**
   * One synchronous step: the tasks' gradients summed in unit order, one optimizer step.
   * Returns the batch's loss sum, correct predictions and samples.
   */
  private double[] synchronousStep(int epoch, int b, int count, long globalStep) {
    if (schedule != null) {
      optimizer.setLearningRate(schedule.learningRate(epoch, b, count));
    }
    int n = cut.stepSize(b, size);
    float[] parameters = network.parameters();
    Broadcast<float[]> shared = sc.broadcast(parameters.clone());
    List<Steps.StepResult> results;
    try {
      results = shards.mapPartitions(new Steps.StepTask(job, shared, b, n, globalStep))
          .collect();
    } finally {
      shared.destroy();
    }
    float[] sum = null;
    float total = 0;
    int correct = 0;
    for (Steps.StepResult r : results) {
      for (int u = 0; u < r.gradients.length; u++) {
        float[] g = r.gradients[u];
        if (sum == null) {
          sum = g;
        } else {
          for (int i = 0; i < sum.length; i++) {
            sum[i] += g[i];
          }
        }
        total += r.unitLoss[u];
      }
      correct += r.correct;
    }
    float mean = total / n;
    if (!Float.isFinite(mean)) {
      throw new TrainingDivergedException(epoch + 1, b + 1, count, mean,
          optimizer.learningRate());
    }
    if (statistics != null) {
      commitStatistics(results);
    }
    optimizer.step(parameters, sum);
    return new double[] {(double) mean * n, correct, n};
  }

  /**
   * Merges the partitions' batch statistics in partition order and moves the running statistics
   * once, as the local trainer merges and commits its threads'.
   */
  private void commitStatistics(List<Steps.StepResult> results) {
    try {
      for (Steps.StepResult r : results) {
        if (r.statistics == null || r.statistics.length != lastStatistics.length) {
          throw new IllegalStateException("a task sent " + (r.statistics == null ? "no"
              : r.statistics.length) + " batch statistics, the driver's network has "
              + lastStatistics.length + ": the network factory must make the same network");
        }
        statistics.mergeStatistics(r.statistics, 0);
      }
      statistics.exportStatistics(lastStatistics, 0);
      statistics.commitStatistics();
    } finally {
      statistics.setDeferredStatistics(true); // nothing stays pending after a failure
    }
  }

  /** The merged batch statistics of the last synchronous step before the commit (for tests). */
  double[] lastStatistics() {
    return lastStatistics.clone();
  }

  /**
   * One averaging round of {@code steps} local steps from step {@code b}; the driver's
   * parameters become the mean of the partitions'. Returns loss sum, correct and samples.
   */
  private double[] averagingRound(int epoch, int b, int steps, int count, long globalStep) {
    float[] rates = new float[steps];
    for (int k = 0; k < steps; k++) {
      rates[k] = schedule != null ? schedule.learningRate(epoch, b + k, count)
          : optimizer.learningRate();
    }
    float[] parameters = network.parameters();
    BaseOptimizer base = (BaseOptimizer) optimizer;
    Broadcast<Steps.Point> shared = sc.broadcast(new Steps.Point(parameters.clone(),
        base.stateSteps(), base.stateArrays()));
    List<Steps.RoundResult> results;
    try {
      results = shards.mapPartitions(new Steps.RoundTask(job, optimizerFactory, shared, b, rates,
          globalStep)).collect();
    } finally {
      shared.destroy();
    }
    double lossSum = 0;
    long correct = 0;
    long samples = 0;
    long optimizerSteps = 0;
    for (Steps.RoundResult r : results) {
      lossSum += r.lossSum;
      correct += r.correct;
      samples += r.samples;
      optimizerSteps = Math.max(optimizerSteps, r.point.optimizerSteps);
    }
    if (!Double.isFinite(lossSum)) {
      throw new TrainingDivergedException(epoch + 1, b + steps, count, (float) lossSum,
          rates[steps - 1]);
    }
    mean(results, -1, parameters);
    float[][] state = results.get(0).point.optimizerState;
    for (Steps.RoundResult r : results) {
      if (r.point.optimizerState.length != state.length) {
        throw new IllegalStateException("the partitions' optimizers returned "
            + state.length + " and " + r.point.optimizerState.length + " state arrays: a"
            + " partition took no step in the round (give every batch at least one sample per"
            + " partition)");
      }
    }
    for (int k = 0; k < state.length; k++) {
      state[k] = mean(results, k, state[k]);
    }
    base.restoreState(parameters.length, optimizerSteps, state);
    optimizer.setLearningRate(rates[steps - 1]);
    return new double[] {lossSum, correct, samples};
  }

  /**
   * Writes into {@code into} the mean over the partitions (in partition order, in double) of
   * their parameters ({@code k = -1}) or of their optimizer state array {@code k}; returns it.
   */
  private static float[] mean(List<Steps.RoundResult> results, int k, float[] into) {
    double[] sum = new double[into.length];
    for (Steps.RoundResult r : results) {
      float[] a = k < 0 ? r.point.parameters : r.point.optimizerState[k];
      for (int i = 0; i < sum.length; i++) {
        sum[i] += a[i];
      }
    }
    for (int i = 0; i < sum.length; i++) {
      into[i] = (float) (sum[i] / results.size());
    }
    return into;
  }

  /** Sends every sample of {@code train} to the partition that trains it in epoch {@code epoch}. */
  private void layOut(JavaRDD<Sample> train, int epoch) {
    if (source != train) {
      indexed = train.zipWithIndex();
      long n = indexed.count();
      if (n == 0) {
        throw new IllegalArgumentException("the training RDD is empty");
      }
      if (n > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("the training RDD has " + n + " samples; at most "
            + Integer.MAX_VALUE + " are supported");
      }
      size = (int) n;
      source = train;
      shardsEpoch = -1;
    }
    if (shardsEpoch == epoch || (!shuffle && shardsEpoch >= 0)) {
      return; // without shuffling every epoch has the same layout
    }
    if (shards != null) {
      shards.unpersist(false);
    }
    shards = indexed
        .mapPartitionsToPair(new EpochLayout.Keyer(seed, epoch, shuffle, size,
            network.inputSize(), network.outputSize()))
        .repartitionAndSortWithinPartitions(new EpochLayout.UnitPartitioner(cut, size))
        .mapPartitionsWithIndex(new EpochLayout.ShardBuilder(cut, size, network.inputSize()),
            true)
        .persist(StorageLevel.MEMORY_ONLY());
    shards.count();
    shardsEpoch = epoch;
  }

  /**
   * Accuracy, mean loss and confusion matrix of the driver's network on {@code data}, computed
   * on the driver with as many threads as it has processors.
   */
  public Evaluation evaluate(Dataset data) {
    if (evaluator == null) {
      int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
      evaluator = Trainer.builder(network, optimizer).threads(threads)
          .batchSize(Math.max(64, threads)).build();
    }
    return evaluator.evaluate(data);
  }

  /** The samples of {@code data}, in order, as an RDD of {@code slices} partitions. */
  public static JavaRDD<Sample> samples(JavaSparkContext sc, Dataset data, int slices) {
    List<Sample> list = new ArrayList<>(data.size());
    int d = data.sampleSize();
    for (int i = 0; i < data.size(); i++) {
      float[] x = new float[d];
      data.copySample(i, x, 0);
      list.add(new Sample(x, data.label(i)));
    }
    return sc.parallelize(list, slices);
  }

  /** Releases the cached samples and the evaluation threads. Idempotent. */
  @Override
  public void close() {
    if (shards != null) {
      shards.unpersist(false);
      shards = null;
    }
    if (evaluator != null) {
      evaluator.close();
      evaluator = null;
    }
  }

  /** Settings of a {@link SparkTrainer}. Not thread-safe. */
  public static final class Builder {
    private final JavaSparkContext sc;
    private final NetworkFactory networkFactory;
    private final OptimizerFactory optimizerFactory;
    private int partitions;
    private int batchSize = 64;
    private int passSamples = Trainer.DEFAULT_PASS_SAMPLES;
    private long seed;
    private boolean shuffle = true;
    private int averagingSteps;
    private LearningRateSchedule schedule;
    private TrainingListener listener;
    private String checkpointDirectory;

    private Builder(JavaSparkContext sc, NetworkFactory network, OptimizerFactory optimizer) {
      this.sc = Objects.requireNonNull(sc, "sc");
      this.networkFactory = Objects.requireNonNull(network, "network");
      this.optimizerFactory = Objects.requireNonNull(optimizer, "optimizer");
    }

    /** Partitions, hence tasks per step (default: the context's default parallelism). */
    public Builder partitions(int partitions) {
      this.partitions = partitions;
      return this;
    }

    /** Samples per global batch (default 64). */
    public Builder batchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    /**
     * Most samples per forward and backward pass of a task (default 32, as the local trainer;
     * ignored, as there, for a network with batch normalization, whose chunks are one pass each).
     */
    public Builder passSamples(int passSamples) {
      this.passSamples = passSamples;
      return this;
    }

    /** Seed of the per-epoch shuffles and of the dropout masks (default 0). */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Whether to shuffle the training set every epoch (default true). */
    public Builder shuffle(boolean shuffle) {
      this.shuffle = shuffle;
      return this;
    }

    /** Synchronous SGD: one optimizer step on the summed gradients per batch (the default). */
    public Builder synchronous() {
      this.averagingSteps = 0;
      return this;
    }

    /** Parameter averaging after every {@code steps} local steps (see the class documentation). */
    public Builder averaging(int steps) {
      if (steps < 1) {
        throw new IllegalArgumentException("steps between averages must be >= 1, got " + steps);
      }
      this.averagingSteps = steps;
      return this;
    }

    /** A learning-rate schedule, consulted before every step (default: none). */
    public Builder schedule(LearningRateSchedule schedule) {
      this.schedule = schedule;
      return this;
    }

    /** A progress listener, called on the driver (default: none). */
    public Builder listener(TrainingListener listener) {
      this.listener = listener;
      return this;
    }

    /**
     * A directory for a checkpoint after every epoch, on any Hadoop-compatible file system (a
     * local path, {@code hdfs://...}, {@code s3a://...}); {@link SparkTrainer#fit} resumes from
     * the newest checkpoint in it (default: none).
     */
    public Builder checkpointDirectory(String directory) {
      this.checkpointDirectory = directory;
      return this;
    }

    /** The trainer. */
    public SparkTrainer build() {
      if (batchSize < 1) {
        throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
      }
      if (passSamples < 1) {
        throw new IllegalArgumentException("samples per pass must be >= 1, got " + passSamples);
      }
      if (partitions < 0) {
        throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
      }
      return new SparkTrainer(this);
    }
  }
}
