package dev.lamina.samples;

import dev.lamina.dsl.Affine;
import dev.lamina.dsl.Layer;
import dev.lamina.dsl.Loss;
import dev.lamina.dsl.Network;
import dev.lamina.dsl.Recurrent;
import dev.lamina.dsl.Recurrent.Cell;
import dev.lamina.dsl.Recurrent.Returns;

/**
 * {@link RowLstm}'s twin with a GRU of 96 units: Fashion-MNIST as 28 steps of one 28-pixel row,
 * the state after the last row classified. 37,258 parameters.
 */
@Network(input = {28, 28}, loss = Loss.SOFTMAX_CROSS_ENTROPY, classes = 10)
public abstract class RowGru {
  @Recurrent(cell = Cell.GRU, units = 96, returns = Returns.LAST) Layer rows;
  @Affine(units = 10) Layer out;
}
