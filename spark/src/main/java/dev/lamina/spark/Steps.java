package dev.lamina.spark;

import dev.lamina.dsl.Loss;
import dev.lamina.runtime.FloatWorkspace;
import dev.lamina.runtime.Losses;
import dev.lamina.runtime.optim.BaseOptimizer;
import dev.lamina.runtime.train.Trainer;
import java.io.Serializable;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;

/** What the executors run: a partition's part of a synchronous step, or of an averaging round. */
final class Steps {
  /** Test hook, called on the executor before every pass ({@code null}: none). */
  static volatile PassHook passHook;

  private Steps() {}

  /** Called before each forward and backward pass of a task (for tests that stop a task). */
  interface PassHook {
    /** Before pass {@code pass} (counted from 0 in the task) of global step {@code step}. */
    void beforePass(long step, int partition, int pass);
  }

  /**
   * A partition's gradients of one synchronous step: one per unit it owns, in unit order; with
   * the pending batch statistics of its samples when the network has batch normalization.
   */
  static final class StepResult implements Serializable {
    private static final long serialVersionUID = 1L;
    final float[][] gradients;
    final float[] unitLoss;
    final int correct;
    /** {@link FloatWorkspace#exportStatistics}, or {@code null} without running statistics. */
    final double[] statistics;

    StepResult(float[][] gradients, float[] unitLoss, int correct, double[] statistics) {
      this.gradients = gradients;
      this.unitLoss = unitLoss;
      this.correct = correct;
      this.statistics = statistics;
    }
  }

  /**
   * Parameters with an optimizer state: what an averaging round starts from (the driver's,
   * broadcast) and what it ends with (a partition's).
   */
  static final class Point implements Serializable {
    private static final long serialVersionUID = 1L;
    final float[] parameters;
    /** The optimizer's step count ({@link BaseOptimizer#stateSteps}). */
    final long optimizerSteps;
    /** The optimizer's state arrays; none before the first step or for plain SGD. */
    final float[][] optimizerState;

    Point(float[] parameters, long optimizerSteps, float[][] optimizerState) {
      this.parameters = parameters;
      this.optimizerSteps = optimizerSteps;
      this.optimizerState = optimizerState;
    }
  }

  /** A partition's point after an averaging round, with its loss and correct predictions. */
  static final class RoundResult implements Serializable {
    private static final long serialVersionUID = 1L;
    final Point point;
    final double lossSum;
    final long correct;
    final long samples;

    RoundResult(Point point, double lossSum, long correct, long samples) {
      this.point = point;
      this.lossSum = lossSum;
      this.correct = correct;
      this.samples = samples;
    }
  }

  /** What every task needs: the trainer, the network, the cut. */
  static final class Job implements Serializable {
    private static final long serialVersionUID = 1L;
    final String trainerId;
    final NetworkFactory factory;
    final BatchCut cut;
    final long seed;
    final int classes;
    final int inputSize;

    Job(String trainerId, NetworkFactory factory, BatchCut cut, long seed, int classes,
        int inputSize) {
      this.trainerId = trainerId;
      this.factory = factory;
      this.cut = cut;
      this.seed = seed;
      this.classes = classes;
      this.inputSize = inputSize;
    }
  }

  /** One synchronous step: the gradients of the partition's units of step {@code step}. */
  static final class StepTask implements FlatMapFunction<Iterator<Shard>, StepResult> {
    private static final long serialVersionUID = 1L;
    private final Job job;
    private final Broadcast<float[]> parameters;
    private final int step;
    private final int n;
    private final long globalStep;

    /** Step {@code step} of the epoch, a batch of {@code n} samples, global step number. */
    StepTask(Job job, Broadcast<float[]> parameters, int step, int n, long globalStep) {
      this.job = job;
      this.parameters = parameters;
      this.step = step;
      this.n = n;
      this.globalStep = globalStep;
    }

    @Override
    public Iterator<StepResult> call(Iterator<Shard> shards) {
      Shard shard = shards.next();
      int t = shard.partition;
      int local = shard.stepStart[step];
      BatchCut cut = job.cut;
      int units = cut.units(n);
      int first = cut.firstUnit(t, units);
      int end = cut.firstUnit(t + 1, units);
      int base = BatchCut.unitStart(n, first, units);
      int expected = BatchCut.unitStart(n, end, units) - base;
      if (shard.stepStart[step + 1] - local != expected) {
        throw new IllegalStateException("partition " + t + " holds "
            + (shard.stepStart[step + 1] - local) + " samples of step " + step + " but its units"
            + " hold " + expected + ": the epoch's layout does not match the batch cut");
      }
      float[][] gradients = new float[end - first][];
      float[] unitLoss = new float[end - first];
      int[] counts = new int[2];
      double[] statistics = null;
      Replica r = Replica.take(job.trainerId, job.factory, cut.passSamples, parameters.value());
      try {
        FloatWorkspace ws = r.workspace;
        ws.setDeferredStatistics(true); // drops what a killed task left pending
        for (int u = first; u < end; u++) {
          int from = BatchCut.unitStart(n, u, units);
          int to = BatchCut.unitStart(n, u + 1, units);
          ws.zeroGradients();
          ws.reseed(Trainer.dropoutSeed(job.seed, globalStep, u));
          unitLoss[u - first] = passes(job, ws, shard, local + from - base, to - from,
              1f / n, counts, globalStep, t);
          gradients[u - first] = ws.gradients().clone();
        }
        if (ws.pendingStatisticsLength() > 0) {
          statistics = new double[ws.pendingStatisticsLength()];
          ws.exportStatistics(statistics, 0);
        }
      } finally {
        Replica.give(job.trainerId, r);
      }
      return List.of(new StepResult(gradients, unitLoss, counts[0], statistics)).iterator();
    }
  }

