package dev.lamina.tests.nets;

import static dev.lamina.dsl.Activation.RELU;
import static dev.lamina.dsl.Loss.SOFTMAX_CROSS_ENTROPY;
import static dev.lamina.dsl.Precision.DOUBLE;
import static dev.lamina.dsl.Precision.FLOAT;

import dev.lamina.dsl.Affine;
import dev.lamina.dsl.Conv;
import dev.lamina.dsl.Layer;
import dev.lamina.dsl.Network;

/**
 * Two convolutions whose gradients run on patch rows (at least 64 weights per output channel):
 * c1 zero-padded with 20 output channels (one whole and one partial vector of channels on the
 * Vector API), c2 dilated with 8.
 */
@Network(input = {3, 12, 12}, loss = SOFTMAX_CROSS_ENTROPY, classes = 10,
    precision = {FLOAT, DOUBLE})
public abstract class PatchConvs {
  @Conv(filters = 20, kernel = 5, padding = 2, activation = RELU) Layer c1;
  @Conv(filters = 8, kernel = 3, dilation = 2, activation = RELU) Layer c2;
  @Affine(units = 10) Layer out;
}
