package dev.lamina.runtime.gan;

import dev.lamina.dsl.Loss;
import dev.lamina.runtime.FloatNetwork;
import dev.lamina.runtime.FloatWorkspace;
import dev.lamina.runtime.Optimizer;
import dev.lamina.runtime.SeededRandom;
import dev.lamina.runtime.optim.Optimizers;
import java.util.Arrays;
import java.util.Objects;

/**
 * Adversarial training of two generated networks, as the DCGAN paper (Radford et al. 2016) and
 * PyTorch's DCGAN example do it: a generator G that turns noise into samples and a discriminator D
 * that outputs one logit per sample (loss {@link Loss#BCE_WITH_LOGITS}).
 *
 * <p>One {@link #step} is, for a batch of B real samples:
 *
 * <ol>
 *   <li>B noise vectors, standard normal, from the stream of the seed and the step number; G's
 *       training-mode forward pass makes B fake samples.
 *   <li>The discriminator's step: D's gradient of {@code BCE(D(real), 1)} plus that of {@code
 *       BCE(D(fake), 0)}, each the mean over its batch, and one step of D's
 *       optimizer. Real and fake batches go through D separately, so batch normalization in D
 *       normalizes each on its own, as in PyTorch's example.
 *   <li>The generator's step, with the non-saturating loss {@code
 *       BCE(D(fake), 1)}: the gradient of D's input, {@code dL/dfake}, is G's output gradient;
 *       G's backward pass and one step of G's optimizer follow. D's parameters are not touched:
 *       D's gradient buffer is overwritten and not used, and D's running statistics (batch
 *       normalization) stay pending and are discarded.
 * </ol>
 *
 * <p>Defaults are the DCGAN paper's: Adam with learning rate 2e-4 and β1 = 0.5 for both networks.
 * Results depend only on the seed and the sequence of real batches (one thread); a step allocates
 * nothing once the buffers exist. Not thread-safe: one thread drives a trainer.
 */
public final class GanTrainer {
  private final FloatNetwork generator;
  private final FloatNetwork discriminator;
  private final Optimizer generatorOptimizer;
  private final Optimizer discriminatorOptimizer;
  private final FloatWorkspace g;
  private final FloatWorkspace d;
  private final int batch;
  private final int noiseSize;
  private final int sampleSize;
  private final long seed;
  private final SeededRandom random = new SeededRandom(0);
  private final float[] noise;
  private final float[] fake;
  private final float[] ones;
  private final float[] zeros;
  private long steps;
  private float lossReal;
  private float lossFake;
  private float lossGenerator;

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
    this.generatorOptimizer = b.generatorOptimizer != null ? b.generatorOptimizer
        : dcganAdam();
    this.discriminatorOptimizer = b.discriminatorOptimizer != null ? b.discriminatorOptimizer
        : dcganAdam();
    this.g = generator.newWorkspace(batch);
    this.d = discriminator.newWorkspace(batch);
    this.d.setInputGradientEnabled(true);
    this.noise = new float[batch * noiseSize];
    this.fake = new float[batch * sampleSize];
    int outputs = batch * discriminator.outputSize();
    this.ones = new float[outputs];
    Arrays.fill(ones, 1f);
    this.zeros = new float[outputs];
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

  /** Steps taken so far. */
  public long steps() {
    return steps;
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
    lossGenerator = generatorStep();
    steps++;
  }

  /** The losses of the last step. */
  public StepResult lastStep() {
    return new StepResult(steps, lossReal, lossFake, lossGenerator);
  }

  /** Draws this step's noise and runs G forward in training mode into the fake batch. */
  void generate() {
    random.reseed(SeededRandom.streamSeed(seed, steps));
    for (int i = 0; i < noise.length; i++) {
      noise[i] = (float) random.nextGaussian();
    }
    System.arraycopy(g.forward(noise, 0, batch, true), 0, fake, 0, fake.length);
  }

  /**
   * D's step on the real batch (target 1) and the current fake batch (target 0), keeping the two
   * mean losses.
   */
  void discriminatorStep(float[] real, int offset) {
    d.setDeferredStatistics(false);
    d.zeroGradients();
    lossReal = d.lossAndGradients(real, offset, ones, 0, batch, 1f / batch) / batch;
    lossFake = d.lossAndGradients(fake, 0, zeros, 0, batch, 1f / batch) / batch;
    discriminatorOptimizer.step(discriminator.parameters(), d.gradients());
  }

  /**
   * G's step through D with the non-saturating loss (target 1 for the fake batch); returns its
   * mean loss. D's parameters, running statistics included, are left as they are.
   */
  float generatorStep() {
    d.setDeferredStatistics(true);
    float loss = d.lossAndGradients(fake, 0, ones, 0, batch, 1f / batch);
    d.setDeferredStatistics(false); // discards the pending statistics of this pass
    g.zeroGradients();
    g.backward(d.inputGradient(), 0, batch);
    generatorOptimizer.step(generator.parameters(), g.gradients());
    return loss / batch;
  }

  /** This step's noise, {@code batchSize() × noise size} values. */
  float[] noise() {
    return noise;
  }

  /** G's gradient buffer (after a step: the gradient of the generator's last step). */
  float[] generatorGradients() {
    return g.gradients();
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

  /** Builds a {@link GanTrainer}. */
  public static final class Builder {
    private final FloatNetwork generator;
    private final FloatNetwork discriminator;
    private Optimizer generatorOptimizer;
    private Optimizer discriminatorOptimizer;
    private int batch = 64;
    private long seed = 1;

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

    /** Seed of the noise (default 1). */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public GanTrainer build() {
      if (generatorOptimizer != null && generatorOptimizer == discriminatorOptimizer) {
        throw new IllegalArgumentException("give each network its own optimizer: an optimizer"
            + " keeps state (moments) for one parameter array");
      }
      return new GanTrainer(this);
    }
  }
}
