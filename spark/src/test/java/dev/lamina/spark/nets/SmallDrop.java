package dev.lamina.spark.nets;

import static dev.lamina.dsl.Activation.RELU;

import dev.lamina.dsl.Affine;
import dev.lamina.dsl.Conv;
import dev.lamina.dsl.Dropout;
import dev.lamina.dsl.Layer;
import dev.lamina.dsl.Loss;
import dev.lamina.dsl.Network;
import dev.lamina.dsl.Pool;

/** {@link SmallConv} with dropout after the convolution and after the hidden layer. */
@Network(input = {1, 8, 8}, loss = Loss.SOFTMAX_CROSS_ENTROPY, classes = 3)
public abstract class SmallDrop {
  @Conv(filters = 4, kernel = 3, padding = 1, activation = RELU) Layer c1;
  @Dropout(p = 0.2) Layer d1;
  @Pool(size = 2) Layer p1;
  @Affine(units = 10, activation = RELU) Layer f1;
  @Dropout(p = 0.5) Layer d2;
  @Affine(units = 3) Layer out;
}
