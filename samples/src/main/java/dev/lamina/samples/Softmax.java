package dev.lamina.samples;

/** Class probabilities from a network's scores. */
final class Softmax {
  private Softmax() {}

  /** softmax of {@code logits[offset .. offset+n)}, computed in double after subtracting the max. */
  static double[] of(float[] logits, int offset, int n) {
    double max = Double.NEGATIVE_INFINITY;
    for (int k = 0; k < n; k++) {
      max = Math.max(max, logits[offset + k]);
    }
    double[] p = new double[n];
    double sum = 0;
    for (int k = 0; k < n; k++) {
      p[k] = Math.exp(logits[offset + k] - max);
      sum += p[k];
    }
    for (int k = 0; k < n; k++) {
      p[k] /= sum;
    }
    return p;
  }

  /** Indices of the {@code k} largest values, largest first. */
  static int[] top(double[] p, int k) {
    int m = Math.min(k, p.length);
    int[] best = new int[m];
    boolean[] used = new boolean[p.length];
    for (int r = 0; r < m; r++) {
      int b = -1;
      for (int i = 0; i < p.length; i++) {
        if (!used[i] && (b < 0 || p[i] > p[b])) {
          b = i;
        }
      }
      used[b] = true;
      best[r] = b;
    }
    return best;
  }
}
