package dev.lamina.runtime.train;

/**
 * Progress reports from a {@link Trainer}, for a progress bar or a log. Called on the thread that
 * runs the trainer. Implementations should be quick; the trainer itself allocates nothing per
 * batch, so an allocation-free listener keeps training allocation-free.
 *
 * <p>Implementations need not be thread-safe: a trainer calls its listener from one thread.
 */
public interface TrainingListener {
  /**
   * After every training batch.
   *
   * @param epoch the epoch, 1-based
   * @param batch the batch just finished, 1-based
   * @param batchesPerEpoch batches in this epoch
   * @param imagesPerSecond training throughput of this epoch so far
   * @param runningLoss mean loss per sample over this epoch so far
   */
  void onBatch(int epoch, int batch, int batchesPerEpoch, double imagesPerSecond,
      double runningLoss);

  /** After every epoch, evaluation included. */
  default void onEpoch(EpochResult result) {}
}
