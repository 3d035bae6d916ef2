package dev.lamina.processor.check;

import dev.lamina.processor.decl.BlockDecl;
import dev.lamina.processor.decl.LayerDecl;
import dev.lamina.processor.decl.Value;
import dev.lamina.processor.diag.Message;
import dev.lamina.processor.diag.Site;
import dev.lamina.processor.model.ModelBuilder;
import dev.lamina.processor.model.NetworkModel;
import dev.lamina.processor.model.Node;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The rules of the graph: every {@code from} resolved to an earlier layer (unknown, forward and
 * cyclic references reported with their path), {@code @Apply} uses expanded into their block's
 * layers with the block arguments substituted, layers no loss depends on, and merged inputs with
 * different effective strides.
 */
final class GraphRules {
  /** {@code Block.ARG0}; {@code Block.ARGk} is {@code ARG0 - k}. */
  static final int ARG0 = dev.lamina.dsl.Block.ARG0;

  private final Scope s;
  private final MemberRules members;

  GraphRules(Scope s, MemberRules members) {
    this.s = s;
    this.members = members;
  }

  /** Whether an int attribute is a block placeholder {@code Block.ARG0..ARG7}. */
  static boolean isArg(int v) {
    return v <= ARG0 && v > ARG0 - 8;
  }

  /**
   * The layers to check, in order: each member, or for an {@code @Apply} member the layers of
   * its block under the names {@code use.member}, with every {@code from} resolved to node
   * names. Reference, block and argument errors are reported here.
   */
  List<Item> expand(List<LayerDecl> layers) {
    List<Item> items = new ArrayList<>();
    Map<String, String> outputs = new HashMap<>();
    String previous = ModelBuilder.INPUT;
    for (int i = 0; i < layers.size(); i++) {
      LayerDecl l = layers.get(i);
      List<String> src = resolve(l, l.name(), i, layers, outputs, previous, ModelBuilder.INPUT,
          "the network");
      if (!l.kind().isApply()) {
        LayerDecl sub = substitute(l, l.name(), null);
        items.add(new Item(sub, src, fromSite(l), "", false));
        outputs.put(l.name(), l.name());
        previous = l.name();
        continue;
      }
      if (!members.checkMember(l, false)) {
        s.unplanned();
      }
      Value<BlockDecl> bv = l.attr("block");
      BlockDecl block = bv.value();
      if (src != null && src.size() != 1) {
        s.d.add(Message.TOO_MANY_INPUTS, fromSite(l), l.name(), "Apply",
            Formats.list(l.<List<String>>attr("from").value()), src.size());
        src = null;
      }
      if (block == null) {
        s.unplanned();
        continue;
      }
      if (!block.annotated()) {
        s.d.add(Message.NOT_A_BLOCK, bv.site(), l.name(), block.name());
        s.unplanned();
        continue;
      }
      if (block.layers().isEmpty()) {
        s.d.add(Message.BLOCK_NO_LAYERS, bv.site(), l.name(), block.name());
        s.unplanned();
        continue;
      }
      List<Integer> args = l.<List<Integer>>attr("args").value();
      if (args == null) {
        args = List.of();
      }
      String context = "in " + l.name() + " (" + block.name()
          + (args.isEmpty() ? "" : " with args " + Formats.list(args)) + "): ";
      s.d.context(context);
      String blockInput = src == null ? null : src.get(0);
      Map<String, String> local = new HashMap<>();
      String prev = blockInput;
      List<LayerDecl> members = block.layers();
      for (int j = 0; j < members.size(); j++) {
        LayerDecl b = members.get(j);
        String q = l.name() + "." + b.name();
        if (b.kind().isApply()) {
          s.d.add(Message.BLOCK_IN_BLOCK, b.site(), q, b.name());
          s.unplanned();
          continue;
        }
        List<String> f = blockInput == null ? null
            : resolve(b, q, j, members, local, prev, blockInput, "the block");
        if (blockInput == null) {
          s.unplanned();
        }
        items.add(new Item(substitute(b, q, args), f, fromSite(b), context, true));
        local.put(b.name(), q);
        prev = q;
      }
      s.d.context("");
      outputs.put(l.name(), prev);
      s.aliases.put(l.name(), prev);
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
        s.d.add(Message.CYCLE, site, shown, name, name + " -> " + name);
      } else if (k > index) {
        List<String> path = cyclePath(scope, k, index);
        if (path != null) {
          s.d.add(Message.CYCLE, site, shown, name, String.join(" -> ", path));
        } else {
          s.d.add(Message.FORWARD_REFERENCE, site, shown, name);
        }
      } else if (k < 0) {
        List<String> above = new ArrayList<>();
        for (int i = 0; i < index; i++) {
          above.add(scope.get(i).name());
        }
        s.d.add(Message.UNKNOWN_REFERENCE, site, shown, name,
            above.isEmpty() ? "none" : String.join(", ", above),
            where.equals("the block") ? "block's" : "network's");
      }
    }
    return ok ? out : null;
  }

  /**
   * The path {@code scope[index] -> scope[k] -> ... -> scope[index]} if k reads index, else null.
   */
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
      s.d.add(Message.ARG_OUTSIDE_BLOCK, site, layer, attr, k);
      return null;
    }
    if (k >= args.size()) {
      s.d.add(Message.ARG_MISSING, site, layer, attr, k, args.size(), args.size() == 1 ? "" : "s");
      return null;
    }
    return args.get(k);
  }

  /** Warns about layers from which no path leads to the last layer. */
  void checkUnusedOutputs(List<Item> items) {
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
        s.d.context(item.context());
        s.d.add(Message.UNUSED_OUTPUT, item.decl().site(), item.decl().name(),
            last.decl().name());
        s.d.context("");
      }
    }
  }

  /** Add and Concat: every input must have the same jump (effective stride). */
  void checkJumps(NetworkModel model, List<Item> planned) {
    List<Node> nodes = model.nodes();
    for (int i = 0; i < nodes.size(); i++) {
      Node n = nodes.get(i);
      if (!n.op().merges()) {
        continue;
      }
      int first = n.inputs().get(0);
      int[] j0 = jumpOf(nodes, first);
      for (int source : n.inputs()) {
        int[] j = jumpOf(nodes, source);
        if (j[0] != j0[0] || j[1] != j0[1]) {
          Item item = planned.get(i);
          s.d.context(item.context());
          s.d.add(Message.JUMP_MISMATCH, item.fromSite(), n.name(), nameOf(nodes, first),
              Formats.pair(j0[0], j0[1]), nameOf(nodes, source), Formats.pair(j[0], j[1]));
          s.d.context("");
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
}
