package dev.lamina.processor.check.rules;

import dev.lamina.processor.check.LayerCheck;
import dev.lamina.processor.check.LayerRules;
import dev.lamina.processor.diag.Message;
import dev.lamina.processor.model.AffineOp;
import dev.lamina.processor.model.Shape;

/**
 * {@code @Affine}: positive units that fit an array. On a flat or image input its output does not
 * depend on the input, so the shapes after it are known again after a layer whose output could
 * not be computed; on a sequence {@code {T, D}} it applies at every step, giving {@code {T,
 * units}}.
 */
public final class AffineRules implements LayerRules {
  @Override
  public Outcome check(LayerCheck c) {
    Integer units = c.count("units");
    Boolean bias = c.layer().bool("bias").value();
    if (units == null || bias == null) {
      return Outcome.UNKNOWN;
    }
    AffineOp op = new AffineOp(units, bias);
    Shape out = c.in() != null && c.in().isSequence()
        ? Shape.sequence(c.in().steps(), units) : Shape.flat(units);
    if (out.size() > LayerCheck.MAX_ARRAY) {
      c.report(Message.ACTIVATION_TOO_LARGE, c.layer().integer("units").site(), c.name(), out,
          out.size(), LayerCheck.MAX_ARRAY);
      return new Outcome(op, null);
    }
    return new Outcome(op, out);
  }

  @Override
  public String unitsAttribute() {
    return "units";
  }
}
