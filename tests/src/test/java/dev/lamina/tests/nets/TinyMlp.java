package dev.lamina.tests.nets;

import static dev.lamina.dsl.Activation.TANH;
import static dev.lamina.dsl.Loss.SOFTMAX_CROSS_ENTROPY;

import dev.lamina.dsl.Affine;
import dev.lamina.dsl.Layer;
import dev.lamina.dsl.Network;

/** A small classifier on the same input as {@link LeNet5}: another network, for checkpoint tests. */
@Network(input = {1, 28, 28}, loss = SOFTMAX_CROSS_ENTROPY, classes = 10)
public abstract class TinyMlp {
  @Affine(units = 32, activation = TANH) Layer hidden;
  @Affine(units = 10) Layer out;
}
