package golden;

import static dev.lamina.dsl.Loss.SOFTMAX_CROSS_ENTROPY;
import static dev.lamina.dsl.Recurrent.Cell.LSTM;
import static dev.lamina.dsl.Recurrent.Returns.SEQUENCE;

import dev.lamina.dsl.Affine;
import dev.lamina.dsl.Layer;
import dev.lamina.dsl.Network;
import dev.lamina.dsl.Recurrent;

/**
 * A sequence tagger: 5 steps of 3 values, an LSTM of 4 hidden values, and a class out of 3 at
 * every step.
 */
@Network(input = {5, 3}, loss = SOFTMAX_CROSS_ENTROPY, classes = 3)
public abstract class Tagger {
  @Recurrent(cell = LSTM, units = 4, returns = SEQUENCE) Layer lstm;
  @Affine(units = 3) Layer out;
}
