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

  /** {@code α} of {@link Activation#ELU}: {@code α·(e^x - 1)} for x &lt; 0. */
  double alpha() default 1.0;

  /** Loss on this layer's output (only on the last layer); see {@link Network#loss()}. */
  Loss loss() default Loss.NONE;

  /** Receptive field this layer's units must have; unset means no requirement. */
  ReceptiveField receptiveField() default @ReceptiveField;

  /**
   * The layers this layer reads, by member name; {@link Network#INPUT} ({@code "input"}) is the
   * network's input (inside a {@link Block}, the block's input). Empty (the default) means the
   * member declared just before this one (the input for the first member). References must point
   * backwards: a layer may only read members declared above it, so the source order is an
   * execution order and no cycle can be written.
   */
  String[] from() default {};
}
