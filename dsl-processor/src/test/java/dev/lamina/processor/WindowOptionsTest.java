package dev.lamina.processor;

import static dev.lamina.processor.NetworkTester.assertThatNetwork;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Asymmetric and automatic padding, ceil mode and dilated pooling, ELU, through javac and the
 * processor: the shapes, receptive fields and starts the summary reports.
 */
class WindowOptionsTest {
  private static void contains(String summary, String regex) {
    assertTrue(summary.matches("(?s).*" + regex + ".*"), () -> regex + " in\n" + summary);
  }

  @Test
  void samePaddingCeilModeDilationAndAsymmetricPadding() {
    NetworkTester t = assertThatNetwork(
        // total padding 3 on 9: SAME_UPPER puts 1 before and 2 after
        "@Conv(filters = 4, kernel = 4, autoPad = AutoPad.SAME_UPPER, activation = ELU) Layer c1;",
        // (9 - 3) / 2 rounded up, + 1 = 4: the last window overhangs by one
        "@Pool(size = 3, stride = 2, ceilMode = true) Layer s1;",
        "@Conv(filters = 2, kernel = 3, padding = {0, 1, 2, 1}, alpha = 0.5, activation = ELU)"
            + " Layer c2;",
        "@Pool(kind = AVG, size = 2, dilation = 2, stride = 1, padding = 2, countPadding = false)"
            + " Layer s2;",
        "@Pool(size = 2, autoPad = AutoPad.SAME_LOWER) Layer s3;",
        "@Affine(units = 10) Layer out;").network("input = {1, 9, 9}, loss = SOFTMAX_CROSS_ENTROPY");
    t.compilesWithoutWarnings();
    String s = t.summary();
    // RF 4, start (4-1)/2 - 1 = 0.5 (the begin padding)
    contains(s, "c1 +Conv 4@4x4 pad 1,1,2,2 elu +4x9x9 .* 4x4 +1x1 +0.5,0.5 ");
    // RF 4 + 2 = 6, jump 2, start 0.5 + 1 = 1.5
    contains(s, "s1 +Pool max 3x3/2 ceil +4x4x4 .* 6x6 +2x2 +1.5,1.5 ");
    // height (4 + 0 + 2 - 3) + 1 = 4, width (4 + 1 + 1 - 3) + 1 = 4; RF 6 + 2*2 = 10;
    // start 1.5 + (1 - 0)*2 = 3.5 on rows, 1.5 + (1 - 1)*2 = 1.5 on columns
    contains(s, "c2 +Conv 2@3x3 pad 0,1,2,1 elu +2x4x4 .* 10x10 +2x2 +3.5,1.5 ");
    // effective window 3: (4 + 4 - 3) + 1 = 6; RF 10 + 2*2 = 14; start + (1 - 2)*2
    contains(s, "s2 +Pool avg 2x2/1 pad 2 excl dil 2 +2x6x6 .* 14x14 +2x2 +1.5,-0.5 ");
    // SAME_LOWER, stride 2 on 6: output 3, total padding 0
    contains(s, "s3 +Pool max 2x2/2 +2x3x3 ");
  }

  @Test
  void receptiveFieldRequirementsSeeTheDilatedWindow() {
    // a 2x2 window at dilation 3 spans 4x4 input values
    assertThatNetwork("@Pool(size = 2, dilation = 3, stride = 1,"
        + " receptiveField = @ReceptiveField(exactly = 4)) Layer s1;",
        "@Affine(units = 10) Layer out;").network("input = {1, 8, 8}, loss = SOFTMAX_CROSS_ENTROPY")
        .compilesWithoutWarnings();
    assertThatNetwork("@Pool(size = 2, dilation = 3, stride = 1,"
        + " receptiveField = @ReceptiveField(exactly = 2)) Layer s1;",
        "@Affine(units = 10) Layer out;").network("input = {1, 8, 8}, loss = SOFTMAX_CROSS_ENTROPY")
        .failsWith("s1: receptive field is 4x4 but @ReceptiveField(exactly = 2) requires 2x2",
            "Layer s1;");
  }

  @Test
  void sameLowerWithAnOddTotalPadsTheBeginning() {
    NetworkTester t = assertThatNetwork("@Pool(kind = AVG, size = 2, stride = 1,"
        + " autoPad = AutoPad.SAME_LOWER) Layer s1;", "@Affine(units = 10) Layer out;")
        .network("input = {3, 32, 32}, loss = SOFTMAX_CROSS_ENTROPY");
    t.compilesWithoutWarnings();
    contains(t.summary(), "s1 +Pool avg 2x2/1 pad 1,1,0,0 +3x32x32 ");
  }
}
