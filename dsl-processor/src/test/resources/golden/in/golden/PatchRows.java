package golden;

import static dev.lamina.dsl.Activation.RELU;
import static dev.lamina.dsl.Loss.SOFTMAX_CROSS_ENTROPY;

import dev.lamina.dsl.Affine;
import dev.lamina.dsl.Conv;
import dev.lamina.dsl.Layer;
import dev.lamina.dsl.Network;

/**
 * A convolution whose gradients run on patch rows: 4·5·5 = 100 weights per output channel, and 8
 * output channels, so that on the Vector API they are the lanes.
 */
@Network(input = {4, 6, 6}, loss = SOFTMAX_CROSS_ENTROPY, classes = 2)
public abstract class PatchRows {
  @Conv(filters = 8, kernel = 5, padding = 2, activation = RELU) Layer c1;
  @Affine(units = 2) Layer out;
}
