package dev.lamina.processor.decl;

import dev.lamina.dsl.Loss;
import dev.lamina.dsl.Precision;
import dev.lamina.processor.decl.ClassFacts.Form;
import dev.lamina.processor.decl.MemberFacts.TypeFact;
import dev.lamina.processor.diag.ElementSite;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.NestingKind;
import javax.lang.model.element.PackageElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.TypeParameterElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.ElementFilter;
import javax.lang.model.util.Elements;
import javax.lang.model.util.SimpleAnnotationValueVisitor9;

/**
 * Reads {@code @Network} classes and their layer members from {@code javax.lang.model} into the
 * plain declaration model. Every attribute is read through its {@link AnnotationMirror} with
 * defaults applied (never through {@code getAnnotation()} proxies), and keeps its element, mirror
 * and value as an {@link ElementSite}. A value javac could not resolve becomes unknown
 * ({@code null}): javac reports that error itself.
 */
public final class DeclarationReader {
  public static final String NETWORK = "dev.lamina.dsl.Network";
  public static final String LAYER_TYPE = "dev.lamina.dsl.Layer";
  public static final String BLOCK = "dev.lamina.dsl.Block";
  private static final String SUPPRESS = "java.lang.SuppressWarnings";
  private static final String PREFIX = "lamina:";

  private final Elements elements;
  private final Map<String, LayerAnnotation> annotations = new HashMap<>();
  private final Set<TypeElement> readingBlocks = new java.util.HashSet<>();

  /** A reader of the layer annotations {@code kinds} (and {@code @Apply}). */
  public DeclarationReader(Elements elements, List<LayerAnnotation> kinds) {
    this.elements = elements;
    for (LayerAnnotation k : kinds) {
      annotations.put(k.qualifiedName(), k);
    }
    annotations.put(LayerAnnotation.APPLY.qualifiedName(), LayerAnnotation.APPLY);
  }

  /** Reads a class carrying {@code @Network}. */
  public NetworkDecl read(TypeElement type) {
    AnnotationMirror network = find(type, NETWORK);
    Set<String> suppressed = suppressions(type);
    ElementSite site = new ElementSite(type, network, null, suppressed);
    Map<String, Attr> attrs = attributes(network, site);
    ClassFacts facts = classFacts(type);
    List<LayerDecl> layers = new ArrayList<>();
    if (facts.form() == Form.CLASS) {
      for (VariableElement field : ElementFilter.fieldsIn(type.getEnclosedElements())) {
        LayerDecl layer = readLayer(field);
        if (layer != null) {
          layers.add(layer);
        }
      }
    }
    return new NetworkDecl(
        packageName(type),
        declaredName(type),
        site,
        facts,
        ints(attrs.get("input")),
        enumValue(attrs.get("loss"), Loss.class),
        integer(attrs.get("classes")),
        receptiveField(attrs.get("receptiveField"), site),
        enumList(attrs.get("precision"), Precision.class),
        layers,
        budget(attrs.get("budget"), site));
  }

  /**
   * Reads a member carrying at least one layer annotation (the first one decides its kind); null
   * when it carries none.
   */
  public LayerDecl readLayer(Element member) {
    List<LayerAnnotation> kinds = new ArrayList<>();
    AnnotationMirror first = null;
    for (AnnotationMirror m : member.getAnnotationMirrors()) {
      LayerAnnotation k = annotations.get(annotationName(m));
      if (k != null) {
        kinds.add(k);
        if (first == null) {
          first = m;
        }
      }
    }
    if (first == null) {
      return null;
    }
    LayerAnnotation kind = kinds.get(0);
    ElementSite site = new ElementSite(member, first, null, suppressions(member));
    Map<String, Attr> attrs = attributes(first, site);
    Map<String, Value<?>> values = new HashMap<>();
    for (Map.Entry<String, Attr> e : attrs.entrySet()) {
      AttrType type = kind.attributes().get(e.getKey());
      if (type == null) {
        throw new IllegalStateException("@" + kind.simpleName() + "." + e.getKey()
            + " is not read: the kind's annotation description declares no such attribute");
      }
      if (type.form() != AttrType.Form.RECEPTIVE_FIELD) {
        Attr a = e.getValue();
        values.put(e.getKey(), new Value<>(decode(type, a), a.explicit, a.site));
      }
    }
    for (String declared : kind.attributes().keySet()) {
      if (!attrs.containsKey(declared)) {
        throw new IllegalStateException("@" + kind.simpleName() + " has no attribute "
            + declared + ", which the kind's annotation description declares");
      }
    }
    return new LayerDecl(member.getSimpleName().toString(), kind, site,
        memberFacts(member, kinds), values, receptiveField(attrs.get("receptiveField"), site));
  }

