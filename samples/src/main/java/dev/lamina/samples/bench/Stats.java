package dev.lamina.samples.bench;

import java.util.Arrays;

/** Medians and percentiles of timing samples. */
final class Stats {
  private Stats() {}

  /** The median (mean of the two middle values for an even count). */
  static double median(double[] values) {
    double[] s = values.clone();
    Arrays.sort(s);
    int n = s.length;
    if (n == 0) {
      return Double.NaN;
    }
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  static double median(long[] values) {
    return median(Arrays.stream(values).asDoubleStream().toArray());
  }

  /** Nearest-rank percentile {@code q} (0..100) of ascending {@code sorted}. */
  static double percentile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int k = (int) Math.ceil(q / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, k))];
  }
}
