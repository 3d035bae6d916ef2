package dev.lamina.runtime.gan;

import dev.lamina.dsl.Loss;
import dev.lamina.runtime.FloatNetwork;
import dev.lamina.runtime.FloatWorkspace;
import dev.lamina.runtime.Optimizer;
import dev.lamina.runtime.SeededRandom;
import dev.lamina.runtime.optim.BaseOptimizer;
import dev.lamina.runtime.optim.Optimizers;
import dev.lamina.runtime.train.WorkerPool;
import java.util.Arrays;
import java.util.Objects;

/**
 * Adversarial training of two generated networks, as the DCGAN paper (Radford et al. 2016) and
 * PyTorch's DCGAN example do it: a generator G that turns noise into samples and a discriminator D
 * that outputs one logit per sample (loss {@link Loss#BCE_WITH_LOGITS}), data-parallel over a
 * fixed number of threads.
 *
 * <p>One {@link #step} is, for a batch of B real samples:
 *
 * <ol>
 *   <li>B noise vectors, standard normal, from the stream of the seed and the step number; G's
 *       training-mode forward pass makes B fake samples.
 *   <li>The discriminator's step: D's gradient of {@code BCE(D(real), r)} (r = 1, or the
 *       {@linkplain Builder#realTarget smoothed target}) plus that of {@code BCE(D(fake), 0)},
 *       each the mean over its batch, and one step of D's optimizer. Real and fake batches go
 *       through D separately, so batch normalization in D normalizes each on its own and updates
 *       its running statistics once for each, as in PyTorch's example.
 *   <li>The generator's step, with the non-saturating loss {@code BCE(D(fake), 1)}: the gradient
 *       of D's input, {@code dL/dfake}, is G's output gradient; G's backward pass and one step of
 *       G's optimizer follow. D's parameters are not touched: D's gradient buffers are overwritten
 *       and not used, and D's running statistics of this pass are discarded.
 * </ol>
 *
 * <p><b>Threads.</b> With T threads (the calling thread and T - 1 workers started once) the batch
 * is cut into T contiguous chunks {@code [B·t/T, B·(t+1)/T)}; thread t runs G and D over chunk t
 * in one pass each, on workspaces of its own. Each sample's loss gradient is scaled by {@code 1/B},
 * so the chunks' gradients sum to that of the batch mean; they are summed in the fixed order 0 +
 * 1 + ... + (T-1), each thread adding up one slice of the parameters and, when the optimizer
 * {@linkplain BaseOptimizer#updatesElementWise updates element-wise} (SGD, Adam), taking that
 * slice of the optimizer's step. Batch normalization normalizes each chunk with its own statistics
 * (as the {@link dev.lamina.runtime.train.Trainer} does); the running statistics are updated once
 * per pass with those of the whole batch, merged in thread order.
 *
 * <p><b>Determinism.</b> The same networks, seed, thread count and sequence of real batches give
 * bit-identical parameters and losses, however the threads were scheduled. The noise does not
 * depend on T; another thread count changes the summation order and what batch normalization
 * normalizes over.
 *
 * <p><b>No allocation.</b> A step allocates nothing once the optimizers' state exists (after the
 * first step), on the calling thread and on the workers.
 *
 * <p>Defaults are the DCGAN paper's: Adam with learning rate 2e-4 and β1 = 0.5 for both networks
 * ({@link #dcganAdam}); any other {@link Optimizer} may be given for either network. Not
 * thread-safe: one thread drives a trainer; {@link #close} stops its workers.
 */
