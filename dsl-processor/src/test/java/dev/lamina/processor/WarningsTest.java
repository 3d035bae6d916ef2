package dev.lamina.processor;

import static dev.lamina.processor.NetworkTester.assertThatNetwork;

import org.junit.jupiter.api.Test;

/** Every warning, and its suppression on the member and on the class. */
class WarningsTest {
  private static final String OUT = "@Affine(units = 10) Layer out;";
  private static final String STRIDE = "@Conv(filters = 6, kernel = 5, stride = 2) Layer c1;";
  private static final String SIGMOID_OUT = "@Affine(units = 10, activation = SIGMOID) Layer out;";
  private static final String SLOPE = "@Affine(units = 20, negativeSlope = 0.2) Layer f1;";

  @Test
  void strideRemainder() {
    assertThatNetwork(STRIDE, OUT).warns(
        "[lamina:stride-remainder] c1: stride 2 leaves the last 1 row and the last 1 column of"
            + " input 1x28x28 unread (height: (28 + 2*0 - 5) mod 2 = 1; width: (28 + 2*0 - 5) mod 2"
            + " = 1); use kernel 6 (same output size), or padding and stride such that (in +"
            + " 2*padding - kernel) is a multiple of the stride", "Layer c1;");
  }

  @Test
  void strideRemainderOnOneAxisOfAPool() {
    assertThatNetwork("@Pool(size = 2) Layer s1;", OUT)
        .network("input = {3, 8, 9}, loss = SOFTMAX_CROSS_ENTROPY")
        .warns("s1: stride 2 leaves the last 1 column of input 3x8x9 unread (width: (9 + 2*0 - 2)"
            + " mod 2 = 1); use size 2x3 (same output size)", "Layer s1;");
  }

  @Test
  void remainderThatIsOnlyPaddingIsFine() {
    // 3x3 stride 2 padding 1 on 28: the one unread row is padding, no input is lost.
    assertThatNetwork("@Conv(filters = 6, kernel = 3, stride = 2, padding = 1) Layer c1;", OUT)
        .compilesWithoutWarnings();
  }

  @Test
  void strideRemainderSuppressedOnMember() {
    assertThatNetwork("@SuppressWarnings(\"lamina:stride-remainder\") " + STRIDE, OUT)
        .compilesWithoutWarnings();
  }

  @Test
  void strideRemainderSuppressedOnClass() {
    assertThatNetwork(STRIDE, OUT)
        .classAnnotatedWith("@SuppressWarnings(\"lamina:stride-remainder\")")
        .compilesWithoutWarnings();
  }

  @Test
  void otherIdDoesNotSuppress() {
    assertThatNetwork("@SuppressWarnings({\"unchecked\", \"lamina:no-loss\"}) " + STRIDE, OUT)
        .warns("[lamina:stride-remainder] c1:", "Layer c1;");
  }

  @Test
  void activationBeforeSoftmax() {
    assertThatNetwork(SIGMOID_OUT).warns(
        "[lamina:activation-before-softmax] out: activation SIGMOID on the last layer is applied"
            + " before SOFTMAX_CROSS_ENTROPY, which expects raw scores (logits); use activation ="
            + " IDENTITY on out", "Layer out;");
  }

  @Test
  void activationBeforeSoftmaxSuppressedOnMember() {
    assertThatNetwork("@SuppressWarnings(\"lamina:activation-before-softmax\") " + SIGMOID_OUT)
        .compilesWithoutWarnings();
  }

  @Test
  void activationBeforeSoftmaxSuppressedOnClass() {
    assertThatNetwork(SIGMOID_OUT)
        .classAnnotatedWith("@SuppressWarnings(\"lamina:activation-before-softmax\")")
        .compilesWithoutWarnings();
  }

  @Test
  void activationBeforeMseIsFine() {
    assertThatNetwork(SIGMOID_OUT).network("input = {4}, loss = MSE").compilesWithoutWarnings();
  }

  @Test
  void noLoss() {
    assertThatNetwork(OUT).network("input = {4}").warns(
        "[lamina:no-loss] Net: no loss is declared on @Network or on the last layer, so Net is"
            + " inference-only (it cannot train)", "@Network(");
  }

  @Test
  void noLossSuppressedOnClass() {
    assertThatNetwork(OUT).network("input = {4}")
        .classAnnotatedWith("@SuppressWarnings(\"lamina:no-loss\")").compilesWithoutWarnings();
  }

  @Test
  void noLossSuppressedOnLastMember() {
    // The warning is about the network, but suppressing it where the loss would go also works.
    assertThatNetwork("@SuppressWarnings(\"lamina:no-loss\") " + OUT).network("input = {4}")
        .compilesWithoutWarnings();
  }

  @Test
  void unusedNegativeSlope() {
    assertThatNetwork(SLOPE, OUT).warns(
        "[lamina:unused-negative-slope] f1: negativeSlope = 0.2 has no effect with activation"
            + " IDENTITY; use activation = LEAKY_RELU or remove negativeSlope", "Layer f1;");
  }

  @Test
  void unusedAlpha() {
    assertThatNetwork("@Affine(units = 20, activation = RELU, alpha = 0.5) Layer f1;", OUT).warns(
        "[lamina:unused-alpha] f1: alpha = 0.5 has no effect with activation RELU; use activation"
            + " = ELU or remove alpha", "Layer f1;");
    assertThatNetwork("@SuppressWarnings(\"lamina:unused-alpha\") @Affine(units = 20, alpha = 2)"
        + " Layer f1;", OUT).compilesWithoutWarnings();
  }

  @Test
  void unusedNegativeSlopeSuppressedOnMember() {
    assertThatNetwork("@SuppressWarnings(\"lamina:unused-negative-slope\") " + SLOPE, OUT)
        .compilesWithoutWarnings();
  }

  @Test
  void unusedNegativeSlopeSuppressedOnClass() {
    assertThatNetwork(SLOPE, OUT)
        .classAnnotatedWith("@SuppressWarnings(\"lamina:unused-negative-slope\")")
        .compilesWithoutWarnings();
  }

  @Test
  void negativeSlopeWithLeakyReluIsFine() {
    assertThatNetwork("@Affine(units = 20, activation = LEAKY_RELU, negativeSlope = 0.2) Layer f1;",
        OUT).compilesWithoutWarnings();
  }

  @Test
  void allSuppressesEveryWarning() {
    assertThatNetwork(STRIDE, SLOPE, SIGMOID_OUT)
        .classAnnotatedWith("@SuppressWarnings(\"lamina:all\")").compilesWithoutWarnings();
  }
}
