package dev.lamina.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * One use of a {@link Block}: its layers are inserted here, named {@code <member>.<layer>}. The
 * member itself stands for the block's output, so later layers can read it by name and its
 * {@link Layer} field is the block's last layer.
 */
@Documented
@Retention(RetentionPolicy.SOURCE)
@Target(ElementType.FIELD)
public @interface Apply {
  /** The class annotated with {@link Block}. */
  Class<?> block();

  /** Values of the block's placeholders {@link Block#ARG0}, {@link Block#ARG1}, ... */
  int[] args() default {};

  /** The layer the block reads; see {@link Conv#from()}. */
  String[] from() default {};
}
