package dev.lamina.runtime.optim;

import java.util.Arrays;

/**
 * Adam (Kingma and Ba) with bias correction, and either L2 weight decay added to the gradient
 * (Adam's original form) or decoupled weight decay (AdamW, Loshchilov and Hutter), both on WEIGHT
 * tensors only:
 *
 * <pre>
 *   t += 1
 *   AdamW:   p -= lr * decay * p               (decoupled)
 *   Adam+L2: g = grad + decay * p              (coupled)
 *   m = β1 * m + (1 - β1) * g
 *   v = β2 * v + (1 - β2) * g²
 *   p -= lr * (m / (1 - β1^t)) / (sqrt(v / (1 - β2^t)) + ε)
 * </pre>
 *
 * This is the rule of PyTorch's {@code Adam} and {@code AdamW}. Build with {@link
 * Optimizers#adam(float)}. Allocation-free after the first step. Not thread-safe.
 */
public final class Adam extends BaseOptimizer {
  private final float beta1;
  private final float beta2;
  private final float epsilon;
  private final boolean decoupled;
  private float[] m;
  private float[] v;
  private long t;
  private float correction1;
  private float correction2;

  Adam(float learningRate, float beta1, float beta2, float epsilon, float weightDecay,
      boolean decoupled) {
    super(learningRate, weightDecay);
    if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
      throw new IllegalArgumentException(
          "betas must be in [0, 1), got " + beta1 + " and " + beta2);
    }
    if (!(epsilon > 0) || Float.isInfinite(epsilon)) {
      throw new IllegalArgumentException("epsilon must be finite and > 0, got " + epsilon);
    }
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
    this.decoupled = decoupled;
  }

  /** Steps taken since construction or {@link #reset()}. */
  public long stepCount() {
    return t;
  }

  @Override
  public long stateSteps() {
    return t;
  }

  @Override
  protected float[][] liveState() {
    return m == null ? new float[0][] : new float[][] {m, v};
  }

  @Override
  protected void restoreSteps(long steps) {
    t = steps;
  }

  /** Whether the weight decay is decoupled (AdamW) rather than added to the gradient. */
  public boolean decoupledWeightDecay() {
    return decoupled;
  }

  @Override
  public void reset() {
    t = 0;
    if (m != null) {
      Arrays.fill(m, 0f);
      Arrays.fill(v, 0f);
    }
  }

  @Override
  protected void allocateState(int length) {
    m = new float[length];
    v = new float[length];
    t = 0;
  }

  @Override
  protected void beginStep() {
    t++;
    correction1 = (float) (1 - power(beta1, t));
    correction2 = (float) (1 - power(beta2, t));
  }

  /** True: each element's update reads and writes that element's state only. */
  @Override
  public boolean updatesElementWise() {
    return true;
  }

  @Override
  protected void update(float[] p, float[] grad, int from, int to, float decay) {
    float lr = learningRate();
    float b1 = beta1;
    float b2 = beta2;
    float c1 = correction1;
    float c2 = correction2;
    float eps = epsilon;
    float[] mm = m;
    float[] vv = v;
    float coupled = decoupled ? 0f : decay;
    float shrink = decoupled ? 1f - lr * decay : 1f;
    for (int i = from; i < to; i++) {
      float pi = p[i];
      float g = grad[i] + coupled * pi;
      float mi = b1 * mm[i] + (1 - b1) * g;
      float vi = b2 * vv[i] + (1 - b2) * g * g;
      mm[i] = mi;
      vv[i] = vi;
      p[i] = pi * shrink - lr * (mi / c1) / ((float) Math.sqrt(vi / c2) + eps);
    }
  }

  @Override
  public String toString() {
    return (decoupled ? "AdamW" : "Adam") + "(lr=" + learningRate() + ", betas=" + beta1 + "/"
        + beta2 + ", eps=" + epsilon
        + (weightDecay() != 0 ? ", weight decay=" + weightDecay() : "") + ")";
  }

  /** Settings for {@link Adam}. Not thread-safe. */
  public static final class Builder {
    private final float learningRate;
    private float beta1 = 0.9f;
    private float beta2 = 0.999f;
    private float epsilon = 1e-8f;
    private float weightDecay;
    private boolean decoupled;

    Builder(float learningRate) {
      this.learningRate = learningRate;
    }

    /** Decay rates of the first and second moment estimates (default 0.9 and 0.999). */
    public Builder betas(float beta1, float beta2) {
      this.beta1 = beta1;
      this.beta2 = beta2;
      return this;
    }

    /** The ε added to the denominator (default 1e-8). */
    public Builder epsilon(float epsilon) {
      this.epsilon = epsilon;
      return this;
    }

    /** L2 weight decay added to the gradient of WEIGHT tensors (Adam's original form). */
    public Builder weightDecay(float weightDecay) {
      this.weightDecay = weightDecay;
      this.decoupled = false;
      return this;
    }

    /** Decoupled weight decay on WEIGHT tensors (AdamW): {@code p -= lr * decay * p}. */
    public Builder decoupledWeightDecay(float weightDecay) {
      this.weightDecay = weightDecay;
      this.decoupled = true;
      return this;
    }

    /** The optimizer, not yet attached to a parameter layout. */
    public Adam build() {
      return new Adam(learningRate, beta1, beta2, epsilon, weightDecay, decoupled);
    }

    /** The optimizer, attached to {@code summary}'s parameter layout. */
    public Adam build(dev.lamina.runtime.NetworkSummary summary) {
      Adam adam = build();
      adam.attach(summary);
      return adam;
    }
  }
}
