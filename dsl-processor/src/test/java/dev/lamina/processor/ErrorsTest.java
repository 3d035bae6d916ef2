package dev.lamina.processor;

import static dev.lamina.processor.NetworkTester.assertThatNetwork;

import org.junit.jupiter.api.Test;

/** One test per error kind: message, file, line and error count. */
class ErrorsTest {
  private static final String OUT = "@Affine(units = 10) Layer out;";

  // ---- the @Network class ----------------------------------------------------------------------

  @Test
  void networkOnInterface() {
    assertThatNetwork().declaredAs("interface Net").failsWith(
        "Net: @Network needs a class that the generated Lamina_Net can extend, but Net is an"
            + " interface; declare it as `abstract class Net`", "@Network(");
  }

  @Test
  void networkOnEnum() {
    assertThatNetwork("A;").declaredAs("enum Net")
        .failsWith("but Net is an enum; declare it as `abstract class Net`", "@Network(");
  }

  @Test
  void networkOnRecord() {
    assertThatNetwork().declaredAs("record Net(int x)")
        .failsWith("but Net is a record;", "@Network(");
  }

  @Test
  void finalNetwork() {
    assertThatNetwork(OUT).declaredAs("final class Net").failsWith(
        "Net: @Network class is final, so the generated Lamina_Net cannot extend it; remove"
            + " `final`", "@Network(");
  }

  @Test
  void sealedNetwork() {
    assertThatNetwork(OUT, "static final class Sub extends Net {}")
        .declaredAs("abstract sealed class Net permits Net.Sub")
        .failsWith("Net: @Network class is sealed", "@Network(");
  }

  @Test
  void genericNetwork() {
    assertThatNetwork(OUT).declaredAs("abstract class Net<T>").failsWith(
        "Net: @Network class has type parameters <T>, which the generated Lamina_Net cannot"
            + " choose; remove them", "@Network(");
  }

  @Test
  void noAccessibleConstructor() {
    assertThatNetwork(OUT, "Net(int seed) {}").failsWith(
        "Net: @Network class has no non-private constructor without parameters for the generated"
            + " Lamina_Net to call; add `Net() {}`", "@Network(");
  }

  @Test
  void privateConstructorOnly() {
    assertThatNetwork(OUT, "private Net() {}")
        .failsWith("has no non-private constructor without parameters", "@Network(");
  }

  @Test
  void noLayers() {
    assertThatNetwork("int notALayer;").failsWith(
        "Net: @Network declares no layers; add Layer fields annotated with @Conv, @Pool or"
            + " @Affine", "@Network(");
  }

  @Test
  void emptyPrecision() {
    assertThatNetwork(OUT).network("input = {4}, loss = MSE, precision = {}").failsWith(
        "Net: precision = {} would generate no class; use precision = FLOAT, DOUBLE or both",
        "precision = {}");
  }

  @Test
  void inputOfWrongRank() {
    assertThatNetwork(OUT).network("input = {1, 1, 28, 28}, loss = MSE").failsWith(
        "Net: input = {1, 1, 28, 28} has 4 values; give {C, H, W} for images (e.g. {1, 28, 28}),"
            + " {T, D} for sequences of T steps of D values (e.g. {28, 28}) or {D} for flat"
            + " vectors (e.g. {784})", "input = {1, 1, 28, 28}");
  }

  @Test
  void inputNotPositive() {
    assertThatNetwork(OUT).network("input = {1, 0, 28}, loss = MSE").failsWith(
        "Net: input = {1, 0, 28} has height 0; every input dimension must be >= 1",
        "input = {1, 0, 28}");
  }

  @Test
  void classesNegative() {
    assertThatNetwork(OUT).network("input = {4}, loss = MSE, classes = -3")
        .failsWith("Net: classes = -3; give the number of classes (>= 2)", "classes = -3");
  }

  @Test
  void classesDisagreeWithLastLayer() {
    assertThatNetwork("@Affine(units = 12) Layer out;")
        .network("input = {4}, loss = SOFTMAX_CROSS_ENTROPY, classes = 10").failsWith(
            "Net: classes = 10 but the last layer out outputs 12 (12 units); use units = 10 on"
                + " out or classes = 12", "classes = 10");
  }

  // ---- losses ----------------------------------------------------------------------------------

  @Test
  void lossTwice() {
    assertThatNetwork("@Affine(units = 10, loss = MSE) Layer out;").failsWith(
        "out: loss is declared both on @Network (SOFTMAX_CROSS_ENTROPY) and on the last layer"
            + " (MSE); keep only one", "Layer out;");
  }

