package dev.lamina.runtime.train;

/**
 * A network's performance on a labelled dataset. Immutable and thread-safe.
 *
 * @param loss mean loss per sample
 * @param confusion counts of (actual, predicted) class pairs
 */
public record Evaluation(double loss, ConfusionMatrix confusion) {
  /** Fraction of samples classified correctly. */
  public double accuracy() {
    return confusion.accuracy();
  }

  /** Per actual class, the fraction classified correctly (NaN for classes without samples). */
  public double[] perClassAccuracy() {
    return confusion.perClassAccuracy();
  }

  @Override
  public String toString() {
    return String.format(java.util.Locale.ROOT, "loss %.4f, accuracy %.2f%% (%d samples)", loss,
        100 * accuracy(), confusion.total());
  }
}
