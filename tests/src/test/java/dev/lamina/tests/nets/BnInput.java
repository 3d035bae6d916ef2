package dev.lamina.tests.nets;

import static dev.lamina.dsl.Loss.SOFTMAX_CROSS_ENTROPY;

import dev.lamina.dsl.Affine;
import dev.lamina.dsl.BatchNorm;
import dev.lamina.dsl.Layer;
import dev.lamina.dsl.Network;

/**
 * Batch normalization straight on the input: the values it sees do not depend on the parameters,
 * so its running statistics can be checked against the data alone, whatever the thread count.
 */
@Network(input = {2, 3, 3}, loss = SOFTMAX_CROSS_ENTROPY)
public abstract class BnInput {
  @BatchNorm(momentum = 0.3) Layer bn;
  @Affine(units = 3) Layer out;
}
