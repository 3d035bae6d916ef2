package dev.lamina.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Element-wise sum of two or more layers: the residual connection {@code y = F(x) + x}.
 *
 * <pre>{@code
 * @Conv(filters = 64, kernel = 3, padding = 1, activation = RELU) Layer c1;
 * @Conv(filters = 64, kernel = 3, padding = 1) Layer c2;
 * @Add(from = {"c2", "input"}, activation = RELU) Layer sum;
 * }</pre>
 *
 * <p>Every input must have the same shape (else a compile-time error names both shapes and
 * suggests a 1×1 projection) and the same jump (effective stride), so that the units being added
 * look at the same place. Backward: the gradient flows unchanged to every input. The receptive
 * field is the largest of the inputs'.
 */
@Documented
@Retention(RetentionPolicy.SOURCE)
@Target(ElementType.FIELD)
public @interface Add {
  /** The layers to add (at least two), by member name; see {@link Conv#from()}. */
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
