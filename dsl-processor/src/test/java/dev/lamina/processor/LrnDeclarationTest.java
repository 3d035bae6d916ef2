package dev.lamina.processor;

import static dev.lamina.processor.NetworkTester.assertThatNetwork;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@code @LocalResponseNorm} as users write it: compile errors on the offending value for each
 * attribute out of range and for a flat input, and the summary row of a valid layer.
 */
class LrnDeclarationTest {
  private static final String CONV = "@Conv(filters = 6, kernel = 5, activation = RELU) Layer c1;";
  private static final String OUT = "@Affine(units = 10) Layer out;";

  @Test
  void sizeMustBePositive() {
    assertThatNetwork(CONV, "@LocalResponseNorm(size = 0) Layer norm;", OUT)
        .failsAt("norm: size = 0; a layer needs size >= 1", "Layer norm;", "0)");
  }

  @Test
  void betaMustBePositive() {
    assertThatNetwork(CONV, "@LocalResponseNorm(size = 5, beta = 0) Layer norm;", OUT)
        .failsAt("norm: beta = 0; beta must be a finite number > 0 (AlexNet's is 0.75)",
            "Layer norm;", "0)");
  }

  @Test
  void kMustBePositive() {
    assertThatNetwork(CONV, "@LocalResponseNorm(size = 5, k = -2) Layer norm;", OUT)
        .failsAt("norm: k = -2; k must be a finite number > 0, so that the base of the power"
            + " stays positive (AlexNet's is 2)", "Layer norm;", "-2");
  }

  @Test
  void alphaMustBeFiniteAndNotNegative() {
    assertThatNetwork(CONV,
        "@LocalResponseNorm(size = 5, alpha = -0.5) Layer norm;", OUT)
        .failsAt("norm: alpha = -0.5; alpha must be a finite number >= 0", "Layer norm;",
            "-0.5");
  }

  @Test
  void aFlatInputIsNamed() {
    assertThatNetwork("@Affine(units = 20) Layer f1;", "@LocalResponseNorm(size = 3) Layer norm;",
        OUT).failsWith("norm: LocalResponseNorm needs a CxHxW input", "Layer norm;");
  }

  @Test
  void summaryRow() {
    String table = assertThatNetwork(CONV,
        "@LocalResponseNorm(size = 5, alpha = 1e-4, beta = 0.75, k = 2) Layer norm;",
        "@Pool(size = 2) Layer s2;", OUT).summary();
    assertTrue(table.contains("norm   LocalResponseNorm size 5 alpha 1.0E-4 beta 0.75 k 2.0"),
        table);
    assertTrue(table.contains("6x24x24"), table);
  }
}
