package dev.lamina.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.testing.compile.CompilationSubject.assertThat;
import static dev.lamina.processor.NetworkTester.assertThatNetwork;
import static dev.lamina.processor.NetworkTester.compile;
import static dev.lamina.processor.NetworkTester.resource;
import static dev.lamina.processor.NetworkTester.source;
import static dev.lamina.processor.SummaryTable.CONNECTIONS;
import static dev.lamina.processor.SummaryTable.KIND;
import static dev.lamina.processor.SummaryTable.MULT_ADDS;
import static dev.lamina.processor.SummaryTable.OUTPUT;
import static dev.lamina.processor.SummaryTable.PARAMS;
import static dev.lamina.processor.SummaryTable.RF;

import com.google.testing.compile.Compilation;
import dev.lamina.processor.check.Checker;
import java.nio.file.Path;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Valid networks: the summary resource, generated classes, and networks in one compilation. */
class NetworksTest {

  // ---- LeNet-5 (DOMAIN.md §3) ------------------------------------------------------------------

  private static final String[] CLASSIC_LENET = {
      "@Conv(filters = 6, kernel = 5, activation = TANH) Layer c1;",
      "@Pool(kind = SUBSAMPLE, size = 2, activation = SIGMOID) Layer s2;",
      "@Conv(filters = 16, kernel = 5, activation = TANH) Layer c3;",
      "@Pool(kind = SUBSAMPLE, size = 2, activation = SIGMOID) Layer s4;",
      "@Conv(filters = 120, kernel = 5, activation = TANH) Layer c5;",
      "@Affine(units = 84, activation = TANH) Layer f6;",
      "@Affine(units = 10, bias = false) Layer out;"};

  @Test
  void classicLeNet5ReproducesItsTable() {
    SummaryTable t = new SummaryTable(assertThatNetwork(CLASSIC_LENET)
        .network("input = {1, 32, 32}, loss = HALF_SQUARED_ERROR")
        .compilesWithoutWarnings().summary());
    String[][] expected = {
        {"c1", "6x28x28", "156", "122,304"},
        {"s2", "6x14x14", "12", "5,880"},
        {"c3", "16x10x10", "2,416", "241,600"},
        {"s4", "16x5x5", "32", "2,000"},
        {"c5", "120x1x1", "48,120", "48,120"},
        {"f6", "84", "10,164", "10,164"},
        {"out", "10", "840", "840"}};
    for (String[] row : expected) {
      assertThat(t.cell(row[0], OUTPUT)).isEqualTo(row[1]);
      assertThat(t.cell(row[0], PARAMS)).isEqualTo(row[2]);
      assertThat(t.cell(row[0], CONNECTIONS)).isEqualTo(row[3]);
    }
    assertThat(t.cell("s2", KIND)).isEqualTo("Pool subsample 2x2/2 sigmoid");
    assertThat(t.total(PARAMS)).isEqualTo("61,740");
  }

  @Test
  void classicLeNet5On28x28WithPadding2IsTheSame() {
    String[] layers = CLASSIC_LENET.clone();
    layers[0] = "@Conv(filters = 6, kernel = 5, padding = 2, activation = TANH) Layer c1;";
    SummaryTable t = new SummaryTable(assertThatNetwork(layers)
        .network("input = {1, 28, 28}, loss = HALF_SQUARED_ERROR").summary());
    assertThat(t.cell("c1", CONNECTIONS)).isEqualTo("122,304");
    assertThat(t.cell("c3", CONNECTIONS)).isEqualTo("241,600");
    assertThat(t.cell("c5", OUTPUT)).isEqualTo("120x1x1");
  }

  @Test
  void modernLeNet5() {
    NetworkTester net = assertThatNetwork(
        "@Conv(filters = 6, kernel = 5, padding = 2, activation = RELU) Layer c1;",
        "@Pool(size = 2) Layer s2;",
        "@Conv(filters = 16, kernel = 5, activation = RELU) Layer c3;",
        "@Pool(size = 2) Layer s4;",
        "@Affine(units = 120, activation = RELU) Layer f5;",
        "@Affine(units = 84, activation = RELU) Layer f6;",
        "@Affine(units = 10) Layer out;")
        .network("input = {1, 28, 28}, loss = SOFTMAX_CROSS_ENTROPY, classes = 10")
        .compilesWithoutWarnings();
    String text = net.summary();
    assertThat(text).startsWith("test.Net: input 1x28x28, loss SOFTMAX_CROSS_ENTROPY\n");
    SummaryTable t = new SummaryTable(text);
    assertThat(t.total(PARAMS)).isEqualTo("61,706");
    assertThat(t.total(MULT_ADDS)).isEqualTo("416,520");
    assertThat(t.cell("s2", PARAMS)).isEqualTo("0");
    assertThat(net.compilation()).generatedSourceFile("test.Lamina_Net");
  }

