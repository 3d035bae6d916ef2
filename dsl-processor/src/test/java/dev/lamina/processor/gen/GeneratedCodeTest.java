package dev.lamina.processor.gen;

import dev.lamina.processor.kind.LayerKinds;
import dev.lamina.processor.model.ConvOp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.palantir.javapoet.JavaFile;
import dev.lamina.dsl.Layer;
import dev.lamina.dsl.Precision;
import dev.lamina.processor.model.NetworkModel;
import dev.lamina.runtime.DoubleNetwork;
import dev.lamina.runtime.FloatNetwork;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Properties of the generated source and class files: sizes, determinism, API. */
class GeneratedCodeTest {
  private static final NetworkGenerator GENERATOR =
      new NetworkGenerator(LayerKinds.STANDARD::emitterFor);

  /** HotSpot's HugeMethodLimit: larger methods are never JIT-compiled. */
  static final int HUGE_METHOD_LIMIT = 8000;

  private static void assertMethodsSmall(Compiled c) {
    List<String> sizes = new ArrayList<>();
    int largest = 0;
    for (Map.Entry<String, byte[]> e : c.classes.entrySet()) {
      for (Map.Entry<String, Integer> m : ClassFileMethods.codeLengths(e.getValue()).entrySet()) {
        largest = Math.max(largest, m.getValue());
        if (m.getValue() >= HUGE_METHOD_LIMIT) {
          sizes.add(e.getKey() + "." + m.getKey() + ": " + m.getValue() + " bytes");
        }
      }
    }
    assertTrue(sizes.isEmpty(), "methods at or above " + HUGE_METHOD_LIMIT + " bytes:\n"
        + String.join("\n", sizes));
    assertTrue(largest > 0 && largest < 65535);
    System.out.println(c.model.declaredName() + ": largest generated method " + largest
        + " bytes");
  }

  @Test
  void everyLeNet5MethodIsUnderTheHugeMethodLimit() {
    assertMethodsSmall(Compiled.of(Models.lenetModern()));
    assertMethodsSmall(Compiled.of(Models.lenetClassic()));
  }

  @Test
  void everyVgg16MethodIsUnderTheHugeMethodLimit() {
    Compiled c = Compiled.of(Models.vgg16());
    assertMethodsSmall(c);
    assertTrue(c.classes.containsKey("p.Lamina_Vgg16$Workspace"));
    assertTrue(c.classes.containsKey("p.Lamina_Vgg16_F64$Workspace"));
  }

  @Test
  void looped7x7And11x11KernelsStayUnderTheLimit() {
    NetworkModel m = Models.builder("BigKernels", dev.lamina.processor.model.Shape.image(3, 64, 64))
        .add("c1", new dev.lamina.processor.model.ConvOp(8, 7, 7, 2, 2, 3, 3, 1, 1, true),
            dev.lamina.dsl.Activation.RELU, 0)
        .add("c2", new dev.lamina.processor.model.ConvOp(8, 11, 11, 1, 1, 5, 5, 1, 1, true),
            dev.lamina.dsl.Activation.GELU, 0)
        .build();
    assertMethodsSmall(Compiled.of(m));
  }

  @Test
  void generationIsDeterministic() {
    for (NetworkModel m : List.of(Models.lenetModern(), Models.lenetClassic(), Models.mlp())) {
      List<JavaFile> a = GENERATOR.generateAll(m);
      List<JavaFile> b = GENERATOR.generateAll(m);
      assertEquals(a.size(), b.size());
      for (int i = 0; i < a.size(); i++) {
        assertEquals(a.get(i).toString(), b.get(i).toString());
      }
    }
    // Equal models built separately give byte-identical source too.
    assertEquals(GENERATOR.generate(Models.lenetModern(), Precision.FLOAT).toString(),
        GENERATOR.generate(Models.lenetModern(), Precision.FLOAT).toString());
  }

  @Test
  void sourceCarriesGeneratedAnnotationLayerHeadersAndNoTimestamp() {
    String src = GENERATOR.generate(Models.lenetModern(), Precision.FLOAT).toString();
    assertTrue(src.contains("@Generated(\"dev.lamina.processor.LaminaProcessor\")"));
    assertTrue(src.contains("// c1: Conv 6@5x5 pad 2 relu | 1x28x28 -> 6x28x28"));
    assertTrue(src.contains("// out: Affine 10 | 84 -> 10"));
    assertTrue(src.contains("public final class Lamina_LeNet5 extends LeNet5 implements "
        + "FloatNetwork"));
    assertFalse(src.contains("date ="));
  }

  @Test
  void apiSummaryViewsAndFields() throws Exception {
    Compiled c = Compiled.of(Models.lenetModern());
    FloatNetwork f = c.floatNetwork(5);
    DoubleNetwork d = c.doubleNetwork(5);
    NetworkModel model = Models.lenetModern();
    assertEquals(model.summary().layers(), f.summary().layers());
    assertEquals(model.summary().parameterTensors(), f.summary().parameterTensors());
    assertEquals(model.summary().fingerprint(), f.summary().fingerprint());
    assertEquals(model.summary().toTable(), f.summary().toTable());
    assertEquals(f.summary().layers(), d.summary().layers());
    assertEquals(61706, f.parameterCount());
    assertEquals(784, f.inputSize());
    assertEquals(10, d.outputSize());
    Class<?> cls = f.getClass();
    assertEquals(2572, cls.getField("F5_WEIGHT").getInt(null));
    assertEquals(61706, cls.getField("PARAMETER_COUNT").getInt(null));
    // The declared fields hold live views; the accessors return them.
    Layer c1 = (Layer) cls.getMethod("c1").invoke(f);
    java.lang.reflect.Field field = cls.getSuperclass().getDeclaredField("c1");
    field.setAccessible(true);
    assertSame(c1, field.get(f));
    assertSame(c1, f.layers().get(0));
    assertEquals("c1.weight", c1.weights().name());
    c1.weights().set(3, 0.25);
    assertEquals(0.25f, f.parameters()[3]);
    f.parameters()[150] = 1.5f;
    assertEquals(1.5, c1.bias().get(0));
    assertNotNull(f.layers().get(1));
    assertTrue(f.layers().get(1).parameters().isEmpty());
    // Same seed, same parameters; the default constructor uses the default seed.
    assertEquals(java.util.Arrays.toString(c.floatNetwork(9).parameters()),
        java.util.Arrays.toString(c.floatNetwork(9).parameters()));
    FloatNetwork byDefault = (FloatNetwork) c.loader.loadClass("p.Lamina_LeNet5")
        .getConstructor().newInstance();
    assertEquals(java.util.Arrays.toString(c.floatNetwork(42).parameters()),
        java.util.Arrays.toString(byDefault.parameters()));
  }
}
