package dev.lamina.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Concatenation of two or more layers along the channels (Inception): C1×H×W and C2×H×W give
 * (C1+C2)×H×W, in the order of {@link #from()}. Flat inputs are concatenated along their single
 * axis. Spatial sizes and jumps must match. Backward: each input receives its slice of the
 * gradient. The receptive field is the largest of the inputs'.
 */
@Documented
@Retention(RetentionPolicy.SOURCE)
@Target(ElementType.FIELD)
public @interface Concat {
  /** The layers to concatenate (at least two), in order, by member name. */
  String[] from();

  /** Activation applied to the output. */
  Activation activation() default Activation.IDENTITY;

  /** Slope for negative inputs when {@link #activation()} is {@link Activation#LEAKY_RELU}. */
  double negativeSlope() default 0.01;

  /** {@code α} of {@link Activation#ELU}: {@code α·(e^x - 1)} for x &lt; 0. */
  double alpha() default 1.0;

  /** Receptive field this layer's units must have; unset means no requirement. */
  ReceptiveField receptiveField() default @ReceptiveField;
}
