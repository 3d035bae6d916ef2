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

/**
 * Convolutions followed by batch normalization, which the inference pass folds into them: on
 * the grid with a bias ({@code c1}, ReLU), on patch rows without one ({@code c2}, no activation,
 * then a residual Add with ReLU; {@code c2b}, leaky ReLU), strided on plain loops or columns
 * ({@code c3}, ReLU), a grouped convolution, which is not folded ({@code g4}), and a 1×1 one
 * whose batch normalization has tanh, applied in a pass of its own ({@code c5}). {@link FoldTwin} is the same network with a
 * reshape between each convolution and its batch normalization, which keeps them apart.
 */
@Network(input = {3, 9, 9}, loss = SOFTMAX_CROSS_ENTROPY, classes = 4,
    precision = {FLOAT, DOUBLE})
public abstract class FoldNet {
  @Conv(filters = 8, kernel = 3, padding = 1) Layer c1;
  @BatchNorm(activation = RELU) Layer bn1;
  @Conv(filters = 8, kernel = 3, padding = 1, bias = false) Layer c2;
  @BatchNorm Layer bn2;
  @Add(from = {"bn2", "bn1"}, activation = RELU) Layer sum;
  @Conv(filters = 8, kernel = 3, padding = 1, bias = false) Layer c2b;
  @BatchNorm(activation = LEAKY_RELU, negativeSlope = 0.1) Layer bn2b;
  @Conv(filters = 8, kernel = 3, stride = 2, padding = 1, bias = false) Layer c3;
  @BatchNorm(eps = 1e-3, activation = RELU) Layer bn3;
  @Conv(filters = 4, kernel = 1, groups = 2) Layer g4;
  @BatchNorm Layer bn4;
  @Conv(filters = 4, kernel = 1) Layer c5;
  @BatchNorm(activation = TANH) Layer bn5;
  @GlobalAvgPool Layer gap;
  @Affine(units = 4) Layer out;
}
