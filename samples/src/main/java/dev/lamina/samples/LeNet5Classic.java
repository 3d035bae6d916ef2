package dev.lamina.samples;

import static dev.lamina.dsl.Activation.SIGMOID;
import static dev.lamina.dsl.Activation.TANH;

import dev.lamina.dsl.Affine;
import dev.lamina.dsl.Conv;
import dev.lamina.dsl.Layer;
import dev.lamina.dsl.Loss;
import dev.lamina.dsl.Network;
import dev.lamina.dsl.Pool;
import dev.lamina.dsl.PoolKind;

/**
 * LeNet-5 as in the 1998 paper's layer table, on 28×28 images with padding 2 in C1: trainable
 * subsampling (one coefficient and one bias per map, then a sigmoid), C3 connected to all six S2
 * maps, C5 a 5×5 convolution that is a full connection here, F6 with tanh and an output layer
 * without bias. 61,740 parameters.
 */
@Network(input = {1, 28, 28}, loss = Loss.SOFTMAX_CROSS_ENTROPY, classes = 10)
public abstract class LeNet5Classic {
  @Conv(filters = 6, kernel = 5, padding = 2) Layer c1;
  @Pool(kind = PoolKind.SUBSAMPLE, size = 2, stride = 2, activation = SIGMOID) Layer s2;
  @Conv(filters = 16, kernel = 5) Layer c3;
  @Pool(kind = PoolKind.SUBSAMPLE, size = 2, stride = 2, activation = SIGMOID) Layer s4;
  @Conv(filters = 120, kernel = 5, activation = TANH) Layer c5;
  @Affine(units = 84, activation = TANH) Layer f6;
  @Affine(units = 10, bias = false) Layer out;
}
