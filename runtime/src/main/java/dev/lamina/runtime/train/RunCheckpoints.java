package dev.lamina.runtime.train;

import dev.lamina.runtime.FloatNetwork;
import dev.lamina.runtime.Optimizer;
import dev.lamina.runtime.io.CheckpointException;
import dev.lamina.runtime.io.Checkpoints;
import dev.lamina.runtime.io.TrainingState;
import dev.lamina.runtime.optim.BaseOptimizer;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Checkpoints that continue a run ({@link Trainer#saveCheckpoint}, {@link Trainer#resume}): the
 * parameters with a {@link TrainingState}. What else fixes the rest of a run is a function of the
 * seed and the epoch (the data order, the augmentation) or of the step count (the dropout
 * streams), or of the epoch and batch (the schedule).
 */
final class RunCheckpoints {
  private RunCheckpoints() {}

  /** Saves the network and what continues its run after {@code epochs} epochs and {@code steps}. */
  static void save(Path file, int epochs, FloatNetwork network, Optimizer optimizer, long seed,
      long steps) throws IOException {
    BaseOptimizer base = base(optimizer);
    Checkpoints.save(network, new TrainingState(epochs, steps, seed, kind(optimizer),
        base.stateSteps(), base.stateArrays()), file);
  }

  /**
   * Loads {@code file} into the network and the optimizer; returns the state. Leaves both as they
   * were when the file is refused.
   */
  static TrainingState load(Path file, FloatNetwork network, Optimizer optimizer, long seed)
      throws IOException {
    BaseOptimizer base = base(optimizer);
    TrainingState s = Checkpoints.readTrainingState(file);
    if (s == null) {
      throw new CheckpointException(file, CheckpointException.Kind.NOT_RESUMABLE, "holds"
          + " parameters only, no training state to resume from (save it with"
          + " Trainer.saveCheckpoint)");
    }
    if (s.seed() != seed || !s.optimizer().equals(kind(optimizer))) {
      throw new CheckpointException(file, CheckpointException.Kind.NOT_RESUMABLE, "the run was"
          + " trained with seed " + s.seed() + " and optimizer " + s.optimizer() + "; this"
          + " trainer has seed " + seed + " and optimizer " + kind(optimizer) + ", so it would not"
          + " continue that run");
    }
    float[] before = network.parameters().clone();
    Checkpoints.load(network, file);
    try {
      base.restoreState(network.parameterCount(), s.optimizerSteps(), s.optimizerState());
    } catch (IllegalArgumentException e) {
      System.arraycopy(before, 0, network.parameters(), 0, before.length);
      throw new CheckpointException(file, CheckpointException.Kind.NOT_RESUMABLE,
          "the optimizer state does not fit " + optimizer + ": " + e.getMessage());
    }
    return s;
  }

  private static String kind(Optimizer optimizer) {
    return optimizer.getClass().getSimpleName();
  }

  private static BaseOptimizer base(Optimizer optimizer) {
    if (!(optimizer instanceof BaseOptimizer)) {
      throw new IllegalStateException("cannot save or restore the state of " + optimizer
          + ": only optimizers extending BaseOptimizer expose it");
    }
    return (BaseOptimizer) optimizer;
  }
}
