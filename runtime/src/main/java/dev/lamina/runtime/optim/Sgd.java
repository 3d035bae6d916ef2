package dev.lamina.runtime.optim;

/**
 * Stochastic gradient descent, optionally with momentum (classic or Nesterov) and L2 weight decay on
 * WEIGHT tensors, with the update rule of PyTorch's {@code SGD} (no dampening):
 *
 * <pre>
 *   g = grad + decay * p              (decay only for WEIGHT tensors)
 *   without momentum:  p -= lr * g
 *   with momentum μ:   v = μ * v + g
 *                      p -= lr * v                 (classic)
 *                      p -= lr * (g + μ * v)       (Nesterov)
 * </pre>
 *
 * Build with {@link Optimizers#sgd(float)}. Allocation-free after the first step. Not thread-safe.
 */
public final class Sgd extends BaseOptimizer {
  private final float momentum;
  private final boolean nesterov;
  private float[] velocity;

  Sgd(float learningRate, float momentum, boolean nesterov, float weightDecay) {
    super(learningRate, weightDecay);
    requireNonNegativeFinite(momentum, "momentum");
    if (momentum >= 1) {
      throw new IllegalArgumentException("momentum must be below 1, got " + momentum);
    }
    if (nesterov && momentum == 0) {
      throw new IllegalArgumentException("Nesterov momentum needs a momentum above 0");
    }
    this.momentum = momentum;
    this.nesterov = nesterov;
  }

  /** The momentum coefficient μ (0: plain SGD). */
  public float momentum() {
    return momentum;
  }

  /** Whether the momentum is Nesterov's. */
  public boolean nesterov() {
    return nesterov;
  }

  @Override
  public void reset() {
    if (velocity != null) {
      java.util.Arrays.fill(velocity, 0f);
    }
  }

  @Override
  protected float[][] liveState() {
    return velocity == null ? new float[0][] : new float[][] {velocity};
  }

  @Override
  protected void allocateState(int length) {
    velocity = momentum == 0 ? null : new float[length];
  }

  /** True: each element's update reads and writes that element's state only. */
  @Override
  public boolean updatesElementWise() {
    return true;
  }

  @Override
  protected void update(float[] p, float[] grad, int from, int to, float decay) {
    float lr = learningRate();
    if (momentum == 0) {
      for (int i = from; i < to; i++) {
        p[i] -= lr * (grad[i] + decay * p[i]);
      }
      return;
    }
    float mu = momentum;
    float[] v = velocity;
    if (nesterov) {
      for (int i = from; i < to; i++) {
        float g = grad[i] + decay * p[i];
        float vi = mu * v[i] + g;
        v[i] = vi;
        p[i] -= lr * (g + mu * vi);
      }
    } else {
      for (int i = from; i < to; i++) {
        float g = grad[i] + decay * p[i];
        float vi = mu * v[i] + g;
        v[i] = vi;
        p[i] -= lr * vi;
      }
    }
  }

  @Override
  public String toString() {
    return "SGD(lr=" + learningRate() + (momentum != 0 ? ", momentum=" + momentum : "")
        + (nesterov ? ", nesterov" : "")
        + (weightDecay() != 0 ? ", weight decay=" + weightDecay() : "") + ")";
  }

  /** Settings for {@link Sgd}. Not thread-safe. */
  public static final class Builder {
    private final float learningRate;
    private float momentum;
    private boolean nesterov;
    private float weightDecay;

    Builder(float learningRate) {
      this.learningRate = learningRate;
    }

    /** Momentum coefficient μ in [0, 1) (default 0). */
    public Builder momentum(float momentum) {
      this.momentum = momentum;
      return this;
    }

    /** Uses Nesterov momentum (needs a momentum above 0). */
    public Builder nesterov(boolean nesterov) {
      this.nesterov = nesterov;
      return this;
    }

    /** L2 weight decay on WEIGHT tensors (default 0); needs {@link BaseOptimizer#attach}. */
    public Builder weightDecay(float weightDecay) {
      this.weightDecay = weightDecay;
      return this;
    }

    /** The optimizer, not yet attached to a parameter layout. */
    public Sgd build() {
      return new Sgd(learningRate, momentum, nesterov, weightDecay);
    }

    /** The optimizer, attached to {@code summary}'s parameter layout. */
    public Sgd build(dev.lamina.runtime.NetworkSummary summary) {
      Sgd sgd = build();
      sgd.attach(summary);
      return sgd;
    }
  }
}
