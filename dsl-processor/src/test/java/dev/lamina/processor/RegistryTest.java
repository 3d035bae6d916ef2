package dev.lamina.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static dev.lamina.processor.NetworkTester.assertThatNetwork;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.testing.compile.Compilation;
import dev.lamina.processor.decl.AttrType;
import dev.lamina.processor.decl.LayerAnnotation;
import dev.lamina.processor.kind.LayerKind;
import dev.lamina.processor.kind.LayerKinds;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The layer-kind registry: every attribute of every layer annotation is read in the form its
 * Java type says, and an attribute the reader does not decode is a loud internal error, never a
 * silent drop.
 */
class RegistryTest {
  private static final String CONV = "@Conv(filters = 2, kernel = 3) Layer c1;";

  /** Conv's annotation description with one attribute left out or one added. */
  private static LayerKinds convDescribedAs(Map<String, AttrType> attributes) {
    List<LayerKind<?>> kinds = new ArrayList<>();
    for (LayerKind<?> k : LayerKinds.STANDARD.kinds()) {
      kinds.add(k.annotation().simpleName().equals("Conv") ? withAnnotation(k,
          new LayerAnnotation(k.annotation().qualifiedName(), "Conv", attributes)) : k);
    }
    return new LayerKinds(kinds);
  }

  private static <O extends dev.lamina.processor.model.Op> LayerKind<O> withAnnotation(
      LayerKind<O> k, LayerAnnotation a) {
    return new LayerKind<>(a, k.rules(), k.op(), k.emitter());
  }

  private static Map<String, AttrType> convAttributes() {
    return new LinkedHashMap<>(kind("Conv").attributes());
  }

  private static LayerAnnotation kind(String simpleName) {
    return LayerKinds.STANDARD.annotations().stream()
        .filter(a -> a.simpleName().equals(simpleName)).findFirst().orElseThrow();
  }

  @Test
  void anAttributeTheReaderDoesNotDecodeIsAnInternalErrorNamingIt() {
    Map<String, AttrType> attributes = convAttributes();
    attributes.remove("dilation");
    Compilation c = assertThatNetwork(CONV, "@Affine(units = 10) Layer out;")
        .withProcessor(new LaminaProcessor(convDescribedAs(attributes), what -> {}))
        .compilation();
    assertThat(c).failed();
    assertThat(c).hadErrorContaining("internal error in Lamina while processing Net: "
        + "java.lang.IllegalStateException: @Conv.dilation is not read");
    assertThat(c).hadErrorCount(1);
  }

  @Test
  void anAttributeDescribedButNotInTheAnnotationIsAnInternalErrorNamingIt() {
    Map<String, AttrType> attributes = convAttributes();
    attributes.put("sparsity", AttrType.NUMBER);
    Compilation c = assertThatNetwork(CONV, "@Affine(units = 10) Layer out;")
        .withProcessor(new LaminaProcessor(convDescribedAs(attributes), what -> {}))
        .compilation();
    assertThat(c).failed();
    assertThat(c).hadErrorContaining("@Conv has no attribute sparsity");
    assertThat(c).hadErrorCount(1);
  }

  /** The form each Java type of an annotation attribute decodes to. */
  private static AttrType.Form formOf(Method m) {
    Class<?> t = m.getReturnType();
    if (t == int.class) {
      return AttrType.Form.INT;
    } else if (t == int[].class) {
      return AttrType.Form.INTS;
    } else if (t == boolean.class) {
      return AttrType.Form.BOOL;
    } else if (t == double.class || t == float.class) {
      return AttrType.Form.NUMBER;
    } else if (t == long.class) {
      return AttrType.Form.LONG;
    } else if (t == String[].class || t == String.class) {
      return AttrType.Form.STRINGS;
    } else if (t.isEnum()) {
      return AttrType.Form.ENUM;
    } else if (t == Class.class) {
      return AttrType.Form.BLOCK;
    } else if (t == dev.lamina.dsl.ReceptiveField.class) {
      return AttrType.Form.RECEPTIVE_FIELD;
    }
    throw new AssertionError(m + ": no form for " + t);
  }

  @Test
  void everyKindDescribesExactlyTheAttributesOfItsAnnotation() throws Exception {
    List<LayerAnnotation> all = new ArrayList<>(LayerKinds.STANDARD.annotations());
    all.add(LayerAnnotation.APPLY);
    for (LayerAnnotation a : all) {
      Map<String, String> expected = new TreeMap<>();
      for (Method m : Class.forName(a.qualifiedName()).getDeclaredMethods()) {
        expected.put(m.getName(), formOf(m) + (m.getReturnType().isEnum()
            ? " " + m.getReturnType().getName() : ""));
      }
      Map<String, String> described = new TreeMap<>();
      a.attributes().forEach((name, type) -> described.put(name, type.form()
          + (type.enumType() == null ? "" : " " + type.enumType().getName())));
      assertEquals(expected, described, "@" + a.simpleName());
    }
  }
}