  @Test
  void lossOnInnerLayer() {
    assertThatNetwork("@Affine(units = 20, loss = MSE) Layer hidden;", OUT)
        .network("input = {4}").failsWith(
            "hidden: loss = MSE on a layer that is not the last (the last is out); move it to"
                + " out or to @Network(loss = MSE)", "Layer hidden;");
  }

  @Test
  void softmaxWithOneUnit() {
    assertThatNetwork("@Affine(units = 1) Layer out;").network("input = {4}, loss ="
        + " SOFTMAX_CROSS_ENTROPY").failsWith(
            "out: SOFTMAX_CROSS_ENTROPY needs at least 2 output units, but out outputs 1 (1 unit);"
                + " use units >= 2", "Layer out;");
  }

  @Test
  void lossOnLastLayerAloneIsFine() {
    assertThatNetwork("@Affine(units = 3, loss = MSE) Layer out;").network("input = {4}")
        .compilesWithoutWarnings();
  }

  // ---- layer members ---------------------------------------------------------------------------

  @Test
  void twoLayerAnnotations() {
    assertThatNetwork("@Conv(filters = 6, kernel = 5) @Pool(size = 2) Layer c1;", OUT).failsWith(
        "c1: member has @Conv and @Pool, but a member is exactly one layer", "Layer c1;");
  }

  @Test
  void wrongFieldType() {
    assertThatNetwork("@Conv(filters = 6, kernel = 5) Object c1;", OUT).failsWith(
        "c1: a layer member must have type dev.lamina.dsl.Layer, not java.lang.Object; declare it"
            + " as `Layer c1;`", "Object c1;");
  }

  @Test
  void staticLayer() {
    assertThatNetwork("@Conv(filters = 6, kernel = 5) static Layer c1;", OUT)
        .failsWith("c1: layer member is static, but every network instance has its own layers;"
            + " remove `static`", "static Layer c1;");
  }

  @Test
  void privateLayer() {
    assertThatNetwork("@Conv(filters = 6, kernel = 5) private Layer c1;", OUT)
        .failsWith("c1: layer member is private, so the generated Lamina_Net cannot assign it",
            "private Layer c1;");
  }

  @Test
  void finalLayer() {
    assertThatNetwork("@Conv(filters = 6, kernel = 5) final Layer c1 = null;", OUT)
        .failsWith("c1: layer member is final, so the generated Lamina_Net cannot assign it;"
            + " remove `final`", "final Layer c1");
  }

  @Test
  void layerNamedLikeAGeneratedMember() {
    assertThatNetwork("@Conv(filters = 6, kernel = 5) Layer forward;", OUT)
        .failsWith("forward: the generated Lamina_Net already has a member forward() of its own,"
            + " so a layer cannot be named forward; rename the layer (for example forwardLayer)",
            "Layer forward;");
  }

  @Test
  void layerNamesWhoseConstantsClash() {
    assertThatNetwork("@Conv(filters = 6, kernel = 5) Layer convOne;",
        "@Conv(filters = 6, kernel = 5) Layer conv_one;", OUT)
        .failsWith("conv_one: layers convOne and conv_one would both get the offset constants"
            + " CONV_ONE_* in the generated Lamina_Net; rename one of them", "Layer conv_one;");
  }

  // ---- attributes ------------------------------------------------------------------------------

  @Test
  void kernelWithThreeValues() {
    assertThatNetwork("@Conv(filters = 6, kernel = {3, 3, 3}) Layer c1;", OUT).failsWith(
        "c1: kernel = {3, 3, 3} has 3 values; give {n} for both axes or {height, width}",
        "Layer c1;");
  }

  @Test
  void emptyKernel() {
    assertThatNetwork("@Conv(filters = 6, kernel = {}) Layer c1;", OUT)
        .failsWith("c1: kernel = {} has 0 values", "Layer c1;");
  }

  @Test
  void zeroStride() {
    assertThatNetwork("@Conv(filters = 6, kernel = 5, stride = 0) Layer c1;", OUT)
        .failsWith("c1: stride = 0; every stride value must be >= 1", "Layer c1;");
  }

  @Test
  void zeroPoolSize() {
    assertThatNetwork("@Pool(size = {2, 0}) Layer s1;", OUT)
        .failsWith("s1: size = {2, 0}; every size value must be >= 1", "Layer s1;");
  }

