package dev.lamina.processor;

import static dev.lamina.processor.NetworkTester.assertThatNetwork;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code @Conv(groups = g)} and {@code RELU6} as users write them. */
class GroupsDeclarationTest {
  private static final String OUT = "@Affine(units = 10) Layer out;";

  @Test
  void groupsMustDivideTheInputChannels() {
    assertThatNetwork("@Conv(filters = 6, kernel = 3) Layer c1;",
        "@Conv(filters = 12, kernel = 3, groups = 4) Layer c2;", OUT)
        .failsAt("c2: groups = 4; groups must be a divisor of both the 6 input channels and the"
            + " 12 filters (1, 2, 3 or 6)", "Layer c2;", "4)");
  }

  @Test
  void groupsMustDivideTheFilters() {
    assertThatNetwork("@Conv(filters = 6, kernel = 3) Layer c1;",
        "@Conv(filters = 8, kernel = 3, groups = 3) Layer c2;", OUT)
        .failsAt("c2: groups = 3; groups must be a divisor of both the 6 input channels and the"
            + " 8 filters (1 or 2)", "Layer c2;", "3)");
  }

  @Test
  void groupsMustBePositive() {
    assertThatNetwork("@Conv(filters = 6, kernel = 3, groups = 0) Layer c1;", OUT)
        .failsAt("c1: groups = 0; a layer needs groups >= 1", "Layer c1;", "0)");
  }

  @Test
  void depthwiseSummaryCountsOneKernelPerChannel() {
    String table = assertThatNetwork("@Conv(filters = 8, kernel = 3) Layer c1;",
        "@Conv(filters = 8, kernel = 3, padding = 1, groups = 8, activation = RELU6) Layer dw;",
        OUT).summary();
    // 8 filters of 1 channel x 3x3, plus 8 biases; 8 * 26 * 26 outputs of 9 inputs each.
    String row = table.lines().filter(l -> l.startsWith("dw ")).findFirst().orElseThrow();
    assertTrue(row.matches("dw +Conv 8@3x3 pad 1 groups 8 relu6 +8x26x26 +80 +54,080 +48,672 .*"),
        row);
  }
}