  // ---- receptive fields (DOMAIN.md §4) ---------------------------------------------------------

  @Test
  void twoAndThree3x3ConvsSee5And7() {
    SummaryTable t = new SummaryTable(assertThatNetwork(
        "@Conv(filters = 4, kernel = 3) Layer c1;",
        "@Conv(filters = 4, kernel = 3) Layer c2;",
        "@Conv(filters = 4, kernel = 3) Layer c3;",
        "@Affine(units = 10) Layer out;").summary());
    assertThat(t.cell("c1", RF)).isEqualTo("3x3");
    assertThat(t.cell("c2", RF)).isEqualTo("5x5");
    assertThat(t.cell("c3", RF)).isEqualTo("7x7");
  }

  @Test
  void strideTwoThenTwoByTwoSees5() {
    SummaryTable t = new SummaryTable(assertThatNetwork(
        "@Conv(filters = 4, kernel = 3, stride = 2) Layer c1;",
        "@Conv(filters = 4, kernel = 2, receptiveField = @ReceptiveField(exactly = 5)) Layer c2;",
        "@Affine(units = 10) Layer out;")
        .network("input = {1, 7, 7}, loss = SOFTMAX_CROSS_ENTROPY").summary());
    assertThat(t.cell("c1", OUTPUT)).isEqualTo("4x3x3");
    assertThat(t.cell("c2", OUTPUT)).isEqualTo("4x2x2");
    assertThat(t.cell("c1", RF)).isEqualTo("3x3");
    assertThat(t.cell("c2", RF)).isEqualTo("5x5");
  }

  @Test
  void sevenLayerStackSees30() {
    SummaryTable t = new SummaryTable(assertThatNetwork(
        "@Conv(filters = 4, kernel = 3) Layer conv1;",
        "@Pool(size = 2) Layer pool1;",
        "@Conv(filters = 4, kernel = 3) Layer conv2;",
        "@Pool(size = 2) Layer pool2;",
        "@Conv(filters = 4, kernel = 3) Layer conv3;",
        "@Conv(filters = 4, kernel = 3) Layer conv4;",
        "@Pool(size = 2, receptiveField = @ReceptiveField(exactly = 30)) Layer pool3;",
        "@Affine(units = 10) Layer out;")
        .network("input = {1, 62, 62}, loss = SOFTMAX_CROSS_ENTROPY")
        .compilesWithoutWarnings().summary());
    String[] names = {"conv1", "pool1", "conv2", "pool2", "conv3", "conv4", "pool3"};
    int[] forward = {3, 4, 8, 10, 18, 26, 30};
    for (int i = 0; i < names.length; i++) {
      assertThat(t.cell(names[i], RF)).isEqualTo(forward[i] + "x" + forward[i]);
    }
  }

  // ---- many networks, names, packages ----------------------------------------------------------

  @Test
  void severalNetworksNestedAndDefaultPackage() {
    JavaFileObject a = source("test.A", """
        @Network(input = {4}, loss = MSE)
        abstract class A {
          @Affine(units = 2) Layer out;
        }
        """);
    JavaFileObject outer = source("test.Outer", """
        class Outer {
          @Network(input = {4}, loss = MSE, precision = {FLOAT, DOUBLE})
          abstract static class Inner {
            @Affine(units = 3) Layer out;
          }
        }
        """);
    JavaFileObject plain = source("Plain", """
        @Network(input = {1, 4, 4}, loss = MSE)
        abstract class Plain {
          @Conv(filters = 2, kernel = 3) Layer c1;
        }
        """);
    Compilation c = compile(a, outer, plain);
    assertThat(c).succeededWithoutWarnings();
    assertThat(c).generatedSourceFile("test.Lamina_A");
    assertThat(c).generatedSourceFile("test.Lamina_Outer_Inner");
    assertThat(c).generatedSourceFile("test.Lamina_Outer_Inner_F64");
    assertThat(c).generatedSourceFile("Lamina_Plain");
    assertThat(resource(c, "test.A")).contains("out");
    assertThat(resource(c, "test.Outer.Inner")).startsWith("test.Outer.Inner: input 4, loss MSE");
    assertThat(resource(c, "Plain")).contains("2x2x2");
  }

