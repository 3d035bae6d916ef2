package dev.lamina.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Inverted dropout: in training each value is kept with probability {@code 1 - p} and scaled by
 * {@code 1/(1 - p)}, or set to 0; in inference it is the identity. The backward pass uses the same
 * mask.
 *
 * <p>Masks come from a generator per workspace, combined with {@link #seed()} and the layer's
 * name, so a given seed and sequence of training passes give the same masks on every run. Every
 * workspace starts from the same state; {@code FloatWorkspace.reseed} restarts it. The data-parallel
 * trainer reseeds from its own seed: each thread's stream when it cuts a batch into one chunk per
 * thread, each pass's when it hands passes out. The same seed, thread count and pass size give the
 * same masks; another cut of the batch gives other masks.
 */
@Documented
@Retention(RetentionPolicy.SOURCE)
@Target(ElementType.FIELD)
public @interface Dropout {
  /** Probability of dropping each value, in [0, 1). */
  double p() default 0.5;

  /** Seed of the masks (combined with the layer's name). */
  long seed() default 0;

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
