package dev.lamina.processor.check;

import dev.lamina.dsl.Activation;
import dev.lamina.processor.decl.ClassFacts;
import dev.lamina.processor.decl.LayerDecl;
import dev.lamina.processor.decl.MemberFacts;
import dev.lamina.processor.decl.Value;
import dev.lamina.processor.diag.Message;
import dev.lamina.processor.diag.Site;
import dev.lamina.processor.model.GeneratedNames;
import dev.lamina.processor.model.Shape;
import java.util.List;

/**
 * The rules of declarations: the {@code @Network} class (one the generated class can extend), its
 * input shape, and each layer member (its type, modifiers, name, annotations and activation
 * parameters).
 */
final class MemberRules {
  /** Largest array the JVM reliably allocates. */
  static final long MAX_ARRAY = Checker.MAX_ARRAY;

  private final Scope s;

  MemberRules(Scope s) {
    this.s = s;
  }

  /** False when the type is not a class at all (its members are then not examined). */
  boolean checkClass() {
    ClassFacts f = s.net.facts();
    Site site = s.net.site();
    if (f.form() != ClassFacts.Form.CLASS) {
      s.d.add(Message.NETWORK_NOT_A_CLASS, site, s.cls, s.gen, f.form().phrase());
      return false;
    }
    if (f.isLocal()) {
      s.d.add(Message.NETWORK_LOCAL, site, s.cls, s.gen);
    } else {
      if (f.privateWhere() != null) {
        s.d.add(Message.NETWORK_PRIVATE, site, s.cls, s.gen, f.privateWhere());
      }
      if (f.isInner()) {
        s.d.add(Message.NETWORK_INNER, site, s.cls, s.gen);
      }
    }
    if (f.isFinal()) {
      s.d.add(Message.NETWORK_FINAL, site, s.cls, s.gen);
    }
    if (f.isSealed()) {
      s.d.add(Message.NETWORK_SEALED, site, s.cls, s.gen);
    }
    if (!f.typeParameters().isEmpty()) {
      s.d.add(Message.NETWORK_GENERIC, site, s.cls, s.gen, f.typeParameters());
    }
    // A private class's implicit constructor is private too: the private error says it all.
    if (!f.hasNoArgConstructor() && f.privateWhere() == null) {
      s.d.add(Message.NETWORK_NO_CONSTRUCTOR, site, s.cls, s.gen);
    }
    return true;
  }

  Shape checkInput() {
    Value<List<Integer>> v = s.net.input();
    List<Integer> dims = v.value();
    if (dims == null) {
      return null;
    }
    if (dims.size() < 1 || dims.size() > 3) {
      s.d.add(Message.INPUT_RANK, v.site(), s.cls, Formats.list(dims), dims.size());
      return null;
    }
    String[] names = switch (dims.size()) {
      case 3 -> new String[] {"channels", "height", "width"};
      case 2 -> new String[] {"steps", "features"};
      default -> new String[] {"size"};
    };
    for (int i = 0; i < dims.size(); i++) {
      if (dims.get(i) < 1) {
        s.d.add(Message.INPUT_NON_POSITIVE, v.site(), s.cls, Formats.list(dims), names[i],
            dims.get(i));
        return null;
      }
    }
    Shape shape = switch (dims.size()) {
      case 3 -> Shape.image(dims.get(0), dims.get(1), dims.get(2));
      case 2 -> Shape.sequence(dims.get(0), dims.get(1));
      default -> Shape.flat(dims.get(0));
    };
    if (shape.size() > MAX_ARRAY) {
      s.d.add(Message.ACTIVATION_TOO_LARGE, v.site(), "input", shape, shape.size(), MAX_ARRAY);
      return null;
    }
    return shape;
  }

  /** Declaration of the member itself; false when it cannot be a layer. */
  boolean checkMember(LayerDecl layer, boolean inBlock) {
    MemberFacts f = layer.facts();
    boolean ok = true;
    if (f.annotations().size() > 1) {
      StringBuilder names = new StringBuilder();
      for (int i = 0; i < f.annotations().size(); i++) {
        names.append(i == 0 ? "" : i == f.annotations().size() - 1 ? " and " : ", ")
            .append('@').append(f.annotations().get(i).simpleName());
      }
      s.d.add(Message.LAYER_TWO_ANNOTATIONS, layer.site(), layer.name(), names);
      ok = false;
    }
    if (f.type() == MemberFacts.TypeFact.OTHER) {
      s.d.add(Message.LAYER_WRONG_TYPE, layer.site(), layer.name(), f.typeName());
      ok = false;
    } else if (f.type() == MemberFacts.TypeFact.ERROR) {
      ok = false;
    }
    // Fields of a block class are templates: the generated class never assigns them.
    if (f.isStatic() && !inBlock) {
      s.d.add(Message.LAYER_STATIC, layer.site(), layer.name());
      ok = false;
    }
    if (f.isPrivate() && !inBlock) {
      s.d.add(Message.LAYER_PRIVATE, layer.site(), layer.name(), s.gen);
      ok = false;
    }
    if (f.isFinal() && !inBlock) {
      s.d.add(Message.LAYER_FINAL, layer.site(), layer.name(), s.gen);
      ok = false;
    }
    if (!inBlock && GeneratedNames.RESERVED_MEMBER_NAMES.contains(layer.name())) {
      s.d.add(Message.LAYER_RESERVED_NAME, layer.site(), layer.name(), s.gen);
      ok = false;
    } else {
      String prefix = GeneratedNames.constantPrefix(layer.name());
      String earlier = s.constantPrefixes.putIfAbsent(prefix, layer.name());
      if (earlier != null) {
        s.d.add(Message.LAYER_NAME_CLASH, layer.site(), layer.name(), earlier, prefix, s.gen);
        ok = false;
      }
    }
    return ok;
  }

  boolean checkActivation(LayerDecl layer) {
    Value<Activation> activation = layer.activation();
    boolean ok = true;
    Value<Double> slope = layer.negativeSlope();
    if (slope.known()) {
      if (!Double.isFinite(slope.value())) {
        s.d.add(Message.SLOPE_NOT_FINITE, slope.site(), layer.name(), slope.value());
        ok = false;
      } else if (slope.explicit() && activation.known()
          && activation.value() != Activation.LEAKY_RELU) {
        s.d.add(Message.UNUSED_NEGATIVE_SLOPE, slope.site(), layer.name(),
            Formats.num(slope.value()),
            activation.value());
      }
    }
    Value<Double> alpha = layer.alpha();
    if (alpha.known()) {
      if (!Double.isFinite(alpha.value())) {
        s.d.add(Message.ALPHA_NOT_FINITE, alpha.site(), layer.name(), alpha.value());
        ok = false;
      } else if (alpha.explicit() && activation.known()
          && activation.value() != Activation.ELU) {
        s.d.add(Message.UNUSED_ALPHA, alpha.site(), layer.name(), Formats.num(alpha.value()),
            activation.value());
      }
    }
    return ok;
  }
}
