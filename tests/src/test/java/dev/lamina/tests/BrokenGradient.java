package dev.lamina.tests;

import dev.lamina.runtime.NetworkSummary;
import dev.lamina.runtime.Optimizer;
import dev.lamina.runtime.ParameterTensor;

/**
 * An optimizer that damages one parameter tensor's gradient before the real optimizer sees it: the
 * effect of a backward pass with one wrong gradient, to show that a learning test catches it.
 */
final class BrokenGradient implements Optimizer {
  enum Damage {
    ZERO,
    NEGATE
  }

  private final Optimizer delegate;
  private final int from;
  private final int to;
  private final Damage damage;

  BrokenGradient(Optimizer delegate, NetworkSummary summary, String tensor, Damage damage) {
    this.delegate = delegate;
    this.damage = damage;
    ParameterTensor t = summary.parameterTensors().stream()
        .filter(p -> p.qualifiedName().equals(tensor)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no tensor " + tensor));
    this.from = t.offset();
    this.to = t.offset() + t.size();
  }

  @Override
  public void step(float[] parameters, float[] gradients) {
    for (int i = from; i < to; i++) {
      gradients[i] = damage == Damage.ZERO ? 0 : -gradients[i];
    }
    delegate.step(parameters, gradients);
  }

  @Override
  public float learningRate() {
    return delegate.learningRate();
  }

  @Override
  public void setLearningRate(float learningRate) {
    delegate.setLearningRate(learningRate);
  }
}
