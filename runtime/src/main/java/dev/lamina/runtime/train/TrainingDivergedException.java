package dev.lamina.runtime.train;

/**
 * The loss became NaN or infinite: training diverged. The parameters are left as they were before
 * the failing batch (the optimizer step is skipped). Unchecked: nothing sensible can continue.
 *
 * <p>Immutable and thread-safe.
 */
public class TrainingDivergedException extends ArithmeticException {
  private static final long serialVersionUID = 1L;

  private final int epoch;
  private final int batch;

  /** Epoch and batch are 1-based; 0 when the batch was trained outside an epoch. */
  public TrainingDivergedException(int epoch, int batch, int batchesPerEpoch, float loss,
      float learningRate) {
    super((epoch > 0 ? "epoch " + epoch + ", batch " + batch + " of " + batchesPerEpoch + ": "
        : "") + "loss is " + (Float.isNaN(loss) ? "NaN" : loss > 0 ? "+infinite" : "-infinite")
        + " (learning rate " + learningRate + "): training diverged. Lower the learning rate"
        + " (for example 10 times smaller) and check that the inputs are scaled or normalized.");
    this.epoch = epoch;
    this.batch = batch;
  }

  /** The 1-based epoch, or 0. */
  public int epoch() {
    return epoch;
  }

  /** The 1-based batch within the epoch, or 0. */
  public int batch() {
    return batch;
  }
}
