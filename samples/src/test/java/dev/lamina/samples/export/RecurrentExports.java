package dev.lamina.samples.export;

import static dev.lamina.dsl.Activation.TANH;
import static dev.lamina.dsl.Recurrent.Cell.GRU;
import static dev.lamina.dsl.Recurrent.Cell.LSTM;
import static dev.lamina.dsl.Recurrent.Cell.RNN_RELU;
import static dev.lamina.dsl.Recurrent.Cell.RNN_TANH;
import static dev.lamina.dsl.Recurrent.Returns.LAST;
import static dev.lamina.dsl.Recurrent.Returns.SEQUENCE;

import dev.lamina.dsl.Affine;
import dev.lamina.dsl.Layer;
import dev.lamina.dsl.Loss;
import dev.lamina.dsl.Network;
import dev.lamina.dsl.Recurrent;

/**
 * Recurrent networks for the export test, reading a Fashion-MNIST image as 28 rows of 28 values:
 * every cell ONNX has, stacked and bidirectional, returning the sequence and its last step, and
 * an affine layer applied per step.
 */
final class RecurrentExports {
  private RecurrentExports() {}

  /** One LSTM layer, its last step classified. */
  @Network(input = {28, 28}, loss = Loss.SOFTMAX_CROSS_ENTROPY, classes = 10)
  abstract static class RowLstm {
    @Recurrent(cell = LSTM, units = 16, returns = LAST) Layer lstm;
    @Affine(units = 10) Layer out;
  }

  /**
   * A bidirectional GRU's sequence, an affine layer per step, then a stacked bidirectional LSTM
   * without bias.
   */
  @Network(input = {28, 28}, loss = Loss.SOFTMAX_CROSS_ENTROPY, classes = 10)
  abstract static class RowGru {
    @Recurrent(cell = GRU, units = 12, returns = SEQUENCE, bidirectional = true) Layer gru;
    @Affine(units = 8, activation = TANH) Layer step;
    @Recurrent(cell = LSTM, units = 6, returns = LAST, layers = 2, bidirectional = true,
        bias = false) Layer lstm;
    @Affine(units = 10) Layer out;
  }

  /** Two stacked tanh cells, then two stacked bidirectional ReLU cells. */
  @Network(input = {28, 28}, loss = Loss.SOFTMAX_CROSS_ENTROPY, classes = 10)
  abstract static class RowRnn {
    @Recurrent(cell = RNN_TANH, units = 16, returns = SEQUENCE, layers = 2) Layer tanh;
    @Recurrent(cell = RNN_RELU, units = 8, returns = LAST, layers = 2, bidirectional = true)
    Layer relu;
    @Affine(units = 10) Layer out;
  }

  /** A bidirectional LSTM's sequence with every step classified: the output is 28x10. */
  @Network(input = {28, 28}, loss = Loss.SOFTMAX_CROSS_ENTROPY, classes = 10)
  abstract static class RowTagger {
    @Recurrent(cell = LSTM, units = 8, returns = SEQUENCE, bidirectional = true) Layer lstm;
    @Affine(units = 10) Layer out;
  }

  /** A stacked GRU without bias, its last step classified. */
  @Network(input = {28, 28}, loss = Loss.SOFTMAX_CROSS_ENTROPY, classes = 10)
  abstract static class RowGruStack {
    @Recurrent(cell = GRU, units = 10, returns = LAST, layers = 2, bias = false) Layer gru;
    @Affine(units = 10) Layer out;
  }
}
