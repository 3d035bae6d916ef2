package dev.lamina.example;

import static dev.lamina.dsl.Activation.RELU;

import dev.lamina.dsl.Affine;
import dev.lamina.dsl.Conv;
import dev.lamina.dsl.Layer;
import dev.lamina.dsl.Loss;
import dev.lamina.dsl.Network;
import dev.lamina.dsl.Pool;

/**
 * The network this app ships: LeNet-5 (ReLU, max pooling) on 28×28 grayscale images of the ten
 * Fashion-MNIST classes. The processor generates {@code Lamina_Garments} from it at compile time.
 */
@Network(input = {1, 28, 28}, loss = Loss.SOFTMAX_CROSS_ENTROPY, classes = 10)
public abstract class Garments {
  @Conv(filters = 6, kernel = 5, padding = 2, activation = RELU) Layer c1;
  @Pool(size = 2, stride = 2) Layer s2;
  @Conv(filters = 16, kernel = 5, activation = RELU) Layer c3;
  @Pool(size = 2, stride = 2) Layer s4;
  @Affine(units = 120, activation = RELU) Layer f5;
  @Affine(units = 84, activation = RELU) Layer f6;
  @Affine(units = 10) Layer out;
}
