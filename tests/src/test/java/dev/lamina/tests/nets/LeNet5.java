package dev.lamina.tests.nets;

import static dev.lamina.dsl.Activation.RELU;
import static dev.lamina.dsl.Loss.SOFTMAX_CROSS_ENTROPY;
import static dev.lamina.dsl.Precision.DOUBLE;
import static dev.lamina.dsl.Precision.FLOAT;

import dev.lamina.dsl.Affine;
import dev.lamina.dsl.Conv;
import dev.lamina.dsl.Layer;
import dev.lamina.dsl.Network;
import dev.lamina.dsl.Pool;

/** A modern LeNet-5 for 28×28 images: ReLU, max pooling, padding 2 on the first convolution. */
@Network(input = {1, 28, 28}, loss = SOFTMAX_CROSS_ENTROPY, classes = 10,
    precision = {FLOAT, DOUBLE})
public abstract class LeNet5 {
  @Conv(filters = 6, kernel = 5, padding = 2, activation = RELU) Layer c1;
  @Pool(size = 2) Layer s2;
  @Conv(filters = 16, kernel = 5, activation = RELU) Layer c3;
  @Pool(size = 2) Layer s4;
  @Affine(units = 120, activation = RELU) Layer f5;
  @Affine(units = 84, activation = RELU) Layer f6;
  @Affine(units = 10) Layer out;
}
