package dev.lamina.runtime.optim;

/**
 * The learning rate as a function of training progress. The trainer asks before every optimizer
 * step and sets the optimizer's rate; schedules that only change per epoch simply ignore the batch.
 * Implementations must be pure functions of their arguments (no state), so a run can be resumed at
 * any epoch. The built-in schedules are immutable and thread-safe.
 */
@FunctionalInterface
public interface LearningRateSchedule {
  /**
   * The rate for batch {@code batch} (0-based) of epoch {@code epoch} (0-based), an epoch having
   * {@code batchesPerEpoch} batches.
   */
  float learningRate(int epoch, int batch, int batchesPerEpoch);

  /** The same rate throughout. */
  static LearningRateSchedule constant(float rate) {
    BaseOptimizer.requireNonNegativeFinite(rate, "learning rate");
    return (epoch, batch, batches) -> rate;
  }

  /** {@code rate · gamma^floor(epoch / everyEpochs)}: multiplied by {@code gamma} every few epochs. */
  static LearningRateSchedule stepDecay(float rate, int everyEpochs, float gamma) {
    BaseOptimizer.requireNonNegativeFinite(rate, "learning rate");
    BaseOptimizer.requireNonNegativeFinite(gamma, "gamma");
    if (everyEpochs < 1) {
      throw new IllegalArgumentException("step decay interval must be >= 1 epoch, got "
          + everyEpochs);
    }
    return (epoch, batch, batches) ->
        (float) (rate * BaseOptimizer.power(gamma, Math.floorDiv(epoch, everyEpochs)));
  }

  /**
   * Cosine annealing from {@code rate} down to {@code minRate} over {@code epochs} epochs, smooth per
   * batch: {@code min + (rate - min)(1 + cos(π·s/S))/2} with s the step and S the total steps; after
   * the last epoch it stays at {@code minRate}.
   */
  static LearningRateSchedule cosine(float rate, float minRate, int epochs) {
    return cosine(rate, minRate, epochs, 0);
  }

  /**
   * As {@link #cosine(float, float, int)} after a linear warm-up over the first {@code
   * warmupEpochs} epochs, during which step s (0-based) gets {@code rate · (s + 1) / W}, W the
   * warm-up steps; the cosine then runs over the remaining steps.
   */
  static LearningRateSchedule cosine(float rate, float minRate, int epochs, int warmupEpochs) {
    BaseOptimizer.requireNonNegativeFinite(rate, "learning rate");
    BaseOptimizer.requireNonNegativeFinite(minRate, "minimum learning rate");
    if (epochs < 1 || warmupEpochs < 0 || warmupEpochs >= epochs) {
      throw new IllegalArgumentException("cosine schedule needs epochs >= 1 and 0 <= warm-up"
          + " epochs < epochs, got " + epochs + " epochs and " + warmupEpochs + " warm-up");
    }
    return (epoch, batch, batches) -> {
      long step = (long) epoch * batches + batch;
      long warmup = (long) warmupEpochs * batches;
      long total = (long) epochs * batches;
      if (step < warmup) {
        return (float) ((double) rate * (step + 1) / warmup);
      }
      if (step >= total) {
        return minRate;
      }
      double progress = (double) (step - warmup) / (total - warmup);
      return (float) (minRate + (rate - (double) minRate)
          * (1 + StrictMath.cos(StrictMath.PI * progress)) / 2);
    };
  }
}
