package dev.lamina.runtime.train;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The gradients of a batch whose passes are handed out, added in pass order whichever thread ran
 * which pass, so that the sum has the same bits however the threads were scheduled.
 *
 * <p>Pass {@code p}'s gradients go straight from the finishing thread's workspace into the sum
 * when every earlier pass is already in and no other thread is adding (the usual case: passes are
 * handed out in order); else they wait in a buffer of the pass's own, and the thread that next
 * adds to the sum adds them in their turn. One thread at a time adds ({@link #summing}).
 *
 * <p>{@link #start} is called by the training thread before the pass threads start; {@link
 * #passDone} by any of them; {@link #complete} and {@link #sum} after all have finished.
 */
final class PassSum {
  /** One gradient buffer per pass. */
  private final float[][] passGradients;
  /** The batch's gradients: the passes' gradients in pass order. */
  private final float[] gradientSum;
  /** Whether pass p's gradients wait in {@code passGradients[p]} to be added to the sum. */
  private final AtomicIntegerArray passReady;
  /** Taken by the one thread adding passes to {@link #gradientSum}. */
  private final AtomicBoolean summing = new AtomicBoolean();
  /** Passes of the current step in {@link #gradientSum}, always the first ones (under summing). */
  private int summed;
  /** Passes of the current step. */
  private int passes;
  /** Test hooks into the adding of passes ({@code null}: none). */
  private Trainer.SumHooks hooks;

  /** A sum for batches of at most {@code maxPasses} passes of {@code size} gradients each. */
  PassSum(int maxPasses, int size) {
    passGradients = new float[maxPasses][size];
    gradientSum = new float[size];
    passReady = new AtomicIntegerArray(maxPasses);
  }

  /** Empties the sum for a step of {@code passes} passes. */
  void start(int passes) {
    this.passes = passes;
    for (int p = 0; p < passes; p++) {
      passReady.set(p, 0);
    }
    summed = 0;
    summing.set(false);
  }

  /** The batch's gradients (complete once {@link #complete} says so). */
  float[] sum() {
    return gradientSum;
  }

  /** Passes that reached the sum. */
  int summed() {
    return summed;
  }

  /** Whether every pass of the step reached the sum. */
  boolean complete() {
    return summed == passes;
  }

  /**
   * Adds pass {@code p}'s gradients {@code g} to the sum in pass order: straight from {@code g}
   * when every earlier pass is already in the sum, else through the pass's own buffer, which
   * whichever thread adds the pass before it then adds too. A thread that finds the sum taken
   * leaves its pass in its buffer and goes on to the next pass.
   */
  void passDone(int p, float[] g) {
    if (summing.compareAndSet(false, true)) {
      boolean next = summed == p;
      if (next) {
        addToSum(g, p);
        summed = p + 1;
      }
      summing.set(false);
      if (next) {
        sumLeftPasses(p + 1);
        return;
      }
    }
    System.arraycopy(g, 0, passGradients[p], 0, g.length);
    passReady.set(p, 1);
    sumLeftPasses(-1);
  }

  /**
   * Adds the passes waiting in their buffers that are next in order, unless another thread holds
   * {@link #summing}. {@code next} is the first pass not in the sum when this thread let go of
   * it, or -1 if it has not held it: a thread that left that pass in its buffer meanwhile found
   * the sum taken and went on, so the pass is looked at again here.
   */
  private void sumLeftPasses(int next) {
    while (next < 0 || (next < passes && passReady.get(next) == 1)) {
      if (!summing.compareAndSet(false, true)) {
        if (hooks != null) {
          hooks.leftToHolder();
        }
        return; // the holder looks again when it lets go
      }
      sumReadyPasses();
      next = summed;
      if (hooks != null) {
        hooks.holding(next);
      }
      summing.set(false);
    }
  }

  /** With {@link #summing} held: adds the buffers of the passes next in order that are ready. */
  private void sumReadyPasses() {
    while (summed < passes && passReady.get(summed) == 1) {
      addToSum(passGradients[summed], summed);
      summed++;
    }
  }

  /** Pass {@code p}'s gradients into the sum: copied for pass 0, added for the others. */
  private void addToSum(float[] g, int p) {
    float[] sum = gradientSum;
    if (p == 0) {
      System.arraycopy(g, 0, sum, 0, sum.length);
    } else {
      for (int i = 0; i < sum.length; i++) {
        sum[i] += g[i];
      }
    }
  }

  /** Sets the hooks (for tests; before the first step, from the thread that trains). */
  void setHooks(Trainer.SumHooks hooks) {
    this.hooks = hooks;
  }
}
