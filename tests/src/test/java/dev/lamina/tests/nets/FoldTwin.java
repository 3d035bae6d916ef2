package dev.lamina.tests.nets;

import static dev.lamina.dsl.Activation.LEAKY_RELU;
import static dev.lamina.dsl.Activation.RELU;
import static dev.lamina.dsl.Activation.TANH;
import static dev.lamina.dsl.Loss.SOFTMAX_CROSS_ENTROPY;
import static dev.lamina.dsl.Precision.DOUBLE;
import static dev.lamina.dsl.Precision.FLOAT;

import dev.lamina.dsl.Add;
import dev.lamina.dsl.Affine;
import dev.lamina.dsl.BatchNorm;
import dev.lamina.dsl.Conv;
import dev.lamina.dsl.GlobalAvgPool;
import dev.lamina.dsl.Layer;
import dev.lamina.dsl.Network;
import dev.lamina.dsl.Reshape;

/**
 * {@link FoldNet} with a reshape to the same shape between each convolution and its batch
 * normalization: the same parameters in the same layout and the same arithmetic (a reshape copies
 * values and gradients exactly), but nothing folded, at inference either.
 */
@Network(input = {3, 9, 9}, loss = SOFTMAX_CROSS_ENTROPY, classes = 4,
    precision = {FLOAT, DOUBLE})
public abstract class FoldTwin {
  @Conv(filters = 8, kernel = 3, padding = 1) Layer c1;
  @Reshape(shape = {8, 9, 9}) Layer r1;
  @BatchNorm(activation = RELU) Layer bn1;
  @Conv(filters = 8, kernel = 3, padding = 1, bias = false) Layer c2;
  @Reshape(shape = {8, 9, 9}) Layer r2;
  @BatchNorm Layer bn2;
  @Add(from = {"bn2", "bn1"}, activation = RELU) Layer sum;
  @Conv(filters = 8, kernel = 3, padding = 1, bias = false) Layer c2b;
  @Reshape(shape = {8, 9, 9}) Layer r2b;
  @BatchNorm(activation = LEAKY_RELU, negativeSlope = 0.1) Layer bn2b;
  @Conv(filters = 8, kernel = 3, stride = 2, padding = 1, bias = false) Layer c3;
  @Reshape(shape = {8, 5, 5}) Layer r3;
  @BatchNorm(eps = 1e-3, activation = RELU) Layer bn3;
  @Conv(filters = 4, kernel = 1, groups = 2) Layer g4;
  @Reshape(shape = {4, 5, 5}) Layer r4;
  @BatchNorm Layer bn4;
  @Conv(filters = 4, kernel = 1) Layer c5;
  @Reshape(shape = {4, 5, 5}) Layer r5;
  @BatchNorm(activation = TANH) Layer bn5;
  @GlobalAvgPool Layer gap;
  @Affine(units = 4) Layer out;
}
