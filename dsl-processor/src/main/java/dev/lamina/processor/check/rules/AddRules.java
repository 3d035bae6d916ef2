package dev.lamina.processor.check.rules;

import dev.lamina.processor.check.Formats;
import dev.lamina.processor.check.LayerCheck;
import dev.lamina.processor.check.LayerRules;
import dev.lamina.processor.diag.Message;
import dev.lamina.processor.model.AddOp;
import dev.lamina.processor.model.ModelBuilder;
import dev.lamina.processor.model.Shape;
import java.util.List;

/** {@code @Add}: inputs of one shape, or the projection that would make them so. */
public final class AddRules implements LayerRules {
  @Override
  public Outcome check(LayerCheck c) {
    AddOp op = new AddOp();
    List<Shape> ins = c.ins();
    if (ins == null || ins.contains(null)) {
      return new Outcome(op, null);
    }
    Shape a = ins.get(0);
    for (int k = 1; k < ins.size(); k++) {
      Shape b = ins.get(k);
      if (!b.equals(a)) {
        String bn = c.from().get(k);
        c.report(Message.ADD_SHAPE_MISMATCH, c.fromSite(), c.name(), c.from().get(0), a, bn, b,
            projection(a, b, bn));
        return new Outcome(op, null);
      }
    }
    return Outcome.of(op, c);
  }

  @Override
  public boolean merges() {
    return true;
  }

  /** How to make {@code b} (read as {@code bn}) fit {@code a} in an Add. */
  private static String projection(Shape a, Shape b, String bn) {
    String member = (bn.equals(ModelBuilder.INPUT) ? "input" : bn.replace('.', '_')) + "Proj";
    if (a.isImage() && b.isImage()) {
      int sh = a.height() == 0 ? 1 : b.height() / a.height();
      int sw = a.width() == 0 ? 1 : b.width() / a.width();
      boolean fits = sh >= 1 && sw >= 1 && (b.height() + sh - 1) / sh == a.height()
          && (b.width() + sw - 1) / sw == a.width();
      if (fits) {
        return "project " + bn + " with a 1x1 convolution, @Conv(filters = " + a.channels()
            + ", kernel = 1" + (sh == 1 && sw == 1 ? "" : ", stride = " + Formats.pair(sh, sw))
            + ", from = \"" + bn + "\") Layer " + member + ";, and add " + member
            + " instead";
      }
      return "change the strides or padding of one path so that both give " + a.height() + "x"
          + a.width() + ", then project channels with a 1x1 convolution if needed";
    }
    if (!a.isImage() && !b.isImage()) {
      return "project " + bn + " with @Affine(units = " + a.size() + ", from = \"" + bn
          + "\") Layer " + member + ";, and add " + member + " instead";
    }
    return "add image outputs to image outputs and flat outputs to flat outputs";
  }
}
