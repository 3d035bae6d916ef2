package dev.lamina.samples;

import static dev.lamina.dsl.Activation.RELU;

import dev.lamina.dsl.Affine;
import dev.lamina.dsl.Layer;
import dev.lamina.dsl.Loss;
import dev.lamina.dsl.Network;

/** A two-layer perceptron 784-100-10 on flattened 28×28 images. 79,510 parameters. */
@Network(input = {784}, loss = Loss.SOFTMAX_CROSS_ENTROPY, classes = 10)
public abstract class Mlp {
  @Affine(units = 100, activation = RELU) Layer hidden;
  @Affine(units = 10) Layer out;
}
