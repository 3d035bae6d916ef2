package dev.lamina.runtime.train;

import dev.lamina.dsl.Loss;
import dev.lamina.runtime.FloatNetwork;
import dev.lamina.runtime.FloatWorkspace;
import dev.lamina.runtime.Losses;
import dev.lamina.runtime.data.Dataset;
import java.util.Arrays;

/**
 * Evaluation over the trainer's threads: each thread runs a contiguous share of the samples in
 * inference mode on its own workspace, counting (actual, predicted) pairs and summing the loss;
 * the counts and losses are then merged in thread order.
 */
final class Evaluator {
  private final Loss loss;
  private final int classes;
  private final int inputSize;
  private final int threads;
  private final FloatWorkspace[] workspaces;
  private final long[][] confusion;
  private final double[] evalLoss;
  private Dataset data;

  /** Evaluation of {@code network} over {@code workspaces}, one per thread. */
  Evaluator(FloatNetwork network, FloatWorkspace[] workspaces) {
    this.loss = network.summary().loss();
    this.classes = network.outputSize();
    this.inputSize = network.inputSize();
    this.workspaces = workspaces;
    this.threads = workspaces.length;
    confusion = new long[threads][classes * classes];
    evalLoss = new double[threads];
  }

  /** Describes the next evaluation: all of {@code data}. */
  void begin(Dataset data) {
    this.data = data;
  }

  /** After every share has run: the mean loss and the merged confusion matrix. */
  Evaluation result() {
    long[] merged = new long[classes * classes];
    double lossSum = 0;
    for (int t = 0; t < threads; t++) {
      for (int i = 0; i < merged.length; i++) {
        merged[i] += confusion[t][i];
      }
      lossSum += evalLoss[t];
    }
    return new Evaluation(data.size() == 0 ? Double.NaN : lossSum / data.size(),
        new ConfusionMatrix(classes, merged));
  }

  /** Thread {@code t}'s share: samples {@code [N·t/T, N·(t+1)/T)}. */
  void share(int t) {
    FloatWorkspace ws = workspaces[t];
    long[] counts = confusion[t];
    Arrays.fill(counts, 0);
    float[] input = data.features();
    int[] labels = data.labels();
    int count = data.size();
    int from = (int) ((long) count * t / threads);
    int to = (int) ((long) count * (t + 1) / threads);
    int max = ws.maxBatch();
    double lossSum = 0;
    for (int s = from; s < to; s += max) {
      int n = Math.min(max, to - s);
      float[] out = ws.forward(input, s * inputSize, n, false);
      for (int i = 0; i < n; i++) {
        counts[labels[s + i] * classes + argmax(out, i * classes, classes)]++;
      }
      lossSum += Losses.forwardBackward(loss, out, n, classes, labels, s,
          ws.outputGradientBuffer(), 0f);
    }
    evalLoss[t] = lossSum;
  }

  /** The first class of highest score among {@code out[base..base+classes)}. */
  static int argmax(float[] out, int base, int classes) {
    int best = 0;
    float bestValue = out[base];
    for (int k = 1; k < classes; k++) {
      if (out[base + k] > bestValue) {
        bestValue = out[base + k];
        best = k;
      }
    }
    return best;
  }
}
