package dev.lamina.samples;

import dev.lamina.runtime.FloatNetwork;
import dev.lamina.runtime.data.Augmentation;
import dev.lamina.runtime.data.Dataset;
import dev.lamina.runtime.train.ConfusionMatrix;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Accuracy, per-class accuracy and confusion matrix of a network on a labelled dataset. */
public final class Evaluation {
  private final int classes;
  private final long[][] confusion;

  private Evaluation(int classes) {
    this.classes = classes;
    this.confusion = new long[classes][classes];
  }

  /**
   * Runs {@code net} on every sample of {@code data}, in batches of {@code batch}, on {@code
   * threads} threads (inference on shared parameters is thread-safe).
   */
  public static Evaluation run(FloatNetwork net, Dataset data, int batch, int threads) {
    return run(net, data, batch, threads, false);
  }

  /**
   * {@link #run(FloatNetwork, Dataset, int, int)}; with {@code mirrors} (test-time augmentation)
   * each image also runs flipped horizontally and is classified by the mean of the two softmax
   * outputs, as the trainer's evaluation with mirror images.
   */
  public static Evaluation run(FloatNetwork net, Dataset data, int batch, int threads,
      boolean mirrors) {
    int classes = net.outputSize();
    int n = data.size();
    int chunk = (n + threads - 1) / threads;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<long[][]>> parts = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int from = t * chunk;
        int to = Math.min(n, from + chunk);
        if (from >= to) {
          break;
        }
        parts.add(pool.submit(() -> confusion(net, data, from, to, batch, classes, mirrors)));
      }
      Evaluation e = new Evaluation(classes);
      for (Future<long[][]> f : parts) {
        long[][] c = f.get();
        for (int i = 0; i < classes; i++) {
          for (int j = 0; j < classes; j++) {
            e.confusion[i][j] += c[i][j];
          }
        }
      }
      return e;
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      throw new AppException("interrupted");
    } catch (ExecutionException ex) {
      Throwable cause = ex.getCause();
      throw cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
    } finally {
      pool.shutdownNow();
    }
  }

  private static long[][] confusion(FloatNetwork net, Dataset data, int from, int to, int batch,
      int classes, boolean mirrors) {
    int size = data.sampleSize();
    int[] shape = data.sampleShape();
    float[] features = data.features();
    int[] labels = data.labels();
    float[] in = new float[batch * size];
    float[] out = new float[batch * classes];
    float[] mirrored = mirrors ? new float[batch * classes] : null;
    long[][] c = new long[classes][classes];
    for (int start = from; start < to; start += batch) {
      int b = Math.min(batch, to - start);
      System.arraycopy(features, start * size, in, 0, b * size);
      net.forward(in, b, out);
      if (mirrors) {
        Augmentation.mirror(features, start * size, in, b, shape[0], shape[1], shape[2]);
        net.forward(in, b, mirrored);
      }
      for (int i = 0; i < b; i++) {
        int predicted;
        if (mirrors) {
          double[] p = Softmax.of(out, i * classes, classes);
          double[] q = Softmax.of(mirrored, i * classes, classes);
          for (int k = 0; k < classes; k++) {
            p[k] = (p[k] + q[k]) / 2;
          }
          predicted = Softmax.top(p, 1)[0];
        } else {
          predicted = argmax(out, i * classes, classes);
        }
        c[labels[start + i]][predicted]++;
      }
    }
    return c;
  }

  static int argmax(float[] v, int offset, int n) {
    int best = 0;
    for (int k = 1; k < n; k++) {
      if (v[offset + k] > v[offset + best]) {
        best = k;
      }
    }
    return best;
  }

  /** The counts as the runtime's confusion matrix. */
  public ConfusionMatrix matrix() {
    long[] counts = new long[classes * classes];
    for (int i = 0; i < classes; i++) {
      System.arraycopy(confusion[i], 0, counts, i * classes, classes);
    }
    return new ConfusionMatrix(classes, counts);
  }

  /** Fraction classified correctly. */
  public double accuracy() {
    return matrix().accuracy();
  }

  /**
   * Prints the accuracy, the confusion matrix with class names and per-class accuracy, then
   * per-class precision and recall.
   */
  public void print(PrintWriter out) {
    ConfusionMatrix m = matrix();
    out.printf(Locale.ROOT, "accuracy %.2f%% (%,d of %,d)%n%n", 100 * m.accuracy(), m.correct(),
        m.total());
    out.println("confusion matrix (rows: true class, columns: predicted class, last column:"
        + " per-class accuracy)");
    out.println(m.render(FashionClasses.NAMES));
    out.println();
    out.println(m.renderPrecisionRecall(FashionClasses.NAMES));
    out.flush();
  }
}