public final class GanTrainer implements AutoCloseable {
  private final FloatNetwork generator;
  private final FloatNetwork discriminator;
  private final Optimizer generatorOptimizer;
  private final Optimizer discriminatorOptimizer;
  private final FloatWorkspace[] g;
  private final FloatWorkspace[] d;
  private final int batch;
  private final int threads;
  private final int noiseSize;
  private final int sampleSize;
  private final long seed;
  private final SeededRandom random = new SeededRandom(0);
  private final float[] noise;
  private final float[] fake;
  private final float[] ones;
  private final float[] realTargets;
  private final float[] zeros;
  private final float[] lossReal;
  private final float[] lossFake;
  private final float[] lossGenerator;
  private final WorkerPool pool;
  private final FloatNetwork average;
  private final float averageDecay;
  // The pool's jobs, made once so that a step allocates nothing.
  private final WorkerPool.Share generateJob = this::generateShare;
  private final WorkerPool.Share realJob = this::realShare;
  private final WorkerPool.Share fakeJob = this::fakeShare;
  private final WorkerPool.Share generatorJob = this::generatorShare;
  private final WorkerPool.Share discriminatorUpdateJob = this::discriminatorUpdateShare;
  private final WorkerPool.Share generatorUpdateJob = this::generatorUpdateShare;
  // The step: written by the calling thread before the pool starts the threads.
  private float[] jobReal;
  private int jobRealOffset;
  private long steps;
  private boolean closed;
  private float meanReal;
  private float meanFake;
  private float meanGenerator;

  /** What one step measured: the losses, each the mean over its batch. */
  public record StepResult(long step, float discriminatorReal, float discriminatorFake,
      float generator) {
    /** D's loss as PyTorch's example reports it: real plus fake. */
    public float discriminator() {
      return discriminatorReal + discriminatorFake;
    }
  }

  private GanTrainer(Builder b) {
    this.generator = b.generator;
    this.discriminator = b.discriminator;
    this.batch = b.batch;
    this.threads = b.threads;
    this.seed = b.seed;
    this.noiseSize = generator.inputSize();
    this.sampleSize = generator.outputSize();
    if (discriminator.inputSize() != sampleSize) {
      throw new IllegalArgumentException("the generator makes samples of " + sampleSize
          + " values but the discriminator reads " + discriminator.inputSize());
    }
    if (discriminator.summary().loss() != Loss.BCE_WITH_LOGITS) {
      throw new IllegalArgumentException("the discriminator's loss must be BCE_WITH_LOGITS, not "
          + discriminator.summary().loss());
    }
    if (threads > batch) {
      throw new IllegalArgumentException("threads must be in 1..batch size (" + batch
          + "), got " + threads);
    }
    this.generatorOptimizer = attached(b.generatorOptimizer != null ? b.generatorOptimizer
        : dcganAdam(), generator);
    this.discriminatorOptimizer = attached(b.discriminatorOptimizer != null
        ? b.discriminatorOptimizer : dcganAdam(), discriminator);
    int chunk = (batch + threads - 1) / threads;
    this.g = new FloatWorkspace[threads];
    this.d = new FloatWorkspace[threads];
    for (int t = 0; t < threads; t++) {
      g[t] = generator.newWorkspace(chunk);
      g[t].setDeferredStatistics(true);
      d[t] = discriminator.newWorkspace(chunk);
      d[t].setDeferredStatistics(true);
      d[t].setInputGradientEnabled(true);
    }
    this.noise = new float[batch * noiseSize];
    this.fake = new float[batch * sampleSize];
    int outputs = batch * discriminator.outputSize();
    this.ones = new float[outputs];
    Arrays.fill(ones, 1f);
    this.realTargets = new float[outputs];
    Arrays.fill(realTargets, b.realTarget);
    this.zeros = new float[outputs];
    this.lossReal = new float[threads];
    this.lossFake = new float[threads];
    this.lossGenerator = new float[threads];
    this.average = b.average;
    this.averageDecay = b.averageDecay;
    if (average != null) {
      float[] a = average.parameters();
      System.arraycopy(generator.parameters(), 0, a, 0, a.length);
    }
    this.pool = new WorkerPool(threads, this);
  }

  /** {@code o}, told the parameter layout of {@code network} if it is a BaseOptimizer. */
  private static Optimizer attached(Optimizer o, FloatNetwork network) {
    if (o instanceof BaseOptimizer base && base.parameterTensors() == null) {
      base.attach(network.summary());
    }
    return o;
  }

