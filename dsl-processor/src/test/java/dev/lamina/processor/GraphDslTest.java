package dev.lamina.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static dev.lamina.processor.NetworkTester.assertThatNetwork;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The graph DSL through javac and the processor: {@code from}, Add, Concat, BatchNorm, Dropout,
 * GlobalAvgPool, blocks; and one test per graph error and warning (message, line, count).
 */
class GraphDslTest {
  private static final String BASIC = """
      @Block
      static class Basic {
        static final int FILTERS = Block.ARG0;
        static final int STRIDE = Block.ARG1;
        @Conv(filters = FILTERS, kernel = 3, stride = STRIDE, padding = 1, bias = false) Layer c1;
        @BatchNorm(activation = RELU) Layer bn1;
        @Conv(filters = FILTERS, kernel = 3, padding = 1, bias = false) Layer c2;
        @BatchNorm Layer bn2;
        @SuppressWarnings("lamina:stride-remainder") // like torchvision's 1x1 stride-2 projection
        @Conv(filters = FILTERS, kernel = 1, stride = STRIDE, bias = false, from = Network.INPUT)
        Layer proj;
        @Add(from = {"bn2", "proj"}, activation = RELU) Layer out;
      }""";

  @Test
  void residualNetworkWithBlocks() {
    NetworkTester t = assertThatNetwork(
        "@Conv(filters = 8, kernel = 3, padding = 1, activation = RELU) Layer stem;",
        "@Apply(block = Basic.class, args = {8, 1}) Layer res1;",
        "@Apply(block = Basic.class, args = {16, 2}) Layer res2;",
        "@GlobalAvgPool Layer gap;",
        "@Dropout(p = 0.2) Layer drop;",
        "@Affine(units = 10) Layer out;",
        BASIC);
    t.compilesWithoutWarnings();
    String summary = t.summary();
    assertTrue(summary.contains("res2.c1"), summary);
    assertTrue(summary.matches("(?s).*res2\\.out +Add res2\\.bn2 \\+ res2\\.proj relu +16x14x14.*"),
        summary);
    assertTrue(summary.contains("res1.proj  Conv 8@1x1 nobias <- stem"), summary);
    assertTrue(summary.contains("res1.bn1   BatchNorm relu "), summary);
    assertThat(t.compilation()).generatedSourceFile("test.Lamina_Net").contentsAsUtf8String()
        .contains("res2_c1Forward(");
  }

  @Test
  void inceptionWithConcat() {
    assertThatNetwork(
        "@Conv(filters = 8, kernel = 3, padding = 1, activation = RELU) Layer stem;",
        "@Conv(filters = 4, kernel = 1) Layer b1;",
        "@Conv(filters = 4, kernel = 3, padding = 1, from = \"stem\") Layer b3;",
        "@Pool(size = 3, stride = 1, padding = 1, from = \"stem\") Layer bp;",
        "@Concat(from = {\"b1\", \"b3\", \"bp\"}, activation = RELU) Layer cat;",
        "@Affine(units = 10) Layer out;").compilesWithoutWarnings();
  }

  @Test
  void receptiveFieldIsTheLargestOverPaths() {
    String s = assertThatNetwork(
        "@Conv(filters = 2, kernel = 3, padding = 1) Layer a;",
        "@Conv(filters = 2, kernel = 3, padding = 1) Layer b;",
        "@Add(from = {\"b\", \"input\"}) Layer sum;",
        "@Affine(units = 10) Layer out;")
        .network("input = {2, 8, 8}, loss = SOFTMAX_CROSS_ENTROPY").summary();
    assertTrue(s.lines().anyMatch(l -> l.startsWith("sum ") && l.contains("5x5")), s);
  }

  // ---- errors --------------------------------------------------------------------------------

  @Test
  void unknownReference() {
    assertThatNetwork("@Conv(filters = 2, kernel = 3) Layer c1;",
        "@Conv(filters = 2, kernel = 3, from = \"c9\") Layer c2;",
        "@Affine(units = 10) Layer out;")
        .failsWith("c2: from = \"c9\" names no layer; the layers declared above c2 are c1 (use"
            + " \"input\" for the network's input)", "Layer c2;");
  }

  @Test
  void forwardReference() {
    assertThatNetwork("@Conv(filters = 2, kernel = 3, from = \"c2\") Layer c1;",
        "@Conv(filters = 2, kernel = 3, from = \"input\") Layer c2;",
        "@Affine(units = 10) Layer out;")
        .failsWith("c1: from = \"c2\" names a layer declared below c1, but a layer may only read"
            + " layers declared above it; move c2 above c1", "Layer c1;");
  }

