package dev.lamina.runtime.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Counts of (actual class, predicted class) pairs. Immutable and thread-safe.
 */
public final class ConfusionMatrix {
  private final int classes;
  private final long[] counts;

  /** From counts laid out {@code counts[actual * classes + predicted]} (copied). */
  public ConfusionMatrix(int classes, long[] counts) {
    if (counts.length != (long) classes * classes) {
      throw new IllegalArgumentException(classes + " classes need " + classes * classes
          + " counts, got " + counts.length);
    }
    this.classes = classes;
    this.counts = counts.clone();
  }

  /** Number of classes. */
  public int classes() {
    return classes;
  }

  /** Samples of class {@code actual} predicted as {@code predicted}. */
  public long count(int actual, int predicted) {
    return counts[actual * classes + predicted];
  }

  /** All samples. */
  public long total() {
    long n = 0;
    for (long c : counts) {
      n += c;
    }
    return n;
  }

  /** Samples predicted correctly. */
  public long correct() {
    long n = 0;
    for (int k = 0; k < classes; k++) {
      n += count(k, k);
    }
    return n;
  }

  /** Fraction predicted correctly (NaN when empty). */
  public double accuracy() {
    long total = total();
    return total == 0 ? Double.NaN : (double) correct() / total;
  }

  /** Samples whose actual class is {@code actual}. */
  public long actualCount(int actual) {
    long n = 0;
    for (int p = 0; p < classes; p++) {
      n += count(actual, p);
    }
    return n;
  }

  /** Per actual class, the fraction predicted correctly (recall); NaN for absent classes. */
  public double[] perClassAccuracy() {
    double[] acc = new double[classes];
    for (int k = 0; k < classes; k++) {
      long n = actualCount(k);
      acc[k] = n == 0 ? Double.NaN : (double) count(k, k) / n;
    }
    return acc;
  }

  /**
   * Per predicted class, the fraction of its predictions that were right (precision); NaN for
   * classes never predicted.
   */
  public double[] perClassPrecision() {
    double[] precision = new double[classes];
    for (int k = 0; k < classes; k++) {
      long predicted = 0;
      for (int a = 0; a < classes; a++) {
        predicted += count(a, k);
      }
      precision[k] = predicted == 0 ? Double.NaN : (double) count(k, k) / predicted;
    }
    return precision;
  }

  /**
   * A text table of precision, recall (per-class accuracy) and support (samples of the class)
   * per class, one row per class (index and name), and a last row with their unweighted means
   * over the classes that have them. Example:
   *
   * <pre>
   * class          precision  recall  support
   * 0 T-shirt/top      86.0%   87.1%     1000
   * ...
   * mean               91.2%   91.3%    10000
   * </pre>
   */
  public String renderPrecisionRecall(List<String> classNames) {
    if (classNames.size() != classes) {
      throw new IllegalArgumentException(classes + " classes need " + classes + " names, got "
          + classNames.size());
    }
    int labelWidth = "class".length();
    for (int k = 0; k < classes; k++) {
      labelWidth = Math.max(labelWidth, (k + " " + classNames.get(k)).length());
    }
    int support = Math.max("support".length(), Long.toString(total()).length());
    double[] precision = perClassPrecision();
    double[] recall = perClassAccuracy();
    StringBuilder sb = new StringBuilder();
    sb.append(pad("class", labelWidth, false)).append("  precision  recall  ")
        .append(pad("support", support, true)).append('\n');
    for (int k = 0; k < classes; k++) {
      sb.append(pad(k + " " + classNames.get(k), labelWidth, false)).append("  ")
          .append(pad(percent(precision[k]), "precision".length(), true)).append("  ")
          .append(pad(percent(recall[k]), "recall".length(), true)).append("  ")
          .append(pad(Long.toString(actualCount(k)), support, true)).append('\n');
    }
    sb.append(pad("mean", labelWidth, false)).append("  ")
        .append(pad(percent(mean(precision)), "precision".length(), true)).append("  ")
        .append(pad(percent(mean(recall)), "recall".length(), true)).append("  ")
        .append(pad(Long.toString(total()), support, true));
    return sb.toString();
  }

  /** The mean of the values that are not NaN (NaN if none). */
  private static double mean(double[] values) {
    double sum = 0;
    int n = 0;
    for (double v : values) {
      if (!Double.isNaN(v)) {
        sum += v;
        n++;
      }
    }
    return n == 0 ? Double.NaN : sum / n;
  }

  /** {@link #render(List)} with the class indices as names. */
  @Override
  public String toString() {
    List<String> names = new ArrayList<>();
    for (int k = 0; k < classes; k++) {
      names.add(Integer.toString(k));
    }
    return render(names);
  }

  /**
   * A text table: one row per actual class (index and name), one column per predicted class
   * (index), then the row's accuracy; a last line with the overall accuracy. Example:
   *
   * <pre>
   * actual \ predicted     0     1     2  accuracy
   * 0 T-shirt/top        812     3    41     87.1%
   * ...
   * </pre>
   */
  public String render(List<String> classNames) {
    if (classNames.size() != classes) {
      throw new IllegalArgumentException(classes + " classes need " + classes + " names, got "
          + classNames.size());
    }
    String[] labels = new String[classes];
    int labelWidth = "actual \\ predicted".length();
    for (int k = 0; k < classes; k++) {
      labels[k] = k + " " + classNames.get(k);
      labelWidth = Math.max(labelWidth, labels[k].length());
    }
    int cell = Integer.toString(classes - 1).length();
    for (long c : counts) {
      cell = Math.max(cell, Long.toString(c).length());
    }
    StringBuilder sb = new StringBuilder();
    sb.append(pad("actual \\ predicted", labelWidth, false));
    for (int p = 0; p < classes; p++) {
      sb.append("  ").append(pad(Integer.toString(p), cell, true));
    }
    sb.append("  accuracy\n");
    double[] acc = perClassAccuracy();
    for (int a = 0; a < classes; a++) {
      sb.append(pad(labels[a], labelWidth, false));
      for (int p = 0; p < classes; p++) {
        sb.append("  ").append(pad(Long.toString(count(a, p)), cell, true));
      }
      sb.append("  ").append(pad(percent(acc[a]), "accuracy".length(), true)).append('\n');
    }
    sb.append(String.format(Locale.ROOT, "overall accuracy %s (%d of %d)", percent(accuracy()),
        correct(), total()));
    return sb.toString();
  }

  private static String percent(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * v);
  }

  private static String pad(String s, int width, boolean right) {
    String spaces = " ".repeat(Math.max(0, width - s.length()));
    return right ? spaces + s : s + spaces;
  }
}
