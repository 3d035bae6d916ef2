package dev.lamina.samples;

import dev.lamina.dsl.Affine;
import dev.lamina.dsl.Layer;
import dev.lamina.dsl.Loss;
import dev.lamina.dsl.Network;
import dev.lamina.dsl.Recurrent;
import dev.lamina.dsl.Recurrent.Cell;
import dev.lamina.dsl.Recurrent.Returns;

/**
 * Fashion-MNIST read row by row: 28 steps of the 28 pixels of one image row, top to bottom, into
 * an LSTM of 96 units whose state after the last row is classified. The app's 784 pixels per
 * image are in row-major order, so they are this {28, 28} sequence as they are. 49,354
 * parameters.
 */
@Network(input = {28, 28}, loss = Loss.SOFTMAX_CROSS_ENTROPY, classes = 10)
public abstract class RowLstm {
  @Recurrent(cell = Cell.LSTM, units = 96, returns = Returns.LAST) Layer rows;
  @Affine(units = 10) Layer out;
}
