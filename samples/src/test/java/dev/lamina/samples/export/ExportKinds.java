package dev.lamina.samples.export;

import static dev.lamina.dsl.Activation.ELU;
import static dev.lamina.dsl.Activation.GELU;
import static dev.lamina.dsl.Activation.GELU_TANH;
import static dev.lamina.dsl.Activation.LEAKY_RELU;
import static dev.lamina.dsl.Activation.RELU6;
import static dev.lamina.dsl.Activation.SIGMOID;
import static dev.lamina.dsl.Activation.TANH;

import dev.lamina.dsl.Affine;
import dev.lamina.dsl.BatchNorm;
import dev.lamina.dsl.Concat;
import dev.lamina.dsl.Conv;
import dev.lamina.dsl.ConvTranspose;
import dev.lamina.dsl.Dropout;
import dev.lamina.dsl.GlobalAvgPool;
import dev.lamina.dsl.Layer;
import dev.lamina.dsl.LocalResponseNorm;
import dev.lamina.dsl.Loss;
import dev.lamina.dsl.Network;
import dev.lamina.dsl.Pool;
import dev.lamina.dsl.PoolKind;
import dev.lamina.dsl.Reshape;

/**
 * The kinds, attributes and activations the sample networks leave out, for the export test:
 * grouped and dilated convolution, local response normalization of odd and even size, transposed
 * convolution, reshape, ceil-mode, padded and dilated pooling, a padded subsampling, flat batch
 * normalization, and every activation.
 */
@Network(input = {1, 28, 28}, loss = Loss.SOFTMAX_CROSS_ENTROPY, classes = 10)
public abstract class ExportKinds {
  @Conv(filters = 8, kernel = 3, padding = 1, activation = RELU6) Layer c1;         // 8x28x28
  @LocalResponseNorm(size = 3, alpha = 1e-3, beta = 0.75, k = 2) Layer lrn;          // 8x28x28
  @LocalResponseNorm(size = 4, alpha = 1e-2, beta = 0.5) Layer lrn4;                // 8x28x28
  @Conv(filters = 8, kernel = 3, stride = 2, groups = 4, activation = GELU) Layer g2; // 8x13x13
  @Pool(kind = PoolKind.MAX, size = 2, stride = 2, ceilMode = true) Layer p3;        // 8x7x7
  @ConvTranspose(filters = 4, kernel = 3, stride = 2, padding = 1, outputPadding = 1,
      activation = LEAKY_RELU, negativeSlope = 0.2) Layer up;                        // 4x14x14
  @Pool(kind = PoolKind.AVG, size = 2, stride = 1, dilation = 2, padding = 1) Layer avgd;
  @Conv(filters = 6, kernel = 3, dilation = 2, padding = 2, activation = ELU, alpha = 0.5)
  Layer dil;                                                                         // 6x14x14
  @Pool(kind = PoolKind.AVG, size = 3, stride = 2, padding = 1, countPadding = false,
      from = "dil") Layer avg;                                                       // 6x7x7
  @Pool(kind = PoolKind.SUBSAMPLE, size = 3, stride = 2, padding = 1, activation = TANH,
      from = "dil") Layer sub;                                                       // 6x7x7
  @Concat(from = {"avg", "sub"}) Layer cat;                                          // 12x7x7
  @Affine(units = 48, activation = GELU_TANH) Layer f1;
  @BatchNorm(activation = SIGMOID) Layer bn;
  @Reshape(shape = {3, 4, 4}) Layer r;                                               // 3x4x4
  @Conv(filters = 16, kernel = 3, padding = 1) Layer c2;
  @GlobalAvgPool Layer gap;                                                          // 16
  @Dropout(p = 0.25) Layer drop;
  @Affine(units = 10) Layer out;
}
