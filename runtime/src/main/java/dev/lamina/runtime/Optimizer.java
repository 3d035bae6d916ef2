package dev.lamina.runtime;

/**
 * Updates a flat parameter array from a gradient array of the same layout. Implementations keep
 * their state (momentum, Adam moments) in arrays allocated on the first step: later steps allocate
 * nothing. Not thread-safe.
 */
public interface Optimizer {
  /** One update: {@code parameters -= f(gradients)}. */
  void step(float[] parameters, float[] gradients);

  /** The current learning rate. */
  float learningRate();

  /** Sets the learning rate (schedules call this between epochs or steps). */
  void setLearningRate(float learningRate);
}
