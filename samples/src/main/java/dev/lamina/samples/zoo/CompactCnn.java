package dev.lamina.samples.zoo;

import static dev.lamina.dsl.Activation.RELU;

import dev.lamina.dsl.Affine;
import dev.lamina.dsl.BatchNorm;
import dev.lamina.dsl.Conv;
import dev.lamina.dsl.Layer;
import dev.lamina.dsl.Loss;
import dev.lamina.dsl.Network;
import dev.lamina.dsl.Pool;

/**
 * A compact convolutional network for Fashion-MNIST (1×28×28, 10 classes) built for a small
 * training budget: three 3×3 convolutions (16, 32 and 64 filters), each followed by batch
 * normalization, ReLU and 2×2 max pooling, then a hidden layer of 64 units and the classifier.
 * 60,986 parameters and 1,978,688 multiply-adds per image. Meant to be trained with
 * augmentation and a cosine schedule ({@code train --model CompactCnn --flip --crop 2}).
 */
@Network(input = {1, 28, 28}, loss = Loss.SOFTMAX_CROSS_ENTROPY, classes = 10)
public abstract class CompactCnn {
  @Conv(filters = 16, kernel = 3, padding = 1, bias = false) Layer c1;
  @BatchNorm(activation = RELU) Layer bn1;
  @Pool(size = 2) Layer p1;
  @Conv(filters = 32, kernel = 3, padding = 1, bias = false) Layer c2;
  @BatchNorm(activation = RELU) Layer bn2;
  @Pool(size = 2) Layer p2;
  @Conv(filters = 64, kernel = 3, padding = 1, bias = false) Layer c3;
  @BatchNorm(activation = RELU) Layer bn3;
  @Pool(size = 2) Layer p3;
  @Affine(units = 64, activation = RELU) Layer f4;
  @Affine(units = 10) Layer out;
}
