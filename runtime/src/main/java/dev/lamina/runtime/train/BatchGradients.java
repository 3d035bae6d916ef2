package dev.lamina.runtime.train;

import dev.lamina.dsl.Loss;
import dev.lamina.runtime.FloatNetwork;
import dev.lamina.runtime.FloatWorkspace;
import dev.lamina.runtime.Losses;
import dev.lamina.runtime.Optimizer;
import dev.lamina.runtime.SeededRandom;
import dev.lamina.runtime.optim.BaseOptimizer;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads' part of a training step: forward, loss and backward of a batch over T threads,
 * with fixed chunks or with passes handed out (see {@link Trainer}), the gradients summed in a
 * fixed order, and, for an optimizer that updates element-wise, each thread's slice of the
 * optimizer step. {@link #begin} describes the step on the training thread; {@link
 * #trainShare} and {@link #updateShare} run on every thread through the {@link WorkerPool}.
 */
final class BatchGradients {
  /** Salt of the dropout streams, so that they are not the per-epoch shuffle streams. */
  private static final long DROPOUT_STREAMS = 0x7061737365732EL;

  private final FloatNetwork network;
  private final Optimizer optimizer;
  private final Loss loss;
  private final int classes;
  private final int inputSize;
  private final int threads;
  private final int passSamples;
  private final long seed;
  private final FloatWorkspace[] workspaces;
  private final float[] chunkLoss;
  private final int[] chunkCorrect;
  /** The ordered sum of handed-out passes, or {@code null} with fixed chunks. */
  private final PassSum passSum;
  private final float[] passLoss;
  private final AtomicInteger nextPass = new AtomicInteger();
  private int jobPasses;
  private long stepCount;

  // The step: written by the training thread before the pool starts the threads.
  private float[] jobInput;
  private int jobInputOffset;
  private int[] jobLabels;
  private int jobLabelOffset;
  private int jobCount;
  private float jobScale;

  /**
   * Gradients over {@code workspaces} (one per thread, each for {@code passSamples} samples),
   * with passes handed out when {@code handOut}, for batches of at most {@code batchSize}.
   */
  BatchGradients(FloatNetwork network, Optimizer optimizer, FloatWorkspace[] workspaces,
      int passSamples, long seed, boolean handOut, int batchSize) {
    this.network = network;
    this.optimizer = optimizer;
    this.loss = network.summary().loss();
    this.classes = network.outputSize();
    this.inputSize = network.inputSize();
    this.workspaces = workspaces;
    this.threads = workspaces.length;
    this.passSamples = passSamples;
    this.seed = seed;
    int passes = handedOutPasses(batchSize, threads, passSamples);
    passSum = handOut ? new PassSum(passes, network.parameterCount()) : null;
    passLoss = new float[handOut ? passes : 0];
    chunkLoss = new float[threads];
    chunkCorrect = new int[threads];
  }

  /**
   * The seed of the dropout masks of part {@code part} (a chunk, or a handed-out pass) of training
   * step {@code step} (counted from 1) under trainer seed {@code seed}.
   */
  static long dropoutSeed(long seed, long step, int part) {
    return SeededRandom.streamSeed(SeededRandom.streamSeed(seed ^ DROPOUT_STREAMS, step), part);
  }

  /** Training steps begun since construction (or since the count was restored). */
  long steps() {
    return stepCount;
  }

  /** Continues the step count of a resumed run (the dropout streams). */
  void restoreSteps(long steps) {
    stepCount = steps;
  }

  /** Whether passes are handed out. */
  boolean handsOutPasses() {
    return passSum != null;
  }

  /**
   * Passes a batch of {@code n} samples is cut into when passes are handed out: the fewest that
   * are a multiple of {@code threads} and hold at most {@code passSamples} samples each, so that
   * on a machine whose threads run at one speed every thread takes the same number of passes; but
   * no more than n, so that no pass is empty.
   */
  static int handedOutPasses(int n, int threads, int passSamples) {
    long perRound = (long) threads * passSamples;
    return (int) Math.min(n, threads * ((n + perRound - 1) / perRound));
  }

  /** Sets the hooks of the pass sum (for tests; a trainer that hands out passes). */
  void setSumHooks(Trainer.SumHooks hooks) {
    passSum.setHooks(hooks);
  }

  /** Describes the next step: {@code batch} samples from the given offsets; counts the step. */
  void begin(float[] inputs, int inputOffset, int[] labels, int labelOffset, int batch) {
    jobInput = inputs;
    jobInputOffset = inputOffset;
    jobLabels = labels;
    jobLabelOffset = labelOffset;
    jobCount = batch;
    jobScale = 1f / batch;
    jobPasses = passSum != null ? handedOutPasses(batch, threads, passSamples) : 0;
    nextPass.set(0);
    if (passSum != null) {
      passSum.start(jobPasses);
    }
    stepCount++;
  }

  /** The loss of the step summed over its samples: the passes' or the chunks' in order. */
  float totalLoss() {
    float total = 0;
    if (passSum != null) {
      for (int p = 0; p < jobPasses; p++) {
        total += passLoss[p];
      }
    } else {
      for (int t = 0; t < threads; t++) {
        total += chunkLoss[t];
      }
    }
    return total;
  }

  /** Correct predictions of the step (counted before its optimizer step). */
  int correct() {
    int correct = 0;
    for (int t = 0; t < threads; t++) {
      correct += chunkCorrect[t];
    }
    return correct;
  }

  /** Whether the sum holds every pass of the step (always, with fixed chunks). */
  boolean complete() {
    return passSum == null || passSum.complete();
  }

  /** What {@link #complete} found missing. */
  String incompleteMessage() {
    return "only " + passSum.summed() + " of " + jobPasses + " passes reached the gradient sum";
  }

  /**
   * Where the batch's gradients are summed: the pass sum, or workspace 0's buffer (complete
   * after {@link #addChunks} when the step is not split).
   */
  float[] sum() {
    return passSum != null ? passSum.sum() : workspaces[0].gradients();
  }

  /** With fixed chunks: adds every chunk's gradients to the sum in order; else nothing. */
  void addChunks() {
    if (passSum == null) {
      float[] sum = sum();
      addBuffers(sum, 0, sum.length);
    }
  }

  /** Thread {@code t}'s share of the forward, loss and backward passes of the step. */
  void trainShare(int t) {
    if (passSum != null) {
      trainPasses(t);
      return;
    }
    FloatWorkspace ws = workspaces[t];
    ws.zeroGradients();
    ws.reseed(dropoutSeed(seed, stepCount, t));
    int from = (int) ((long) jobCount * t / threads);
    int to = (int) ((long) jobCount * (t + 1) / threads);
    int n = to - from;
    chunkLoss[t] = 0;
    chunkCorrect[t] = 0;
    if (n == 0) {
      return;
    }
    // The passes' gradients add up in the workspace's buffer.
    float chunkSum = 0;
    for (int s = from; s < to; s += passSamples) {
      chunkSum += trainPass(t, ws, s, Math.min(passSamples, to - s));
    }
    chunkLoss[t] = chunkSum;
  }

  /**
   * What {@link FloatWorkspace#lossAndGradients} does, with the predictions counted in between:
   * forward, loss and backward of samples {@code [s, s + m)} of the step on {@code ws}, the
   * gradients added to its buffer and the correct predictions to {@code chunkCorrect[t]}.
   * Returns the loss summed over the samples.
   */
  private float trainPass(int t, FloatWorkspace ws, int s, int m) {
    float[] out = ws.forward(jobInput, jobInputOffset + s * inputSize, m, true);
    chunkCorrect[t] += countCorrect(out, m, jobLabels, jobLabelOffset + s);
    float[] g = ws.outputGradientBuffer();
    float sum = Losses.forwardBackward(loss, out, m, classes, jobLabels, jobLabelOffset + s, g,
        jobScale);
    ws.backward(g, 0, m);
    return sum;
  }

  /**
   * Passes handed out: takes the next pass until none is left; each pass's gradients are computed
   * from zero, its loss goes to the pass's own slot, and its gradients to the sum in pass order.
   */
  private void trainPasses(int t) {
    FloatWorkspace ws = workspaces[t];
    chunkCorrect[t] = 0;
    boolean finished = false;
    try {
      for (int p; (p = nextPass.getAndIncrement()) < jobPasses; ) {
        int s = passStart(p);
        ws.zeroGradients();
        ws.reseed(dropoutSeed(seed, stepCount, p));
        passLoss[p] = trainPass(t, ws, s, passStart(p + 1) - s);
        passSum.passDone(p, ws.gradients());
      }
      finished = true;
    } finally {
      if (!finished) {
        nextPass.set(jobPasses); // the step fails: the other threads take no further pass
      }
    }
  }

  /** First sample of pass {@code p} of the step ({@code jobCount} for p = jobPasses). */
  private int passStart(int p) {
    return (int) ((long) jobCount * p / jobPasses);
  }

  /**
   * With fixed chunks: adds the gradient buffers of workspaces 1, 2, ..., T-1, in that order, to
   * elements {@code [from, to)} of workspace 0's.
   */
  private void addBuffers(float[] sum, int from, int to) {
    for (int t = 1; t < threads; t++) {
      float[] g = workspaces[t].gradients();
      for (int i = from; i < to; i++) {
        sum[i] += g[i];
      }
    }
  }

  /**
   * Thread {@code t}'s part of the optimizer step, when the optimizer {@linkplain
   * BaseOptimizer#updatesElementWise updates element-wise} and {@link BaseOptimizer#startStep}
   * was called: slice {@code t} of T equal slices of the parameters, first its gradients summed
   * (fixed chunks: the buffers added in the fixed order, as one thread would), then the
   * optimizer's update of that slice. Every element goes through the same operations as in one
   * thread's step, so the bits do not change; the threads share what was the serial tail of the
   * step (LeNet-5 at batch 64 on 2 threads: about 2% more images per second, see the project's
   * benchmarks).
   */
  void updateShare(int t) {
    float[] parameters = network.parameters();
    float[] sum = sum();
    int from = (int) ((long) parameters.length * t / threads);
    int to = (int) ((long) parameters.length * (t + 1) / threads);
    if (passSum == null) {
      addBuffers(sum, from, to);
    }
    ((BaseOptimizer) optimizer).stepPart(parameters, sum, from, to);
  }

  private int countCorrect(float[] out, int n, int[] labels, int labelOffset) {
    int correct = 0;
    for (int i = 0; i < n; i++) {
      if (Evaluator.argmax(out, i * classes, classes) == labels[labelOffset + i]) {
        correct++;
      }
    }
    return correct;
  }
}
