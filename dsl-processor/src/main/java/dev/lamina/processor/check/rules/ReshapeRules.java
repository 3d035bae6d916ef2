package dev.lamina.processor.check.rules;

import dev.lamina.processor.check.Formats;
import dev.lamina.processor.check.LayerCheck;
import dev.lamina.processor.check.LayerRules;
import dev.lamina.processor.decl.Value;
import dev.lamina.processor.diag.Message;
import dev.lamina.processor.model.Geometry;
import dev.lamina.processor.model.ReshapeOp;
import java.util.List;

/**
 * {@code @Reshape}: a shape of three positive values that holds exactly as many values as the
 * input, or a fix that makes them agree.
 */
public final class ReshapeRules implements LayerRules {
  @Override
  public Outcome check(LayerCheck c) {
    Value<List<Integer>> v = c.layer().ints("shape");
    List<Integer> shape = v.value();
    if (shape == null) {
      return Outcome.UNKNOWN;
    }
    if (shape.size() != 3 || shape.stream().anyMatch(x -> x < 1)) {
      c.report(Message.ATTRIBUTE_RANGE, v.site(), c.name(), "shape", Formats.list(shape),
          "{C, H, W} of three values >= 1");
      return Outcome.UNKNOWN;
    }
    long size = Geometry.mul(Geometry.mul(shape.get(0), shape.get(1)), shape.get(2));
    if (c.in() == null) {
      return Outcome.UNKNOWN;
    }
    long in = c.in().size();
    if (size != in) {
      c.report(Message.RESHAPE_SIZE, v.site(), c.name(), Formats.list(shape), size,
          c.from().get(0), c.in(), in, in % ((long) shape.get(1) * shape.get(2)) == 0
              ? "shape = {" + in / ((long) shape.get(1) * shape.get(2)) + ", " + shape.get(1)
                  + ", " + shape.get(2) + "}"
              : "shape = {" + in + ", 1, 1}");
      return Outcome.UNKNOWN;
    }
    return Outcome.of(new ReshapeOp(shape.get(0), shape.get(1), shape.get(2)), c);
  }
}