  /** The DCGAN paper's optimizer: Adam, learning rate 2e-4, β1 = 0.5, β2 = 0.999. */
  public static Optimizer dcganAdam() {
    return Optimizers.adam(2e-4f).betas(0.5f, 0.999f).build();
  }

  public static Builder builder(FloatNetwork generator, FloatNetwork discriminator) {
    return new Builder(generator, discriminator);
  }

  /** Samples per batch. */
  public int batchSize() {
    return batch;
  }

  /** Threads working on each step (the calling thread included). */
  public int threads() {
    return threads;
  }

  /** Steps taken so far. */
  public long steps() {
    return steps;
  }

  /** The generator's optimizer. */
  public Optimizer generatorOptimizer() {
    return generatorOptimizer;
  }

  /** The discriminator's optimizer. */
  public Optimizer discriminatorOptimizer() {
    return discriminatorOptimizer;
  }

  /**
   * One step on {@code batchSize()} real samples at {@code real[offset..]}: noise, the
   * discriminator's step, the generator's step. Allocates nothing; {@link #lastStep()} tells its
   * losses.
   */
  public void step(float[] real, int offset) {
    Objects.checkFromIndexSize(offset, batch * sampleSize, real.length);
    generate();
    discriminatorStep(real, offset);
    generatorStep();
    steps++;
  }

  /** The losses of the last step. */
  public StepResult lastStep() {
    return new StepResult(steps, meanReal, meanFake, meanGenerator);
  }

  /** Draws this step's noise and runs G forward in training mode into the fake batch. */
  void generate() {
    checkOpen();
    random.reseed(SeededRandom.streamSeed(seed, steps));
    for (int i = 0; i < noise.length; i++) {
      noise[i] = (float) random.nextGaussian();
    }
    run(generateJob);
    commitStatistics(g);
  }

  /**
   * D's step on the real batch (target 1) and the current fake batch (target 0), keeping the two
   * mean losses.
   */
  void discriminatorStep(float[] real, int offset) {
    jobReal = real;
    jobRealOffset = offset;
    run(realJob);
    commitStatistics(d);
    run(fakeJob);
    commitStatistics(d);
    jobReal = null;
    meanReal = sum(lossReal) / batch;
    meanFake = sum(lossFake) / batch;
    update(d, discriminator, discriminatorOptimizer, discriminatorUpdateJob);
  }

  /**
   * G's step through D with the non-saturating loss (target 1 for the fake batch), keeping its
   * mean loss. D's parameters, running statistics included, are left as they are.
   */
  void generatorStep() {
    run(generatorJob);
    for (FloatWorkspace w : d) {
      w.setDeferredStatistics(true); // discards the pending statistics of this pass
    }
    meanGenerator = sum(lossGenerator) / batch;
    update(g, generator, generatorOptimizer, generatorUpdateJob);
    if (average != null) {
      updateAverage();
    }
  }

  /**
   * {@code a += (1 - d)·(p - a)} over the generator's whole parameter array (batch-norm running
   * statistics included), with {@code d = min(decay, (1 + s) / (10 + s))} at step s: the first
   * steps are averaged with a shorter memory, so that the initial parameters fade quickly.
   */
  private void updateAverage() {
    float[] a = average.parameters();
    float[] p = generator.parameters();
    float r = 1f - (float) Math.min(averageDecay, (1.0 + steps) / (10.0 + steps));
    for (int i = 0; i < a.length; i++) {
      a[i] += r * (p[i] - a[i]);
    }
  }

  private int from(int t) {
    return (int) ((long) batch * t / threads);
  }

  private void generateShare(int t) {
    int from = from(t);
    int n = from(t + 1) - from;
    float[] out = g[t].forward(noise, from * noiseSize, n, true);
    System.arraycopy(out, 0, fake, from * sampleSize, n * sampleSize);
  }

  private void realShare(int t) {
    int from = from(t);
    FloatWorkspace w = d[t];
    w.setInputGradientEnabled(false);
    w.zeroGradients();
    lossReal[t] = w.lossAndGradients(jobReal, jobRealOffset + from * sampleSize, realTargets,
        0, from(t + 1) - from, 1f / batch);
  }

