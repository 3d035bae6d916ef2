package dev.lamina.processor.check.rules;

import dev.lamina.dsl.AutoPad;
import dev.lamina.processor.check.LayerCheck;
import dev.lamina.processor.check.LayerRules;
import dev.lamina.processor.check.WindowRules.Window;
import dev.lamina.processor.model.ConvOp;

/** {@code @Conv}: positive filters and sizes, padding or {@code autoPad}, a kernel that fits. */
public final class ConvRules implements LayerRules {
  @Override
  public Outcome check(LayerCheck c) {
    Integer filters = c.count("filters");
    int[] k = c.sizes("kernel", false);
    int[] s = c.sizes("stride", false);
    int[] p = c.paddings();
    int[] dil = c.sizes("dilation", false);
    Boolean bias = c.layer().bool("bias").value();
    AutoPad auto = c.autoPad(false);
    if (filters == null || k == null || s == null || p == null || dil == null || bias == null
        || auto == null || c.in() == null) {
      return Outcome.UNKNOWN;
    }
    Window w = c.window("Conv", k, s, p, dil, auto, false, filters);
    if (w == null) {
      return Outcome.UNKNOWN;
    }
    int[] pad = w.pad();
    return Outcome.of(new ConvOp(filters, k[0], k[1], s[0], s[1], pad[0], pad[1], pad[2], pad[3],
        dil[0], dil[1], bias), c);
  }

  @Override
  public String unitsAttribute() {
    return "filters";
  }
}
