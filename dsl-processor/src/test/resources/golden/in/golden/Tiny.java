package golden;

import static dev.lamina.dsl.Activation.RELU;
import static dev.lamina.dsl.Loss.SOFTMAX_CROSS_ENTROPY;
import static dev.lamina.dsl.Precision.DOUBLE;
import static dev.lamina.dsl.Precision.FLOAT;

import dev.lamina.dsl.Affine;
import dev.lamina.dsl.Conv;
import dev.lamina.dsl.Layer;
import dev.lamina.dsl.Network;
import dev.lamina.dsl.Pool;

/**
 * The smallest convolutional network, in both precisions: a 3x3 convolution on the grid, max
 * pooling and a dense layer.
 */
@Network(input = {1, 6, 6}, loss = SOFTMAX_CROSS_ENTROPY, classes = 3,
    precision = {FLOAT, DOUBLE})
public abstract class Tiny {
  @Conv(filters = 2, kernel = 3, padding = 1, activation = RELU) Layer c1;
  @Pool(size = 2, stride = 2) Layer s2;
  @Affine(units = 3) Layer out;
}
