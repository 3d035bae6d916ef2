package dev.lamina.runtime.train;

import dev.lamina.dsl.Loss;
import dev.lamina.runtime.FloatNetwork;
import dev.lamina.runtime.FloatWorkspace;
import dev.lamina.runtime.Optimizer;
import dev.lamina.runtime.SeededRandom;
import dev.lamina.runtime.data.Augmentation;
import dev.lamina.runtime.data.Dataset;
import dev.lamina.runtime.data.MiniBatches;
import dev.lamina.runtime.io.TrainingState;
import dev.lamina.runtime.optim.BaseOptimizer;
import dev.lamina.runtime.optim.LearningRateSchedule;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Trains a {@link FloatNetwork} on a classification {@link Dataset} with mini-batch gradient
 * descent, data-parallel over a fixed number of threads.
 *
 * <p><b>Data parallelism.</b> With T threads the trainer owns T workspaces (one gradient buffer
 * each) and T - 1 worker threads started once; the calling thread works as thread 0. Each sample's
 * loss gradient is scaled by {@code 1/B} for a batch of B samples, so the gradients of the parts
 * of a batch sum to the gradient of the batch mean; once every part is done, one optimizer step
 * is taken on that sum. With an optimizer that {@linkplain BaseOptimizer#updatesElementWise
 * updates element-wise} (SGD, Adam) every thread takes an equal slice of the parameters for that
 * step (and, with fixed chunks, adds up that slice of the gradient buffers first); each element
 * goes through the same operations as in one thread's step, so the results are the same to the
 * bit. Other optimizers step on the calling thread.
 *
 * <p>How a batch is cut (<b>fixed chunks</b>, or <b>passes handed out</b> to whichever thread is
 * free), the order in which the parts' gradients are summed, what a trainer holds in memory, and
 * how batch normalization's running statistics are merged over the threads: see the {@linkplain
 * dev.lamina.runtime.train package documentation}.
 *
 * <p><b>Dropout.</b> Each part of a step (thread t's chunk with fixed chunks, pass p when passes
 * are handed out) draws its masks from a stream of its own, seeded with {@link #dropoutSeed} from
 * the trainer's {@link Builder#seed seed}, the step's number and the part ({@link
 * FloatWorkspace#reseed}), so the parts of a batch get independent masks, and a part's masks do
 * not depend on which thread ran it or on what ran before it. The masks thus depend on the seed,
 * on how the batch is cut (the thread count and the pass size) and on the number of training
 * steps since the trainer was built (or since the run it {@linkplain #resume resumed}), failed
 * steps included.
 *
 * <p><b>Determinism.</b> The same network, seed, thread count, pass size and sequence of calls
 * give bit-identical results (parameters, running statistics, losses), however the threads were
 * scheduled. Another thread count or pass size cuts the batch differently, which changes the
 * summation order (float rounding only), the chunks batch normalization normalizes over, and the
 * dropout masks: without batch norm and dropout, results agree up to rounding. When passes are
 * handed out, only the cut matters: two thread counts that cut a batch into the same passes (a
 * batch of 256 in passes of at most 32 is 8 passes of 32 on 2 threads and on 4) give the same bits.
 *
 * <p><b>No allocation.</b> Threads are coordinated with a generation counter, an atomic countdown
 * and {@link java.util.concurrent.locks.LockSupport} (brief spinning, then parking); batches are
 * copied into buffers allocated once. A training step ({@link #trainBatch}, and every batch of an
 * epoch) allocates nothing in steady state, on the calling thread and on the workers.
 *
 * <p><b>Runs.</b> {@link Builder#augmentation Augmentation} changes each training batch from a
 * stream seeded with the seed, the epoch and the batch; {@link Builder#earlyStopping early
 * stopping} ends {@link #fit} when the validation loss stops improving and keeps the best epoch;
 * {@link #saveCheckpoint} and {@link #resume} stop and continue a run at an epoch boundary with
 * the same bits as a run that never stopped.
 *
 * <p><b>Divergence.</b> A NaN or infinite batch loss throws {@link TrainingDivergedException} naming
 * the epoch and batch, before the optimizer step.
 *
 * <p>Not thread-safe: use a trainer from one thread at a time. Do not run inference on the network
 * from other threads while it trains. {@link #close()} stops the workers.
 */
public final class Trainer implements AutoCloseable {
  /** Samples per forward and backward pass of one thread, unless the builder says otherwise. */
  public static final int DEFAULT_PASS_SAMPLES = 32;
  /** Largest number of floats the per-pass gradient buffers may take together. */
  public static final long PASS_BUFFER_LIMIT_FLOATS = 16L << 20;
  /** Salt of the augmentation streams. */
  private static final long AUGMENT_STREAMS = 0x6175676D656E74L;

  private final FloatNetwork network;
  private final Optimizer optimizer;
  private final LearningRateSchedule schedule;
  private final TrainingListener listener;
  private final int batchSize;
  private final int threads;
  private final int passSamples;
  private final long seed;
  private final boolean shuffle;
  private final int classes;
  private final int inputSize;
  /** Whether every thread takes a part of the optimizer step (see {@link BatchGradients}). */
  private final boolean splitStep;

  private final FloatWorkspace[] workspaces;
  private final BatchGradients gradients;
  private final Evaluator evaluator;
  private final WorkerPool pool;
  // The pool's jobs, made once so that a step allocates nothing.
  private final WorkerPool.Share trainJob;
  private final WorkerPool.Share updateJob;
  private final WorkerPool.Share evaluateJob;

  private final Augmentation augmentation;
  /** The stream augmentation draws from, reseeded per epoch and batch. */
  private final SeededRandom augmentRandom = new SeededRandom(0);
  private final int patience;
  private final boolean mirrorEvaluation;

  private MiniBatches batches;
  private boolean closed;

  private Trainer(Builder b) {
    this.network = b.network;
    this.optimizer = b.optimizer;
    this.schedule = b.schedule;
    this.listener = b.listener;
    this.batchSize = b.batchSize;
    this.threads = b.threads;
    this.seed = b.seed;
    this.shuffle = b.shuffle;
    this.augmentation = b.augmentation;
    this.patience = b.patience;
    this.mirrorEvaluation = b.mirrorEvaluation;
    Loss loss = network.summary().loss();
    if (loss != Loss.SOFTMAX_CROSS_ENTROPY) {
      throw new IllegalArgumentException("the trainer trains classifiers on class labels, which"
          + " needs loss SOFTMAX_CROSS_ENTROPY; " + network.summary().networkName() + " has " + loss);
    }
    int[] out = network.summary().outputShape();
    if (out.length == 2) {
      throw new IllegalArgumentException("the trainer takes one class label per sample, but "
          + network.summary().networkName() + " outputs a sequence of " + out[0] + " steps of "
          + out[1] + " classes, one label per step; train it through its workspace's"
          + " lossAndGradients, which takes " + out[0] + " labels per sample");
    }
    this.classes = network.outputSize();
    this.inputSize = network.inputSize();
    if (optimizer instanceof BaseOptimizer && ((BaseOptimizer) optimizer).parameterTensors() == null) {
      ((BaseOptimizer) optimizer).attach(network.summary());
    }
    this.splitStep = threads > 1 && optimizer instanceof BaseOptimizer
        && ((BaseOptimizer) optimizer).updatesElementWise();
    int chunk = (batchSize + threads - 1) / threads;
    this.passSamples =
        network.summary().couplesBatchSamples() ? chunk : Math.min(chunk, b.passSamples);
    workspaces = new FloatWorkspace[threads];
    for (int t = 0; t < threads; t++) {
      workspaces[t] = network.newWorkspace(passSamples);
      workspaces[t].setDeferredStatistics(true);
    }
    int passes = handedOutPasses(batchSize);
    boolean handOut = threads > 1 && batchSize > (long) threads * passSamples
        && !network.summary().couplesBatchSamples()
        && (long) passes * network.parameterCount() <= PASS_BUFFER_LIMIT_FLOATS;
    gradients = new BatchGradients(network, optimizer, workspaces, passSamples, seed, handOut,
        batchSize);
    evaluator = new Evaluator(network, workspaces);
    trainJob = gradients::trainShare;
    updateJob = gradients::updateShare;
    evaluateJob = evaluator::share;
    pool = new WorkerPool(threads, this);
  }

  /**
   * The seed of the dropout masks of part {@code part} of training step {@code step} (counted
   * from 1 since the trainer was built, or continued by {@link #resume}) under trainer seed {@code
   * seed}: with fixed chunks, part t is thread t's chunk; when passes are handed out, part p is
   * pass p. A trainer spread over machines that cuts its batches the same way draws the same
   * masks with it.
   */
  public static long dropoutSeed(long seed, long step, int part) {
    return BatchGradients.dropoutSeed(seed, step, part);
  }

  /**
   * Passes a batch of {@code n} samples is cut into when passes are handed out (see {@link
   * BatchGradients#handedOutPasses}).
   */
  int handedOutPasses(int n) {
    return BatchGradients.handedOutPasses(n, threads, passSamples);
  }

  /** A builder for training {@code network} with {@code optimizer}. */
  public static Builder builder(FloatNetwork network, Optimizer optimizer) {
    return new Builder(network, optimizer);
  }

  /** The network being trained. */
  public FloatNetwork network() {
    return network;
  }

  /** The optimizer. */
  public Optimizer optimizer() {
    return optimizer;
  }

  /** Samples per batch. */
  public int batchSize() {
    return batchSize;
  }

  /** Threads working on each batch (the calling thread included). */
  public int threads() {
    return threads;
  }

  /**
   * Whether the passes of a batch are handed out to whichever thread is free, rather than cut into
   * one fixed chunk per thread (see the class documentation).
   */
  public boolean handsOutPasses() {
    return gradients.handsOutPasses();
  }

  /**
   * The most samples per forward and backward pass of a thread: the builder's {@link
   * Builder#passSamples}, at most a thread's share of a full batch, and that whole share for a
   * network that couples the samples of a batch.
   */
  public int passSamples() {
    return passSamples;
  }

  /**
   * Trains {@code epochs} epochs (numbered 0 to epochs - 1), evaluating on {@code test} after each
   * one when it is not {@code null}.
   *
   * <p>With {@linkplain Builder#earlyStopping early stopping}, {@code test} is the validation set
   * (held out of the training data, never the test set): training stops after {@code patience}
   * epochs in a row without a validation loss below the lowest so far, and the network is left
   * with the parameters (and running statistics) of the epoch of the lowest validation loss.
   * The results list every epoch trained. Early stopping watches one call: a run {@linkplain
   * #resume resumed} and continued with {@link #trainEpoch} is not stopped early.
   */
  public List<EpochResult> fit(Dataset train, Dataset test, int epochs) {
    if (patience > 0 && test == null) {
      throw new IllegalArgumentException("early stopping needs a validation set to watch; got"
          + " none");
    }
    List<EpochResult> results = new ArrayList<>();
    EarlyStopping stopping = patience > 0 ? new EarlyStopping(network, patience) : null;
    for (int e = 0; e < epochs; e++) {
      EpochResult r = trainEpoch(train, test, e);
      results.add(r);
      if (stopping != null && stopping.stop(r.test().loss())) {
        break;
      }
    }
    if (stopping != null) {
      stopping.restoreBest();
    }
    return results;
  }

  /**
   * Trains epoch {@code epoch} (0-based: it selects the shuffle and the schedule's rates) over
   * {@code train}, then evaluates on {@code test} unless it is {@code null}.
   */
  public EpochResult trainEpoch(Dataset train, Dataset test, int epoch) {
    checkOpen();
    checkDataset(train);
    if (batches == null || batches.dataset() != train) {
      batches = new MiniBatches(train, batchSize, seed, shuffle);
    }
    MiniBatches mb = batches;
    mb.startEpoch(epoch);
    int[] shape = train.sampleShape();
    int count = mb.batchesPerEpoch();
    double lossSum = 0;
    long correct = 0;
    long seen = 0;
    long start = System.nanoTime();
    for (int b = 0; b < count; b++) {
      if (schedule != null) {
        optimizer.setLearningRate(schedule.learningRate(epoch, b, count));
      }
      int n = mb.load(b);
      if (augmentation != null) {
        augmentRandom.reseed(SeededRandom.streamSeed(seed ^ AUGMENT_STREAMS, epoch), b);
        augmentation.apply(mb.inputs(), n, shape[0], shape[1], shape[2], augmentRandom);
      }
      float batchLoss = step(mb.inputs(), 0, mb.labels(), 0, n, epoch + 1, b + 1, count);
      lossSum += (double) batchLoss * n;
      correct += gradients.correct();
      seen += n;
      if (listener != null) {
        double elapsed = (System.nanoTime() - start) / 1e9;
        listener.onBatch(epoch + 1, b + 1, count, elapsed > 0 ? seen / elapsed : 0,
            lossSum / seen);
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Evaluation evaluation = test == null ? null : evaluate(test);
    EpochResult result = new EpochResult(epoch + 1, lossSum / seen, (double) correct / seen,
        evaluation, optimizer.learningRate(), seconds, seconds > 0 ? seen / seconds : 0);
    if (listener != null) {
      listener.onEpoch(result);
    }
    return result;
  }

  /**
   * One data-parallel training step on {@code batch} samples starting at {@code
   * inputs[inputOffset]} with labels from {@code labels[labelOffset]}: forward, loss, backward on
   * every thread, gradient reduction, one optimizer step. Returns the mean loss of the batch.
   * Allocation-free.
   *
   * @throws IllegalArgumentException if a label is outside {@code 0..classes-1} (the message
   *     names the sample; no step is taken)
   * @throws TrainingDivergedException if the loss is NaN or infinite (no step is taken)
   */
  public float trainBatch(float[] inputs, int inputOffset, int[] labels, int labelOffset,
      int batch) {
    checkOpen();
    for (int n = 0; n < Math.min(batch, batchSize); n++) {
      int label = labels[labelOffset + n];
      if (label < 0 || label >= classes) {
        throw new IllegalArgumentException("label " + label + " of sample " + n + " of the batch"
            + " (labels[" + (labelOffset + n) + "]) is outside 0.." + (classes - 1));
      }
    }
    return step(inputs, inputOffset, labels, labelOffset, batch, 0, 0, 0);
  }

  /** Correct predictions in the last training batch (counted before its optimizer step). */
  public int lastBatchCorrect() {
    return gradients.correct();
  }

  private float step(float[] inputs, int inputOffset, int[] labels, int labelOffset, int batch,
      int epoch, int batchNumber, int batchesPerEpoch) {
    if (batch < 1 || batch > batchSize) {
      throw new IllegalArgumentException("batch of " + batch + " samples; this trainer takes 1.."
          + batchSize);
    }
    gradients.begin(inputs, inputOffset, labels, labelOffset, batch);
    try {
      pool.run(trainJob);
    } catch (RuntimeException | Error e) {
      discardStatistics();
      throw e;
    }
    float mean = gradients.totalLoss() / batch;
    if (!Float.isFinite(mean)) {
      discardStatistics();
      throw new TrainingDivergedException(epoch, batchNumber, batchesPerEpoch, mean,
          optimizer.learningRate());
    }
    if (!gradients.complete()) {
      discardStatistics();
      throw new IllegalStateException(gradients.incompleteMessage());
    }
    // The whole batch's statistics, merged in a fixed order, in one update of the running ones.
    FloatWorkspace first = workspaces[0];
    for (int t = 1; t < threads; t++) {
      first.mergeStatistics(workspaces[t]);
    }
    first.commitStatistics();
    float[] sum = gradients.sum();
    if (splitStep) {
      ((BaseOptimizer) optimizer).startStep(network.parameters(), sum);
      pool.run(updateJob);
      return mean;
    }
    gradients.addChunks();
    optimizer.step(network.parameters(), sum);
    return mean;
  }

  /** Drops the pending batch statistics of a failed step, so the next step does not merge them. */
  private void discardStatistics() {
    for (FloatWorkspace ws : workspaces) {
      ws.setDeferredStatistics(true);
    }
  }

  /**
   * Accuracy, mean loss and confusion matrix of the network on {@code data}, in inference mode,
   * over all threads (each takes a contiguous share of the samples); with the mirror images when
   * the builder asked for them ({@link Builder#mirrorEvaluation}).
   */
  public Evaluation evaluate(Dataset data) {
    return evaluate(data, mirrorEvaluation);
  }

  /**
   * {@link #evaluate(Dataset)}, with or without the mirror images whatever the {@linkplain
   * Builder#mirrorEvaluation builder} chose: with them, each image is run as given and flipped
   * horizontally, and its class probabilities are the mean of the two softmax outputs (its loss is
   * {@code -ln} of that mean's probability of its label).
   *
   * @throws IllegalArgumentException with mirror images, if the samples are not images (C×H×W)
   */
  public Evaluation evaluate(Dataset data, boolean withMirrorImages) {
    checkOpen();
    checkDataset(data);
    if (withMirrorImages && data.sampleShape().length != 3) {
      throw new IllegalArgumentException("evaluation with mirror images works on images (C×H×W);"
          + " the samples are " + Arrays.toString(data.sampleShape()));
    }
    evaluator.begin(data, withMirrorImages);
    pool.run(evaluateJob);
    return evaluator.result();
  }

  /**
   * Saves the network's parameters with what a resumed run needs (the optimizer's state, the
   * steps taken, the seed) to {@code file}, after {@code epochs} epochs (see {@link
   * TrainingState}). A trainer built alike that {@linkplain #resume resumes} from it and trains
   * epochs {@code epochs, epochs + 1, ...} gets the bits of this run going on.
   *
   * @throws IllegalStateException if the optimizer is not a {@link BaseOptimizer} (its state
   *     cannot be read)
   */
  public void saveCheckpoint(Path file, int epochs) throws IOException {
    checkOpen();
    RunCheckpoints.save(file, epochs, network, optimizer, seed, gradients.steps());
  }

  /**
   * Loads a checkpoint written by {@link #saveCheckpoint} into the network and the optimizer and
   * returns the number of epochs it had done: the next epoch to train. Nothing is changed when
   * the file is refused.
   *
   * @throws IOException if the file is not a checkpoint of this network, holds no training state,
   *     or was written with another seed or another kind of optimizer (the message says which)
   * @throws IllegalStateException if the optimizer is not a {@link BaseOptimizer}
   */
  public int resume(Path file) throws IOException {
    checkOpen();
    TrainingState s = RunCheckpoints.load(file, network, optimizer, seed);
    gradients.restoreSteps(s.steps());
    return s.epochs();
  }

  /**
   * Test hooks into the adding of handed-out passes ({@link PassSum}): called on the thread
   * concerned, so that a test can hold a thread at a point of the protocol and bring about an
   * order of events that timing alone makes rare.
   */
  interface SumHooks {
    /** The thread calling this holds the sum and is about to let go; {@code summed} are in. */
    void holding(int summed);

    /** The thread calling this found the sum held by another thread and left its pass to it. */
    void leftToHolder();
  }

  /** Sets the hooks (for tests; a trainer that hands out passes, before the first step). */
  void setSumHooks(SumHooks hooks) {
    gradients.setSumHooks(hooks);
  }

  private void checkDataset(Dataset data) {
    if (data.sampleSize() != inputSize) {
      throw new IllegalArgumentException("samples of " + Arrays.toString(
          data.sampleShape()) + " (" + data.sampleSize() + " values) do not fit "
          + network.summary().networkName() + ", whose input is "
          + Arrays.toString(network.summary().inputShape()) + " (" + inputSize
          + " values)");
    }
    if (augmentation != null && data.sampleShape().length != 3) {
      throw new IllegalArgumentException("augmentation works on images (C×H×W); the samples are "
          + Arrays.toString(data.sampleShape()));
    }
    if (data.classes() > classes) {
      throw new IllegalArgumentException("the dataset has " + data.classes() + " classes but "
          + network.summary().networkName() + " outputs " + classes + " scores");
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("this trainer is closed");
    }
  }

  /** The batch thread 0's workspace was built for (for tests). */
  int workspaceBatch() {
    return workspaces[0].maxBatch();
  }

  /** Ids of the worker threads (for allocation measurements in tests). */
  long[] workerThreadIds() {
    return pool.workerThreadIds();
  }

  /** Stops and joins the worker threads. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    pool.close();
  }

  /** Settings of a {@link Trainer}. Not thread-safe. */
  public static final class Builder {
    private final FloatNetwork network;
    private final Optimizer optimizer;
    private LearningRateSchedule schedule;
    private TrainingListener listener;
    private int batchSize = 64;
    private int threads = 1;
    private int passSamples = DEFAULT_PASS_SAMPLES;
    private long seed;
    private boolean shuffle = true;
    private Augmentation augmentation;
    private int patience;
    private boolean mirrorEvaluation;

    private Builder(FloatNetwork network, Optimizer optimizer) {
      this.network = Objects.requireNonNull(network, "network");
      this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
    }

    /** Samples per batch (default 64). */
    public Builder batchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    /** Threads per batch, the calling thread included (default 1). */
    public Builder threads(int threads) {
      this.threads = threads;
      return this;
    }

    /**
     * Most samples per forward and backward pass of one thread (default {@value
     * #DEFAULT_PASS_SAMPLES}; see the class documentation). It sizes the workspaces, hence most of
     * the memory a trainer holds; it sets how a batch is cut into passes, hence the summation
     * order, whether passes are handed out (and their buffers), and the dropout masks (a stream per
     * pass when passes are handed out; with fixed chunks, the order of the draws when a network
     * has several dropout layers). Ignored for a network that couples the samples of a batch,
     * which runs each thread's chunk in one pass.
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

    /** A learning-rate schedule, consulted before every step (default: none, the rate stays). */
    public Builder schedule(LearningRateSchedule schedule) {
      this.schedule = schedule;
      return this;
    }

    /**
     * Random changes to every training batch (default: none), drawn from a stream seeded with
     * the seed, the epoch and the batch; evaluation never sees them. Needs image samples.
     */
    public Builder augmentation(Augmentation augmentation) {
      this.augmentation = augmentation;
      return this;
    }

    /**
     * Early stopping in {@link Trainer#fit}: stop after {@code patience} epochs without a new
     * lowest validation loss and keep the best epoch's parameters (default 0: off).
     */
    public Builder earlyStopping(int patience) {
      if (patience < 0) {
        throw new IllegalArgumentException("patience must be >= 0, got " + patience);
      }
      this.patience = patience;
      return this;
    }

    /**
     * Test-time augmentation (default: off): every evaluation, the validation after each epoch of
     * {@link Trainer#fit} (and so early stopping) included, runs each image as given and flipped
     * horizontally and averages the two softmax outputs. Suits images whose class does not change
     * in a mirror (the networks trained with flip augmentation); doubles the cost of evaluation.
     */
    public Builder mirrorEvaluation(boolean mirrorEvaluation) {
      this.mirrorEvaluation = mirrorEvaluation;
      return this;
    }

    /** A progress listener (default: none). */
    public Builder listener(TrainingListener listener) {
      this.listener = listener;
      return this;
    }

    /** The trainer; starts its worker threads. */
    public Trainer build() {
      if (batchSize < 1) {
        throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
      }
      if (threads < 1 || threads > batchSize) {
        throw new IllegalArgumentException("threads must be in 1..batch size (" + batchSize
            + "), got " + threads);
      }
      if (passSamples < 1) {
        throw new IllegalArgumentException("samples per pass must be >= 1, got " + passSamples);
      }
      return new Trainer(this);
    }
  }
}
