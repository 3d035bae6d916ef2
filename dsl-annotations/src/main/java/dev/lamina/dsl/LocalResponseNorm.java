package dev.lamina.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Local response normalization across channels, as in AlexNet (Krizhevsky et al. 2012) and
 * PyTorch's {@code LocalResponseNorm}: each value is divided by a power of the sum of squares of
 * the values at the same position in {@code size} neighbouring channels,
 *
 * <pre>
 *   b[c] = a[c] / (k + alpha / size · Σ a[c']²)^beta,
 *   c' from c - floor(size / 2) to c + floor((size - 1) / 2), channels outside [0, C) left out
 * </pre>
 *
 * <p>It reads a {@code C×H×W} input, keeps its shape, has no parameters and no activation, and
 * leaves the receptive field as it is (it mixes channels, not positions). AlexNet uses {@code
 * size = 5, alpha = 1e-4, beta = 0.75, k = 2} after its first two convolutions' ReLU.
 */
@Documented
@Retention(RetentionPolicy.SOURCE)
@Target(ElementType.FIELD)
public @interface LocalResponseNorm {
  /** Neighbouring channels summed over, this one included (at least 1). */
  int size();

  /** Scale of the sum of squares, divided by {@code size} (PyTorch's default 1e-4); >= 0. */
  double alpha() default 1e-4;

  /** Exponent (PyTorch's default 0.75); a finite number > 0. */
  double beta() default 0.75;

  /** Additive constant (PyTorch's default 1.0); a finite number > 0. */
  double k() default 1.0;

  /** The layer read; see {@link Conv#from()}. */
  String[] from() default {};

  /** Receptive field this layer's units must have; unset means no requirement. */
  ReceptiveField receptiveField() default @ReceptiveField;
}