  private void fakeShare(int t) {
    int from = from(t);
    lossFake[t] = d[t].lossAndGradients(fake, from * sampleSize, zeros, 0, from(t + 1) - from,
        1f / batch);
  }

  private void generatorShare(int t) {
    int from = from(t);
    int n = from(t + 1) - from;
    FloatWorkspace w = d[t];
    w.setInputGradientEnabled(true);
    lossGenerator[t] = w.lossAndGradients(fake, from * sampleSize, ones, 0, n, 1f / batch);
    g[t].zeroGradients();
    g[t].backward(w.inputGradient(), 0, n);
  }

  private void discriminatorUpdateShare(int t) {
    updateShare(t, d, discriminator, discriminatorOptimizer);
  }

  private void generatorUpdateShare(int t) {
    updateShare(t, g, generator, generatorOptimizer);
  }

  /**
   * Slice t of T of the parameters: the workspaces' gradients added into workspace 0's in the
   * order 1, 2, ..., T-1, then the optimizer's update of the slice.
   */
  private void updateShare(int t, FloatWorkspace[] ws, FloatNetwork network, Optimizer o) {
    float[] parameters = network.parameters();
    int from = (int) ((long) parameters.length * t / threads);
    int to = (int) ((long) parameters.length * (t + 1) / threads);
    addGradients(ws, from, to);
    ((BaseOptimizer) o).stepPart(parameters, ws[0].gradients(), from, to);
  }

  /** Adds the gradients of workspaces 1..T-1, in that order, to elements [from, to) of 0's. */
  private static void addGradients(FloatWorkspace[] ws, int from, int to) {
    float[] sum = ws[0].gradients();
    for (int t = 1; t < ws.length; t++) {
      float[] grad = ws[t].gradients();
      for (int i = from; i < to; i++) {
        sum[i] += grad[i];
      }
    }
  }

  /** The summed gradients of {@code ws} and one step of {@code o}, split over the threads. */
  private void update(FloatWorkspace[] ws, FloatNetwork network, Optimizer o,
      WorkerPool.Share job) {
    if (threads > 1 && o instanceof BaseOptimizer base && base.updatesElementWise()) {
      base.startStep(network.parameters(), ws[0].gradients());
      run(job);
    } else {
      addGradients(ws, 0, network.parameterCount());
      o.step(network.parameters(), ws[0].gradients());
    }
  }

  /** Runs {@code job} on every thread; a failure discards the pending running statistics. */
  private void run(WorkerPool.Share job) {
    try {
      pool.run(job);
    } catch (RuntimeException | Error e) {
      for (int t = 0; t < threads; t++) {
        g[t].setDeferredStatistics(true);
        d[t].setDeferredStatistics(true);
      }
      throw e;
    }
  }

  /** Merges the pending running statistics of {@code ws} in thread order and applies them. */
  private static void commitStatistics(FloatWorkspace[] ws) {
    for (int t = 1; t < ws.length; t++) {
      ws[0].mergeStatistics(ws[t]);
    }
    ws[0].commitStatistics();
  }

  private static float sum(float[] perThread) {
    float s = 0;
    for (float v : perThread) {
      s += v;
    }
    return s;
  }

  /** This step's noise, {@code batchSize() × noise size} values. */
  float[] noise() {
    return noise;
  }

  /** G's summed gradient (after a step: the gradient of the generator's last step). */
  float[] generatorGradients() {
    return g[0].gradients();
  }

  /** Ids of the worker threads (for allocation measurements in tests). */
  long[] workerThreadIds() {
    return pool.workerThreadIds();
  }

  /** The fake batch of the last step, {@code batchSize() × sample size} values. */
  public float[] lastFakes() {
    return fake;
  }

