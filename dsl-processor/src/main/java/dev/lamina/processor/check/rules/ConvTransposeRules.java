package dev.lamina.processor.check.rules;

import dev.lamina.processor.check.Formats;
import dev.lamina.processor.check.LayerCheck;
import dev.lamina.processor.check.LayerRules;
import dev.lamina.processor.decl.Value;
import dev.lamina.processor.diag.Message;
import dev.lamina.processor.model.ConvTransposeOp;
import dev.lamina.processor.model.Geometry;
import dev.lamina.processor.model.Shape;
import java.util.List;

/**
 * {@code @ConvTranspose}: positive filters and sizes, padding the same on both sides (one or two
 * values) and at most {@code dilation·(kernel - 1)}, an output padding smaller than the stride or
 * the dilation on each axis, an image input, and an output of at least one row and column that
 * fits an array.
 */
public final class ConvTransposeRules implements LayerRules {
  @Override
  public Outcome check(LayerCheck c) {
    Integer filters = c.count("filters");
    int[] k = c.sizes("kernel", false);
    int[] s = c.sizes("stride", false);
    int[] dil = c.sizes("dilation", false);
    int[] p = symmetric(c, "padding");
    int[] op = symmetric(c, "outputPadding");
    Boolean bias = c.layer().bool("bias").value();
    if (filters == null || k == null || s == null || dil == null || p == null || op == null
        || bias == null) {
      return Outcome.UNKNOWN;
    }
    boolean ok = true;
    for (int a = 0; a < 2; a++) {
      if (p[a] > dil[a] * (k[a] - 1)) {
        c.report(Message.ATTRIBUTE_RANGE, c.layer().ints("padding").site(), c.name(), "padding",
            Formats.value(c.layer().ints("padding").value()), "at most dilation·(kernel - 1) = "
                + Formats.pair(dil[0] * (k[0] - 1), dil[1] * (k[1] - 1))
                + ", the rows and columns a transposed convolution adds beyond its stride");
        ok = false;
        break;
      }
    }
    for (int a = 0; a < 2; a++) {
      if (op[a] >= Math.max(s[a], dil[a])) {
        c.report(Message.ATTRIBUTE_RANGE, c.layer().ints("outputPadding").site(), c.name(),
            "outputPadding", Formats.value(c.layer().ints("outputPadding").value()),
            "smaller than the stride or the dilation on each axis (here below "
                + Formats.pair(Math.max(s[0], dil[0]), Math.max(s[1], dil[1]))
                + "), as in PyTorch: it only picks between the output sizes a stride allows");
        ok = false;
        break;
      }
    }
    Shape in = c.in();
    if (!ok || in == null) {
      return Outcome.UNKNOWN;
    }
    if (!in.isImage()) {
      c.needsImage("ConvTranspose", in);
      return Outcome.UNKNOWN;
    }
    ConvTransposeOp o = new ConvTransposeOp(filters, k[0], k[1], s[0], s[1], p[0], p[1], op[0],
        op[1], dil[0], dil[1], bias);
    long oh = ConvTransposeOp.outputSize(in.height(), k[0], s[0], p[0], op[0], dil[0]);
    long ow = ConvTransposeOp.outputSize(in.width(), k[1], s[1], p[1], op[1], dil[1]);
    if (oh < 1 || ow < 1) {
      c.report(Message.ATTRIBUTE_RANGE, c.layer().ints("padding").site(), c.name(), "padding",
          Formats.value(c.layer().ints("padding").value()), "small enough to leave an output for"
              + " input " + in + ": (in - 1)·stride - 2·padding + dilation·(kernel - 1)"
              + " + outputPadding + 1 gives " + oh + "x" + ow);
      return Outcome.UNKNOWN;
    }
    long size = Geometry.mul(Geometry.mul(oh, ow), filters);
    if (oh > Integer.MAX_VALUE || ow > Integer.MAX_VALUE || size > LayerCheck.MAX_ARRAY) {
      c.report(Message.ACTIVATION_TOO_LARGE, c.layer().site(), c.name(),
          filters + "x" + oh + "x" + ow, size, LayerCheck.MAX_ARRAY);
      return Outcome.UNKNOWN;
    }
    return Outcome.of(o, c);
  }

  /** {@code {p}} or {@code {ph, pw}} of non-negative values as {ph, pw}; null after an error. */
  private static int[] symmetric(LayerCheck c, String attr) {
    Value<List<Integer>> v = c.layer().ints(attr);
    List<Integer> l = v.value();
    if (l == null) {
      return null;
    }
    if (l.isEmpty() || l.size() > 2 || l.stream().anyMatch(x -> x < 0)) {
      c.report(Message.ATTRIBUTE_RANGE, v.site(), c.name(), attr, Formats.list(l),
          "{p} or {ph, pw} of values >= 0 (a transposed convolution treats both sides alike)");
      return null;
    }
    return new int[] {l.get(0), l.get(l.size() - 1)};
  }

  @Override
  public String unitsAttribute() {
    return "filters";
  }
}
