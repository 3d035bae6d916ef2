package dev.lamina.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Reads its input's values, in order, as an image of {@code shape = {C, H, W}}: the inverse of the
 * flattening an {@link Affine} layer does, so a generator can start with an Affine layer on a
 * noise vector and go on with convolutions. The input must hold exactly {@code C·H·W} values. No
 * parameters and no activation.
 */
@Documented
@Retention(RetentionPolicy.SOURCE)
@Target(ElementType.FIELD)
public @interface Reshape {
  /** The output's {@code {C, H, W}}. */
  int[] shape();

  /** The layer read; see {@link Conv#from()}. */
  String[] from() default {};

  /** Receptive field this layer's units must have; unset means no requirement. */
  ReceptiveField receptiveField() default @ReceptiveField;
}
