package dev.lamina.tests.nets;

import static dev.lamina.dsl.Loss.SOFTMAX_CROSS_ENTROPY;

import dev.lamina.dsl.Affine;
import dev.lamina.dsl.Layer;
import dev.lamina.dsl.Network;
import dev.lamina.dsl.Recurrent;
import dev.lamina.dsl.Recurrent.Cell;
import dev.lamina.dsl.Recurrent.Returns;

/**
 * A small recurrent classifier of 28×28 images read as 28 steps of one row: a GRU of 32 units,
 * its state after the last row into 10 scores. 6,282 parameters.
 */
@Network(input = {28, 28}, loss = SOFTMAX_CROSS_ENTROPY, classes = 10)
public abstract class RowGruSmall {
  @Recurrent(cell = Cell.GRU, units = 32, returns = Returns.LAST) Layer rows;
  @Affine(units = 10) Layer out;
}
