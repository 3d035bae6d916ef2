package dev.lamina.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Batch normalization with a learned scale γ ({@code weight}, initialized to 1) and shift β
 * ({@code bias}, initialized to 0): per channel over N, H and W for C×H×W inputs, per feature for
 * flat inputs, as PyTorch's {@code BatchNorm2d}/{@code BatchNorm1d}.
 *
 * <ul>
 *   <li>Training ({@code forward(..., training = true)}): normalizes with the batch mean and the
 *       biased batch variance, {@code y = γ·(x - mean)/sqrt(var + eps) + β}, and updates the
 *       running statistics {@code r = (1 - momentum)·r + momentum·s} with the batch mean and the
 *       <em>unbiased</em> batch variance.
 *   <li>Inference: normalizes with the running statistics; backward then treats them as
 *       constants.
 * </ul>
 *
 * <p>The running mean (initially 0) and variance (initially 1) are stored in the flat parameter
 * array as tensors {@code running_mean} and {@code running_var} of role {@code STATISTIC}, so that
 * checkpoints carry them; their gradient is always 0, optimizers leave them unchanged, and the
 * summary's parameter counts leave them out (they are not trained).
 *
 * <p>With a data-parallel trainer each thread normalizes its own chunk of the batch with that
 * chunk's statistics (as PyTorch's {@code DataParallel} without synchronized batch norm), so the
 * outputs and gradients depend on the number of threads. The running statistics do not, up to
 * float rounding: the threads only record their chunk's statistics, and after the batch the trainer
 * combines them, in a fixed order, into the mean and variance of the whole batch and applies one
 * momentum update per batch. The same seed and thread count give bit-identical running statistics.
 * A workspace used on its own updates them in each training pass, unless it is switched to deferred
 * statistics ({@code FloatWorkspace.setDeferredStatistics}).
 */
@Documented
@Retention(RetentionPolicy.SOURCE)
@Target(ElementType.FIELD)
public @interface BatchNorm {
  /** Added to the variance before the square root (PyTorch's default 1e-5). */
  double eps() default 1e-5;

  /** Weight of the newest batch in the running statistics (PyTorch's default 0.1). */
  double momentum() default 0.1;

  /** The layer read; see {@link Conv#from()}. */
  String[] from() default {};

  /** Activation applied to the output. */
  Activation activation() default Activation.IDENTITY;

  /** Slope for negative inputs when {@link #activation()} is {@link Activation#LEAKY_RELU}. */
  double negativeSlope() default 0.01;

  /** {@code α} of {@link Activation#ELU}: {@code α·(e^x - 1)} for x &lt; 0. */
  double alpha() default 1.0;

  /** Receptive field this layer's units must have; unset means no requirement. */
  ReceptiveField receptiveField() default @ReceptiveField;
}
