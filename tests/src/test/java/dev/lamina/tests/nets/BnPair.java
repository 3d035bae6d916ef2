package dev.lamina.tests.nets;

import static dev.lamina.dsl.Activation.RELU;
import static dev.lamina.dsl.Loss.SOFTMAX_CROSS_ENTROPY;
import static dev.lamina.dsl.Precision.DOUBLE;
import static dev.lamina.dsl.Precision.FLOAT;

import dev.lamina.dsl.Affine;
import dev.lamina.dsl.BatchNorm;
import dev.lamina.dsl.Layer;
import dev.lamina.dsl.Network;

/**
 * Two batch-normalization layers, one over image channels (2 channels of 3×3) and one over
 * features (4), in both precisions: the exported statistics hold two blocks.
 */
@Network(input = {2, 3, 3}, loss = SOFTMAX_CROSS_ENTROPY, classes = 3,
    precision = {FLOAT, DOUBLE})
public abstract class BnPair {
  @BatchNorm(momentum = 0.3) Layer bn;
  @Affine(units = 4, activation = RELU) Layer hidden;
  @BatchNorm Layer bn2;
  @Affine(units = 3) Layer out;
}
