package dev.lamina.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A receptive-field requirement, checked at compile time against the computed value. Sizes are
 * {@code {n}} for both axes or {@code {h, w}}. An empty annotation states no requirement.
 */
@Documented
@Retention(RetentionPolicy.SOURCE)
@Target({})
public @interface ReceptiveField {
  /** The receptive field must be at least this large. */
  int[] atLeast() default {};

  /** The receptive field must be exactly this large. */
  int[] exactly() default {};

  /** The receptive field must cover the whole (unpadded) input on both axes. */
  boolean coversInput() default false;
}
