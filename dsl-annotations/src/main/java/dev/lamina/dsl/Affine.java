package dev.lamina.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A fully connected layer {@code Y = X·W + b}. An image-shaped input (C×H×W) is flattened in C, H,
 * W order first. W is stored {@code [in][out]}.
 */
@Documented
@Retention(RetentionPolicy.SOURCE)
@Target(ElementType.FIELD)
public @interface Affine {
  /** Number of output units. */
  int units();

  /** Whether the layer has a bias per unit. */
  boolean bias() default true;

  /** Activation applied to the output. */
  Activation activation() default Activation.IDENTITY;

  /** Slope for negative inputs when {@link #activation()} is {@link Activation#LEAKY_RELU}. */
  double negativeSlope() default 0.01;

  /** Loss on this layer's output (only on the last layer); see {@link Network#loss()}. */
  Loss loss() default Loss.NONE;

  /** Receptive field this layer's units must have; unset means no requirement. */
  ReceptiveField receptiveField() default @ReceptiveField;
}
