package dev.lamina.runtime.train;

import dev.lamina.runtime.FloatNetwork;

/**
 * Early stopping over one {@link Trainer#fit}: watches the validation loss after each epoch,
 * keeps a copy of the parameters (running statistics included) of the epoch with the lowest
 * loss, and says when {@code patience} epochs in a row brought no lower one.
 */
final class EarlyStopping {
  private final FloatNetwork network;
  private final int patience;
  private double bestLoss = Double.POSITIVE_INFINITY;
  private float[] best;
  private int sinceBest;

  EarlyStopping(FloatNetwork network, int patience) {
    this.network = network;
    this.patience = patience;
  }

  /** Records an epoch's validation loss; returns whether training should stop. */
  boolean stop(double validationLoss) {
    if (validationLoss < bestLoss) {
      bestLoss = validationLoss;
      best = network.parameters().clone();
      sinceBest = 0;
      return false;
    }
    return ++sinceBest >= patience;
  }

  /** Puts the best epoch's parameters back into the network (none recorded: nothing). */
  void restoreBest() {
    if (best != null) {
      System.arraycopy(best, 0, network.parameters(), 0, best.length);
    }
  }
}
