package dev.lamina.dsl;

/** The loss a network is trained with. Every loss is averaged over the samples of a batch. */
public enum Loss {
  /** No loss: the generated network can run inference but not train. */
  NONE,
  /**
   * Softmax followed by cross-entropy against integer class labels:
   * {@code L = mean_n(logsumexp(x_n) - x_n[label_n])}. The last layer must have no activation.
   */
  SOFTMAX_CROSS_ENTROPY,
  /** PyTorch's {@code MSELoss}: mean of {@code (y - t)^2} over all N·D elements. */
  MSE,
  /** The textbook squared error {@code ½·Σ_d (y - t)^2}, averaged over the batch. */
  HALF_SQUARED_ERROR,
  /**
   * PyTorch's {@code BCEWithLogitsLoss}: binary cross-entropy of {@code sigmoid(y)} against
   * targets {@code t} in [0, 1], computed from the logits {@code y} as {@code max(y, 0) - y·t +
   * log(1 + e^-|y|)} (finite for any logit), the mean over all N·D elements. The last layer must
   * have no activation; a discriminator has one output unit.
   */
  BCE_WITH_LOGITS
}
