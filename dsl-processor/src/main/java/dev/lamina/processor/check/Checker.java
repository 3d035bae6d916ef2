package dev.lamina.processor.check;

import dev.lamina.dsl.Activation;
import dev.lamina.dsl.Loss;
import dev.lamina.dsl.Precision;
import dev.lamina.processor.decl.LayerAnnotation;
import dev.lamina.processor.decl.LayerDecl;
import dev.lamina.processor.decl.NetworkDecl;
import dev.lamina.processor.decl.Value;
import dev.lamina.processor.diag.Diagnostic;
import dev.lamina.processor.diag.Message;
import dev.lamina.processor.model.MemoryPlan;
import dev.lamina.processor.model.ModelBuilder;
import dev.lamina.processor.model.NetworkModel;
import dev.lamina.processor.model.Op;
import dev.lamina.processor.model.Shape;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Checks one declared network and, only when it is clean, builds its {@link NetworkModel} with
 * {@link ModelBuilder}. Free of {@code javax.lang.model}: it sees attribute values and opaque
 * {@link dev.lamina.processor.diag.Site}s, and returns diagnostics rather than printing them.
 *
 * <p>Order: the class ({@link MemberRules}), the input, the graph ({@link GraphRules}: references
 * and block uses), then every layer in source order: the member, its number of inputs, its
 * activation, then its kind's own {@link LayerRules}. A layer's attributes are always checked; its
 * shape checks run while the incoming shape is known, and a layer whose output cannot be computed
 * makes the following shapes unknown until a layer whose output does not depend on its input
 * (Affine) makes them known again. Then the loss ({@link LossRules}); receptive-field
 * requirements ({@link ReceptiveFieldRules}) are compared with the model's values, so they are
 * checked once everything else is clean, and the budgets ({@link BudgetRules}) last, against the
 * model and the workspace layout of its generated classes.
 */
public final class Checker {
  /** Largest array the JVM reliably allocates. */
  public static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

  /** Called before each network ({@code Name}) and each layer ({@code Name.layer}). */
  public interface Probe {
    void before(String what);
  }

  /** The checker's verdict: diagnostics, and the model when there is no error. */
  public record Result(List<Diagnostic> diagnostics, NetworkModel model) {
    public Result {
      diagnostics = List.copyOf(diagnostics);
    }

    public boolean clean() {
      return model != null;
    }
  }

  private final Function<LayerAnnotation, LayerRules> rulesOf;
  private final Probe probe;
  private final BiFunction<NetworkModel, Precision, MemoryPlan> memory;

  /** A checker applying to each layer the rules {@code rulesOf} gives for its annotation. */
  public Checker(Function<LayerAnnotation, LayerRules> rulesOf) {
    this(rulesOf, what -> {});
  }

  /** A checker without workspace layouts: models carry no memory, memory budgets go unchecked. */
  public Checker(Function<LayerAnnotation, LayerRules> rulesOf, Probe probe) {
    this(rulesOf, probe, null);
  }

  /**
   * A checker that gives each clean model the workspace layout {@code memory} plans for each of
   * its generated classes, and checks the memory budgets against it.
   */
  public Checker(Function<LayerAnnotation, LayerRules> rulesOf, Probe probe,
      BiFunction<NetworkModel, Precision, MemoryPlan> memory) {
    this.rulesOf = rulesOf;
    this.probe = probe;
    this.memory = memory;
  }

  /** A layer annotation on a field of a class without {@code @Network}. */
  public List<Diagnostic> checkOrphan(LayerDecl layer, String className) {
    Diagnostics d = new Diagnostics();
    d.add(Message.LAYER_OUTSIDE_NETWORK, layer.site(), layer.name(), layer.kind().simpleName(),
        className);
    return d.toList();
  }

  /** Checks a network; an unexpected exception in a layer becomes one internal error there. */
  public Result check(NetworkDecl decl) {
    probe.before(decl.declaredName());
    return new Run(decl).run();
  }

  /** One layer that passed its checks, ready for the model builder. */
  private record Planned(Item item, Op op, Activation activation, double slope) {}

  /** The state of checking one network. */
  private final class Run {
    private final Scope s;
    private final MemberRules members;
    private final GraphRules graph;
    private final ReceptiveFieldRules fields;
    private final BudgetRules budgets;
    private final List<Planned> planned = new ArrayList<>();
    private long totalParameters;

    Run(NetworkDecl net) {
      this.s = new Scope(net);
      this.members = new MemberRules(s);
      this.graph = new GraphRules(s, members);
      this.fields = new ReceptiveFieldRules(s);
      this.budgets = new BudgetRules(s);
    }