  @Test
  void tenBrokenNetworksGiveTenErrorsAndTheGoodOneIsGenerated(@TempDir Path dir) {
    JavaFileObject file = source("test.Many", """
        @Network(input = {4}, loss = MSE) abstract class Good { @Affine(units = 2) Layer out; }
        @Network(input = {4}, loss = MSE) abstract class Many { @Affine(units = 0) Layer e1; }
        @Network(input = {4}, loss = MSE) final class B2 { @Affine(units = 2) Layer e2; }
        @Network(input = {2, 4, 4, 4}, loss = MSE) abstract class B3 { @Affine(units = 2) Layer e3; }
        @Network(input = {4}, loss = MSE) abstract class B4 { @Conv(filters = 2, kernel = 3) Layer e4; }
        @Network(input = {1, 4, 4}, loss = MSE) abstract class B5 { @Conv(filters = 2, kernel = 5) Layer e5; }
        @Network(input = {1, 4, 4}, loss = MSE) abstract class B6 { @Pool(size = 2, padding = 2) Layer e6; }
        @Network(input = {4}, loss = MSE) abstract class B7 { @Affine(units = 2) private Layer e7; }
        @Network(input = {4}, loss = MSE) abstract class B8 { @Affine(units = 2, loss = MSE) Layer e8; }
        @Network(input = {4}, loss = SOFTMAX_CROSS_ENTROPY) abstract class B9 { @Affine(units = 1) Layer e9; }
        @Network(input = {4}, loss = MSE, classes = 3) abstract class B10 { @Affine(units = 2) Layer e10; }
        """);
    Compilation c = compile(file);
    assertThat(c).failed();
    assertThat(c).hadErrorCount(10);
    // compile-testing hides generated files of a failed compilation: compile to disk as well.
    DiskCompilation disk = DiskCompilation.compile(dir, file);
    assertThat(disk.errorCount()).isEqualTo(10);
    assertThat(disk.generatedSource("test.Lamina_Good")).isTrue();
    assertThat(disk.generatedSummary("test.Good")).isTrue();
    assertThat(disk.generatedSource("test.Lamina_Many")).isFalse();
    assertThat(disk.generatedSummary("test.Many")).isFalse();
    String[] lines = {"Layer e1;", "class B2", "class B3", "Layer e4;", "Layer e5;", "Layer e6;",
        "Layer e7;", "Layer e8;", "Layer e9;", "class B10"};
    String[] messages = {"e1: units = 0", "B2: @Network class is final", "B3: input = {2, 4, 4, 4}",
        "e4: Conv needs a CxHxW input", "e5: kernel 5x5 does not fit input 1x4x4",
        "e6: padding 2 is not smaller than the window", "e7: layer member is private",
        "e8: loss is declared both", "e9: SOFTMAX_CROSS_ENTROPY needs at least 2",
        "B10: classes = 3 but the last layer e10 outputs 2"};
    for (int i = 0; i < lines.length; i++) {
      assertThat(c).hadErrorContaining(messages[i]).inFile(file).onLineContaining(lines[i]);
    }
  }

  @Test
  void layerOutsideANetwork() {
    JavaFileObject file = source("test.Plain", """
        abstract class Plain {
          @Affine(units = 2) Layer out;
        }
        """);
    Compilation c = compile(file);
    assertThat(c).hadErrorContaining("out: @Affine on a field of Plain, which has no @Network;"
        + " annotate Plain with @Network(input = ...) or remove @Affine")
        .inFile(file).onLineContaining("Layer out;");
    assertThat(c).hadErrorCount(1);
  }

  @Test
  void privateNestedNetwork() {
    JavaFileObject file = source("test.Outer", """
        class Outer {
          @Network(input = {4}, loss = MSE)
          private abstract static class Hidden { @Affine(units = 2) Layer out; }
        }
        """);
    Compilation c = compile(file);
    assertThat(c).hadErrorContaining("Hidden: @Network class is private, so the generated"
        + " Lamina_Outer_Hidden cannot extend it; make it package-private or public")
        .inFile(file).onLineContaining("@Network(");
    assertThat(c).hadErrorCount(1);
  }

  @Test
  void networkInsideAPrivateClass() {
    JavaFileObject file = source("test.Outer", """
        class Outer {
          private static class Box {
            @Network(input = {4}, loss = MSE)
            abstract static class Net { @Affine(units = 2) Layer out; }
          }
        }
        """);
    Compilation c = compile(file);
    assertThat(c).hadErrorContaining("Net: @Network class is inside the private class Box")
        .inFile(file).onLineContaining("@Network(");
    assertThat(c).hadErrorCount(1);
  }