  /**
   * One averaging round: {@code rates.length} local steps, each on the partition's share of the
   * global batch of that step, with an optimizer of its own that starts from the broadcast
   * state, and the share's batch statistics committed to the copy's running statistics before
   * each optimizer step (as a one-thread trainer does); returns the parameters, running
   * statistics included, and the optimizer's state.
   */
  static final class RoundTask implements FlatMapFunction<Iterator<Shard>, RoundResult> {
    private static final long serialVersionUID = 1L;
    private final Job job;
    private final OptimizerFactory optimizers;
    private final Broadcast<Point> start;
    private final int firstStep;
    private final float[] rates;
    private final long firstGlobalStep;

    RoundTask(Job job, OptimizerFactory optimizers, Broadcast<Point> start, int firstStep,
        float[] rates, long firstGlobalStep) {
      this.job = job;
      this.optimizers = optimizers;
      this.start = start;
      this.firstStep = firstStep;
      this.rates = rates;
      this.firstGlobalStep = firstGlobalStep;
    }

    @Override
    public Iterator<RoundResult> call(Iterator<Shard> shards) {
      Shard shard = shards.next();
      Point origin = start.value();
      Replica r = Replica.take(job.trainerId, job.factory, job.cut.passSamples,
          origin.parameters);
      try {
        BaseOptimizer optimizer = SparkTrainer.attached(optimizers.create(r.network.summary()),
            r.network.summary());
        if (origin.optimizerState.length > 0) {
          optimizer.restoreState(origin.parameters.length, origin.optimizerSteps,
              origin.optimizerState);
        }
        FloatWorkspace ws = r.workspace;
        ws.setDeferredStatistics(true); // drops what a killed task left pending
        float[] p = r.network.parameters();
        double lossSum = 0;
        long samples = 0;
        int[] counts = new int[2];
        for (int k = 0; k < rates.length; k++) {
          int step = firstStep + k;
          int from = shard.stepStart[step];
          int m = shard.stepStart[step + 1] - from;
          if (m == 0) {
            continue;
          }
          long globalStep = firstGlobalStep + k;
          ws.zeroGradients();
          ws.reseed(Trainer.dropoutSeed(job.seed, globalStep, shard.partition));
          float loss = passes(job, ws, shard, from, m, 1f / m, counts, globalStep,
              shard.partition);
          if (!Float.isFinite(loss)) {
            throw new dev.lamina.runtime.train.TrainingDivergedException(0, 0, 0, loss,
                optimizer.learningRate());
          }
          ws.commitStatistics();
          optimizer.setLearningRate(rates[k]);
          optimizer.step(p, ws.gradients());
          lossSum += loss;
          samples += m;
        }
        Point end = new Point(p.clone(), optimizer.stateSteps(), optimizer.stateArrays());
        return List.of(new RoundResult(end, lossSum, counts[0], samples)).iterator();
      } finally {
        Replica.give(job.trainerId, r);
      }
    }
  }

  /**
   * Forward, loss and backward of {@code count} samples from {@code shard}'s sample {@code from},
   * in passes of at most the cut's pass size, the gradients adding up in {@code ws}, as a thread
   * of the local trainer runs its chunk. Returns the loss summed over the samples (a float sum of
   * the passes' sums, in order); adds the correct predictions to {@code counts[0]} and the
   * passes to {@code counts[1]}.
   */
  static float passes(Job job, FloatWorkspace ws, Shard shard, int from, int count, float scale,
      int[] counts, long step, int partition) {
    int classes = job.classes;
    int passSamples = job.cut.passSamples;
    TaskContext context = TaskContext.get();
    float sum = 0;
    for (int s = from; s < from + count; s += passSamples) {
      PassHook hook = passHook;
      if (hook != null) {
        hook.beforePass(step, partition, counts[1]);
      }
      counts[1]++;
      if (context != null) {
        context.killTaskIfInterrupted(); // a killed task stops between passes
      }
      int m = Math.min(passSamples, from + count - s);
      float[] out = ws.forward(shard.features, s * job.inputSize, m, true);
      counts[0] += countCorrect(out, m, classes, shard.labels, s);
      float[] g = ws.outputGradientBuffer();
      sum += Losses.forwardBackward(Loss.SOFTMAX_CROSS_ENTROPY, out, m, classes, shard.labels, s,
          g, scale);
      ws.backward(g, 0, m);
    }
    return sum;
  }

  private static int countCorrect(float[] out, int m, int classes, int[] labels, int from) {
    int correct = 0;
    for (int i = 0; i < m; i++) {
      int best = 0;
      for (int k = 1; k < classes; k++) {
        if (out[i * classes + k] > out[i * classes + best]) {
          best = k;
        }
      }
      if (best == labels[from + i]) {
        correct++;
      }
    }
    return correct;
  }
}
