package dev.lamina.samples;

import dev.lamina.runtime.FloatNetwork;
import dev.lamina.runtime.data.Dataset;
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

  /** Samples evaluated. */
  public long total() {
    long t = 0;
    for (long[] row : confusion) {
      for (long v : row) {
        t += v;
      }
    }
    return t;
  }

  /** Samples classified correctly. */
  public long correct() {
    long c = 0;
    for (int i = 0; i < classes; i++) {
      c += confusion[i][i];
    }
    return c;
  }

  /** Fraction classified correctly. */
  public double accuracy() {
    return total() == 0 ? 0 : (double) correct() / total();
  }

  /** {@code confusion()[true][predicted]}. */
  public long[][] confusion() {
    long[][] copy = new long[classes][];
    for (int i = 0; i < classes; i++) {
      copy[i] = confusion[i].clone();
    }
    return copy;
  }

  /** Prints accuracy, per-class accuracy and the confusion matrix with class names. */
  public void print(PrintWriter out) {
    out.printf(Locale.ROOT, "accuracy %.2f%% (%,d of %,d)%n%n", 100 * accuracy(), correct(),
        total());
    int nameWidth = 0;
    for (int i = 0; i < classes; i++) {
      nameWidth = Math.max(nameWidth, FashionClasses.name(i).length());
    }
    out.printf(Locale.ROOT, "%-" + nameWidth + "s  %8s  %s%n", "class", "accuracy", "correct");
    for (int i = 0; i < classes; i++) {
      long row = 0;
      for (long v : confusion[i]) {
        row += v;
      }
      out.printf(Locale.ROOT, "%-" + nameWidth + "s  %7.2f%%  %,d/%,d%n", FashionClasses.name(i),
          row == 0 ? 0.0 : 100.0 * confusion[i][i] / row, confusion[i][i], row);
    }
    out.println();
    out.println("confusion matrix (rows: true class, columns: predicted class)");
    int cell = 6;
    for (long[] r : confusion) {
      for (long v : r) {
        cell = Math.max(cell, Long.toString(v).length() + 1);
      }
    }
    StringBuilder head = new StringBuilder(" ".repeat(nameWidth + 1));
    for (int j = 0; j < classes; j++) {
      head.append(String.format(Locale.ROOT, "%" + cell + "s", SHORT[j % SHORT.length]));
    }
    out.println(head.toString().stripTrailing());
    for (int i = 0; i < classes; i++) {
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-" + (nameWidth + 1)
          + "s", FashionClasses.name(i)));
      for (int j = 0; j < classes; j++) {
        line.append(String.format(Locale.ROOT, "%" + cell + "d", confusion[i][j]));
      }
      out.println(line);
    }
    out.flush();
  }

  /** Column headers: at most five letters per class name. */
  private static final String[] SHORT =
      {"Tee", "Trous", "Pull", "Dress", "Coat", "Sand", "Shirt", "Snkr", "Bag", "Boot"};
}