  @Test
  void innerNetwork() {
    JavaFileObject file = source("test.Outer", """
        class Outer {
          @Network(input = {4}, loss = MSE)
          abstract class Inner { @Affine(units = 2) Layer out; }
        }
        """);
    Compilation c = compile(file);
    assertThat(c).hadErrorContaining("Inner: @Network class is an inner (non-static) class, so"
        + " the generated Lamina_Outer_Inner cannot create it without an enclosing instance;"
        + " declare it `static`").inFile(file).onLineContaining("@Network(");
    assertThat(c).hadErrorCount(1);
  }

  @Test
  void twoNetworksWhoseGeneratedNamesCollide() {
    JavaFileObject nested = source("test.A", """
        class A {
          @Network(input = {4}, loss = MSE) abstract static class B { @Affine(units = 2) Layer o; }
        }
        """);
    JavaFileObject flat = source("test.A_B", """
        @Network(input = {4}, loss = MSE) abstract class A_B { @Affine(units = 2) Layer o; }
        """);
    Compilation c = compile(nested, flat);
    assertThat(c).hadErrorContaining("could not write test.Lamina_A_B");
    assertThat(c).hadErrorCount(1);
  }

  @Test
  void unresolvedValuesLeaveTheErrorToJavac() {
    JavaFileObject file = source("test.Net", """
        @Network(input = {1, 28, 28}, loss = SOFTMAX_CROSS_ENTROPY)
        abstract class Net {
          @Conv(filters = UNKNOWN, kernel = 5) Layer c1;
          @Affine(units = 10, activation = NOPE) Layer out;
        }
        """);
    Compilation c = compile(file);
    assertThat(c).failed();
    assertThat(c).hadErrorCount(2);
    assertThat(c).hadErrorContaining("UNKNOWN");
    assertThat(c).hadErrorContaining("NOPE");
  }

  @Test
  void internalErrorInOneLayerIsOneCleanErrorAndOtherNetworksStillGenerate(@TempDir Path dir) {
    Checker.Probe failing = what -> {
      if (what.equals("Broken.c2")) {
        throw new IllegalStateException("injected");
      }
    };
    JavaFileObject broken = source("test.Broken", """
        @Network(input = {1, 8, 8}, loss = MSE)
        abstract class Broken {
          @Conv(filters = 2, kernel = 3) Layer c1;
          @Conv(filters = 2, kernel = 3) Layer c2;
        }
        """);
    JavaFileObject fine = source("test.Fine", """
        @Network(input = {4}, loss = MSE) abstract class Fine { @Affine(units = 2) Layer out; }
        """);
    Compilation c = compile(new LaminaProcessor(failing), broken, fine);
    assertThat(c).hadErrorContaining("internal error in Lamina while processing layer c2 of"
        + " Broken: java.lang.IllegalStateException: injected")
        .inFile(broken).onLineContaining("Layer c2;");
    assertThat(c).hadErrorCount(1);
    DiskCompilation disk = new DiskCompilation(dir, new LaminaProcessor(failing), broken, fine);
    assertThat(disk.errorCount()).isEqualTo(1);
    assertThat(disk.generatedSource("test.Lamina_Fine")).isTrue();
    assertThat(disk.generatedSource("test.Lamina_Broken")).isFalse();
  }

  @Test
  void internalErrorOnAClass(@TempDir Path dir) {
    Checker.Probe failing = what -> {
      if (what.equals("Broken")) {
        throw new IllegalStateException("injected");
      }
    };
    JavaFileObject broken = source("test.Broken", """
        @Network(input = {4}, loss = MSE) abstract class Broken { @Affine(units = 2) Layer o; }
        """);
    JavaFileObject fine = source("test.Fine", """
        @Network(input = {4}, loss = MSE) abstract class Fine { @Affine(units = 2) Layer o; }
        """);
    Compilation c = compile(new LaminaProcessor(failing), broken, fine);
    assertThat(c).hadErrorContaining("internal error in Lamina while processing Broken:"
        + " java.lang.IllegalStateException: injected").inFile(broken)
        .onLineContaining("class Broken");
    assertThat(c).hadErrorCount(1);
    assertThat(new DiskCompilation(dir, new LaminaProcessor(failing), broken, fine).generatedSource("test.Lamina_Fine"))
        .isTrue();
  }
}
