package dev.lamina.processor.check;

import dev.lamina.dsl.Activation;
import dev.lamina.dsl.Loss;
import dev.lamina.dsl.PoolKind;
import dev.lamina.dsl.Precision;
import dev.lamina.processor.decl.BudgetDecl;
import dev.lamina.processor.decl.ClassFacts;
import dev.lamina.processor.decl.LayerDecl;
import dev.lamina.processor.decl.LayerAnnotation;
import dev.lamina.processor.decl.MemberFacts;
import dev.lamina.processor.decl.NetworkDecl;
import dev.lamina.processor.decl.ReceptiveFieldDecl;
import dev.lamina.processor.decl.Value;
import dev.lamina.processor.diag.Site;
import dev.lamina.processor.kind.LayerKinds;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Builds plain declarations for checker tests, without javac. Sites are labels. */
final class Decls {
  /** A site named like {@code c1.kernel}. */
  record Label(String label, Set<String> suppressedWarnings) implements Site {
    @Override
    public String toString() {
      return label;
    }
  }

  private final List<Integer> input;
  private Loss loss = Loss.NONE;
  private ClassFacts facts = ClassFacts.plainClass();
  private Set<String> classSuppressed = Set.of();
  private final List<LayerDecl> layers = new ArrayList<>();

  private Decls(int... input) {
    this.input = ints(input);
  }

  static Decls network(int... input) {
    return new Decls(input);
  }

  Decls loss(Loss l) {
    this.loss = l;
    return this;
  }

  Decls facts(ClassFacts f) {
    this.facts = f;
    return this;
  }

  Decls suppress(String... ids) {
    this.classSuppressed = Set.of(ids);
    return this;
  }

  /** Attributes as name/value pairs; int and int[] become lists. */
  Decls conv(String name, int filters, int kernel, Object... attrs) {
    return layer(name, kind("Conv"), given(attrs, "filters", "kernel"), merge(attrs,
        "filters", filters, "kernel", kernel,
        "stride", 1, "padding", 0, "dilation", 1, "groups", 1, "bias", true, "loss", Loss.NONE,
        "autoPad", dev.lamina.dsl.AutoPad.EXPLICIT));
  }

  Decls pool(String name, int size, Object... attrs) {
    return layer(name, kind("Pool"), given(attrs, "size"), merge(attrs,
        "kind", PoolKind.MAX, "size", size,
        "stride", new int[0], "padding", 0, "countPadding", true, "dilation", 1,
        "ceilMode", false, "autoPad", dev.lamina.dsl.AutoPad.EXPLICIT));
  }

  Decls affine(String name, int units, Object... attrs) {
    return layer(name, kind("Affine"), given(attrs, "units"), merge(attrs,
        "units", units, "bias", true,
        "loss", Loss.NONE));
  }

  private Decls layer(String name, LayerAnnotation kind, Set<String> explicit,
      Map<String, Object> attrs) {
    attrs.putIfAbsent("activation", Activation.IDENTITY);
    attrs.putIfAbsent("negativeSlope", 0.01);
    attrs.putIfAbsent("alpha", 1.0);
    Set<String> suppressed = new java.util.HashSet<>(classSuppressed);
    if (attrs.remove("suppress") instanceof String id) {
      suppressed.add(id);
    }
    Object rf = attrs.remove("exactly");
    Map<String, Value<?>> values = new HashMap<>();
    for (Map.Entry<String, Object> e : attrs.entrySet()) {
      Object v = e.getValue();
      boolean count = e.getKey().equals("filters") || e.getKey().equals("groups");
      Object decoded = v instanceof Integer i && !count
          && !e.getKey().equals("units") ? List.of(i) : v instanceof int[] a ? ints(a) : v;
      values.put(e.getKey(), new Value<>(decoded, explicit.contains(e.getKey()),
          new Label(name + "." + e.getKey(), suppressed)));
    }
    Label site = new Label(name, suppressed);
    ReceptiveFieldDecl req = new ReceptiveFieldDecl(new Value<>(List.of(), false, site),
        new Value<>(rf == null ? List.of() : List.of((Integer) rf), rf != null,
            new Label(name + ".exactly", suppressed)),
        new Value<>(false, false, site));
    layers.add(new LayerDecl(name, kind, site, MemberFacts.layer(kind), values, req));
    return this;
  }

  /** The annotation of a standard kind: {@code Conv}, {@code Pool}, ... */
  private static LayerAnnotation kind(String simpleName) {
    return LayerKinds.STANDARD.annotations().stream()
        .filter(a -> a.simpleName().equals(simpleName)).findFirst().orElseThrow();
  }

  NetworkDecl build() {
    Label site = new Label("Net", classSuppressed);
    ReceptiveFieldDecl none = new ReceptiveFieldDecl(new Value<>(List.of(), false, site),
        new Value<>(List.of(), false, site), new Value<>(false, false, site));
    Value<Long> unset = new Value<>(BudgetDecl.UNSET, false, site);
    return new NetworkDecl("test", "Net", site, facts,
        new Value<>(input, true, new Label("Net.input", classSuppressed)),
        new Value<>(loss, true, new Label("Net.loss", classSuppressed)),
        new Value<>(0, false, site), none,
        new Value<>(List.of(Precision.FLOAT), false, site), layers,
        new BudgetDecl(unset, unset, unset, unset, new Value<>(1, false, site)));
  }

  private static Set<String> given(Object[] attrs, String... required) {
    Set<String> names = new java.util.HashSet<>(List.of(required));
    for (int i = 0; i < attrs.length; i += 2) {
      names.add((String) attrs[i]);
    }
    return names;
  }

  private static Map<String, Object> merge(Object[] given, Object... defaults) {
    Map<String, Object> m = new HashMap<>();
    for (int i = 0; i < defaults.length; i += 2) {
      m.put((String) defaults[i], defaults[i + 1]);
    }
    for (int i = 0; i < given.length; i += 2) {
      m.put((String) given[i], given[i + 1]);
    }
    return m;
  }

  private static List<Integer> ints(int... values) {
    List<Integer> l = new ArrayList<>();
    for (int v : values) {
      l.add(v);
    }
    return List.copyOf(l);
  }
}
