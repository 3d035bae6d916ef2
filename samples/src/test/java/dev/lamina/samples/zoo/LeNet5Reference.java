package dev.lamina.samples.zoo;

import static dev.lamina.dsl.Activation.RELU;

import dev.lamina.dsl.Affine;
import dev.lamina.dsl.Conv;
import dev.lamina.dsl.Layer;
import dev.lamina.dsl.Loss;
import dev.lamina.dsl.Network;
import dev.lamina.dsl.Pool;

/** Modern LeNet-5 on 1×28×28, the baseline the small graph networks are compared with. */
@Network(input = {1, 28, 28}, loss = Loss.SOFTMAX_CROSS_ENTROPY, classes = 10)
abstract class LeNet5Reference {
  @Conv(filters = 6, kernel = 5, padding = 2, activation = RELU) Layer c1;
  @Pool(size = 2) Layer s2;
  @Conv(filters = 16, kernel = 5, activation = RELU) Layer c3;
  @Pool(size = 2) Layer s4;
  @Affine(units = 120, activation = RELU) Layer f5;
  @Affine(units = 84, activation = RELU) Layer f6;
  @Affine(units = 10) Layer out;
}
