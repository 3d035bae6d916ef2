package dev.lamina.samples;

import static dev.lamina.dsl.Activation.RELU;

import dev.lamina.dsl.Affine;
import dev.lamina.dsl.Conv;
import dev.lamina.dsl.Layer;
import dev.lamina.dsl.Loss;
import dev.lamina.dsl.Network;
import dev.lamina.dsl.Pool;

/**
 * The modern LeNet-5 for 28×28 grayscale images: ReLU and max pooling instead of the classic
 * squashing functions and trainable subsampling. 61,706 parameters.
 */
@Network(input = {1, 28, 28}, loss = Loss.SOFTMAX_CROSS_ENTROPY, classes = 10)
public abstract class LeNet5 {
  @Conv(filters = 6, kernel = 5, padding = 2, activation = RELU) Layer c1;
  @Pool(size = 2, stride = 2) Layer s2;
  @Conv(filters = 16, kernel = 5, activation = RELU) Layer c3;
  @Pool(size = 2, stride = 2) Layer s4;
  @Affine(units = 120, activation = RELU) Layer f5;
  @Affine(units = 84, activation = RELU) Layer f6;
  @Affine(units = 10) Layer out;
}
