package dev.lamina.processor;

import static dev.lamina.processor.NetworkTester.assertThatNetwork;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Sequences and {@code @Recurrent} as users write them: a compile error on the offending value or
 * layer for each mix-up of images, vectors and sequences and each attribute out of range, and
 * the summary's figures against PyTorch's parameter counts.
 */
class RecurrentDeclarationTest {
  private static final String ROWS = "input = {28, 28}, loss = SOFTMAX_CROSS_ENTROPY";
  private static final String LSTM = "@Recurrent(cell = LSTM, units = 32, returns = LAST) Layer r;";
  private static final String OUT = "@Affine(units = 10) Layer out;";

  @Test
  void recurrentOnAnImageSuggestsReadingItRowByRow() {
    assertThatNetwork(LSTM, OUT).failsWith(
        "r: @Recurrent needs a sequence {T, D} (T steps of D values), but it reads the network"
            + " input, an image 1x28x28; to read the image row by row, declare @Network(input ="
            + " {28, 28}) (28 steps of 28 values)", "Layer r;");
  }

  @Test
  void recurrentOnAFlatInput() {
    assertThatNetwork(LSTM, OUT).network("input = {784}, loss = SOFTMAX_CROSS_ENTROPY")
        .failsWith("r: @Recurrent needs a sequence {T, D} (T steps of D values), but it reads the"
            + " network input, a vector of 784 values; declare @Network(input = {T, D}) for T"
            + " steps of D values", "Layer r;");
  }

  @Test
  void recurrentAfterTheLastStepOfAnother() {
    assertThatNetwork(LSTM, "@Recurrent(cell = GRU, units = 16, returns = LAST) Layer r2;", OUT)
        .network(ROWS)
        .failsWith("r2: @Recurrent needs a sequence {T, D} (T steps of D values), but it reads"
            + " layer r, a vector of 32 values; a layer before it returns only the last step or"
            + " is flat; keep the sequence (returns = SEQUENCE) up to this layer", "Layer r2;");
  }

  @Test
  void convolutionOnASequence() {
    assertThatNetwork("@Conv(filters = 6, kernel = 5) Layer c1;", OUT).network(ROWS)
        .failsWith("c1: Conv needs a CxHxW input, but it reads the network input, a sequence of"
            + " 28 steps of 28 values; sequences are read by @Recurrent and, step by step, by"
            + " @Affine; for an image declare @Network(input = {C, H, W}), e.g. {1, 28, 28} for"
            + " one channel", "Layer c1;");
  }

  @Test
  void poolingOnARecurrentSequence() {
    assertThatNetwork("@Recurrent(cell = GRU, units = 8, returns = SEQUENCE) Layer r;",
        "@Pool(size = 2) Layer s;", OUT).network(ROWS)
        .failsWith("s: Pool needs a CxHxW input, but it reads layer r, a sequence of 28 steps of"
            + " 8 values;", "Layer s;");
  }

  @Test
  void batchNormOnASequence() {
    assertThatNetwork("@BatchNorm Layer bn;", LSTM, OUT).network(ROWS)
        .failsWith("bn: BatchNorm does not read sequences, but it reads the network input, a"
            + " sequence of 28 steps of 28 values; batch statistics per step are not supported",
            "Layer bn;");
  }

  @Test
  void concatOfSequences() {
    assertThatNetwork("@Recurrent(cell = GRU, units = 8, returns = SEQUENCE) Layer a;",
        "@Recurrent(cell = LSTM, units = 8, returns = SEQUENCE, from = \"input\") Layer b;",
        "@Concat(from = {\"a\", \"b\"}) Layer both;", OUT).network(ROWS)
        .failsWith("both: Concat does not read sequences, but it reads layer a, a sequence of 28"
            + " steps of 8 values; for both directions of a sequence side by side, use"
            + " @Recurrent(bidirectional = true)", "Layer both;");
  }

  @Test
  void unitsMustBePositive() {
    assertThatNetwork("@Recurrent(cell = LSTM, units = 0, returns = LAST) Layer r;", OUT)
        .network(ROWS).failsAt("r: units = 0; a layer needs units >= 1", "Layer r;", "0,");
  }

  @Test
  void layersInRange() {
    assertThatNetwork("@Recurrent(cell = GRU, units = 8, returns = LAST, layers = 0) Layer r;",
        OUT).network(ROWS).failsAt("r: layers = 0; a layer needs layers >= 1", "Layer r;", "0)");
    assertThatNetwork("@Recurrent(cell = GRU, units = 8, returns = LAST, layers = 17) Layer r;",
        OUT).network(ROWS).failsAt("r: layers = 17; layers must be at most 16", "Layer r;",
        "17)");
  }

  @Test
  void parametersBeyondAnArray() {
    // 4·40000·(28 + 40000 + 2) = 6,404,800,000 parameters
    assertThatNetwork("@Recurrent(cell = LSTM, units = 40000, returns = LAST) Layer r;", OUT)
        .network(ROWS).failsWith("r: this layer has 6,404,800,000 parameters and brings the"
            + " network to 6,404,800,000, more than a Java array can hold", "Layer r;");
  }

  @Test
  void inputOfFourValuesNamesTheSequenceForm() {
    assertThatNetwork(OUT).network("input = {1, 2, 28, 28}, loss = SOFTMAX_CROSS_ENTROPY")
        .failsWith("{T, D} for sequences of T steps of D values (e.g. {28, 28})", "@Network(");
  }

  @Test
  void perStepLossClassesMustFitTheStep() {
    assertThatNetwork("@Recurrent(cell = LSTM, units = 16, returns = SEQUENCE) Layer r;",
        "@Affine(units = 6) Layer out;")
        .network("input = {10, 8}, classes = 5, loss = SOFTMAX_CROSS_ENTROPY")
        .failsWith("classes = 5 but the last layer out outputs 10x6 (6 units)", "@Network(");
  }

  @Test
  void perStepSoftmaxNeedsTwoClassesPerStep() {
    assertThatNetwork("@Recurrent(cell = GRU, units = 16, returns = SEQUENCE) Layer r;",
        "@Affine(units = 1) Layer out;").network("input = {10, 8}, loss = SOFTMAX_CROSS_ENTROPY")
        .failsWith("SOFTMAX_CROSS_ENTROPY needs at least 2 output units, but out outputs 10x1 (1"
            + " unit)", "Layer out;");
  }

  /** PyTorch's count: per layer and direction G·H·(D_k + H) weights and 2·G·H biases. */
  private static long torchCount(int gates, int h, int d, int layers, int dirs, boolean bias) {
    long n = 0;
    for (int k = 0; k < layers; k++) {
      int in = k == 0 ? d : dirs * h;
      n += dirs * ((long) gates * h * (in + h) + (bias ? 2L * gates * h : 0));
    }
    return n;
  }

  @Test
  void summaryGivesPyTorchsParameterCountAndTheOutputShape() {
    String table = assertThatNetwork(
        "@Recurrent(cell = GRU, units = 24, layers = 2, bidirectional = true, returns = SEQUENCE)"
            + " Layer r;",
        "@Affine(units = 10) Layer out;").network(ROWS).summary();
    long gru = torchCount(3, 24, 28, 2, 2, true);
    assertTrue(table.contains(String.format("%,d", gru)) || table.contains(Long.toString(gru)),
        gru + " in\n" + table);
    assertTrue(table.contains("GRU 24, 2 layers, bidirectional, sequence"), table);
    assertTrue(table.contains("28x48"), table);
    // per step: 48 inputs, 10 units, 28 steps
    assertTrue(table.contains("28x10"), table);
  }
}
