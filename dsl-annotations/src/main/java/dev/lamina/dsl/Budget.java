package dev.lamina.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Bounds a network must stay within, checked at compile time against the figures of its summary:
 * {@code @Network(..., budget = @Budget(parameters = 100_000, multiplyAdds = 2_000_000))}.
 *
 * <p>Each bound is optional: {@link #UNSET} (-1, the default) states none, and any other negative
 * value is an error. A network over a bound is a compile error on that bound's value, saying by
 * how much and which three layers contribute the most; a network within 10% of a bound (at least
 * 90% of it) gets the warning {@code lamina:budget}, which {@code
 * @SuppressWarnings("lamina:budget")} on the class silences.
 *
 * <p>The memory bounds count the bytes of the array elements the generated {@code Workspace} of
 * the float class ({@code Lamina_<Name>}; of {@code Lamina_<Name>_F64} when only that one is
 * generated) allocates for {@link #batch()} samples: the part that grows with the batch plus the
 * scratch that does not. JVM object headers are not counted; nor is the input gradient, which a
 * workspace allocates only when it is enabled.
 */
@Documented
@Retention(RetentionPolicy.SOURCE)
@Target({})
public @interface Budget {
  /** The value of a bound that is not stated. */
  long UNSET = -1;

  /** Most trainable parameters (the summary's total; batch-norm statistics not counted). */
  long parameters() default UNSET;

  /** Most multiply-adds of one sample's forward pass (bias terms not counted). */
  long multiplyAdds() default UNSET;

  /**
   * Most bytes of the workspace buffers a forward pass uses for {@link #batch()} samples: the
   * outputs, the pre-activations and every scratch or saved-value buffer the layers' forward
   * methods name (on either kernel path, in training or inference mode; one inference pass may
   * write fewer).
   */
  long inferenceBytes() default UNSET;

  /**
   * Most bytes of the whole workspace for {@link #batch()} samples, as a training step uses it:
   * the forward pass's buffers, the deltas, the values saved for the backward pass, the backward
   * scratch and the parameter gradients.
   */
  long trainingBytes() default UNSET;

  /** The batch the memory bounds apply to (at least 1). */
  int batch() default 1;
}
