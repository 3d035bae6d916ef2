package dev.lamina.processor.gen;

import dev.lamina.processor.kind.LayerKinds;
import dev.lamina.processor.model.ConvOp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.palantir.javapoet.JavaFile;
import dev.lamina.dsl.Activation;
import dev.lamina.dsl.Layer;
import dev.lamina.dsl.Loss;
import dev.lamina.dsl.PoolKind;
import dev.lamina.dsl.Precision;
import dev.lamina.processor.model.ConvTransposeOp;
import dev.lamina.processor.model.GlobalAvgPoolOp;
import dev.lamina.processor.model.NetworkModel;
import dev.lamina.processor.model.Shape;
import dev.lamina.runtime.DoubleNetwork;
import dev.lamina.runtime.FloatNetwork;
import dev.lamina.runtime.LayerMemory;
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

  /**
   * What a reviewer of the generated source would flag, on LeNet-5 (one input channel: grid
   * convolutions) and a patch-row convolution (Vector API branches that return early), in both
   * precisions.
   */
  @Test
  void sourceReadsLikeHandWrittenCode() {
    NetworkModel patchRows = Models.builder("PatchRows", Shape.image(4, 6, 6))
        .add("c1", Models.conv(8, 5, 1, 2), Activation.RELU, 0)
        .add("out", Models.affine(2), Activation.IDENTITY, 0)
        .build();
    // one channel everywhere: a plain-loop convolution with one input and one output channel,
    // pooling windows over single rows and columns, a transposed convolution with one filter,
    // a single output unit; global pooling of one channel
    NetworkModel singles = Models.builder("Singles", Shape.image(1, 7, 5))
        .add("c1", Models.conv(1, 3, 2, 0), Activation.RELU, 0)
        .add("s2", Models.pool(PoolKind.MAX, 2, 1), Activation.IDENTITY, 0)
        .add("up", new ConvTransposeOp(1, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, true), Activation.RELU,
            0)
        .add("s3", Models.pool(PoolKind.AVG, 2, 2), Activation.IDENTITY, 0)
        .add("out", Models.affine(1), Activation.IDENTITY, 0)
        .loss(Loss.MSE)
        .build();
    NetworkModel gap = Models.builder("Gap", Shape.image(1, 3, 3))
        .add("gap", new GlobalAvgPoolOp(), Activation.IDENTITY, 0)
        .loss(Loss.MSE)
        .build();
    // a strided kernel too large to unroll: its taps' output ranges are computed in a loop
    NetworkModel strided = Models.builder("Strided", Shape.image(1, 23, 23))
        .add("c1", Models.conv(2, 11, 4, 2), Activation.RELU, 0)
        .add("out", Models.affine(2), Activation.IDENTITY, 0)
        .build();
    java.util.regex.Pattern loop = java.util.regex.Pattern.compile(
        "for \\(int (\\w+) = (-?\\d+); \\1 < (-?\\d+); \\1\\+\\+\\)");
    int kernelCalls = 0;
    for (NetworkModel m : List.of(Models.lenetModern(), Models.lenetClassic(), patchRows,
        singles, gap, strided)) {
      for (Precision p : Precision.values()) {
        String src = GENERATOR.generate(m, p).toString();
        String[] lines = src.split("\n");
        for (int i = 0; i < lines.length; i++) {
          String line = lines[i];
          String where = m.declaredName() + " " + p + " line " + (i + 1) + ": " + line;
          // constants folded: no sum of two literals such as s[5 + 1] or p[wr - (5 + 1)]
          assertFalse(line.matches(".*[\\[(]\\d+ [-+] \\d+\\b.*"), where);
          // no loop over a single group of taps
          assertFalse(line.matches(".*for \\(int (\\w+) = 0; \\1 < (\\d+); \\1 \\+= \\2\\).*"),
              where);
          // no loop that runs once (over one channel, output, row, column or position)
          java.util.regex.Matcher counted = loop.matcher(line);
          if (counted.find()) {
            assertTrue(Long.parseLong(counted.group(3)) - Long.parseLong(counted.group(2)) > 1,
                where);
          }
          // no second name for a plane or row start (int xc = xs with one channel)
          assertFalse(line.matches("\\s*int (xc|zc|zk|zq|xq|zr|xr) = [a-z]\\w*;"), where);
          // a long kernel call has its parameters named in the comment line above it
          java.util.regex.Matcher call =
              java.util.regex.Pattern.compile("Kernels\\.(\\w+)\\((.*)\\);").matcher(line);
          if (call.find() && call.group(2).split(",").length > 5) {
            kernelCalls++;
            int c = i - 1;
            while (lines[c].trim().startsWith("//     ")) {
              c--;
            }
            assertTrue(lines[c].trim().startsWith("// " + call.group(1) + "("), where);
          }
          if (line.trim().startsWith("*")) {
            assertTrue(line.length() <= 100, "Javadoc wider than 100: " + where);
          }
        }
        assertNoVectorTestAfterVectorReturn(m.declaredName() + " " + p, src);
        // a comment names channel c only where a loop over c is open
        for (String method : src.split("\n    private ")) {
          if (method.contains("channel c shifted") || method.contains("input channel c\n")) {
            assertTrue(method.contains("for (int c = 0; c < "),
                m.declaredName() + ":\n" + method);
          }
        }
      }
    }
    assertTrue(kernelCalls >= 8, "long kernel calls seen: " + kernelCalls);
    // the loop's bounds are folded: (3 - uShift) / 4, not (4 - 1 - uShift) / 4
    String c1Strided = method(GENERATOR.generate(strided, Precision.FLOAT).toString(),
        "void c1Forward(");
    assertTrue(c1Strided.contains("int uLo = Math.max(0, (3 - uShift) / 4);"), c1Strided);
    // LeNet-5's c1 reads one channel: its grid loops run over no channel loop at all
    String lenet = GENERATOR.generate(Models.lenetModern(), Precision.FLOAT).toString();
    String c1Forward = method(lenet, "void c1Forward(");
    assertFalse(c1Forward.contains("for (int c = 0; c < 1; c++)"), c1Forward);
    assertFalse(c1Forward.contains("c * "), c1Forward);
    assertTrue(c1Forward.contains("System.arraycopy(x, xs + r * 28, xp, r * 32 + 66, 28)"),
        c1Forward);
  }

  /** The text of the method whose signature contains {@code name}, up to the next member. */
  private static String method(String src, String name) {
    int from = src.indexOf(name);
    assertTrue(from > 0, name);
    int to = src.indexOf("\n    private ", from);
    return src.substring(from, to < 0 ? src.length() : to);
  }

  /**
   * In a method whose first top-level branch is {@code if (Kernels.VECTOR) { ...; return; }}, the
   * rest never tests {@code Kernels.VECTOR} again (it is false there).
   */
  private static void assertNoVectorTestAfterVectorReturn(String what, String src) {
    int methods = 0;
    for (String m : src.split("\n    private ")) {
      int open = m.indexOf("\n      if (Kernels.VECTOR) {\n");
      if (open < 0) {
        continue;
      }
      int close = m.indexOf("\n      }", open + 1);
      if (close < 0 || !m.substring(open, close).trim().endsWith("return;")) {
        continue;
      }
      methods++;
      assertFalse(m.substring(close).contains("Kernels.VECTOR"), what + ":\n" + m);
    }
    if (what.contains("PatchRows FLOAT")) {
      assertTrue(methods >= 3, what + ": methods with a Vector API return first: " + methods);
    }
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
    NetworkGenerator generator = new NetworkGenerator(LayerKinds.STANDARD::emitterFor);
    NetworkModel planned = model.withMemory(Map.of(
        Precision.FLOAT, generator.memoryPlan(model, Precision.FLOAT),
        Precision.DOUBLE, generator.memoryPlan(model, Precision.DOUBLE)));
    assertEquals(planned.summary(Precision.FLOAT), f.summary());
    assertEquals(planned.summary(Precision.DOUBLE), d.summary());
    assertEquals(planned.summary(Precision.FLOAT).toTable(), f.summary().toTable());
    assertEquals(model.summary().parameterTensors(), f.summary().parameterTensors());
    assertEquals(model.summary().fingerprint(), f.summary().fingerprint());
    assertEquals(model.summary().fingerprint(), d.summary().fingerprint());
    // Besides the memory of each class's own workspace, the classes' summaries are the model's.
    assertEquals(model.summary().layers(), f.summary().layers().stream()
        .map(l -> l.withMemory(LayerMemory.NONE)).toList());
    assertEquals(model.summary().layers(), d.summary().layers().stream()
        .map(l -> l.withMemory(LayerMemory.NONE)).toList());
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