  @Test
  void cycle() {
    assertThatNetwork("@Conv(filters = 2, kernel = 3, from = \"c2\") Layer c1;",
        "@Conv(filters = 2, kernel = 3) Layer c2;",
        "@Affine(units = 10) Layer out;")
        .failsWith("c1: from = \"c2\" closes a cycle (c1 -> c2 -> c1)", "Layer c1;");
  }

  @Test
  void selfReference() {
    assertThatNetwork("@Conv(filters = 2, kernel = 3, from = \"c1\") Layer c1;",
        "@Affine(units = 10) Layer out;")
        .failsWith("c1: from = \"c1\" closes a cycle (c1 -> c1)", "Layer c1;");
  }

  @Test
  void addShapesMustMatch() {
    assertThatNetwork("@Conv(filters = 4, kernel = 3, stride = 2, padding = 1) Layer c1;",
        "@Add(from = {\"c1\", \"input\"}) Layer sum;",
        "@Affine(units = 10) Layer out;")
        .network("input = {2, 8, 8}, loss = SOFTMAX_CROSS_ENTROPY")
        .failsWith("sum: @Add needs inputs of one shape, but c1 outputs 4x4x4 and input outputs"
            + " 2x8x8; project input with a 1x1 convolution, @Conv(filters = 4, kernel = 1,"
            + " stride = 2, from = \"input\") Layer inputProj;, and add inputProj instead",
            "Layer sum;");
  }

  @Test
  void concatSpatialSizesMustMatch() {
    assertThatNetwork("@Conv(filters = 4, kernel = 3) Layer c1;",
        "@Concat(from = {\"c1\", \"input\"}) Layer cat;",
        "@Affine(units = 10) Layer out;")
        .network("input = {2, 8, 8}, loss = SOFTMAX_CROSS_ENTROPY")
        .failsWith("cat: @Concat joins along the channels, so spatial sizes must match, but c1"
            + " outputs 4x6x6 and input outputs 2x8x8", "Layer cat;");
  }

  @Test
  void mergeNeedsTwoInputs() {
    assertThatNetwork("@Conv(filters = 4, kernel = 3) Layer c1;",
        "@Add(from = {\"c1\"}) Layer sum;", "@Affine(units = 10) Layer out;")
        .failsWith("sum: @Add needs at least two inputs but from = {\"c1\"} names 1",
            "Layer sum;");
  }

  @Test
  void singleInputLayerReadsOne() {
    assertThatNetwork("@Conv(filters = 4, kernel = 3) Layer c1;",
        "@Conv(filters = 4, kernel = 3, from = {\"c1\", \"input\"}) Layer c2;",
        "@Affine(units = 10) Layer out;")
        .failsWith("c2: @Conv reads one layer but from = {\"c1\", \"input\"} names 2; merge them"
            + " first with @Add or @Concat", "Layer c2;");
  }

  @Test
  void differentJumps() {
    // Same 4x4 output from a stride-2 conv and from a conv without padding and stride 1 on 5x5.
    assertThatNetwork("@Conv(filters = 2, kernel = 3, stride = 2, padding = 1) Layer a;",
        "@Conv(filters = 2, kernel = 4, from = \"input\") Layer b;",
        "@Pool(size = 2, stride = 1) Layer bp;",
        "@Add(from = {\"a\", \"bp\"}) Layer sum;", "@Affine(units = 10) Layer out;")
        .network("input = {2, 8, 8}, loss = SOFTMAX_CROSS_ENTROPY")
        .failsWith("sum: inputs a (jump 2) and bp (jump 1) have different effective strides",
            "Layer sum;");
  }

  @Test
  void unusedOutputWarns() {
    assertThatNetwork("@Conv(filters = 2, kernel = 3) Layer c1;",
        "@Conv(filters = 2, kernel = 3) Layer side;",
        "@Affine(units = 10, from = \"c1\") Layer out;")
        .warns("[lamina:unused-output] side: the output of side reaches neither the network's"
            + " output (out) nor its loss", "Layer side;");
  }

  @Test
  void unusedOutputCanBeSuppressed() {
    assertThatNetwork("@Conv(filters = 2, kernel = 3) Layer c1;",
        "@SuppressWarnings(\"lamina:unused-output\") @Conv(filters = 2, kernel = 3) Layer side;",
        "@Affine(units = 10, from = \"c1\") Layer out;").compilesWithoutWarnings();
  }

  @Test
  void dropoutProbability() {
    assertThatNetwork("@Dropout(p = 1.0) Layer drop;", "@Affine(units = 10) Layer out;")
        .failsWith("drop: p = 1.0; the drop probability must be in [0, 1)", "Layer drop;");
  }

  @Test
  void batchNormAttributes() {
    assertThatNetwork("@BatchNorm(eps = 0) Layer bn;", "@Affine(units = 10) Layer out;")
        .failsWith("bn: eps = 0.0; eps must be a finite number > 0", "Layer bn;");
    assertThatNetwork("@BatchNorm(momentum = 1.5) Layer bn;", "@Affine(units = 10) Layer out;")
        .failsWith("bn: momentum = 1.5; momentum must be in [0, 1]", "Layer bn;");
  }

