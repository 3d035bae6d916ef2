package dev.lamina.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Global average pooling: C×H×W to C, the mean of each channel (the head of ResNet and
 * GoogLeNet). Its receptive field covers the whole input map.
 */
@Documented
@Retention(RetentionPolicy.SOURCE)
@Target(ElementType.FIELD)
public @interface GlobalAvgPool {
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
