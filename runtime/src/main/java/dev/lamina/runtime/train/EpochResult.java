package dev.lamina.runtime.train;

/**
 * What one training epoch achieved. Immutable and thread-safe.
 *
 * @param epoch 1-based
 * @param trainLoss mean loss per training sample, measured during the epoch (on the parameters as
 *     they were at each batch)
 * @param trainAccuracy fraction of training samples classified correctly during the epoch
 * @param test the evaluation on the test set after the epoch, or {@code null} without one
 * @param learningRate the learning rate of the epoch's last step
 * @param seconds wall time of the epoch's training (evaluation excluded)
 * @param imagesPerSecond training throughput
 */
public record EpochResult(int epoch, double trainLoss, double trainAccuracy, Evaluation test,
    float learningRate, double seconds, double imagesPerSecond) {

  /** Test accuracy, or NaN without a test set. */
  public double testAccuracy() {
    return test == null ? Double.NaN : test.accuracy();
  }

  @Override
  public String toString() {
    return String.format(java.util.Locale.ROOT,
        "epoch %d: loss %.4f, train accuracy %.2f%%%s, %.1f s (%.0f images/s)", epoch, trainLoss,
        100 * trainAccuracy,
        test == null ? "" : String.format(java.util.Locale.ROOT, ", test accuracy %.2f%%",
            100 * test.accuracy()),
        seconds, imagesPerSecond);
  }
}