  @Test
  void globalAvgPoolNeedsImage() {
    assertThatNetwork("@Affine(units = 5) Layer h;", "@GlobalAvgPool Layer gap;",
        "@Affine(units = 10) Layer out;")
        .failsWith("gap: GlobalAvgPool needs a CxHxW input, but it follows the Affine layer h",
            "Layer gap;");
  }

  @Test
  void convReadingGlobalAvgPoolNamesIt() {
    // An image network without any Affine layer: the flat input of c2 comes from gap.
    assertThatNetwork("@Conv(filters = 4, kernel = 3) Layer c1;", "@GlobalAvgPool Layer gap;",
        "@Conv(filters = 2, kernel = 1) Layer c2;", "@Affine(units = 10) Layer out;")
        .failsWith("c2: Conv needs a CxHxW input, but it reads the GlobalAvgPool layer gap, whose"
            + " output 4 is flat (one value per channel); read an image layer (gap reads c1) or"
            + " use @Affine", "Layer c2;");
  }

  @Test
  void poolReadingGlobalAvgPoolAfterAnAffineBranchNamesIt() {
    // An Affine side branch declared earlier must not be named: s reads gap.
    assertThatNetwork("@Conv(filters = 4, kernel = 3) Layer c1;",
        "@Affine(units = 3, from = \"c1\") Layer side;", "@GlobalAvgPool(from = \"c1\") Layer gap;",
        "@Pool(size = 1) Layer s;", "@Affine(units = 10) Layer out;")
        .failsWith("s: Pool needs a CxHxW input, but it reads the GlobalAvgPool layer gap, whose"
            + " output 4 is flat", "Layer s;");
  }

  @Test
  void errorInsideABlockUsedTwiceSaysWhichUse() {
    // The first use fits; in the second the 3x3 kernel meets a 2x2 map without padding.
    assertThatNetwork(
        "@Apply(block = Shrink.class, args = {3}) Layer a;",
        "@Apply(block = Shrink.class, args = {5}) Layer b;",
        "@Affine(units = 10) Layer out;",
        "@Block static class Shrink {",
        "  @Conv(filters = 2, kernel = Block.ARG0) Layer c;",
        "}")
        .network("input = {1, 6, 6}, loss = SOFTMAX_CROSS_ENTROPY")
        .failsWith("in b (Shrink with args {5}): b.c: kernel 5x5 does not fit input 2x4x4",
            "kernel = Block.ARG0");
  }

  @Test
  void badReferenceInsideABlockNamesTheUseAndTheQualifiedLayer() {
    // Found by the compiler fuzzer: reference errors inside a block once named the bare member.
    assertThatNetwork("@Apply(block = Two.class) Layer u;", "@Affine(units = 10) Layer out;",
        "@Block static class Two {",
        "  @Conv(filters = 2, kernel = 1) Layer c;",
        "  @Conv(filters = 2, kernel = 1, from = \"zz\") Layer d;",
        "}")
        .failsWith("in u (Two): u.d: from = \"zz\" names no layer", "from = \"zz\"");
  }

  @Test
  void blockArgumentMissing() {
    assertThatNetwork("@Apply(block = One.class) Layer a;", "@Affine(units = 10) Layer out;",
        "@Block static class One {", "  @Conv(filters = Block.ARG1, kernel = 3) Layer c;", "}")
        .failsWith("in a (One): a.c: filters = Block.ARG1 but this use passes 0 arguments; add"
            + " it to args", "filters = Block.ARG1");
  }

  @Test
  void blockArgumentOutsideBlock() {
    assertThatNetwork("@Conv(filters = Block.ARG0, kernel = 3) Layer c;",
        "@Affine(units = 10) Layer out;")
        .failsWith("c: filters = Block.ARG0 is a block argument, but c is not in a @Block class",
            "Layer c;");
  }

  @Test
  void applyNeedsABlock() {
    assertThatNetwork("@Apply(block = Plain.class) Layer a;", "@Affine(units = 10) Layer out;",
        "static class Plain {}")
        .failsWith("a: @Apply(block = Plain.class) but Plain is not annotated with @Block",
            "Layer a;");
  }

  @Test
  void blockInBlock() {
    assertThatNetwork("@Apply(block = Outer.class) Layer a;", "@Affine(units = 10) Layer out;",
        "@Block static class Inner { @Conv(filters = 2, kernel = 1) Layer c; }",
        "@Block static class Outer { @Apply(block = Inner.class) Layer i; }")
        .failsWith("in a (Outer): a.i: @Apply inside a block is not supported", "class Outer");
  }
}