    Result run() {
      NetworkDecl net = s.net;
      if (!members.checkClass()) {
        return new Result(s.d.toList(), null);
      }
      List<Precision> precisions = net.precision().value();
      if (precisions != null && precisions.isEmpty()) {
        s.d.add(Message.PRECISION_EMPTY, net.precision().site(), s.cls);
      }
      Value<Integer> classes = net.classes();
      if (classes.known() && classes.value() < 0) {
        s.d.add(Message.CLASSES_NEGATIVE, classes.site(), s.cls, classes.value());
      }
      Shape input = members.checkInput();
      fields.checkSyntax(net.receptiveField(), s.cls);
      budgets.checkSyntax();
      List<LayerDecl> layers = net.layers();
      if (layers.isEmpty()) {
        s.d.add(Message.NETWORK_NO_LAYERS, net.site(), s.cls);
        return new Result(s.d.toList(), null);
      }
      List<Item> items = graph.expand(layers);
      if (items.isEmpty()) {
        return new Result(s.d.toList(), null);
      }
      Map<String, Shape> shapes = new HashMap<>();
      shapes.put(ModelBuilder.INPUT, input);
      Shape last = null;
      for (Item item : items) {
        LayerDecl layer = item.decl();
        try {
          probe.before(net.declaredName() + "." + layer.name());
          s.d.context(item.context());
          List<Shape> ins = null;
          if (item.from() != null) {
            ins = new ArrayList<>();
            for (String f : item.from()) {
              ins.add(shapes.get(f));
            }
          }
          last = checkLayer(item, ins);
          s.d.context("");
        } catch (RuntimeException | StackOverflowError e) {
          s.d.context("");
          List<Diagnostic> list = new ArrayList<>(s.d.toList());
          list.add(Message.INTERNAL_ERROR.at(layer.site(), "layer " + layer.name() + " of "
              + s.cls, Message.describe(e)));
          return new Result(list, null);
        }
        shapes.put(layer.name(), last);
        s.checked.put(layer.name(), item);
      }
      List<LayerDecl> expanded = new ArrayList<>();
      for (Item item : items) {
        expanded.add(item.decl());
      }
      Loss loss = new LossRules(s, rulesOf).check(expanded, last);
      graph.checkUnusedOutputs(items);
      if (s.d.errorCount() > 0 || !s.allPlanned() || input == null) {
        return new Result(s.d.toList(), null);
      }
      NetworkModel model;
      try {
        ModelBuilder builder = new ModelBuilder(net.packageName(), net.declaredName(), input)
            .loss(loss)
            .precisions(EnumSet.copyOf(precisions == null ? List.of(Precision.FLOAT) : precisions));
        for (Planned p : planned) {
          builder.add(p.item().decl().name(), p.item().from(), p.op(), p.activation(), p.slope());
        }
        for (Map.Entry<String, String> a : s.aliases.entrySet()) {
          builder.alias(a.getKey(), a.getValue());
        }
        model = builder.build();
      } catch (IllegalArgumentException e) {
        List<Diagnostic> list = new ArrayList<>(s.d.toList());
        list.add(Message.INTERNAL_ERROR.at(net.site(), s.cls, Message.describe(e)));
        return new Result(list, null);
      }
      List<Item> nodes = planned.stream().map(Planned::item).toList();
      graph.checkJumps(model, nodes);
      fields.check(model, nodes);
      if (s.d.errorCount() > 0) {
        return new Result(s.d.toList(), null);
      }
      MemoryPlan plan = null;
      if (memory != null) {
        try {
          Map<Precision, MemoryPlan> plans = new EnumMap<>(Precision.class);
          for (Precision p : model.precisions()) {
            plans.put(p, memory.apply(model, p));
          }
          model = model.withMemory(plans);
          plan = plans.get(model.primaryPrecision());
        } catch (RuntimeException e) {
          List<Diagnostic> list = new ArrayList<>(s.d.toList());
          list.add(Message.INTERNAL_ERROR.at(net.site(), s.cls, Message.describe(e)));
          return new Result(list, null);
        }
      }
      budgets.check(model, plan);
      return new Result(s.d.toList(), s.d.errorCount() == 0 ? model : null);
    }

    /**
     * Checks one layer reading {@code ins} (null when its references are bad; an element is null
     * when that input's shape is unknown); returns its output shape, or null when it cannot be
     * known.
     */
    private Shape checkLayer(Item item, List<Shape> ins) {
      LayerDecl layer = item.decl();
      LayerRules rules = rulesOf.apply(layer.kind());
      boolean memberOk = members.checkMember(layer, item.inBlock());
      boolean attrsOk = members.checkActivation(layer);
      attrsOk &= fields.checkSyntax(layer.receptiveField(), layer.name());
      if (ins != null) {
        List<String> written = layer.<List<String>>attr("from").value();
        if (rules.merges() && ins.size() < 2) {
          s.d.add(Message.TOO_FEW_INPUTS, item.fromSite(), layer.name(),
              layer.kind().simpleName(), written == null ? "{}" : Formats.list(written),
              ins.size(), layer.kind().simpleName().equals("Add") ? "add" : "concatenate");
          ins = null;
        } else if (!rules.merges() && ins.size() != 1) {
          s.d.add(Message.TOO_MANY_INPUTS, item.fromSite(), layer.name(),
              layer.kind().simpleName(), Formats.list(written), ins.size());
          ins = null;
        }
      }
      if (ins == null) {
        s.unplanned();
      }
      LayerRules.Outcome outcome = rules.check(new LayerCheck(s, item, ins));
      Op op = outcome.op();
      Shape out = outcome.out();
      if (op != null && out != null && ins != null && !ins.contains(null)) {
        addParameters(layer, op.parameterCount(ins));
      }
      Activation activation = layer.activation().value();
      // The activation's parameter: ELU's alpha, else LEAKY_RELU's slope.
      Double slope = activation == Activation.ELU ? layer.alpha().value()
          : layer.negativeSlope().value();
      if (memberOk && attrsOk && out != null && op != null && activation != null
          && slope != null) {
        planned.add(new Planned(item, op, activation, slope));
      } else {
        s.unplanned();
      }
      return out;
    }

    private void addParameters(LayerDecl layer, long parameters) {
      long before = totalParameters;
      totalParameters = Math.min(Long.MAX_VALUE / 2, before + parameters);
      if (before <= MAX_ARRAY && totalParameters > MAX_ARRAY) {
        s.d.add(Message.PARAMETERS_TOO_LARGE, layer.site(), layer.name(), parameters,
            totalParameters, MAX_ARRAY);
      }
    }
  }
}
