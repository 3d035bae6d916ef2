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
  HALF_SQUARED_ERROR
}
