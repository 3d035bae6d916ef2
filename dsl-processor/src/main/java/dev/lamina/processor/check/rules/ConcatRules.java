package dev.lamina.processor.check.rules;

import dev.lamina.processor.check.LayerCheck;
import dev.lamina.processor.check.LayerRules;
import dev.lamina.processor.diag.Message;
import dev.lamina.processor.model.ConcatOp;
import dev.lamina.processor.model.Geometry;
import dev.lamina.processor.model.Shape;
import java.util.List;

/** {@code @Concat}: images of one height and width, or flat inputs, whose sum fits an array. */
public final class ConcatRules implements LayerRules {
  @Override
  public Outcome check(LayerCheck c) {
    ConcatOp op = new ConcatOp();
    List<Shape> ins = c.ins();
    if (ins == null || ins.contains(null)) {
      return new Outcome(op, null);
    }
    Shape a = ins.get(0);
    if (ins.stream().anyMatch(Shape::isSequence)) {
      c.notOnSequence("Concat", ins.stream().filter(Shape::isSequence).findFirst().get(),
          "for both directions of a sequence side by side, use @Recurrent(bidirectional = true);"
              + " otherwise concatenate the last steps (returns = LAST)");
      return new Outcome(op, null);
    }
    long channels = 0;
    for (int k = 0; k < ins.size(); k++) {
      Shape b = ins.get(k);
      if (a.rank() != b.rank()
          || (a.isImage() && (a.height() != b.height() || a.width() != b.width()))) {
        c.report(Message.CONCAT_SHAPE_MISMATCH, c.fromSite(), c.name(), c.from().get(0), a,
            c.from().get(k), b, a.isImage() && b.isImage()
                ? "give every branch the same strides and padding (e.g. padding = kernel/2"
                    + " with stride 1, and the same pooling)"
                : "concatenate only image outputs or only flat outputs");
        return new Outcome(op, null);
      }
      channels += b.isImage() ? b.channels() : b.size();
    }
    Shape out = op.output(ins);
    if (channels > LayerCheck.MAX_ARRAY || out.size() > LayerCheck.MAX_ARRAY) {
      c.report(Message.ACTIVATION_TOO_LARGE, c.layer().site(), c.name(), out,
          Geometry.mul(channels, a.isImage() ? (long) a.height() * a.width() : 1),
          LayerCheck.MAX_ARRAY);
      return new Outcome(op, null);
    }
    return new Outcome(op, out);
  }

  @Override
  public boolean merges() {
    return true;
  }
}