  /** One attribute's value in the form its kind declares; null when javac could not resolve it. */
  private Object decode(AttrType type, Attr a) {
    return switch (type.form()) {
      case INT -> integer(a).value();
      case INTS -> ints(a).value();
      case BOOL -> bool(a).value();
      case NUMBER -> number(a);
      case LONG -> raw(a.value) instanceof Number n ? n.longValue() : null;
      case STRINGS -> strings(a);
      case ENUM -> enumConstant(raw(a.value), type.enumType());
      case BLOCK -> block(a);
      case RECEPTIVE_FIELD -> throw new IllegalArgumentException("read apart: " + a);
    };
  }

  /** The class named by {@code @Apply(block = ...)}, read like a network's members; or null. */
  private BlockDecl block(Attr a) {
    if (!(raw(a.value) instanceof DeclaredType type)
        || !(type.asElement() instanceof TypeElement t)) {
      return null;
    }
    List<LayerDecl> layers = new ArrayList<>();
    // A block using itself (directly or not) is read once; the checker rejects @Apply in blocks.
    if (readingBlocks.add(t)) {
      try {
        for (VariableElement field : ElementFilter.fieldsIn(t.getEnclosedElements())) {
          LayerDecl layer = readLayer(field);
          if (layer != null) {
            layers.add(layer);
          }
        }
      } finally {
        readingBlocks.remove(t);
      }
    }
    return new BlockDecl(t.getSimpleName().toString(), find(t, BLOCK) != null, layers);
  }

  private static List<String> strings(Attr a) {
    Object raw = raw(a.value);
    List<String> out = new ArrayList<>();
    if (raw instanceof String one) {
      return List.of(one);
    }
    if (!(raw instanceof List<?> items)) {
      return null;
    }
    for (Object item : items) {
      if (item instanceof AnnotationValue v && raw(v) instanceof String str) {
        out.add(str);
      } else {
        return null;
      }
    }
    return List.copyOf(out);
  }

  /** The annotation mirror with this qualified name on an element, or null. */
  public static AnnotationMirror find(Element element, String qualifiedName) {
    for (AnnotationMirror m : element.getAnnotationMirrors()) {
      if (qualifiedName.equals(annotationName(m))) {
        return m;
      }
    }
    return null;
  }

  /** {@code Outer.Inner} for {@code pkg.Outer.Inner}. */
  public String declaredName(TypeElement type) {
    String pkg = packageName(type);
    String qualified = type.getQualifiedName().toString();
    if (qualified.isEmpty()) {
      return type.getSimpleName().toString();
    }
    return pkg.isEmpty() ? qualified : qualified.substring(pkg.length() + 1);
  }

  public String packageName(Element element) {
    PackageElement pkg = elements.getPackageOf(element);
    return pkg == null || pkg.isUnnamed() ? "" : pkg.getQualifiedName().toString();
  }

