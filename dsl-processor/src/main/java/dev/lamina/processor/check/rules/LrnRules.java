package dev.lamina.processor.check.rules;

import dev.lamina.processor.check.LayerCheck;
import dev.lamina.processor.check.LayerRules;
import dev.lamina.processor.model.LrnOp;

/**
 * {@code @LocalResponseNorm}: a positive {@code size}, {@code alpha >= 0}, {@code beta > 0} and
 * {@code k > 0}, all finite (so the base {@code k + alpha/size · Σ a²} is positive), and an image
 * input, whose channels it normalizes across.
 */
public final class LrnRules implements LayerRules {
  @Override
  public Outcome check(LayerCheck c) {
    Integer size = c.count("size");
    Double alpha = c.number("alpha", v -> v >= 0 && Double.isFinite(v),
        "a finite number >= 0 (AlexNet's is 1e-4)");
    Double beta = c.number("beta", v -> v > 0 && Double.isFinite(v),
        "a finite number > 0 (AlexNet's is 0.75)");
    Double k = c.number("k", v -> v > 0 && Double.isFinite(v),
        "a finite number > 0, so that the base of the power stays positive (AlexNet's is 2)");
    if (size == null || alpha == null || beta == null || k == null || c.in() == null) {
      return Outcome.UNKNOWN;
    }
    if (!c.in().isImage()) {
      c.needsImage("LocalResponseNorm", c.in());
      return Outcome.UNKNOWN;
    }
    return Outcome.of(new LrnOp(size, alpha, beta, k), c);
  }
}
