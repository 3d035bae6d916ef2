package dev.lamina.samples.text;

import dev.lamina.runtime.FloatWorkspace;
import dev.lamina.runtime.Optimizer;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Trains, evaluates and samples a {@link CharLstm}. The runtime's {@code Trainer} takes one label
 * per sample; this loop drives the generated workspace directly, with {@value CharLstm#STEPS}
 * labels per window (the next character at every step), a runtime optimizer, and clipping of the
 * gradient's global L2 norm before each update. Buffers are allocated once.
 */
public final class CharModel {
  private static final int T = CharLstm.STEPS;
  private static final int V = Alphabet.SIZE;

  private final Lamina_CharLstm net;
  private final FloatWorkspace ws;
  private final int batch;
  private final float[] input;
  private final int[] labels;

  /** A model over {@code net} that trains on batches of {@code batch} windows. */
  public CharModel(Lamina_CharLstm net, int batch) {
    if (batch < 1) {
      throw new IllegalArgumentException("batch must be at least 1, got " + batch);
    }
    this.net = net;
    this.batch = batch;
    this.ws = net.newWorkspace(batch);
    this.input = new float[batch * T * V];
    this.labels = new int[batch * T];
  }

  /** The network. */
  public Lamina_CharLstm network() {
    return net;
  }

  /**
   * One update on {@code batch} windows drawn uniformly from {@code text}: window {@code i}
   * reads characters {@code [s, s + T)} and is labelled with {@code [s + 1, s + T + 1)}; the
   * optimizer clips the gradient if it is set to ({@code BaseOptimizer.clipGradientNorm}).
   * Returns the batch's mean loss per character, in nats.
   */
  public float step(byte[] text, Optimizer optimizer, SplittableRandom random) {
    int starts = text.length - T;
    if (starts < 1) {
      throw new IllegalArgumentException("text of " + text.length + " characters; a window"
          + " needs " + (T + 1));
    }
    Arrays.fill(input, 0f);
    for (int i = 0; i < batch; i++) {
      load(text, random.nextInt(starts), i);
    }
    ws.zeroGradients();
    float loss = ws.lossAndGradients(input, 0, labels, 0, batch, 1f / batch) / batch;
    optimizer.step(net.parameters(), ws.gradients());
    return loss;
  }

  /** One-hot window {@code text[s, s + T)} into sample {@code i}, labels {@code [s+1, s+T+1)}. */
  private void load(byte[] text, int s, int i) {
    for (int t = 0; t < T; t++) {
      input[(i * T + t) * V + text[s + t]] = 1f;
      labels[i * T + t] = text[s + t + 1];
    }
  }

  /**
   * The mean cross-entropy, in nats per character, of predicting each character of {@code text}
   * after the first from the ones before it, read in consecutive windows of {@value
   * CharLstm#STEPS} characters, each starting from a zero state as in training.
   */
  public double loss(byte[] text) {
    double nats = 0;
    long count = 0;
    int windows = (text.length - 1) / T;
    for (int w0 = 0; w0 < windows; w0 += batch) {
      int n = Math.min(batch, windows - w0);
      Arrays.fill(input, 0f);
      for (int i = 0; i < n; i++) {
        load(text, (w0 + i) * T, i);
      }
      float[] out = ws.forward(input, 0, n, false);
      for (int r = 0; r < n * T; r++) {
        nats += crossEntropy(out, r * V, labels[r]);
        count++;
      }
    }
    return nats / count;
  }

  private static double crossEntropy(float[] logits, int offset, int label) {
    double max = Double.NEGATIVE_INFINITY;
    for (int k = 0; k < V; k++) {
      max = Math.max(max, logits[offset + k]);
    }
    double sum = 0;
    for (int k = 0; k < V; k++) {
      sum += Math.exp(logits[offset + k] - max);
    }
    return Math.log(sum) + max - logits[offset + label];
  }

  /**
   * {@code length} characters sampled after {@code prompt}, each drawn from the softmax of the
   * scores divided by {@code temperature} (towards 0: the likeliest character; 1: the model's
   * distribution). The model sees at most the last {@value CharLstm#STEPS} characters, as in
   * training. Stops early after an entry's end ({@code "\n%\n"}) when {@code stopAtEnd}.
   */
  public String sample(String prompt, int length, double temperature, boolean stopAtEnd,
      SplittableRandom random) {
    if (!(temperature > 0) || Double.isInfinite(temperature)) {
      throw new IllegalArgumentException("temperature must be a positive number, got "
          + temperature);
    }
    byte[] start = TextCorpus.encode(prompt.isEmpty() ? "\n" : prompt);
    byte[] text = Arrays.copyOf(start, start.length + length);
    int n = start.length;
    float[] one = new float[T * V];
    double[] p = new double[V];
    StringBuilder out = new StringBuilder();
    for (int k = 0; k < length; k++) {
      int from = Math.max(0, n - T);
      int steps = n - from;
      Arrays.fill(one, 0f);
      for (int t = 0; t < steps; t++) {
        one[t * V + text[from + t]] = 1f;
      }
      // A causal (forward-only) network: the zero rows after the context change nothing before.
      float[] scores = ws.forward(one, 0, 1, false);
      int row = (steps - 1) * V;
      double max = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < V; c++) {
        max = Math.max(max, scores[row + c] / temperature);
      }
      double sum = 0;
      for (int c = 0; c < V; c++) {
        p[c] = Math.exp(scores[row + c] / temperature - max);
        sum += p[c];
      }
      double u = random.nextDouble() * sum;
      int c = 0;
      while (c < V - 1 && (u -= p[c]) >= 0) {
        c++;
      }
      text[n++] = (byte) c;
      out.append(Alphabet.symbol(c));
      if (stopAtEnd && out.length() >= 3 && out.lastIndexOf("\n%\n") == out.length() - 3) {
        break;
      }
    }
    return out.toString();
  }
}
