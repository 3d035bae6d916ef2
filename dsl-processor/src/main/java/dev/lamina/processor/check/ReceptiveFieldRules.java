package dev.lamina.processor.check;

import dev.lamina.processor.decl.ReceptiveFieldDecl;
import dev.lamina.processor.decl.Value;
import dev.lamina.processor.diag.Message;
import dev.lamina.processor.model.NetworkModel;
import dev.lamina.processor.model.Node;
import dev.lamina.processor.model.Shape;
import dev.lamina.runtime.LayerSummary;
import java.util.List;

/**
 * The rules of {@code receptiveField} requirements: their syntax while the layers are checked,
 * then each against the receptive field the model computed ({@code atLeast}, {@code exactly},
 * {@code coversInput}), with how to grow or shrink it.
 */
final class ReceptiveFieldRules {
  private final Scope scope;

  ReceptiveFieldRules(Scope scope) {
    this.scope = scope;
  }

  boolean checkSyntax(ReceptiveFieldDecl rf, String owner) {
    boolean ok = requirementSyntax(rf.atLeast(), "atLeast", owner);
    ok &= requirementSyntax(rf.exactly(), "exactly", owner);
    return ok;
  }

  private boolean requirementSyntax(Value<List<Integer>> v, String attr, String owner) {
    List<Integer> l = v.value();
    if (l == null || l.isEmpty()) {
      return true;
    }
    if (l.size() > 2) {
      scope.d.add(Message.RF_ARITY, v.site(), owner, attr, Formats.list(l), l.size());
      return false;
    }
    for (int x : l) {
      if (x < 1) {
        scope.d.add(Message.RF_NON_POSITIVE, v.site(), owner, attr, Formats.value(l));
        return false;
      }
    }
    return true;
  }

  /** Every requirement against the model's figures; {@code planned} are the nodes' layers. */
  void check(NetworkModel model, List<Item> planned) {
    List<Node> nodes = model.nodes();
    Shape input = model.input();
    for (int i = 0; i < nodes.size(); i++) {
      checkRequirement(planned.get(i).decl().receptiveField(), nodes.get(i).summary(), input);
    }
    checkRequirement(scope.net.receptiveField(), nodes.get(nodes.size() - 1).summary(), input);
  }

  private void checkRequirement(ReceptiveFieldDecl req, LayerSummary s, Shape input) {
    if (!req.present()) {
      return;
    }
    int[] rf = s.receptiveField();
    int[] jump = s.jump();
    String actual = rf[0] + "x" + rf[1];
    String grow = "to grow it, add a layer (one more 3x3 conv after " + s.name() + " adds "
        + Formats.pair(2 * jump[0], 2 * jump[1]) + "), use a larger kernel (each extra row adds "
        + Formats.pair(jump[0], jump[1]) + "), or put a stride or pooling earlier";
    String shrink = "to shrink it, use smaller kernels, smaller strides or fewer layers";
    List<Integer> atLeast = req.atLeast().value();
    if (atLeast != null && !atLeast.isEmpty()) {
      int[] want = {atLeast.get(0), atLeast.get(atLeast.size() - 1)};
      if (rf[0] < want[0] || rf[1] < want[1]) {
        scope.d.add(Message.RF_TOO_SMALL, req.atLeast().site(), s.name(), actual,
            Formats.value(atLeast),
            want[0] + "x" + want[1], Formats.compare(rf, want), grow);
      }
    }
    List<Integer> exactly = req.exactly().value();
    if (exactly != null && !exactly.isEmpty()) {
      int[] want = {exactly.get(0), exactly.get(exactly.size() - 1)};
      if (rf[0] != want[0] || rf[1] != want[1]) {
        boolean small = rf[0] < want[0] || rf[1] < want[1];
        scope.d.add(Message.RF_NOT_EXACT, req.exactly().site(), s.name(), actual,
            Formats.value(exactly),
            want[0] + "x" + want[1], Formats.compare(rf, want), small ? grow : shrink);
      }
    }
    if (Boolean.TRUE.equals(req.coversInput().value())) {
      int[] extent = input.isImage()
          ? new int[] {input.height(), input.width()}
          : new int[] {1, (int) input.size()};
      if (rf[0] < extent[0] || rf[1] < extent[1]) {
        scope.d.add(Message.RF_NOT_COVERING, req.coversInput().site(), s.name(), actual,
            extent[0] + "x" + extent[1], Formats.compare(rf, extent), grow);
      }
    }
  }
}
