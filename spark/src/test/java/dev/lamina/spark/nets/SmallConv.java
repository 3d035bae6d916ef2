package dev.lamina.spark.nets;

import static dev.lamina.dsl.Activation.RELU;

import dev.lamina.dsl.Affine;
import dev.lamina.dsl.Conv;
import dev.lamina.dsl.Layer;
import dev.lamina.dsl.Loss;
import dev.lamina.dsl.Network;
import dev.lamina.dsl.Pool;

/** A small convolutional classifier of 1×8×8 images into 3 classes (723 parameters). */
@Network(input = {1, 8, 8}, loss = Loss.SOFTMAX_CROSS_ENTROPY, classes = 3)
public abstract class SmallConv {
  @Conv(filters = 4, kernel = 3, padding = 1, activation = RELU) Layer c1;
  @Pool(size = 2) Layer p1;
  @Affine(units = 10, activation = RELU) Layer f1;
  @Affine(units = 3) Layer out;
}
