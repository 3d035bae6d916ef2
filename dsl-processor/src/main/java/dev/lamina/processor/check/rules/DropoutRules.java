package dev.lamina.processor.check.rules;

import dev.lamina.processor.check.LayerCheck;
import dev.lamina.processor.check.LayerRules;
import dev.lamina.processor.decl.Value;
import dev.lamina.processor.diag.Message;
import dev.lamina.processor.model.DropoutOp;

/** {@code @Dropout}: a drop probability in [0, 1). */
public final class DropoutRules implements LayerRules {
  @Override
  public Outcome check(LayerCheck c) {
    Value<Double> p = c.layer().attr("p");
    Object seed = c.layer().attr("seed").value();
    boolean ok = p.known() && seed instanceof Long;
    if (p.known() && !(p.value() >= 0 && p.value() < 1)) {
      c.report(Message.DROPOUT_P_RANGE, p.site(), c.name(), p.value());
      ok = false;
    }
    return new Outcome(ok ? new DropoutOp(p.value(), (Long) seed) : null, c.in());
  }
}
