package dev.lamina.spark.nets;

import static dev.lamina.dsl.Activation.RELU;

import dev.lamina.dsl.Affine;
import dev.lamina.dsl.BatchNorm;
import dev.lamina.dsl.Conv;
import dev.lamina.dsl.Layer;
import dev.lamina.dsl.Loss;
import dev.lamina.dsl.Network;
import dev.lamina.dsl.Pool;

/**
 * {@link SmallConv} with batch normalization after the convolution (4 channels of 8×8) and after
 * the hidden layer (10 features): 30 doubles of batch statistics per partition per step.
 */
@Network(input = {1, 8, 8}, loss = Loss.SOFTMAX_CROSS_ENTROPY, classes = 3)
public abstract class SmallBn {
  @Conv(filters = 4, kernel = 3, padding = 1) Layer c1;
  @BatchNorm(activation = RELU) Layer bn1;
  @Pool(size = 2) Layer p1;
  @Affine(units = 10) Layer f1;
  @BatchNorm(activation = RELU) Layer bn2;
  @Affine(units = 3) Layer out;
}
