package dev.lamina.processor.check;

import dev.lamina.processor.decl.BudgetDecl;
import dev.lamina.processor.decl.Value;
import dev.lamina.processor.diag.Message;
import dev.lamina.processor.model.MemoryPlan;
import dev.lamina.processor.model.NetworkModel;
import dev.lamina.processor.model.Node;
import dev.lamina.runtime.LayerMemory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.ToLongFunction;

/**
 * The rules of {@code @Network(budget = @Budget(...))}: each bound's syntax while the class is
 * checked, then each stated bound against the model's figures (parameters and multiply-adds from
 * the layers' summaries, memory from the workspace layout of the primary precision's class). Over
 * a bound is an error on its value; at 90% of it or more, the warning {@code lamina:budget}. Both
 * name the three layers that contribute the most, with their share.
 */
final class BudgetRules {
  /** A bound reports a warning from this fraction of it on. */
  static final double NEAR = 0.9;

  /** Layers a message names. */
  static final int CONTRIBUTORS = 3;

  /**
   * Where the figures stop growing: far beyond any bound, and a sum of layers' figures cannot
   * overflow (a huge {@code batch} times a layer's bytes per sample could).
   */
  static final long SATURATED = Long.MAX_VALUE / 1024;

  private final Scope scope;

  BudgetRules(Scope scope) {
    this.scope = scope;
  }

  /** Negative bounds other than {@code UNSET}, and a batch below 1; false when any is reported. */
  boolean checkSyntax() {
    BudgetDecl b = scope.net.budget();
    boolean ok = boundSyntax(b.parameters(), "parameters");
    ok &= boundSyntax(b.multiplyAdds(), "multiplyAdds");
    ok &= boundSyntax(b.inferenceBytes(), "inferenceBytes");
    ok &= boundSyntax(b.trainingBytes(), "trainingBytes");
    Value<Integer> batch = b.batch();
    if (batch.known() && batch.value() < 1) {
      scope.d.add(Message.BUDGET_BATCH, batch.site(), scope.cls, batch.value());
      ok = false;
    }
    return ok;
  }

  private boolean boundSyntax(Value<Long> bound, String name) {
    if (bound.known() && bound.value() < 0 && bound.value() != BudgetDecl.UNSET) {
      scope.d.add(Message.BUDGET_NEGATIVE, bound.site(), scope.cls, name, bound.value());
      return false;
    }
    return true;
  }

  /**
   * Every stated bound against the model; the memory bounds need {@code plan} (null: the checker
   * runs without the generator's layouts, and they are not checked).
   */
  void check(NetworkModel model, MemoryPlan plan) {
    BudgetDecl b = scope.net.budget();
    List<Node> nodes = model.nodes();
    List<String> names = nodes.stream().map(Node::name).toList();
    check(b.parameters(), "parameters", "the network has %,d trainable parameters",
        names, perLayer(nodes, n -> n.summary().parameters()),
        "use fewer units or filters in them (or pool before an Affine layer), or raise the bound");
    check(b.multiplyAdds(), "multiplyAdds", "a forward pass of one sample takes %,d"
            + " multiply-adds", names, perLayer(nodes, n -> n.summary().multiplyAdds()),
        "use fewer filters or units in them, or a stride or pooling before them, or raise the"
            + " bound");
    if (plan == null || !b.batch().known() || b.batch().value() < 1) {
      return;
    }
    int batch = b.batch().value();
    String samples = batch + (batch == 1 ? " sample" : " samples");
    String precision = plan.precision().name().toLowerCase(Locale.ROOT);
    List<LayerMemory> memory = plan.layers();
    check(b.inferenceBytes(), "inferenceBytes", "a forward pass over " + samples + " uses %,d bytes"
            + " of " + precision + " workspace buffers", names,
        memory.stream().mapToLong(m -> bytes(m.inferenceFixedBytes(),
            m.inferenceBytesPerSample(), batch)).toArray(),
        "use fewer filters or units in them, or a stride or pooling before them, or raise the"
            + " bound");
    check(b.trainingBytes(), "trainingBytes", "a " + precision + " workspace for " + samples
            + " allocates %,d bytes", names,
        memory.stream().mapToLong(m -> bytes(m.trainingFixedBytes(),
            m.trainingBytesPerSample(), batch)).toArray(),
        "use fewer filters or units in them, a stride or pooling before them, or a smaller"
            + " batch, or raise the bound");
  }

  /** {@code fixed + batch * perSample}, at most {@link #SATURATED}. */
  static long bytes(long fixed, long perSample, int batch) {
    if (perSample > (SATURATED - fixed) / batch) {
      return SATURATED;
    }
    return fixed + perSample * batch;
  }

  private static long[] perLayer(List<Node> nodes, ToLongFunction<Node> figure) {
    return nodes.stream().mapToLong(figure).toArray();
  }

  /**
   * One bound: {@code what} is the figure's sentence with a {@code %,d} for the total of
   * {@code values} (one per layer, named by {@code names}).
   */
  private void check(Value<Long> bound, String name, String what, List<String> names,
      long[] values, String fix) {
    if (!bound.known() || bound.value() < 0) {
      return;
    }
    long limit = bound.value();
    long total = 0;
    for (long v : values) {
      total = Math.min(SATURATED, total + v);
    }
    String figure = String.format(Locale.ROOT, what, total);
    if (total > limit) {
      String share = limit == 0 ? "the bound is 0"
          : String.format(Locale.ROOT, "%.1f%% over", 100.0 * (total - limit) / limit);
      scope.d.add(Message.BUDGET_EXCEEDED, bound.site(), scope.cls, figure, total - limit, name,
          limit, share, contributors(names, values, total), fix);
    } else if (total >= NEAR * limit && total > 0) {
      scope.d.add(Message.BUDGET_NEAR, bound.site(), scope.cls, figure,
          String.format(Locale.ROOT, "%.1f%%", 100.0 * total / limit), name, limit,
          contributors(names, values, total));
    }
  }

  /** {@code f6 30,840 (50.0%), c5 ...}: the largest non-zero values, in decreasing order. */
  static String contributors(List<String> names, long[] values, long total) {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < values.length; i++) {
      if (values[i] > 0) {
        order.add(i);
      }
    }
    order.sort(Comparator.comparingLong((Integer i) -> -values[i]).thenComparing(i -> i));
    StringBuilder sb = new StringBuilder();
    for (int k = 0; k < Math.min(CONTRIBUTORS, order.size()); k++) {
      int i = order.get(k);
      sb.append(k == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%s %,d (%.1f%%)",
          names.get(i), values[i], 100.0 * values[i] / total));
    }
    return sb.toString();
  }
}
