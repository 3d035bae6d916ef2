package dev.lamina.processor.check.rules;

import dev.lamina.processor.check.LayerCheck;
import dev.lamina.processor.check.LayerRules;
import dev.lamina.processor.model.GlobalAvgPoolOp;

/** {@code @GlobalAvgPool}: an image input. */
public final class GlobalAvgPoolRules implements LayerRules {
  @Override
  public Outcome check(LayerCheck c) {
    GlobalAvgPoolOp op = new GlobalAvgPoolOp();
    if (c.in() == null) {
      return new Outcome(op, null);
    }
    if (!c.in().isImage()) {
      c.needsImage("GlobalAvgPool", c.in());
      return new Outcome(op, null);
    }
    return Outcome.of(op, c);
  }
}
