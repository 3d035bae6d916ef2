package dev.lamina.runtime.train;

import dev.lamina.dsl.Loss;
import dev.lamina.runtime.FloatNetwork;
import dev.lamina.runtime.FloatWorkspace;
import dev.lamina.runtime.Losses;
import dev.lamina.runtime.data.Augmentation;
import dev.lamina.runtime.data.Dataset;
import java.util.Arrays;

/**
 * Evaluation over the trainer's threads: each thread runs a contiguous share of the samples in
 * inference mode on its own workspace, counting (actual, predicted) pairs and summing the loss;
 * the counts and losses are then merged in thread order.
 *
 * <p>With mirror images (test-time augmentation), each chunk of images runs twice, as given and
 * flipped horizontally; a sample's class probabilities are the mean of the two softmax outputs
 * (computed in double), its prediction their first largest, its loss {@code -ln} of the mean
 * probability of its label.
 */
final class Evaluator {
  private final Loss loss;
  private final int classes;
  private final int inputSize;
  private final int threads;
  private final FloatWorkspace[] workspaces;
  private final long[][] confusion;
  private final double[] evalLoss;
  /** Per thread, made at the first evaluation with mirror images: the flipped chunk. */
  private final float[][] mirrorInputs;
  /** Per thread, likewise: the chunk's mean class probabilities. */
  private final double[][] meanProbabilities;
  private Dataset data;
  private boolean mirrored;

  /** Evaluation of {@code network} over {@code workspaces}, one per thread. */
  Evaluator(FloatNetwork network, FloatWorkspace[] workspaces) {
    this.loss = network.summary().loss();
    this.classes = network.outputSize();
    this.inputSize = network.inputSize();
    this.workspaces = workspaces;
    this.threads = workspaces.length;
    confusion = new long[threads][classes * classes];
    evalLoss = new double[threads];
    mirrorInputs = new float[threads][];
    meanProbabilities = new double[threads][];
  }

  /**
   * Describes the next evaluation: all of {@code data}, with mirror images when {@code mirrored}
   * (then {@code data} holds images, C×H×W).
   */
  void begin(Dataset data, boolean mirrored) {
    this.data = data;
    this.mirrored = mirrored;
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
    if (mirrored) {
      evalLoss[t] = mirroredShare(t, from, to);
      return;
    }
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

  /** Thread {@code t}'s share with mirror images; returns the summed loss. */
  private double mirroredShare(int t, int from, int to) {
    FloatWorkspace ws = workspaces[t];
    long[] counts = confusion[t];
    int max = ws.maxBatch();
    if (mirrorInputs[t] == null) {
      mirrorInputs[t] = new float[max * inputSize];
      meanProbabilities[t] = new double[max * classes];
    }
    float[] flipped = mirrorInputs[t];
    double[] mean = meanProbabilities[t];
    int[] shape = data.sampleShape();
    float[] input = data.features();
    int[] labels = data.labels();
    double lossSum = 0;
    for (int s = from; s < to; s += max) {
      int n = Math.min(max, to - s);
      float[] out = ws.forward(input, s * inputSize, n, false);
      Arrays.fill(mean, 0, n * classes, 0);
      for (int i = 0; i < n; i++) {
        addHalfSoftmax(out, i * classes, classes, mean, i * classes);
      }
      Augmentation.mirror(input, s * inputSize, flipped, n, shape[0], shape[1], shape[2]);
      out = ws.forward(flipped, 0, n, false);
      for (int i = 0; i < n; i++) {
        int base = i * classes;
        addHalfSoftmax(out, base, classes, mean, base);
        int best = 0;
        for (int k = 1; k < classes; k++) {
          if (mean[base + k] > mean[base + best]) {
            best = k;
          }
        }
        int label = labels[s + i];
        counts[label * classes + best]++;
        lossSum -= Math.log(mean[base + label]);
      }
    }
    return lossSum;
  }

  /** Adds half the softmax of {@code out[base..base+classes)} to {@code into[at..at+classes)}. */
  private static void addHalfSoftmax(float[] out, int base, int classes, double[] into, int at) {
    double max = Double.NEGATIVE_INFINITY;
    for (int k = 0; k < classes; k++) {
      max = Math.max(max, out[base + k]);
    }
    double sum = 0;
    for (int k = 0; k < classes; k++) {
      sum += Math.exp(out[base + k] - max);
    }
    for (int k = 0; k < classes; k++) {
      into[at + k] += 0.5 * Math.exp(out[base + k] - max) / sum;
    }
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
