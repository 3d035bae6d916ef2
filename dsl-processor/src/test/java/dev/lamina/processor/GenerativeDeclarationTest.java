package dev.lamina.processor;

import static dev.lamina.processor.NetworkTester.assertThatNetwork;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@code @ConvTranspose}, {@code @Reshape} and {@code BCE_WITH_LOGITS} as users write them: a
 * small generator compiles with its summary; each rule is an error on the offending value.
 */
class GenerativeDeclarationTest {
  private static final String FC = "@Affine(units = 32, activation = RELU) Layer fc;";
  private static final String LOGIT = "@Affine(units = 1) Layer logit;";
  private static final String BCE = "input = {8}, loss = BCE_WITH_LOGITS";

  @Test
  void aGeneratorCompilesWithItsSummary() {
    String table = assertThatNetwork(FC, "@Reshape(shape = {2, 4, 4}) Layer img;",
        "@ConvTranspose(filters = 3, kernel = 4, stride = 2, padding = 1, activation = RELU)"
            + " Layer up1;",
        "@ConvTranspose(filters = 1, kernel = 4, stride = 2, padding = 1, activation = TANH)"
            + " Layer up2;", LOGIT).network(BCE).summary();
    String up1 = table.lines().filter(l -> l.startsWith("up1 ")).findFirst().orElseThrow();
    // weight 2x3x4x4 + 3 biases; every input row reaches 4 output rows except at the borders:
    // 14 of the 16 (row, tap) pairs land per axis, so 2·3·14·14 products.
    assertTrue(up1.matches("up1 +ConvTranspose 3@4x4 stride 2 pad 1 relu +3x8x8 +99 +1,368"
        + " +1,176 .*"), up1);
    assertTrue(table.lines().anyMatch(l -> l.matches("img +Reshape +2x4x4 +0 .*")), table);
  }

  @Test
  void outputPaddingMustBeSmallerThanTheStrideOrDilation() {
    assertThatNetwork(FC, "@Reshape(shape = {2, 4, 4}) Layer img;",
        "@ConvTranspose(filters = 3, kernel = 4, stride = 2, outputPadding = 2) Layer up;",
        LOGIT).network(BCE)
        .failsAt("up: outputPadding = 2; outputPadding must be smaller than the stride or the"
            + " dilation on each axis (here below 2)", "Layer up;", "2)");
  }

  @Test
  void paddingIsTheSameOnBothSides() {
    assertThatNetwork(FC, "@Reshape(shape = {2, 4, 4}) Layer img;",
        "@ConvTranspose(filters = 3, kernel = 4, padding = {1, 1, 0, 0}) Layer up;",
        LOGIT).network(BCE)
        .failsAt("up: padding = {1, 1, 0, 0}; padding must be {p} or {ph, pw}", "Layer up;",
            "{1, 1, 0, 0}");
  }

  @Test
  void paddingAtMostWhatTheKernelAdds() {
    assertThatNetwork(FC, "@Reshape(shape = {2, 4, 4}) Layer img;",
        "@ConvTranspose(filters = 3, kernel = 3, padding = 3) Layer up;", LOGIT).network(BCE)
        .failsAt("up: padding = 3; padding must be at most dilation·(kernel - 1) = 2",
            "Layer up;", "3)");
  }

  @Test
  void reshapeMustHoldTheInputsValuesWithAFix() {
    assertThatNetwork(FC, "@Reshape(shape = {3, 4, 4}) Layer img;", LOGIT).network(BCE)
        .failsAt("img: shape = {3, 4, 4} holds 48 values, but its input fc (32) has 32; use"
            + " shape = {2, 4, 4}, or change fc to give 48 values", "Layer img;", "{3, 4, 4}");
  }

  @Test
  void reshapeNeedsThreeValues() {
    assertThatNetwork(FC, "@Reshape(shape = {32}) Layer img;", LOGIT).network(BCE)
        .failsAt("img: shape = {32}; shape must be {C, H, W} of three values >= 1", "Layer img;",
            "{32}");
  }

  @Test
  void aTransposedConvolutionNeedsAnImage() {
    assertThatNetwork(FC, "@ConvTranspose(filters = 3, kernel = 4) Layer up;", LOGIT)
        .network(BCE).failsWith("up: ConvTranspose needs a CxHxW input", "Layer up;");
  }
}