  @Test
  void negativePadding() {
    assertThatNetwork("@Conv(filters = 6, kernel = 5, padding = -1) Layer c1;", OUT)
        .failsWith("c1: padding = -1 is negative; use padding >= 0", "Layer c1;");
  }

  @Test
  void paddingWithThreeValues() {
    assertThatNetwork("@Conv(filters = 6, kernel = 5, padding = {1, 2, 3}) Layer c1;", OUT)
        .failsWith("c1: padding = {1, 2, 3} has 3 values; give {p} for every side, {ph, pw} for"
            + " both sides of each axis, or {top, left, bottom, right}", "Layer c1;");
  }

  @Test
  void negativeAsymmetricPadding() {
    assertThatNetwork("@Pool(size = 2, padding = {0, 0, -1, 0}) Layer s1;", OUT)
        .failsWith("s1: padding = {0, 0, -1, 0} is negative; use padding >= 0", "Layer s1;");
  }

  @Test
  void paddingBesideAutoPad() {
    assertThatNetwork(
        "@Conv(filters = 6, kernel = 5, padding = 2, autoPad = AutoPad.SAME_UPPER) Layer c1;", OUT)
        .failsWith("c1: padding = 2 and autoPad = SAME_UPPER both set the padding; remove padding"
            + " (autoPad computes it) or autoPad", "Layer c1;");
  }

  @Test
  void ceilModeBesideAutoPad() {
    assertThatNetwork("@Pool(size = 2, ceilMode = true, autoPad = AutoPad.SAME_LOWER) Layer s1;",
        OUT).failsWith("s1: ceilMode = true has no effect with autoPad = SAME_LOWER, which fixes"
            + " the output size at ceil(in / stride); remove ceilMode or autoPad", "Layer s1;");
  }

  @Test
  void asymmetricConvPaddingTooLarge() {
    assertThatNetwork("@Conv(filters = 6, kernel = 3, padding = {0, 0, 3, 1}) Layer c1;", OUT)
        .failsWith("c1: padding {0, 0, 3, 1} is not smaller than the kernel 3x3, so the outermost"
            + " outputs would see only zero padding; use padding <= 2 (padding 1 keeps the size)",
            "Layer c1;");
  }

  @Test
  void dilatedPoolPaddingTooLarge() {
    // Up to dilation*(size-1) = 2 is allowed; 3 is not.
    assertThatNetwork("@Pool(size = 2, dilation = 2, stride = 1, padding = {1, 3}) Layer s1;", OUT)
        .failsWith("s1: padding 1x3 is not smaller than the window 2x2 at dilation 2 (effective"
            + " 3x3), so a window could lie entirely in padding; use padding <= 2", "Layer s1;");
  }

  @Test
  void dilatedPoolWindowReadingOnlyPadding() {
    assertThatNetwork("@Pool(size = 2, dilation = 3, stride = 1, padding = {2, 0}) Layer s1;", OUT)
        .network("input = {1, 2, 8}, loss = SOFTMAX_CROSS_ENTROPY").failsWith(
            "s1: the window of output row 1 (window 2x2 at dilation 3 (effective 4x4)) spans input"
                + " rows -1..2, but its taps, 3 apart, all miss the input's height 2 (input"
                + " 1x2x8), so it would read only padding; use a smaller dilation or less padding",
            "Layer s1;");
  }

  @Test
  void alphaNotFinite() {
    assertThatNetwork("@Affine(units = 10, activation = ELU, alpha = Double.NaN) Layer out;")
        .failsWith("out: alpha = NaN is not a finite number; use a finite alpha such as 1.0"
            + " (PyTorch's and ONNX's default)", "Layer out;");
  }

  @Test
  void zeroFilters() {
    assertThatNetwork("@Conv(filters = 0, kernel = 5) Layer c1;", OUT)
        .failsWith("c1: filters = 0; a layer needs filters >= 1", "Layer c1;");
  }

  @Test
  void negativeUnits() {
    assertThatNetwork("@Affine(units = -4) Layer out;")
        .failsWith("out: units = -4; a layer needs units >= 1", "Layer out;");
  }

  @Test
  void slopeNotFinite() {
    assertThatNetwork(
        "@Affine(units = 10, activation = LEAKY_RELU, negativeSlope = Double.NaN) Layer out;")
        .failsWith("out: negativeSlope = NaN is not a finite number", "Layer out;");
  }

  // ---- shapes ----------------------------------------------------------------------------------

