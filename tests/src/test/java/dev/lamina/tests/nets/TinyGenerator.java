package dev.lamina.tests.nets;

import static dev.lamina.dsl.Activation.RELU;
import static dev.lamina.dsl.Activation.TANH;

import dev.lamina.dsl.Affine;
import dev.lamina.dsl.ConvTranspose;
import dev.lamina.dsl.Layer;
import dev.lamina.dsl.Network;
import dev.lamina.dsl.Reshape;

/** A small DCGAN-style generator: 4 noise values to a 1x6x6 image in [-1, 1]. */
@Network(input = {4})
@SuppressWarnings("lamina:no-loss")
public abstract class TinyGenerator {
  @Affine(units = 18, activation = RELU) Layer fc;
  @Reshape(shape = {2, 3, 3}) Layer img;
  @ConvTranspose(filters = 1, kernel = 4, stride = 2, padding = 1, activation = TANH) Layer up;
}
