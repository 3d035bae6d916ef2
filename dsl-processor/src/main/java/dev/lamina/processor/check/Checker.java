package dev.lamina.processor.check;

import dev.lamina.dsl.Activation;
import dev.lamina.dsl.AutoPad;
import dev.lamina.dsl.Loss;
import dev.lamina.dsl.PoolKind;
import dev.lamina.dsl.Precision;
import dev.lamina.processor.decl.BlockDecl;
import dev.lamina.processor.decl.ClassFacts;
import dev.lamina.processor.decl.LayerDecl;
import dev.lamina.processor.decl.LayerKind;
import dev.lamina.processor.decl.MemberFacts;
import dev.lamina.processor.decl.NetworkDecl;
import dev.lamina.processor.decl.ReceptiveFieldDecl;
import dev.lamina.processor.decl.Value;
import dev.lamina.processor.diag.Diagnostic;
import dev.lamina.processor.diag.Message;
import dev.lamina.processor.diag.Site;
import dev.lamina.processor.gen.NetworkGenerator;
import dev.lamina.processor.model.Geometry;
import dev.lamina.processor.model.ModelBuilder;
import dev.lamina.processor.model.NetworkModel;
import dev.lamina.processor.model.Node;
import dev.lamina.processor.model.Op;
import dev.lamina.processor.model.Shape;
import dev.lamina.runtime.LayerSummary;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks one declared network and, only when it is clean, builds its {@link NetworkModel} with
 * {@link ModelBuilder}. Free of {@code javax.lang.model}: it sees attribute values and opaque
 * {@link Site}s, and returns diagnostics rather than printing them.
 *
 * <p>Order: the class, the input, then every layer in source order. A layer's attributes are
 * always checked; its shape checks run while the incoming shape is known, and a layer whose output
 * cannot be computed makes the following shapes unknown until an Affine layer (whose output size
 * does not depend on its input) makes them known again. Receptive-field requirements are compared
 * with the model's values, so they are checked once everything else is clean.
 */
public final class Checker {
  /** {@code Block.ARG0}; {@code Block.ARGk} is {@code ARG0 - k}. */
  static final int ARG0 = dev.lamina.dsl.Block.ARG0;

  /** Whether an int attribute is a block placeholder {@code Block.ARG0..ARG7}. */
  static boolean isArg(int v) {
    return v <= ARG0 && v > ARG0 - 8;
  }

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

  private final Probe probe;

  public Checker() {
    this(what -> {});
  }