  @Test
  void kernelLargerThanInput() {
    assertThatNetwork("@Conv(filters = 6, kernel = 5) Layer c3;", OUT)
        .network("input = {16, 4, 4}, loss = SOFTMAX_CROSS_ENTROPY").failsWith(
            "c3: kernel 5x5 does not fit input 16x4x4 (padding 0 gives output 0x0; height:"
                + " floor((4 + 2*0 - 5) / 1) + 1 = 0; width: floor((4 + 2*0 - 5) / 1) + 1 = 0);"
                + " use kernel <= 4 or padding >= 1", "Layer c3;");
  }

  @Test
  void kernelTooTallOnly() {
    assertThatNetwork("@Conv(filters = 6, kernel = {9, 3}) Layer c1;", OUT)
        .network("input = {1, 6, 20}, loss = SOFTMAX_CROSS_ENTROPY").failsWith(
            "c1: kernel 9x3 does not fit input 1x6x20 (padding 0 gives output 0x18; height:"
                + " floor((6 + 2*0 - 9) / 1) + 1 = -2); use kernel height <= 6 or padding height"
                + " >= 2", "Layer c1;");
  }

  @Test
  void dilatedKernelTooLarge() {
    assertThatNetwork("@Conv(filters = 6, kernel = 3, dilation = 3) Layer c1;", OUT)
        .network("input = {1, 6, 6}, loss = SOFTMAX_CROSS_ENTROPY").failsWith(
            "c1: kernel 3x3 at dilation 3 (effective 7x7) does not fit input 1x6x6", "Layer c1;");
  }

  @Test
  void poolWindowTooLarge() {
    assertThatNetwork("@Conv(filters = 6, kernel = 5) Layer c1;", "@Pool(size = 32) Layer s2;",
        OUT).failsWith("s2: window 32x32 does not fit input 6x24x24 (padding 0 gives output 0x0;",
            "Layer s2;");
  }

  @Test
  void convPaddingNotSmallerThanKernel() {
    assertThatNetwork("@Conv(filters = 6, kernel = 3, padding = 3) Layer c1;", OUT).failsWith(
        "c1: padding 3 is not smaller than the kernel 3x3, so the outermost outputs would see"
            + " only zero padding; use padding <= 2 (padding 1 keeps the size)", "Layer c1;");
  }

  @Test
  void poolPaddingNotSmallerThanTheWindow() {
    assertThatNetwork("@Pool(size = 2, padding = 2) Layer s1;", OUT).failsWith(
        "s1: padding 2 is not smaller than the window 2x2, so a window could lie entirely in"
            + " padding; use padding <= 1", "Layer s1;");
  }

  @Test
  void convOnFlatInput() {
    assertThatNetwork("@Conv(filters = 6, kernel = 5) Layer c1;", OUT)
        .network("input = {784}, loss = SOFTMAX_CROSS_ENTROPY").failsWith(
            "c1: Conv needs a CxHxW input, but the network input is the flat vector 784; declare"
                + " @Network(input = {C, H, W}) or use @Affine", "Layer c1;");
  }

  @Test
  void poolAfterAffine() {
    assertThatNetwork("@Affine(units = 100) Layer f1;", "@Pool(size = 2) Layer s2;", OUT)
        .failsWith("s2: Pool needs a CxHxW input, but it follows the Affine layer f1, whose output"
            + " 100 is flat; put every Conv and Pool layer before the first Affine layer",
            "Layer s2;");
  }

  @Test
  void inputTooLargeForAnArray() {
    assertThatNetwork(OUT).network("input = {3, 40000, 40000}, loss = SOFTMAX_CROSS_ENTROPY")
        .failsWith("input: output 3x40000x40000 has 4,800,000,000 values, more than a Java array"
            + " can hold (2,147,483,639)", "@Network(");
  }

  @Test
  void activationTooLargeForAnArray() {
    assertThatNetwork("@Conv(filters = 5000, kernel = 1) Layer c1;", OUT)
        .network("input = {1, 1000, 1000}, loss = SOFTMAX_CROSS_ENTROPY")
        .failsWith("c1: output 5000x1000x1000 has 5,000,000,000 values, more than a Java array can"
            + " hold (2,147,483,639); use fewer filters or units", "Layer c1;");
  }

  @Test
  void parametersTooLargeForAnArray() {
    assertThatNetwork("@Affine(units = 60000) Layer f1;", OUT)
        .network("input = {1, 200, 200}, loss = SOFTMAX_CROSS_ENTROPY")
        .failsWith("f1: this layer has 2,400,060,000 parameters and brings the network to"
            + " 2,400,060,000, more than a Java array can hold (2,147,483,639)", "Layer f1;");
  }

