package dev.lamina.runtime.optim;

/**
 * Entry points for the optimizers:
 *
 * <pre>
 *   Optimizer sgd  = Optimizers.sgd(0.05f).momentum(0.9f).nesterov(true).weightDecay(5e-4f)
 *                        .build(net.summary());
 *   Optimizer adam = Optimizers.adam(1e-3f).build();
 *   Optimizer adamW = Optimizers.adam(1e-3f).decoupledWeightDecay(0.01f).build(net.summary());
 * </pre>
 *
 * Thread-safe (stateless); the optimizers it builds are not.
 */
public final class Optimizers {
  private Optimizers() {}

  /** Stochastic gradient descent with learning rate {@code learningRate}. */
  public static Sgd.Builder sgd(float learningRate) {
    return new Sgd.Builder(learningRate);
  }

  /** Adam with learning rate {@code learningRate}, β = (0.9, 0.999), ε = 1e-8. */
  public static Adam.Builder adam(float learningRate) {
    return new Adam.Builder(learningRate);
  }
}
