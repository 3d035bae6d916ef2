package dev.lamina.processor.check.rules;

import dev.lamina.dsl.AutoPad;
import dev.lamina.processor.check.LayerCheck;
import dev.lamina.processor.check.LayerRules;
import dev.lamina.processor.check.WindowRules.Window;
import dev.lamina.processor.diag.Message;
import dev.lamina.processor.model.ConvOp;

/**
 * {@code @Conv}: positive filters, groups and sizes, groups that divide the input channels and
 * the filters, padding or {@code autoPad}, a kernel that fits.
 */
public final class ConvRules implements LayerRules {
  @Override
  public Outcome check(LayerCheck c) {
    Integer filters = c.count("filters");
    Integer groups = c.count("groups");
    int[] k = c.sizes("kernel", false);
    int[] s = c.sizes("stride", false);
    int[] p = c.paddings();
    int[] dil = c.sizes("dilation", false);
    Boolean bias = c.layer().bool("bias").value();
    AutoPad auto = c.autoPad(false);
    if (filters == null || groups == null || k == null || s == null || p == null || dil == null
        || bias == null || auto == null || c.in() == null) {
      return Outcome.UNKNOWN;
    }
    if (c.in().isImage() && (c.in().channels() % groups != 0 || filters % groups != 0)) {
      c.report(Message.ATTRIBUTE_RANGE, c.layer().integer("groups").site(), c.name(), "groups",
          groups, "a divisor of both the " + c.in().channels() + " input channels and the "
              + filters + " filters (" + commonDivisors(c.in().channels(), filters) + ")");
      return Outcome.UNKNOWN;
    }
    Window w = c.window("Conv", k, s, p, dil, auto, false, filters);
    if (w == null) {
      return Outcome.UNKNOWN;
    }
    int[] pad = w.pad();
    return Outcome.of(new ConvOp(filters, k[0], k[1], s[0], s[1], pad[0], pad[1], pad[2], pad[3],
        dil[0], dil[1], bias, groups), c);
  }

  /** {@code 1, 2, 4 or 8}: the numbers that divide both. */
  private static String commonDivisors(int a, int b) {
    java.util.List<String> ds = new java.util.ArrayList<>();
    for (int d = 1; d <= Math.min(a, b); d++) {
      if (a % d == 0 && b % d == 0) {
        ds.add(Integer.toString(d));
      }
    }
    return ds.size() == 1 ? ds.get(0)
        : String.join(", ", ds.subList(0, ds.size() - 1)) + " or " + ds.get(ds.size() - 1);
  }

  @Override
  public String unitsAttribute() {
    return "filters";
  }
}
