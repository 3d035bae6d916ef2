package dev.lamina.processor;

import static dev.lamina.processor.NetworkTester.assertThatNetwork;

import org.junit.jupiter.api.Test;

/**
 * Errors keep the exact token: javac's caret (line and column) sits on the offending annotation
 * value, so an IDE underlines that value and not the whole member. A sample across the rules: a
 * layer's attributes, windows, padding, graph references, the loss, receptive fields, the
 * network's own attributes.
 */
class ColumnsTest {
  private static final String OUT = "@Affine(units = 10) Layer out;";

  @Test
  void kernelThatDoesNotFit() {
    assertThatNetwork("@Conv(filters = 6, kernel = 5) Layer c1;", OUT)
        .network("input = {16, 4, 4}, loss = SOFTMAX_CROSS_ENTROPY")
        .failsAt("c1: kernel 5x5 does not fit input 16x4x4", "Layer c1;", "5)");
  }

  @Test
  void nonPositiveFilters() {
    assertThatNetwork("@Conv(filters = 0, kernel = 3) Layer c1;", OUT)
        .failsAt("c1: filters = 0; a layer needs filters >= 1", "Layer c1;", "0,");
  }

  @Test
  void negativePadding() {
    assertThatNetwork("@Conv(filters = 2, kernel = 3, padding = {1, -1}) Layer c1;", OUT)
        .failsAt("c1: padding", "Layer c1;", "{1, -1}");
  }

  @Test
  void unknownReference() {
    assertThatNetwork("@Conv(filters = 2, kernel = 3) Layer c1;",
        "@Affine(units = 10, from = \"c9\") Layer out;")
        .failsAt("out: from = \"c9\"", "Layer out;", "\"c9\"");
  }

  @Test
  void dropoutProbability() {
    assertThatNetwork("@Dropout(p = 1.5) Layer d;", OUT)
        .failsAt("d: p = 1.5", "Layer d;", "1.5");
  }

  @Test
  void batchNormEps() {
    assertThatNetwork("@Conv(filters = 2, kernel = 3) Layer c1;",
        "@BatchNorm(eps = -1) Layer bn;", OUT)
        .failsAt("bn: eps = -1.0", "Layer bn;", "-1");
  }

  @Test
  void receptiveFieldRequirement() {
    assertThatNetwork("@Conv(filters = 2, kernel = 3, receptiveField = @ReceptiveField("
        + "atLeast = 9)) Layer c1;", OUT)
        .failsAt("c1: receptive field is 3x3 but", "Layer c1;", "9)");
  }

  @Test
  void classesThatDisagree() {
    assertThatNetwork(OUT).network("input = {4}, loss = SOFTMAX_CROSS_ENTROPY, classes = 3")
        .failsAt("Net: classes = 3", "@Network(", "3)");
  }

  @Test
  void inputRank() {
    assertThatNetwork(OUT).network("input = {1, 1, 1, 28}, loss = SOFTMAX_CROSS_ENTROPY")
        .failsAt("Net: input = {1, 1, 1, 28}", "@Network(", "{1, 1, 1, 28}");
  }
}