  // ---- receptive fields ------------------------------------------------------------------------

  @Test
  void receptiveFieldTooSmall() {
    assertThatNetwork(
        "@Conv(filters = 4, kernel = 3) Layer c1;",
        "@Conv(filters = 4, kernel = 3, receptiveField = @ReceptiveField(atLeast = 7)) Layer c2;",
        OUT).failsWith(
            "c2: receptive field is 5x5 but @ReceptiveField(atLeast = 7) requires at least 7x7"
                + " (height 5 < 7, width 5 < 7); to grow it, add a layer (one more 3x3 conv after"
                + " c2 adds 2)", "Layer c2;");
  }

  @Test
  void receptiveFieldNotExact() {
    assertThatNetwork(
        "@Conv(filters = 4, kernel = 3) Layer c1;",
        "@Conv(filters = 4, kernel = 3) Layer c2;",
        "@Conv(filters = 4, kernel = 3) Layer c3;", OUT)
        .network("input = {1, 28, 28}, loss = SOFTMAX_CROSS_ENTROPY,"
            + " receptiveField = @ReceptiveField(exactly = {7, 5})")
        .failsWith("out: receptive field is 28x28 but @ReceptiveField(exactly = {7, 5}) requires"
            + " 7x5 (height 28 > 7, width 28 > 5); to shrink it", "receptiveField =");
  }

  @Test
  void receptiveFieldOfALayerNotExact() {
    assertThatNetwork(
        "@Conv(filters = 4, kernel = 3) Layer c1;",
        "@Conv(filters = 4, kernel = 3, receptiveField = @ReceptiveField(exactly = 4)) Layer c2;",
        OUT).failsWith("c2: receptive field is 5x5 but @ReceptiveField(exactly = 4) requires 4x4"
            + " (height 5 > 4, width 5 > 4)", "Layer c2;");
  }

  @Test
  void receptiveFieldDoesNotCoverInput() {
    assertThatNetwork(
        "@Conv(filters = 4, kernel = 3, receptiveField = @ReceptiveField(coversInput = true))"
            + " Layer c1;", OUT)
        .failsWith("c1: receptive field is 3x3, which does not cover the input 28x28"
            + " (@ReceptiveField(coversInput = true); height 3 < 28, width 3 < 28)", "Layer c1;");
  }

  @Test
  void receptiveFieldWithThreeValues() {
    assertThatNetwork(OUT)
        .network("input = {1, 28, 28}, loss = SOFTMAX_CROSS_ENTROPY,"
            + " receptiveField = @ReceptiveField(atLeast = {1, 2, 3})")
        .failsWith("Net: @ReceptiveField(atLeast = {1, 2, 3}) has 3 values", "receptiveField =");
  }

  @Test
  void receptiveFieldNotPositive() {
    assertThatNetwork("@Affine(units = 10, receptiveField = @ReceptiveField(exactly = 0))"
        + " Layer out;").failsWith("out: @ReceptiveField(exactly = 0); receptive-field sizes must"
            + " be >= 1", "Layer out;");
  }

  @Test
  void receptiveFieldMetCompiles() {
    assertThatNetwork(
        "@Conv(filters = 4, kernel = 3) Layer c1;",
        "@Conv(filters = 4, kernel = 3, receptiveField = @ReceptiveField(exactly = 5,"
            + " atLeast = {5, 3})) Layer c2;",
        OUT).network("input = {1, 28, 28}, loss = SOFTMAX_CROSS_ENTROPY,"
            + " receptiveField = @ReceptiveField(coversInput = true)")
        .compilesWithoutWarnings();
  }

  // ---- several errors in one network -----------------------------------------------------------

  @Test
  void checkingGoesOnAfterAnError() {
    assertThatNetwork(
        "@Conv(filters = 0, kernel = 5) Layer c1;",        // output unknown
        "@Pool(size = 99) Layer s2;",                      // not checkable: input unknown
        "@Affine(units = 84, loss = MSE) Layer f3;",       // known again; loss not last
        "@Affine(units = 10) private Layer out;")
        .failsWithErrors(3, "c1: filters = 0", "Layer c1;")
        .andError("f3: loss = MSE on a layer that is not the last", "Layer f3;")
        .andError("out: layer member is private", "Layer out;");
  }
}
