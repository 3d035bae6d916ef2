package dev.lamina.processor.check.rules;

import dev.lamina.dsl.AutoPad;
import dev.lamina.dsl.PoolKind;
import dev.lamina.processor.check.LayerCheck;
import dev.lamina.processor.check.LayerRules;
import dev.lamina.processor.check.WindowRules.Window;
import dev.lamina.processor.model.PoolOp;

/**
 * {@code @Pool}: positive sizes, the stride the size unless given, padding or {@code autoPad}
 * (not with {@code ceilMode}), a window that fits and reads some input.
 */
public final class PoolRules implements LayerRules {
  @Override
  public Outcome check(LayerCheck c) {
    PoolKind kind = c.layer().<PoolKind>attr("kind").value();
    int[] k = c.sizes("size", false);
    int[] s = c.sizes("stride", true);
    int[] p = c.paddings();
    int[] dil = c.sizes("dilation", false);
    Boolean countPadding = c.layer().bool("countPadding").value();
    Boolean ceil = c.layer().bool("ceilMode").value();
    AutoPad auto = c.autoPad(true);
    if (s != null && s.length == 0) {
      s = k;
    }
    if (kind == null || k == null || s == null || p == null || dil == null
        || countPadding == null || ceil == null || auto == null || c.in() == null) {
      return Outcome.UNKNOWN;
    }
    Window w = c.window("Pool", k, s, p, dil, auto, ceil, 0);
    if (w == null) {
      return Outcome.UNKNOWN;
    }
    int[] pad = w.pad();
    return Outcome.of(new PoolOp(kind, k[0], k[1], s[0], s[1], pad[0], pad[1], pad[2], pad[3],
        dil[0], dil[1], ceil, countPadding), c);
  }
}