  /** The {@code lamina:} ids of every {@code @SuppressWarnings} on the element or around it. */
  public static Set<String> suppressions(Element element) {
    Set<String> ids = new LinkedHashSet<>();
    for (Element e = element; e != null && e.getKind() != ElementKind.PACKAGE;
        e = e.getEnclosingElement()) {
      AnnotationMirror m = find(e, SUPPRESS);
      if (m == null) {
        continue;
      }
      for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> v
          : m.getElementValues().entrySet()) {
        for (AnnotationValue item : asList(v.getValue())) {
          if (raw(item) instanceof String s && s.startsWith(PREFIX)) {
            ids.add(s.substring(PREFIX.length()));
          }
        }
      }
    }
    return ids;
  }

  // ---- facts --------------------------------------------------------------------------------

  private static ClassFacts classFacts(TypeElement type) {
    Form form = switch (type.getKind()) {
      case INTERFACE -> Form.INTERFACE;
      case ENUM -> Form.ENUM;
      case ANNOTATION_TYPE -> Form.ANNOTATION;
      case RECORD -> Form.RECORD;
      default -> Form.CLASS;
    };
    Set<Modifier> mods = type.getModifiers();
    String privateWhere = null;
    if (mods.contains(Modifier.PRIVATE)) {
      privateWhere = "private";
    } else {
      for (Element e = type.getEnclosingElement(); e instanceof TypeElement t;
          e = e.getEnclosingElement()) {
        if (t.getModifiers().contains(Modifier.PRIVATE)) {
          privateWhere = "inside the private class " + t.getSimpleName();
          break;
        }
      }
    }
    NestingKind nesting = type.getNestingKind();
    boolean inner = nesting == NestingKind.MEMBER && !mods.contains(Modifier.STATIC)
        && form == Form.CLASS && type.getEnclosingElement().getKind().isClass();
    boolean local = nesting == NestingKind.LOCAL || nesting == NestingKind.ANONYMOUS;
    StringBuilder params = new StringBuilder();
    for (TypeParameterElement p : type.getTypeParameters()) {
      params.append(params.length() == 0 ? "<" : ", ").append(p.getSimpleName());
    }
    if (params.length() > 0) {
      params.append('>');
    }
    boolean noArg = false;
    for (ExecutableElement c : ElementFilter.constructorsIn(type.getEnclosedElements())) {
      if (c.getParameters().isEmpty() && !c.getModifiers().contains(Modifier.PRIVATE)) {
        noArg = true;
      }
    }
    return new ClassFacts(form, mods.contains(Modifier.FINAL), mods.contains(Modifier.SEALED),
        privateWhere, inner, local, params.toString(), noArg);
  }

  private static MemberFacts memberFacts(Element member, List<LayerAnnotation> kinds) {
    Set<Modifier> mods = member.getModifiers();
    TypeMirror type = member.asType();
    TypeFact fact;
    if (type.getKind() == TypeKind.ERROR) {
      fact = TypeFact.ERROR;
    } else if (type.getKind() == TypeKind.DECLARED
        && ((DeclaredType) type).asElement() instanceof TypeElement t
        && t.getQualifiedName().contentEquals(LAYER_TYPE)) {
      fact = TypeFact.LAYER;
    } else {
      fact = TypeFact.OTHER;
    }
    boolean isField = member.getKind() == ElementKind.FIELD;
    return new MemberFacts(mods.contains(Modifier.STATIC), mods.contains(Modifier.PRIVATE),
        mods.contains(Modifier.FINAL), isField ? fact : TypeFact.OTHER, String.valueOf(type),
        kinds);
  }

  // ---- attribute decoding -------------------------------------------------------------------

  /** An attribute's raw value with its site. */
  private record Attr(AnnotationValue value, boolean explicit, ElementSite site) {}

  private Map<String, Attr> attributes(AnnotationMirror mirror, ElementSite owner) {
    Map<String, Attr> out = new HashMap<>();
    if (mirror == null) {
      return out;
    }
    Map<? extends ExecutableElement, ? extends AnnotationValue> explicit =
        mirror.getElementValues();
    for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> e
        : elements.getElementValuesWithDefaults(mirror).entrySet()) {
      boolean isExplicit = explicit.containsKey(e.getKey());
      ElementSite site = isExplicit ? owner.at(e.getValue()) : owner;
      out.put(e.getKey().getSimpleName().toString(), new Attr(e.getValue(), isExplicit, site));
    }
    return out;
  }

  private ReceptiveFieldDecl receptiveField(Attr attr, ElementSite owner) {
    Map<String, Attr> inner = nested(attr, owner);
    Value<List<Integer>> none = new Value<>(List.of(), false, owner);
    Attr atLeast = inner.get("atLeast");
    Attr exactly = inner.get("exactly");
    Attr covers = inner.get("coversInput");
    return new ReceptiveFieldDecl(
        atLeast == null ? none : ints(atLeast),
        exactly == null ? none : ints(exactly),
        covers == null ? new Value<>(false, false, owner) : bool(covers));
  }

  /**
   * The attributes of a nested annotation (defaults included); an attribute written in source
   * points at its value, a default at the outer attribute.
   */
  private Map<String, Attr> nested(Attr attr, ElementSite owner) {
    Map<String, Attr> inner = new HashMap<>();
    if (attr != null && raw(attr.value) instanceof AnnotationMirror nested) {
      Map<? extends ExecutableElement, ? extends AnnotationValue> explicit =
          nested.getElementValues();
      for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> e
          : elements.getElementValuesWithDefaults(nested).entrySet()) {
        boolean isExplicit = attr.explicit && explicit.containsKey(e.getKey());
        ElementSite site = isExplicit ? owner.at(e.getValue()) : attr.site;
        inner.put(e.getKey().getSimpleName().toString(), new Attr(e.getValue(), isExplicit, site));
      }
    }
    return inner;
  }

  private BudgetDecl budget(Attr attr, ElementSite owner) {
    Map<String, Attr> inner = nested(attr, owner);
    Attr batch = inner.get("batch");
    return new BudgetDecl(bound(inner.get("parameters"), owner),
        bound(inner.get("multiplyAdds"), owner), bound(inner.get("inferenceBytes"), owner),
        bound(inner.get("trainingBytes"), owner),
        batch == null ? new Value<>(1, false, owner) : integer(batch));
  }

  /** A {@code long} bound; unset when the annotation is absent. */
  private static Value<Long> bound(Attr a, ElementSite owner) {
    if (a == null) {
      return new Value<>(BudgetDecl.UNSET, false, owner);
    }
    return new Value<>(raw(a.value) instanceof Number n ? n.longValue() : null, a.explicit,
        a.site);
  }

  private static Value<List<Integer>> ints(Attr a) {
    if (a == null) {
      return new Value<>(null, false, null);
    }
    Object raw = raw(a.value);
    List<Integer> list = null;
    if (raw instanceof Integer i) {
      list = List.of(i);
    } else if (raw instanceof List<?> items) {
      List<Integer> ints = new ArrayList<>();
      for (Object item : items) {
        if (item instanceof AnnotationValue v && raw(v) instanceof Integer i) {
          ints.add(i);
        } else {
          ints = null;
          break;
        }
      }
      list = ints == null ? null : Collections.unmodifiableList(ints);
    }
    return new Value<>(list, a.explicit, a.site);
  }

  private static Value<Integer> integer(Attr a) {
    if (a == null) {
      return new Value<>(null, false, null);
    }
    return new Value<>(raw(a.value) instanceof Integer i ? i : null, a.explicit, a.site);
  }

  private static Value<Boolean> bool(Attr a) {
    if (a == null) {
      return new Value<>(null, false, null);
    }
    return new Value<>(raw(a.value) instanceof Boolean b ? b : null, a.explicit, a.site);
  }

  private static Double number(Attr a) {
    return a != null && raw(a.value) instanceof Number n ? n.doubleValue() : null;
  }

  private static <E extends Enum<E>> Value<E> enumValue(Attr a, Class<E> type) {
    if (a == null) {
      return new Value<>(null, false, null);
    }
    return new Value<>(constant(raw(a.value), type), a.explicit, a.site);
  }

  private static <E extends Enum<E>> Value<List<E>> enumList(Attr a, Class<E> type) {
    if (a == null) {
      return new Value<>(null, false, null);
    }
    List<E> out = new ArrayList<>();
    Object raw = raw(a.value);
    List<?> items = raw instanceof List<?> l ? l : List.of(a.value);
    for (Object item : items) {
      E e = item instanceof AnnotationValue v ? constant(raw(v), type) : null;
      if (e == null) {
        return new Value<>(null, a.explicit, a.site);
      }
      out.add(e);
    }
    return new Value<>(List.copyOf(out), a.explicit, a.site);
  }

  private static <E extends Enum<E>> E constant(Object raw, Class<E> type) {
    return type.cast(enumConstant(raw, type));
  }

  /** The constant of {@code type} that {@code raw} names, or null. */
  private static Enum<?> enumConstant(Object raw, Class<? extends Enum<?>> type) {
    if (!(raw instanceof VariableElement v) || v.getKind() != ElementKind.ENUM_CONSTANT) {
      return null;
    }
    for (Enum<?> c : type.getEnumConstants()) {
      if (v.getSimpleName().contentEquals(c.name())) {
        return c;
      }
    }
    return null;
  }

  private static List<? extends AnnotationValue> asList(AnnotationValue v) {
    if (raw(v) instanceof List<?> list) {
      List<AnnotationValue> out = new ArrayList<>();
      for (Object o : list) {
        if (o instanceof AnnotationValue av) {
          out.add(av);
        }
      }
      return out;
    }
    return List.of(v);
  }

  /**
   * The value inside an annotation value, through the visitor API (javac's {@code getValue()} is
   * not implemented for every kind of value); null when it cannot be read.
   */
  private static Object raw(AnnotationValue v) {
    if (v == null) {
      return null;
    }
    try {
      return v.accept(new SimpleAnnotationValueVisitor9<Object, Void>() {
        @Override
        protected Object defaultAction(Object o, Void unused) {
          return o;
        }

        @Override
        public Object visitAnnotation(AnnotationMirror a, Void unused) {
          return a;
        }

        @Override
        public Object visitArray(List<? extends AnnotationValue> values, Void unused) {
          return values;
        }

        @Override
        public Object visitEnumConstant(VariableElement c, Void unused) {
          return c;
        }

        @Override
        public Object visitUnknown(AnnotationValue av, Void unused) {
          return null;
        }
      }, null);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static String annotationName(AnnotationMirror m) {
    Element e = m.getAnnotationType().asElement();
    return e instanceof TypeElement t ? t.getQualifiedName().toString() : "";
  }
}