  /**
   * Samples from {@code count} noise vectors at {@code noise[offset..]} (inference mode), into
   * {@code out[0..count × sample size)}; for a fixed grid of samples across epochs.
   */
  public void sample(float[] noise, int offset, int count, float[] out) {
    generator.forward(Arrays.copyOfRange(noise, offset, offset + count * noiseSize), count, out);
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("this trainer is closed");
    }
  }

  /** Stops and joins the worker threads. Idempotent. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      pool.close();
    }
  }

  /** Builds a {@link GanTrainer}. */
  public static final class Builder {
    private final FloatNetwork generator;
    private final FloatNetwork discriminator;
    private Optimizer generatorOptimizer;
    private Optimizer discriminatorOptimizer;
    private int batch = 64;
    private int threads = 1;
    private long seed = 1;
    private float realTarget = 1f;
    private FloatNetwork average;
    private float averageDecay;

    private Builder(FloatNetwork generator, FloatNetwork discriminator) {
      this.generator = Objects.requireNonNull(generator, "generator");
      this.discriminator = Objects.requireNonNull(discriminator, "discriminator");
    }

    /** The generator's optimizer (default {@link #dcganAdam()}). */
    public Builder generatorOptimizer(Optimizer o) {
      this.generatorOptimizer = Objects.requireNonNull(o);
      return this;
    }

    /** The discriminator's optimizer (default {@link #dcganAdam()}). */
    public Builder discriminatorOptimizer(Optimizer o) {
      this.discriminatorOptimizer = Objects.requireNonNull(o);
      return this;
    }

    /** Real and fake samples per step (default 64). */
    public Builder batchSize(int batch) {
      if (batch < 1) {
        throw new IllegalArgumentException("batch size must be >= 1: " + batch);
      }
      this.batch = batch;
      return this;
    }

    /** Threads per step, the calling thread included, at most the batch size (default 1). */
    public Builder threads(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("threads must be >= 1: " + threads);
      }
      this.threads = threads;
      return this;
    }

    /** Seed of the noise (default 1). */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * D's target for real samples (default 1): below 1, one-sided label smoothing (Salimans et
     * al. 2016, "Improved techniques for training GANs"), which keeps D from growing
     * overconfident on the real batch; 0.9 is the usual value. Fake samples keep target 0 and
     * the generator's step target 1.
     */
    public Builder realTarget(float target) {
      if (!(target > 0.5f && target <= 1f)) {
        throw new IllegalArgumentException("the real samples' target must be in (0.5, 1]: "
            + target);
      }
      this.realTarget = target;
      return this;
    }

    /**
     * Keeps in {@code average} (a network of the generator's class, whose parameters are
     * overwritten with the generator's when the trainer is built) an exponential moving average of
     * the generator's whole parameter array (batch-norm running statistics included), updated
     * after each generator step as {@code a += (1 - d)·(p - a)} with {@code d = min(decay, (1 +
     * s) / (10 + s))} at step s (0.999 is a typical decay; the first steps average over a shorter
     * memory, so that the initial parameters fade quickly). Sampling from the average rather
     * than from the last step's generator smooths out the oscillation of adversarial training
     * (Yazıcı et al. 2019, "The unusual effectiveness of averaging in GAN training").
     */
    public Builder generatorAverage(FloatNetwork average, float decay) {
      Objects.requireNonNull(average, "average");
      if (average == generator || average.getClass() != generator.getClass()) {
        throw new IllegalArgumentException("the average must be another instance of the"
            + " generator's class " + generator.getClass().getName() + ", got "
            + (average == generator ? "the generator itself" : average.getClass().getName()));
      }
      if (!(decay >= 0f && decay < 1f)) {
        throw new IllegalArgumentException("the average's decay must be in [0, 1): " + decay);
      }
      this.average = average;
      this.averageDecay = decay;
      return this;
    }

    /** The trainer; starts its worker threads. */
    public GanTrainer build() {
      if (generatorOptimizer != null && generatorOptimizer == discriminatorOptimizer) {
        throw new IllegalArgumentException("give each network its own optimizer: an optimizer"
            + " keeps state (moments) for one parameter array");
      }
      return new GanTrainer(this);
    }
  }
}
