package dev.lamina.tests.nets;

import static dev.lamina.dsl.Loss.SOFTMAX_CROSS_ENTROPY;

import dev.lamina.dsl.Affine;
import dev.lamina.dsl.Layer;
import dev.lamina.dsl.Network;
import dev.lamina.dsl.Recurrent;
import dev.lamina.dsl.Recurrent.Cell;
import dev.lamina.dsl.Recurrent.Returns;

/** A class at every one of 6 steps: an LSTM's sequence, then 3 scores per step. */
@Network(input = {6, 4}, loss = SOFTMAX_CROSS_ENTROPY)
public abstract class StepTagger {
  @Recurrent(cell = Cell.LSTM, units = 5, returns = Returns.SEQUENCE) Layer lstm;
  @Affine(units = 3) Layer out;
}
