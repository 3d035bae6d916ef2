package dev.lamina.runtime.optim;

import dev.lamina.runtime.NetworkSummary;
import dev.lamina.runtime.Optimizer;
import dev.lamina.runtime.ParameterTensor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Shared machinery of the optimizers: the learning rate, the parameter layout that says which
 * elements are {@link ParameterTensor.Role#WEIGHT weights} (the only ones weight decay applies to),
 * and the split of the flat array into ranges with and without decay.
 *
 * <p>State arrays are allocated on the first {@link #step} or {@link #startStep} (or when the
 * parameter count changes); later steps allocate nothing. Not thread-safe, except that an
 * optimizer that {@linkplain #updatesElementWise updates element-wise} may take the parts of one
 * step ({@link #stepPart}) on several threads at once.
 */
public abstract class BaseOptimizer implements Optimizer {
  private float learningRate;
  private final float weightDecay;
  private List<ParameterTensor> tensors;
  private int preparedLength = -1;
  /** Range r covers {@code [rangeStart[r], rangeStart[r + 1])}, decayed when {@code decayed[r]}. */
  private int[] rangeStart = new int[0];
  private boolean[] decayed = new boolean[0];
  private float clipNorm;
  private double lastNorm = Double.NaN;

  protected BaseOptimizer(float learningRate, float weightDecay) {
    requireNonNegativeFinite(learningRate, "learning rate");
    requireNonNegativeFinite(weightDecay, "weight decay");
    this.learningRate = learningRate;
    this.weightDecay = weightDecay;
  }

  /**
   * Tells the optimizer the parameter layout, so weight decay reaches WEIGHT tensors only. Required
   * before the first step when the weight decay is not 0. Returns this optimizer.
   */
  public BaseOptimizer attach(List<ParameterTensor> parameterTensors) {
    List<ParameterTensor> sorted = new ArrayList<>(parameterTensors);
    sorted.sort(Comparator.comparingInt(ParameterTensor::offset));
    for (int i = 1; i < sorted.size(); i++) {
      ParameterTensor a = sorted.get(i - 1);
      ParameterTensor b = sorted.get(i);
      if (a.offset() + a.size() > b.offset()) {
        throw new IllegalArgumentException("parameter tensors " + a + " and " + b + " overlap");
      }
    }
    this.tensors = List.copyOf(sorted);
    this.preparedLength = -1;
    return this;
  }

  /** As {@link #attach(List)} with the network's parameter tensors. */
  public BaseOptimizer attach(NetworkSummary summary) {
    return attach(summary.parameterTensors());
  }

  /** The parameter layout given to {@link #attach}, or {@code null}. */
  public List<ParameterTensor> parameterTensors() {
    return tensors;
  }

  /** The L2 weight decay coefficient applied to WEIGHT tensors. */
  public float weightDecay() {
    return weightDecay;
  }

  @Override
  public float learningRate() {
    return learningRate;
  }

  @Override
  public void setLearningRate(float learningRate) {
    requireNonNegativeFinite(learningRate, "learning rate");
    this.learningRate = learningRate;
  }

  /**
   * Clips the gradient by its global L2 norm before each step (as PyTorch's {@code
   * clip_grad_norm_}): when the norm of the whole gradient array is above {@code maxNorm}, {@link
   * #startStep} scales the array in place by {@code maxNorm / (norm + 1e-6)}, before weight decay
   * and the update. It applies to the gradient of the whole step, after the trainers have summed
   * their threads' (or machines') parts, so the result does not depend on how the batch was split.
   * Recurrent networks need it against exploding gradients. 0 turns it off (the default).
   * Returns this optimizer.
   */
  public BaseOptimizer clipGradientNorm(float maxNorm) {
    requireNonNegativeFinite(maxNorm, "gradient clipping norm");
    this.clipNorm = maxNorm;
    return this;
  }

  /** The clipping bound of {@link #clipGradientNorm}; 0 when off. */
  public float gradientClipNorm() {
    return clipNorm;
  }

  /**
   * The global L2 norm of the last step's gradient before clipping, when clipping is on; NaN
   * before the first such step.
   */
  public double lastGradientNorm() {
    return lastNorm;
  }

  @Override
  public final void step(float[] parameters, float[] gradients) {
    startStep(parameters, gradients);
    stepPart(parameters, gradients, 0, parameters.length);
  }

  /**
   * Begins a step taken in parts: checks the arrays, allocates the state on the first step,
   * clips the gradients ({@link #clipGradientNorm}) and advances the step state (step count, bias
   * corrections) once. Then {@link #stepPart} for parts
   * that cover the array once each; together they are {@link #step}, with the same result.
   */
  public final void startStep(float[] parameters, float[] gradients) {
    if (parameters.length != gradients.length) {
      throw new IllegalArgumentException("parameters have " + parameters.length
          + " elements but gradients " + gradients.length);
    }
    if (parameters.length != preparedLength) {
      prepare(parameters.length);
    }
    if (clipNorm > 0) {
      clip(gradients);
    }
    beginStep();
  }

  /** Scales {@code g} in place to the global norm {@link #clipNorm} when it is above it. */
  private void clip(float[] g) {
    double sum = 0;
    for (float v : g) {
      sum += (double) v * v;
    }
    double norm = Math.sqrt(sum);
    lastNorm = norm;
    if (norm > clipNorm) {
      float scale = (float) (clipNorm / (norm + 1e-6));
      for (int i = 0; i < g.length; i++) {
        g[i] *= scale;
      }
    }
  }

  /**
   * Elements {@code [from, to)} of the step begun by {@link #startStep}. When the optimizer
   * {@linkplain #updatesElementWise updates element-wise}, disjoint parts of one step may run on
   * several threads at once, after {@code startStep} and before the next one.
   *
   * @throws IllegalStateException if no step of this parameter count was started
   */
  public final void stepPart(float[] parameters, float[] gradients, int from, int to) {
    if (parameters.length != preparedLength || gradients.length != preparedLength) {
      throw new IllegalStateException("no step of " + parameters.length + " parameters and "
          + gradients.length + " gradients was started (startStep)");
    }
    if (from < 0 || to > parameters.length || from > to) {
      throw new IndexOutOfBoundsException("part [" + from + ", " + to + ") of "
          + parameters.length + " parameters");
    }
    int ranges = decayed.length;
    for (int r = 0; r < ranges; r++) {
      int lo = Math.max(from, rangeStart[r]);
      int hi = Math.min(to, rangeStart[r + 1]);
      if (lo < hi) {
        update(parameters, gradients, lo, hi, decayed[r] ? weightDecay : 0f);
      }
    }
  }

  /**
   * Whether {@link #update} writes only elements {@code [from, to)} of the parameters and of its
   * state arrays, and no field, and reads only those elements, its settings and what {@link
   * #beginStep} set: then the parts of a step may run on several threads at once with the result
   * of one {@link #step}. False unless a subclass says so.
   */
  public boolean updatesElementWise() {
    return false;
  }

  /**
   * Copies of the accumulated state arrays (Adam's two moments, SGD's momentum buffer), each as
   * long as the parameter array; none before the first step or for an optimizer without state.
   * With {@link #stateSteps} it is what {@link #restoreState} needs to continue bit for bit.
   */
  public final float[][] stateArrays() {
    float[][] live = liveState();
    float[][] copy = new float[live.length][];
    for (int k = 0; k < live.length; k++) {
      copy[k] = live[k].clone();
    }
    return copy;
  }

  /** Steps counted in the state (Adam's bias corrections); 0 for an optimizer without a count. */
  public long stateSteps() {
    return 0;
  }

  /**
   * Continues from a saved state ({@link #stateArrays}, {@link #stateSteps}) for {@code
   * parameterCount} parameters: the next step is the one the saved optimizer would have taken.
   *
   * @throws IllegalArgumentException if the arrays do not match this optimizer's state (their
   *     number or length)
   */
  public final void restoreState(int parameterCount, long steps, float[][] arrays) {
    if (parameterCount != preparedLength) {
      prepare(parameterCount);
    }
    float[][] live = liveState();
    if (arrays.length != live.length) {
      throw new IllegalArgumentException("the saved state has " + arrays.length + " arrays but "
          + this + " keeps " + live.length);
    }
    for (int k = 0; k < live.length; k++) {
      if (arrays[k].length != live[k].length) {
        throw new IllegalArgumentException("saved state array " + k + " has " + arrays[k].length
            + " elements, expected " + live[k].length);
      }
    }
    for (int k = 0; k < live.length; k++) {
      System.arraycopy(arrays[k], 0, live[k], 0, live[k].length);
    }
    restoreSteps(steps);
  }

  /** The live state arrays (empty before they are allocated or for a stateless optimizer). */
  protected float[][] liveState() {
    return new float[0][];
  }

  /** Sets the step count that {@link #stateSteps} reports. */
  protected void restoreSteps(long steps) {}

  /** Forgets the accumulated state (momentum, moments, step count); keeps the settings. */
  public abstract void reset();

  /** Allocates the state for {@code length} parameters. */
  protected abstract void allocateState(int length);

  /** Called once per step before the range updates (for step counters and bias corrections). */
  protected void beginStep() {}

  /**
   * Updates {@code parameters[from, to)} from {@code gradients[from, to)} with L2 weight decay
   * {@code decay} (0 for non-weight ranges).
   */
  protected abstract void update(float[] parameters, float[] gradients, int from, int to,
      float decay);

  private void prepare(int length) {
    if (weightDecay != 0 && tensors == null) {
      throw new IllegalStateException("weight decay " + weightDecay + " needs the parameter layout"
          + " to tell weights from biases: call attach(network.summary()) before the first step");
    }
    List<Integer> starts = new ArrayList<>();
    List<Boolean> flags = new ArrayList<>();
    int pos = 0;
    if (tensors != null) {
      for (ParameterTensor t : tensors) {
        if (t.offset() + t.size() > length) {
          throw new IllegalArgumentException("tensor " + t + " of " + t.size()
              + " elements does not fit in a parameter array of " + length);
        }
        if (t.offset() > pos) {
          starts.add(pos);
          flags.add(false);
        }
        starts.add(t.offset());
        flags.add(t.role() == ParameterTensor.Role.WEIGHT);
        pos = t.offset() + t.size();
      }
    }
    if (pos < length || starts.isEmpty()) {
      starts.add(pos);
      flags.add(false);
    }
    rangeStart = new int[starts.size() + 1];
    decayed = new boolean[flags.size()];
    for (int i = 0; i < flags.size(); i++) {
      rangeStart[i] = starts.get(i);
      decayed[i] = flags.get(i);
    }
    rangeStart[flags.size()] = length;
    allocateState(length);
    preparedLength = length;
  }

  /**
   * {@code base} to the power {@code exponent} by repeated squaring. Plain Java double arithmetic,
   * so the result is the same on every platform, and nothing is allocated: on JDK 17 {@code
   * StrictMath.pow} allocates small arrays on every call, which only C2's escape analysis removes,
   * late and not for good (a deoptimization brings the allocation back).
   */
  static double power(double base, long exponent) {
    if (exponent < 0) {
      return 1 / power(base, -exponent);
    }
    double result = 1;
    double square = base;
    for (long e = exponent; e > 0; e >>>= 1) {
      if ((e & 1) != 0) {
        result *= square;
      }
      square *= square;
    }
    return result;
  }

  static void requireNonNegativeFinite(double v, String what) {
    if (!(v >= 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(what + " must be finite and >= 0, got " + v);
    }
  }
}