  public Checker(Probe probe) {
    this.probe = probe;
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
  private record Planned(Item item, Op op, Activation activation, double slope) {
    LayerDecl decl() {
      return item.decl();
    }
  }

  /**
   * One layer to check: a member of the network, or a layer of a block use (named {@code
   * use.member}, its block arguments substituted).
   *
   * @param decl the layer, under its node name
   * @param from the node names it reads ({@link ModelBuilder#INPUT} for the network input), or
   *     null when a reference could not be resolved (reported)
   * @param fromSite where {@code from} is written (the member when it is not)
   * @param context prefix of its messages: empty, or {@code "in res3a (Basic with args {..}): "}
   * @param inBlock whether it is a layer of a block use
   */
  private record Item(LayerDecl decl, List<String> from, Site fromSite, String context,
      boolean inBlock) {}

  /** The state of checking one network. */
  private final class Run {
    private final NetworkDecl net;
    private final Diagnostics d = new Diagnostics();
    private final String cls;
    private final String gen;
    private final List<Planned> planned = new ArrayList<>();
    private long totalParameters;
    /** Every layer checked so far (its kind and inputs), by node name. */
    private final Map<String, Item> checked = new HashMap<>();
    private boolean anyLayerUnplanned;
    /** Offset-constant prefix of each layer seen so far, to catch names that would clash. */
    private final Map<String, String> constantPrefixes = new HashMap<>();
    /** Each {@code @Apply} member and the node it stands for (its block's output). */
    private final Map<String, String> aliases = new java.util.LinkedHashMap<>();

    Run(NetworkDecl net) {
      this.net = net;
      this.cls = net.simpleName();
      this.gen = net.generatedName();
    }

    Result run() {
      if (!checkClass()) {
        return new Result(d.toList(), null);
      }
      List<Precision> precisions = net.precision().value();
      if (precisions != null && precisions.isEmpty()) {
        d.add(Message.PRECISION_EMPTY, net.precision().site(), cls);
      }
      Value<Integer> classes = net.classes();
      if (classes.known() && classes.value() < 0) {
        d.add(Message.CLASSES_NEGATIVE, classes.site(), cls, classes.value());
      }
      Shape input = checkInput();
      checkRequirementSyntax(net.receptiveField(), cls);
      List<LayerDecl> layers = net.layers();
      if (layers.isEmpty()) {
        d.add(Message.NETWORK_NO_LAYERS, net.site(), cls);
        return new Result(d.toList(), null);
      }
      List<Item> items = expand(layers);
      if (items.isEmpty()) {
        return new Result(d.toList(), null);
      }
      Map<String, Shape> shapes = new HashMap<>();
      shapes.put(ModelBuilder.INPUT, input);
      Shape last = null;
      for (Item item : items) {
        LayerDecl layer = item.decl();
        try {
          probe.before(net.declaredName() + "." + layer.name());
          d.context(item.context());
          List<Shape> ins = null;
          if (item.from() != null) {
            ins = new ArrayList<>();
            for (String f : item.from()) {
              ins.add(shapes.get(f));
            }
          }
          last = checkLayer(item, ins);
          d.context("");
        } catch (RuntimeException | StackOverflowError e) {
          d.context("");
          List<Diagnostic> list = new ArrayList<>(d.toList());
          list.add(Message.INTERNAL_ERROR.at(layer.site(), "layer " + layer.name() + " of " + cls,
              Message.describe(e)));
          return new Result(list, null);
        }
        shapes.put(layer.name(), last);
        checked.put(layer.name(), item);
      }
      List<LayerDecl> expanded = new ArrayList<>();
      for (Item item : items) {
        expanded.add(item.decl());
      }
      Loss loss = checkLoss(expanded, last);
      checkUnusedOutputs(items);
      if (d.errorCount() > 0 || anyLayerUnplanned || input == null) {
        return new Result(d.toList(), null);
      }
      NetworkModel model;
      try {
        ModelBuilder builder = new ModelBuilder(net.packageName(), net.declaredName(), input)
            .loss(loss)
            .precisions(EnumSet.copyOf(precisions == null ? List.of(Precision.FLOAT) : precisions));
        for (Planned p : planned) {
          builder.add(p.decl().name(), p.item().from(), p.op(), p.activation(), p.slope());
        }
        for (Map.Entry<String, String> a : aliases.entrySet()) {
          builder.alias(a.getKey(), a.getValue());
        }
        model = builder.build();
      } catch (IllegalArgumentException e) {
        List<Diagnostic> list = new ArrayList<>(d.toList());
        list.add(Message.INTERNAL_ERROR.at(net.site(), cls, Message.describe(e)));
        return new Result(list, null);
      }
      checkJumps(model);
      checkReceptiveFields(model, input);
      return new Result(d.toList(), d.errorCount() == 0 ? model : null);
    }

    // ---- graphs and blocks -------------------------------------------------------------------

    /**
     * The layers to check, in order: each member, or for an {@code @Apply} member the layers of
     * its block under the names {@code use.member}, with every {@code from} resolved to node
     * names. Reference, block and argument errors are reported here.
     */
    private List<Item> expand(List<LayerDecl> layers) {
      List<Item> items = new ArrayList<>();
      Map<String, String> outputs = new HashMap<>();
      String previous = ModelBuilder.INPUT;
      for (int i = 0; i < layers.size(); i++) {
        LayerDecl l = layers.get(i);
        List<String> src = resolve(l, l.name(), i, layers, outputs, previous, ModelBuilder.INPUT,
            "the network");
        if (l.kind() != LayerKind.APPLY) {
          LayerDecl sub = substitute(l, l.name(), null);
          items.add(new Item(sub, src, fromSite(l), "", false));
          outputs.put(l.name(), l.name());
          previous = l.name();
          continue;
        }
        if (!checkMember(l, false)) {
          anyLayerUnplanned = true;
        }
        Value<BlockDecl> bv = l.attr("block");
        BlockDecl block = bv.value();
        if (src != null && src.size() != 1) {
          d.add(Message.TOO_MANY_INPUTS, fromSite(l), l.name(), "Apply",
              list(l.<List<String>>attr("from").value()), src.size());
          src = null;
        }
        if (block == null) {
          anyLayerUnplanned = true;
          continue;
        }
        if (!block.annotated()) {
          d.add(Message.NOT_A_BLOCK, bv.site(), l.name(), block.name());
          anyLayerUnplanned = true;
          continue;
        }
        if (block.layers().isEmpty()) {
          d.add(Message.BLOCK_NO_LAYERS, bv.site(), l.name(), block.name());
          anyLayerUnplanned = true;
          continue;
        }
        List<Integer> args = l.<List<Integer>>attr("args").value();
        if (args == null) {
          args = List.of();
        }
        String context = "in " + l.name() + " (" + block.name()
            + (args.isEmpty() ? "" : " with args " + list(args)) + "): ";
        d.context(context);
        String blockInput = src == null ? null : src.get(0);
        Map<String, String> local = new HashMap<>();
        String prev = blockInput;
        List<LayerDecl> members = block.layers();
        for (int j = 0; j < members.size(); j++) {
          LayerDecl b = members.get(j);
          String q = l.name() + "." + b.name();
          if (b.kind() == LayerKind.APPLY) {
            d.add(Message.BLOCK_IN_BLOCK, b.site(), q, b.name());
            anyLayerUnplanned = true;
            continue;
          }
          List<String> f = blockInput == null ? null
              : resolve(b, q, j, members, local, prev, blockInput, "the block");
          if (blockInput == null) {
            anyLayerUnplanned = true;
          }
          items.add(new Item(substitute(b, q, args), f, fromSite(b), context, true));
          local.put(b.name(), q);
          prev = q;
        }
        d.context("");
        outputs.put(l.name(), prev);
        aliases.put(l.name(), prev);
        previous = prev;
      }
      return items;
    }

    private Site fromSite(LayerDecl l) {
      Value<List<String>> v = l.attr("from");
      return v.explicit() ? v.site() : l.site();
    }

    /**
     * The node names layer {@code index} of {@code scope} reads, or null after reporting a bad
     * reference; messages name the layer {@code shown} ({@code use.member} inside a block use).
     */
    private List<String> resolve(LayerDecl l, String shown, int index, List<LayerDecl> scope,
        Map<String, String> resolved, String previous, String inputNode, String where) {
      List<String> names = l.<List<String>>attr("from").value();
      if (names == null || names.isEmpty()) {
        return previous == null ? null : List.of(previous);
      }
      List<String> out = new ArrayList<>();
      boolean ok = true;
      Site site = fromSite(l);
      for (String name : names) {
        if (name.equals(ModelBuilder.INPUT)) {
          out.add(inputNode);
          continue;
        }
        String node = resolved.get(name);
        if (node != null) {
          out.add(node);
          continue;
        }
        ok = false;
        int k = -1;
        for (int i = 0; i < scope.size(); i++) {
          if (scope.get(i).name().equals(name)) {
            k = i;
          }
        }
        if (k == index) {
          d.add(Message.CYCLE, site, shown, name, name + " -> " + name);
        } else if (k > index) {
          List<String> path = cyclePath(scope, k, index);
          if (path != null) {
            d.add(Message.CYCLE, site, shown, name, String.join(" -> ", path));
          } else {
            d.add(Message.FORWARD_REFERENCE, site, shown, name);
          }
        } else if (k < 0) {
          List<String> above = new ArrayList<>();
          for (int i = 0; i < index; i++) {
            above.add(scope.get(i).name());
          }
          d.add(Message.UNKNOWN_REFERENCE, site, shown, name,
              above.isEmpty() ? "none" : String.join(", ", above),
              where.equals("the block") ? "block's" : "network's");
        }
      }
      return ok ? out : null;
    }

    /** The path {@code scope[index] -> scope[k] -> ... -> scope[index]} if k reads index, else null. */
    private List<String> cyclePath(List<LayerDecl> scope, int k, int index) {
      List<String> path = new ArrayList<>();
      path.add(scope.get(index).name());
      return reaches(scope, k, index, path, new java.util.HashSet<>()) ? path : null;
    }

    private boolean reaches(List<LayerDecl> scope, int from, int target, List<String> path,
        java.util.Set<Integer> seen) {
      path.add(scope.get(from).name());
      if (from == target) {
        return true;
      }
      if (seen.add(from)) {
        List<String> names = scope.get(from).<List<String>>attr("from").value();
        List<Integer> next = new ArrayList<>();
        if (names == null || names.isEmpty()) {
          next.add(from - 1);
        } else {
          for (String n : names) {
            for (int i = 0; i < scope.size(); i++) {
              if (scope.get(i).name().equals(n)) {
                next.add(i);
              }
            }
          }
        }
        for (int n : next) {
          if (n >= 0 && reaches(scope, n, target, path, seen)) {
            return true;
          }
        }
      }
      path.remove(path.size() - 1);
      return false;
    }

    /**
     * The layer under its node name with every block placeholder replaced by its argument;
     * {@code args} is null outside a block. A placeholder without argument becomes an unknown
     * value after its error.
     */
    private LayerDecl substitute(LayerDecl l, String name, List<Integer> args) {
      Map<String, Value<?>> attrs = new HashMap<>();
      for (Map.Entry<String, Value<?>> e : l.attributes().entrySet()) {
        Value<?> v = e.getValue();
        Object value = v.value();
        if (value instanceof Integer i && isArg(i)) {
          value = argument(name, e.getKey(), i, args, v.site());
        } else if (value instanceof List<?> items && items.stream().anyMatch(
            x -> x instanceof Integer i && isArg(i))) {
          List<Integer> replaced = new ArrayList<>();
          for (Object x : items) {
            Integer r = (Integer) x;
            if (isArg(r)) {
              r = argument(name, e.getKey(), r, args, v.site());
            }
            if (r == null) {
              replaced = null;
              break;
            }
            replaced.add(r);
          }
          value = replaced;
        }
        attrs.put(e.getKey(), new Value<>(value, v.explicit(), v.site()));
      }
      return new LayerDecl(name, l.kind(), l.site(), l.facts(), attrs, l.receptiveField());
    }

    private Integer argument(String layer, String attr, int placeholder, List<Integer> args,
        Site site) {
      int k = ARG0 - placeholder;
      if (args == null) {
        d.add(Message.ARG_OUTSIDE_BLOCK, site, layer, attr, k);
        return null;
      }
      if (k >= args.size()) {
        d.add(Message.ARG_MISSING, site, layer, attr, k, args.size(), args.size() == 1 ? "" : "s");
        return null;
      }
      return args.get(k);
    }

    /** Warns about layers from which no path leads to the last layer. */
    private void checkUnusedOutputs(List<Item> items) {
      Map<String, Item> byName = new HashMap<>();
      for (Item item : items) {
        if (item.from() == null) {
          return;
        }
        byName.put(item.decl().name(), item);
      }
      Item last = items.get(items.size() - 1);
      java.util.Set<String> used = new java.util.HashSet<>();
      List<Item> work = new ArrayList<>(List.of(last));
      while (!work.isEmpty()) {
        Item item = work.remove(work.size() - 1);
        if (used.add(item.decl().name())) {
          for (String f : item.from()) {
            Item source = byName.get(f);
            if (source != null) {
              work.add(source);
            }
          }
        }
      }
      for (Item item : items) {
        if (!used.contains(item.decl().name())) {
          d.context(item.context());
          d.add(Message.UNUSED_OUTPUT, item.decl().site(), item.decl().name(),
              last.decl().name());
          d.context("");
        }
      }
    }

    /** Add and Concat: every input must have the same jump (effective stride). */
    private void checkJumps(NetworkModel model) {
      List<Node> nodes = model.nodes();
      for (int i = 0; i < nodes.size(); i++) {
        Node n = nodes.get(i);
        if (!(n.op() instanceof Op.Add || n.op() instanceof Op.Concat)) {
          continue;
        }
        int first = n.inputs().get(0);
        int[] j0 = jumpOf(nodes, first);
        for (int source : n.inputs()) {
          int[] j = jumpOf(nodes, source);
          if (j[0] != j0[0] || j[1] != j0[1]) {
            Item item = planned.get(i).item();
            d.context(item.context());
            d.add(Message.JUMP_MISMATCH, item.fromSite(), n.name(), nameOf(nodes, first),
                pair(j0[0], j0[1]), nameOf(nodes, source), pair(j[0], j[1]));
            d.context("");
            break;
          }
        }
      }
    }

    private int[] jumpOf(List<Node> nodes, int source) {
      return source == Node.NETWORK_INPUT ? new int[] {1, 1}
          : nodes.get(source).summary().jump();
    }

    private String nameOf(List<Node> nodes, int source) {
      return source == Node.NETWORK_INPUT ? ModelBuilder.INPUT : nodes.get(source).name();
    }

    // ---- the class ---------------------------------------------------------------------------

    /** False when the type is not a class at all (its members are then not examined). */
    private boolean checkClass() {
      ClassFacts f = net.facts();
      Site site = net.site();
      if (f.form() != ClassFacts.Form.CLASS) {
        d.add(Message.NETWORK_NOT_A_CLASS, site, cls, gen, f.form().phrase());
        return false;
      }
      if (f.isLocal()) {
        d.add(Message.NETWORK_LOCAL, site, cls, gen);
      } else {
        if (f.privateWhere() != null) {
          d.add(Message.NETWORK_PRIVATE, site, cls, gen, f.privateWhere());
        }
        if (f.isInner()) {
          d.add(Message.NETWORK_INNER, site, cls, gen);
        }
      }
      if (f.isFinal()) {
        d.add(Message.NETWORK_FINAL, site, cls, gen);
      }
      if (f.isSealed()) {
        d.add(Message.NETWORK_SEALED, site, cls, gen);
      }
      if (!f.typeParameters().isEmpty()) {
        d.add(Message.NETWORK_GENERIC, site, cls, gen, f.typeParameters());
      }
      // A private class's implicit constructor is private too: the private error says it all.
      if (!f.hasNoArgConstructor() && f.privateWhere() == null) {
        d.add(Message.NETWORK_NO_CONSTRUCTOR, site, cls, gen);
      }
      return true;
    }

    private Shape checkInput() {
      Value<List<Integer>> v = net.input();
      List<Integer> dims = v.value();
      if (dims == null) {
        return null;
      }
      if (dims.size() != 1 && dims.size() != 3) {
        d.add(Message.INPUT_RANK, v.site(), cls, list(dims), dims.size());
        return null;
      }
      String[] names = dims.size() == 3
          ? new String[] {"channels", "height", "width"} : new String[] {"size"};
      for (int i = 0; i < dims.size(); i++) {
        if (dims.get(i) < 1) {
          d.add(Message.INPUT_NON_POSITIVE, v.site(), cls, list(dims), names[i], dims.get(i));
          return null;
        }
      }
      Shape s = dims.size() == 3
          ? Shape.image(dims.get(0), dims.get(1), dims.get(2)) : Shape.flat(dims.get(0));
      if (s.size() > MAX_ARRAY) {
        d.add(Message.ACTIVATION_TOO_LARGE, v.site(), "input", s, s.size(), MAX_ARRAY);
        return null;
      }
      return s;
    }

    // ---- layers ------------------------------------------------------------------------------

    /**
     * Checks one layer reading {@code ins} (null when its references are bad; an element is null
     * when that input's shape is unknown); returns its output shape, or null when it cannot be
     * known.
     */
    private Shape checkLayer(Item item, List<Shape> ins) {
      LayerDecl layer = item.decl();
      boolean memberOk = checkMember(layer, item.inBlock());
      boolean attrsOk = checkActivation(layer);
      attrsOk &= checkRequirementSyntax(layer.receptiveField(), layer.name());
      boolean merge = layer.kind() == LayerKind.ADD || layer.kind() == LayerKind.CONCAT;
      Shape in = null;
      if (ins != null) {
        List<String> written = layer.<List<String>>attr("from").value();
        if (merge && ins.size() < 2) {
          d.add(Message.TOO_FEW_INPUTS, item.fromSite(), layer.name(),
              layer.kind().simpleName(), written == null ? "{}" : list(written), ins.size(),
              layer.kind() == LayerKind.ADD ? "add" : "concatenate");
          ins = null;
        } else if (!merge && ins.size() != 1) {
          d.add(Message.TOO_MANY_INPUTS, item.fromSite(), layer.name(),
              layer.kind().simpleName(), list(written), ins.size());
          ins = null;
        } else {
          in = ins.get(0);
        }
      }
      if (ins == null) {
        anyLayerUnplanned = true;
      }
      Shape out;
      Op op;
      switch (layer.kind()) {
        case CONV -> {
          Integer filters = count(layer, "filters");
          int[] k = sizes(layer, "kernel", false);
          int[] s = sizes(layer, "stride", false);
          int[] p = paddings(layer);
          int[] dil = sizes(layer, "dilation", false);
          Boolean bias = layer.bool("bias").value();
          AutoPad auto = autoPad(layer, false);
          if (filters == null || k == null || s == null || p == null || dil == null
              || bias == null || auto == null || in == null) {
            out = null;
            op = null;
            break;
          }
          Window w = window(item, layer, in, "Conv", k, s, p, dil, auto, false, filters);
          out = w == null ? null : w.out();
          op = w == null ? null : new Op.Conv(filters, k[0], k[1], s[0], s[1], w.pad()[0],
              w.pad()[1], w.pad()[2], w.pad()[3], dil[0], dil[1], bias);
          if (out != null) {
            long fanIn = mul(mul(in.channels(), k[0]), k[1]);
            addParameters(layer, mul(filters, fanIn + (bias ? 1 : 0)));
          }
        }
        case POOL -> {
          PoolKind kind = layer.<PoolKind>attr("kind").value();
          int[] k = sizes(layer, "size", false);
          int[] s = sizes(layer, "stride", true);
          int[] p = paddings(layer);
          int[] dil = sizes(layer, "dilation", false);
          Boolean countPadding = layer.bool("countPadding").value();
          Boolean ceil = layer.bool("ceilMode").value();
          AutoPad auto = autoPad(layer, true);
          if (s != null && s.length == 0) {
            s = k;
          }
          if (kind == null || k == null || s == null || p == null || dil == null
              || countPadding == null || ceil == null || auto == null || in == null) {
            out = null;
            op = null;
            break;
          }
          Window w = window(item, layer, in, "Pool", k, s, p, dil, auto, ceil, 0);
          out = w == null ? null : w.out();
          op = w == null ? null : new Op.Pool(kind, k[0], k[1], s[0], s[1], w.pad()[0],
              w.pad()[1], w.pad()[2], w.pad()[3], dil[0], dil[1], ceil, countPadding);
          if (out != null && kind == PoolKind.SUBSAMPLE) {
            addParameters(layer, 2L * in.channels());
          }
        }
        case AFFINE -> {
          Integer units = count(layer, "units");
          Boolean bias = layer.bool("bias").value();
          if (units == null || bias == null) {
            out = null;
            op = null;
            break;
          }
          op = new Op.Affine(units, bias);
          out = Shape.flat(units);
          if (units > MAX_ARRAY) {
            d.add(Message.ACTIVATION_TOO_LARGE, layer.integer("units").site(), layer.name(), out,
                out.size(), MAX_ARRAY);
            out = null;
          } else if (in != null) {
            addParameters(layer, mul(in.size(), units) + (bias ? units : 0));
          }
        }
        case ADD, CONCAT -> {
          boolean add = layer.kind() == LayerKind.ADD;
          op = add ? new Op.Add() : new Op.Concat();
          out = ins == null || ins.contains(null) ? null : merged(item, ins, add);
        }
        case BATCH_NORM -> {
          Value<Double> eps = layer.attr("eps");
          Value<Double> momentum = layer.attr("momentum");
          boolean ok = eps.known() && momentum.known();
          if (eps.known() && !(eps.value() > 0 && Double.isFinite(eps.value()))) {
            d.add(Message.BATCH_NORM_EPS, eps.site(), layer.name(), eps.value());
            ok = false;
          }
          if (momentum.known() && !(momentum.value() >= 0 && momentum.value() <= 1)) {
            d.add(Message.BATCH_NORM_MOMENTUM, momentum.site(), layer.name(), momentum.value());
            ok = false;
          }
          op = ok ? new Op.BatchNorm(eps.value(), momentum.value()) : null;
          out = in;
          if (in != null) {
            addParameters(layer, 2 * (in.isImage() ? in.channels() : in.size()));
          }
        }
        case DROPOUT -> {
          Value<Double> p = layer.attr("p");
          Object seed = layer.attr("seed").value();
          boolean ok = p.known() && seed instanceof Long;
          if (p.known() && !(p.value() >= 0 && p.value() < 1)) {
            d.add(Message.DROPOUT_P_RANGE, p.site(), layer.name(), p.value());
            ok = false;
          }
          op = ok ? new Op.Dropout(p.value(), (Long) seed) : null;
          out = in;
        }
        case GLOBAL_AVG_POOL -> {
          op = new Op.GlobalAvgPool();
          if (in == null) {
            out = null;
          } else if (!in.isImage()) {
            flatInput(item, "GlobalAvgPool", in);
            out = null;
          } else {
            out = Shape.flat(in.channels());
          }
        }
        default -> throw new IllegalStateException("unknown layer kind " + layer.kind());
      }
      Activation activation = layer.activation().value();
      // The activation's parameter: ELU's alpha, else LEAKY_RELU's slope.
      Double slope = activation == Activation.ELU ? layer.alpha().value()
          : layer.negativeSlope().value();
      if (memberOk && attrsOk && out != null && op != null && activation != null
          && slope != null) {
        planned.add(new Planned(item, op, activation, slope));
      } else {
        anyLayerUnplanned = true;
      }
      return out;
    }

    /** The output of Add or Concat, or null after reporting inputs that do not fit together. */
    private Shape merged(Item item, List<Shape> ins, boolean add) {
      LayerDecl layer = item.decl();
      Shape a = ins.get(0);
      long channels = 0;
      for (int k = 0; k < ins.size(); k++) {
        Shape b = ins.get(k);
        String an = item.from().get(0);
        String bn = item.from().get(k);
        if (add && !b.equals(a)) {
          d.add(Message.ADD_SHAPE_MISMATCH, item.fromSite(), layer.name(), an, a, bn, b,
              projection(a, b, bn));
          return null;
        }
        if (!add && (a.rank() != b.rank()
            || (a.isImage() && (a.height() != b.height() || a.width() != b.width())))) {
          d.add(Message.CONCAT_SHAPE_MISMATCH, item.fromSite(), layer.name(), an, a, bn, b,
              a.isImage() && b.isImage()
                  ? "give every branch the same strides and padding (e.g. padding = kernel/2"
                      + " with stride 1, and the same pooling)"
                  : "concatenate only image outputs or only flat outputs");
          return null;
        }
        channels += b.isImage() ? b.channels() : b.size();
      }
      if (add) {
        return a;
      }
      Shape out = a.isImage()
          ? Shape.image((int) Math.min(channels, Integer.MAX_VALUE), a.height(), a.width())
          : Shape.flat((int) Math.min(channels, Integer.MAX_VALUE));
      if (channels > MAX_ARRAY || out.size() > MAX_ARRAY) {
        d.add(Message.ACTIVATION_TOO_LARGE, layer.site(), layer.name(), out,
            mul(channels, a.isImage() ? (long) a.height() * a.width() : 1), MAX_ARRAY);
        return null;
      }
      return out;
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
              + ", kernel = 1" + (sh == 1 && sw == 1 ? "" : ", stride = " + pair(sh, sw))
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

    /** Declaration of the member itself; false when it cannot be a layer. */
    private boolean checkMember(LayerDecl layer, boolean inBlock) {
      MemberFacts f = layer.facts();
      boolean ok = true;
      if (f.annotations().size() > 1) {
        StringBuilder names = new StringBuilder();
        for (int i = 0; i < f.annotations().size(); i++) {
          names.append(i == 0 ? "" : i == f.annotations().size() - 1 ? " and " : ", ")
              .append('@').append(f.annotations().get(i).simpleName());
        }
        d.add(Message.LAYER_TWO_ANNOTATIONS, layer.site(), layer.name(), names);
        ok = false;
      }
      if (f.type() == MemberFacts.TypeFact.OTHER) {
        d.add(Message.LAYER_WRONG_TYPE, layer.site(), layer.name(), f.typeName());
        ok = false;
      } else if (f.type() == MemberFacts.TypeFact.ERROR) {
        ok = false;
      }
      // Fields of a block class are templates: the generated class never assigns them.
      if (f.isStatic() && !inBlock) {
        d.add(Message.LAYER_STATIC, layer.site(), layer.name());
        ok = false;
      }
      if (f.isPrivate() && !inBlock) {
        d.add(Message.LAYER_PRIVATE, layer.site(), layer.name(), gen);
        ok = false;
      }
      if (f.isFinal() && !inBlock) {
        d.add(Message.LAYER_FINAL, layer.site(), layer.name(), gen);
        ok = false;
      }
      if (!inBlock && NetworkGenerator.RESERVED_MEMBER_NAMES.contains(layer.name())) {
        d.add(Message.LAYER_RESERVED_NAME, layer.site(), layer.name(), gen);
        ok = false;
      } else {
        String prefix = NetworkGenerator.constantPrefix(layer.name());
        String earlier = constantPrefixes.putIfAbsent(prefix, layer.name());
        if (earlier != null) {
          d.add(Message.LAYER_NAME_CLASH, layer.site(), layer.name(), earlier, prefix, gen);
          ok = false;
        }
      }
      return ok;
    }

    private boolean checkActivation(LayerDecl layer) {
      Value<Activation> activation = layer.activation();
      boolean ok = true;
      Value<Double> slope = layer.negativeSlope();
      if (slope.known()) {
        if (!Double.isFinite(slope.value())) {
          d.add(Message.SLOPE_NOT_FINITE, slope.site(), layer.name(), slope.value());
          ok = false;
        } else if (slope.explicit() && activation.known()
            && activation.value() != Activation.LEAKY_RELU) {
          d.add(Message.UNUSED_NEGATIVE_SLOPE, slope.site(), layer.name(), num(slope.value()),
              activation.value());
        }
      }
      Value<Double> alpha = layer.alpha();
      if (alpha.known()) {
        if (!Double.isFinite(alpha.value())) {
          d.add(Message.ALPHA_NOT_FINITE, alpha.site(), layer.name(), alpha.value());
          ok = false;
        } else if (alpha.explicit() && activation.known()
            && activation.value() != Activation.ELU) {
          d.add(Message.UNUSED_ALPHA, alpha.site(), layer.name(), num(alpha.value()),
              activation.value());
        }
      }
      return ok;
    }

    /**
     * Reports a layer that needs an image but reads the flat value {@code in}, naming the layer
     * that produced it (the network input, an Affine layer, GlobalAvgPool, ...).
     */
    private void flatInput(Item item, String kind, Shape in) {
      LayerDecl layer = item.decl();
      String producer = item.from().get(0);
      Item source = checked.get(producer);
      if (source == null) {
        d.add(Message.NEEDS_IMAGE_INPUT, layer.site(), layer.name(), kind, in);
      } else if (source.decl().kind() == LayerKind.AFFINE) {
        d.add(Message.NEEDS_IMAGE_AFTER_AFFINE, layer.site(), layer.name(), kind, producer, in);
      } else {
        boolean gap = source.decl().kind() == LayerKind.GLOBAL_AVG_POOL;
        List<String> reads = source.from();
        String hint = gap && reads != null && reads.size() == 1
            ? " (" + producer + " reads " + (reads.get(0).equals(ModelBuilder.INPUT)
                ? "the network input" : reads.get(0)) + ")" : "";
        d.add(Message.NEEDS_IMAGE_AFTER_FLAT, layer.site(), layer.name(), kind,
            source.decl().kind().simpleName(), producer, in,
            gap ? " (one value per channel)" : "", hint);
      }
    }

    /** A sliding window's output shape and its padding {top, left, bottom, right}. */
    private record Window(Shape out, int[] pad) {}

    /**
     * The shape checks of a sliding window (Conv or Pool): its output and resolved padding
     * ({@code p} is {top, left, bottom, right} as written, replaced by {@code auto}'s), or null.
     */
    private Window window(Item item, LayerDecl layer, Shape in, String kind, int[] k, int[] s,
        int[] p, int[] dil, AutoPad auto, boolean ceil, int filters) {
      boolean conv = filters > 0;
      String kernelAttr = conv ? "kernel" : "size";
      if (!in.isImage()) {
        flatInput(item, kind, in);
        return null;
      }
      int[] size = {in.height(), in.width()};
      if (auto == AutoPad.VALID) {
        p = new int[4];
      } else if (auto != AutoPad.EXPLICIT) {
        p = new int[4];
        for (int a = 0; a < 2; a++) {
          int[] be = Geometry.samePadding(size[a], k[a], s[a], dil[a],
              auto == AutoPad.SAME_UPPER);
          p[a] = be[0];
          p[a + 2] = be[1];
        }
      }
      long[] keff = {Geometry.effectiveKernel(k[0], dil[0]), Geometry.effectiveKernel(k[1], dil[1])};
      long[] outSize = new long[2];
      boolean[] fails = new boolean[2];
      for (int a = 0; a < 2; a++) {
        outSize[a] = Geometry.outputSize(size[a], k[a], s[a], p[a], p[a + 2], dil[a], ceil);
        fails[a] = outSize[a] < 1;
      }
      String what = describeKernel(conv, k, dil, keff);
      String padText = padText(p);
      if (fails[0] || fails[1]) {
        StringBuilder formula = new StringBuilder();
        long[] maxK = new long[2];
        long[] minP = new long[2];
        for (int a = 0; a < 2; a++) {
          if (!fails[a]) {
            continue;
          }
          long span = (long) size[a] + p[a] + p[a + 2] - keff[a];
          formula.append(formula.length() == 0 ? "" : "; ").append(a == 0 ? "height" : "width")
              .append(": ").append(ceil ? "ceil" : "floor").append("((").append(size[a])
              .append(" + ").append(padTerm(p, a)).append(" - ").append(keff[a]).append(") / ")
              .append(s[a]).append(") + 1 = ").append(Math.floorDiv(span, s[a]) + 1);
          long room = (long) size[a] + p[a] + p[a + 2];
          maxK[a] = dil[a] == 1 ? room : (room - 1) / dil[a] + 1;
          minP[a] = (keff[a] - size[a] + 1) / 2;
        }
        String fix = bound(kernelAttr, fails, maxK, "<=")
            + (dil[0] > 1 || dil[1] > 1 ? " at dilation " + pair(dil[0], dil[1]) : "")
            + (auto == AutoPad.EXPLICIT ? " or " + bound("padding", fails, minP, ">=") : "");
        d.add(Message.WINDOW_TOO_LARGE, layer.ints(kernelAttr).site(), layer.name(), what, in,
            padText, Math.max(0, outSize[0]) + "x" + Math.max(0, outSize[1]), formula, fix);
        return null;
      }
      Site padSite = auto == AutoPad.EXPLICIT ? layer.ints("padding").site()
          : layer.attr("autoPad").site();
      boolean tooLarge = false;
      for (int a = 0; a < 4; a++) {
        tooLarge |= p[a] >= keff[a % 2];
      }
      if (tooLarge) {
        long maxH = keff[0] - 1;
        long maxW = keff[1] - 1;
        String use = maxH == maxW ? Long.toString(maxH) : "{" + maxH + ", " + maxW + "}";
        if (conv) {
          if (keff[0] % 2 == 1 && keff[1] % 2 == 1) {
            use += " (padding " + pair((int) (keff[0] / 2), (int) (keff[1] / 2))
                + " keeps the size)";
          }
          d.add(Message.PADDING_TOO_LARGE, padSite, layer.name(), padText, what, use);
        } else {
          d.add(Message.POOL_PADDING_TOO_LARGE, padSite, layer.name(), padText, what, use);
        }
      } else if (!conv) {
        // With dilation a window can straddle a small input and read only padding.
        for (int a = 0; a < 2; a++) {
          long i = Geometry.firstEmptyWindow(size[a], k[a], s[a], p[a], dil[a], outSize[a]);
          if (i >= 0) {
            long first = i * s[a] - p[a];
            Value<List<Integer>> dv = layer.ints("dilation");
            d.add(Message.POOL_WINDOW_IN_PADDING, dv.explicit() ? dv.site() : padSite,
                layer.name(), a == 0 ? "row" : "column", i, what, first,
                first + (keff[a] - 1), dil[a], in, a == 0 ? "height" : "width", size[a]);
            return null;
          }
        }
      }
      // Trailing input rows/columns no window reads (beyond those that are padding).
      long[] unread = new long[2];
      for (int a = 0; a < 2; a++) {
        unread[a] = Geometry.unread(size[a], k[a], s[a], p[a], p[a + 2], dil[a], ceil);
      }
      if (unread[0] > 0 || unread[1] > 0) {
        StringBuilder lost = new StringBuilder();
        StringBuilder formula = new StringBuilder();
        int[] fixK = k.clone();
        for (int a = 0; a < 2; a++) {
          if (unread[a] == 0) {
            continue;
          }
          String unit = a == 0 ? "row" : "column";
          lost.append(lost.length() == 0 ? "the last " : " and the last ").append(unread[a])
              .append(' ').append(unit).append(unread[a] == 1 ? "" : "s");
          long rem = ((long) size[a] + p[a] + p[a + 2] - keff[a]) % s[a];
          formula.append(formula.length() == 0 ? "" : "; ").append(a == 0 ? "height" : "width")
              .append(": (").append(size[a]).append(" + ").append(padTerm(p, a)).append(" - ")
              .append(keff[a]).append(") mod ").append(s[a]).append(" = ").append(rem);
          if (dil[a] == 1) {
            fixK[a] = (int) Math.min(Integer.MAX_VALUE, k[a] + rem);
          }
        }
        String fix = (fixK[0] != k[0] || fixK[1] != k[1]
            ? kernelAttr + " " + pair(fixK[0], fixK[1]) + " (same output size), or " : "")
            + "padding and stride such that (in + 2*padding - " + kernelAttr
            + ") is a multiple of the stride" + (conv ? "" : ", or ceilMode = true");
        Value<List<Integer>> stride = layer.ints("stride");
        Site site = stride.explicit() ? stride.site() : layer.ints(kernelAttr).site();
        d.add(Message.STRIDE_REMAINDER, site, layer.name(), pair(s[0], s[1]), lost, in, formula,
            fix);
      }
      if (outSize[0] > Integer.MAX_VALUE || outSize[1] > Integer.MAX_VALUE) {
        d.add(Message.ACTIVATION_TOO_LARGE, layer.site(), layer.name(),
            (conv ? filters : in.channels()) + "x" + outSize[0] + "x" + outSize[1],
            mul(mul(conv ? filters : in.channels(), outSize[0]), outSize[1]), MAX_ARRAY);
        return null;
      }
      Shape out = Shape.image(conv ? filters : in.channels(), (int) outSize[0], (int) outSize[1]);
      if (out.size() > MAX_ARRAY) {
        d.add(Message.ACTIVATION_TOO_LARGE, layer.site(), layer.name(), out, out.size(),
            MAX_ARRAY);
        return null;
      }
      return new Window(out, p);
    }

    private void addParameters(LayerDecl layer, long parameters) {
      long before = totalParameters;
      totalParameters = Math.min(Long.MAX_VALUE / 2, before + parameters);
      if (before <= MAX_ARRAY && totalParameters > MAX_ARRAY) {
        d.add(Message.PARAMETERS_TOO_LARGE, layer.site(), layer.name(), parameters,
            totalParameters, MAX_ARRAY);
      }
    }

    // ---- attributes --------------------------------------------------------------------------

    private Integer count(LayerDecl layer, String attr) {
      Value<Integer> v = layer.integer(attr);
      if (!v.known()) {
        return null;
      }
      if (v.value() < 1) {
        d.add(Message.COUNT_NON_POSITIVE, v.site(), layer.name(), attr, v.value());
        return null;
      }
      return v.value();
    }

    /** {h, w} from {n} or {h, w}; an empty array when empty and allowed; null when invalid. */
    private int[] sizes(LayerDecl layer, String attr, boolean emptyAllowed) {
      Value<List<Integer>> v = layer.ints(attr);
      List<Integer> l = v.value();
      if (l == null) {
        return null;
      }
      if (l.isEmpty() && emptyAllowed) {
        return new int[0];
      }
      if (l.isEmpty() || l.size() > 2) {
        d.add(Message.SIZE_ARITY, v.site(), layer.name(), attr, list(l), l.size());
        return null;
      }
      for (int x : l) {
        if (x < 1) {
          d.add(Message.SIZE_NON_POSITIVE, v.site(), layer.name(), attr, value(l));
          return null;
        }
      }
      return new int[] {l.get(0), l.get(l.size() - 1)};
    }

    /** {top, left, bottom, right} from {p}, {ph, pw} or {t, l, b, r}; null when invalid. */
    private int[] paddings(LayerDecl layer) {
      Value<List<Integer>> v = layer.ints("padding");
      List<Integer> l = v.value();
      if (l == null) {
        return null;
      }
      if (l.size() != 1 && l.size() != 2 && l.size() != 4) {
        d.add(Message.PADDING_ARITY, v.site(), layer.name(), list(l), l.size());
        return null;
      }
      for (int x : l) {
        if (x < 0) {
          d.add(Message.PADDING_NEGATIVE, v.site(), layer.name(), value(l));
          return null;
        }
      }
      return switch (l.size()) {
        case 1 -> new int[] {l.get(0), l.get(0), l.get(0), l.get(0)};
        case 2 -> new int[] {l.get(0), l.get(1), l.get(0), l.get(1)};
        default -> new int[] {l.get(0), l.get(1), l.get(2), l.get(3)};
      };
    }

    /**
     * The layer's {@code autoPad}; null (after reporting) when it is combined with an explicit
     * {@code padding}, or for Pool with {@code ceilMode = true}.
     */
    private AutoPad autoPad(LayerDecl layer, boolean pool) {
      Value<AutoPad> auto = layer.attr("autoPad");
      if (!auto.known()) {
        return null;
      }
      if (auto.value() == AutoPad.EXPLICIT) {
        return AutoPad.EXPLICIT;
      }
      Value<List<Integer>> padding = layer.ints("padding");
      if (padding.explicit() && padding.known()) {
        d.add(Message.PADDING_WITH_AUTO_PAD, padding.site(), layer.name(),
            value(padding.value()), auto.value());
        return null;
      }
      Value<Boolean> ceil = layer.bool("ceilMode");
      if (pool && ceil.known() && ceil.value()) {
        d.add(Message.CEIL_WITH_AUTO_PAD, ceil.site(), layer.name(), auto.value(),
            auto.value() == AutoPad.VALID ? "floor((in - window) / stride) + 1"
                : "ceil(in / stride)");
        return null;
      }
      return auto.value();
    }

    // ---- losses and classes ------------------------------------------------------------------

    private Loss checkLoss(List<LayerDecl> layers, Shape lastOut) {
      LayerDecl last = layers.get(layers.size() - 1);
      for (LayerDecl layer : layers) {
        Value<Loss> l = layer.loss();
        if (layer != last && l.known() && l.value() != Loss.NONE) {
          d.add(Message.LOSS_NOT_LAST, l.site(), layer.name(), l.value(), last.name());
        }
      }
      Value<Loss> onNet = net.loss();
      Value<Loss> onLast = last.loss();
      if (!onNet.known() || !onLast.known()) {
        return Loss.NONE;
      }
      Loss loss = onNet.value() != Loss.NONE ? onNet.value() : onLast.value();
      Site lossSite = onNet.value() != Loss.NONE ? onNet.site() : onLast.site();
      if (onNet.value() != Loss.NONE && onLast.value() != Loss.NONE) {
        d.add(Message.LOSS_TWICE, onLast.site(), last.name(), onNet.value(), onLast.value());
      }
      // Silenced on the class, or on the last layer (where a loss would be declared).
      if (loss == Loss.NONE && (last.site() == null
          || !last.site().suppresses(Message.NO_LOSS.id()))) {
        d.add(Message.NO_LOSS, net.site(), cls);
      }
      String unitsAttr = switch (last.kind()) {
        case CONV -> "filters";
        case AFFINE -> "units";
        default -> null;
      };
      Site unitsSite = unitsAttr == null ? last.site() : last.integer(unitsAttr).site();
      if (loss == Loss.SOFTMAX_CROSS_ENTROPY) {
        if (lastOut != null && lastOut.size() < 2) {
          d.add(Message.SOFTMAX_TOO_FEW_UNITS, unitsSite, last.name(), lastOut, lastOut.size());
        }
        Value<Activation> act = last.activation();
        if (act.known() && act.value() != Activation.IDENTITY) {
          d.add(Message.ACTIVATION_BEFORE_SOFTMAX, act.site(), last.name(), act.value());
        }
      }
      Value<Integer> classes = net.classes();
      if (classes.known() && classes.value() > 0 && lastOut != null
          && lastOut.size() != classes.value()) {
        d.add(Message.CLASSES_MISMATCH, classes.site(), cls, classes.value(), last.name(),
            lastOut, lastOut.size());
      }
      return loss;
    }

    // ---- receptive fields --------------------------------------------------------------------

    private boolean checkRequirementSyntax(ReceptiveFieldDecl rf, String owner) {
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
        d.add(Message.RF_ARITY, v.site(), owner, attr, list(l), l.size());
        return false;
      }
      for (int x : l) {
        if (x < 1) {
          d.add(Message.RF_NON_POSITIVE, v.site(), owner, attr, value(l));
          return false;
        }
      }
      return true;
    }

    private void checkReceptiveFields(NetworkModel model, Shape input) {
      List<Node> nodes = model.nodes();
      for (int i = 0; i < nodes.size(); i++) {
        checkRequirement(planned.get(i).decl().receptiveField(), nodes.get(i).summary(), input);
      }
      checkRequirement(net.receptiveField(), nodes.get(nodes.size() - 1).summary(), input);
    }

    private void checkRequirement(ReceptiveFieldDecl req, LayerSummary s, Shape input) {
      if (!req.present()) {
        return;
      }
      int[] rf = s.receptiveField();
      int[] jump = s.jump();
      String actual = rf[0] + "x" + rf[1];
      String grow = "to grow it, add a layer (one more 3x3 conv after " + s.name() + " adds "
          + pair(2 * jump[0], 2 * jump[1]) + "), use a larger kernel (each extra row adds "
          + pair(jump[0], jump[1]) + "), or put a stride or pooling earlier";
      String shrink = "to shrink it, use smaller kernels, smaller strides or fewer layers";
      List<Integer> atLeast = req.atLeast().value();
      if (atLeast != null && !atLeast.isEmpty()) {
        int[] want = {atLeast.get(0), atLeast.get(atLeast.size() - 1)};
        if (rf[0] < want[0] || rf[1] < want[1]) {
          d.add(Message.RF_TOO_SMALL, req.atLeast().site(), s.name(), actual, value(atLeast),
              want[0] + "x" + want[1], compare(rf, want), grow);
        }
      }
      List<Integer> exactly = req.exactly().value();
      if (exactly != null && !exactly.isEmpty()) {
        int[] want = {exactly.get(0), exactly.get(exactly.size() - 1)};
        if (rf[0] != want[0] || rf[1] != want[1]) {
          boolean small = rf[0] < want[0] || rf[1] < want[1];
          d.add(Message.RF_NOT_EXACT, req.exactly().site(), s.name(), actual, value(exactly),
              want[0] + "x" + want[1], compare(rf, want), small ? grow : shrink);
        }
      }
      if (Boolean.TRUE.equals(req.coversInput().value())) {
        int[] extent = input.isImage()
            ? new int[] {input.height(), input.width()}
            : new int[] {1, (int) input.size()};
        if (rf[0] < extent[0] || rf[1] < extent[1]) {
          d.add(Message.RF_NOT_COVERING, req.coversInput().site(), s.name(), actual,
              extent[0] + "x" + extent[1], compare(rf, extent), grow);
        }
      }
    }
  }

  // ---- formatting helpers --------------------------------------------------------------------

  private static String compare(int[] actual, int[] want) {
    StringBuilder sb = new StringBuilder();
    String[] axis = {"height", "width"};
    for (int a = 0; a < 2; a++) {
      String op = actual[a] < want[a] ? " < " : actual[a] > want[a] ? " > " : " = ";
      sb.append(a == 0 ? "" : ", ").append(axis[a]).append(' ').append(actual[a]).append(op)
          .append(want[a]);
    }
    return sb.toString();
  }

  private static String describeKernel(boolean conv, int[] k, int[] dil, long[] keff) {
    String base = (conv ? "kernel " : "window ") + k[0] + "x" + k[1];
    if (dil[0] == 1 && dil[1] == 1) {
      return base;
    }
    return base + " at dilation " + pair(dil[0], dil[1]) + " (effective " + keff[0] + "x"
        + keff[1] + ")";
  }

  /** {@code kernel <= 4}, {@code kernel <= {4, 6}}, {@code kernel height <= 4}. */
  private static String bound(String what, boolean[] fails, long[] v, String op) {
    if (fails[0] && fails[1]) {
      return what + " " + op + " " + (v[0] == v[1] ? Long.toString(v[0])
          : "{" + v[0] + ", " + v[1] + "}");
    }
    return fails[0] ? what + " height " + op + " " + v[0] : what + " width " + op + " " + v[1];
  }

  /** Padding as the messages show it: {@code 1}, {@code 1x0} or {@code {0, 0, 1, 1}}. */
  static String padText(int[] p) {
    if (p[0] == p[2] && p[1] == p[3]) {
      return pair(p[0], p[1]);
    }
    return "{" + p[0] + ", " + p[1] + ", " + p[2] + ", " + p[3] + "}";
  }

  /** The padding of axis {@code a} in a formula: {@code 2*1} or {@code 0 + 1}. */
  private static String padTerm(int[] p, int a) {
    return p[a] == p[a + 2] ? "2*" + p[a] : p[a] + " + " + p[a + 2];
  }

  /** {@code 2} or {@code 2x1}. */
  static String pair(int h, int w) {
    return h == w ? Integer.toString(h) : h + "x" + w;
  }

  /** {@code {5, 5, 5}}. */
  static String list(List<?> values) {
    StringBuilder sb = new StringBuilder("{");
    for (int i = 0; i < values.size(); i++) {
      Object v = values.get(i);
      sb.append(i == 0 ? "" : ", ").append(v instanceof String str ? "\"" + str + "\"" : v);
    }
    return sb.append('}').toString();
  }

  /** As written: {@code 7} or {@code {7, 5}}. */
  private static String value(List<Integer> values) {
    return values.size() == 1 ? Integer.toString(values.get(0)) : list(values);
  }

  private static String num(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : String.valueOf(v);
  }

  /** Saturating multiplication of non-negative values. */
  static long mul(long a, long b) {
    try {
      return Math.multiplyExact(a, b);
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE / 2;
    }
  }
}
