package dev.lamina.samples;

import dev.lamina.runtime.FloatNetwork;
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
        parts.add(pool.submit(() -> confusion(net, data, from, to, batch, classes)));
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
      int classes) {
    int size = data.sampleSize();
    float[] features = data.features();
    int[] labels = data.labels();
    float[] in = new float[batch * size];
    float[] out = new float[batch * classes];
    long[][] c = new long[classes][classes];
    for (int start = from; start < to; start += batch) {
      int b = Math.min(batch, to - start);
      System.arraycopy(features, start * size, in, 0, b * size);
      net.forward(in, b, out);
      for (int i = 0; i < b; i++) {
        c[labels[start + i]][argmax(out, i * classes, classes)]++;
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
