package dev.lamina.processor.check.rules;

import dev.lamina.processor.check.LayerCheck;
import dev.lamina.processor.check.LayerRules;
import dev.lamina.processor.decl.Value;
import dev.lamina.processor.diag.Message;
import dev.lamina.processor.model.BatchNormOp;

/** {@code @BatchNorm}: a positive finite {@code eps}, a {@code momentum} in [0, 1]. */
public final class BatchNormRules implements LayerRules {
  @Override
  public Outcome check(LayerCheck c) {
    Value<Double> eps = c.layer().attr("eps");
    Value<Double> momentum = c.layer().attr("momentum");
    boolean ok = eps.known() && momentum.known();
    if (eps.known() && !(eps.value() > 0 && Double.isFinite(eps.value()))) {
      c.report(Message.BATCH_NORM_EPS, eps.site(), c.name(), eps.value());
      ok = false;
    }
    if (momentum.known() && !(momentum.value() >= 0 && momentum.value() <= 1)) {
      c.report(Message.BATCH_NORM_MOMENTUM, momentum.site(), c.name(), momentum.value());
      ok = false;
    }
    if (c.in() != null && c.in().isSequence()) {
      c.notOnSequence("BatchNorm", c.in(), "batch statistics per step are not supported; put"
          + " BatchNorm after a layer that returns the last step (returns = LAST), or leave it"
          + " out");
      return Outcome.UNKNOWN;
    }
    return new Outcome(ok ? new BatchNormOp(eps.value(), momentum.value()) : null, c.in());
  }
}
