package dev.lamina.tests.nets;

import static dev.lamina.dsl.Activation.RELU;
import static dev.lamina.dsl.Loss.SOFTMAX_CROSS_ENTROPY;

import dev.lamina.dsl.Affine;
import dev.lamina.dsl.Layer;
import dev.lamina.dsl.Network;

/** 1.6 million parameters (a 6.5 MB checkpoint): large enough that a save takes a while. */
@Network(input = {1, 28, 28}, loss = SOFTMAX_CROSS_ENTROPY)
public abstract class BigMlp {
  @Affine(units = 2048, activation = RELU) Layer hidden;
  @Affine(units = 10) Layer out;
}
