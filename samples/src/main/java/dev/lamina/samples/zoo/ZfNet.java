package dev.lamina.samples.zoo;

import static dev.lamina.dsl.Activation.RELU;

import dev.lamina.dsl.Affine;
import dev.lamina.dsl.Conv;
import dev.lamina.dsl.Dropout;
import dev.lamina.dsl.Layer;
import dev.lamina.dsl.LocalResponseNorm;
import dev.lamina.dsl.Loss;
import dev.lamina.dsl.Network;
import dev.lamina.dsl.Pool;

/**
 * ZFNet, the re-tuned AlexNet of Zeiler and Fergus, "Visualizing and Understanding Convolutional
 * Networks" (2013, arXiv:1311.2901), as its Fig. 3 draws it, on 3×224×224 images: 62,357,608
 * parameters (weights and biases of the five convolutions and three fully connected layers, one
 * GPU, no groups).
 *
 * <p>Fig. 3's sizes: conv1 96 filters 7×7 stride 2 → 110×110 (padding 1: {@code floor((224 + 2
 * - 7) / 2) + 1 = 110}), 3×3 max pooling stride 2 → 55, contrast normalization across feature
 * maps; conv2 256 filters 5×5 stride 2 → 26, pooling → 13, normalization; conv3 384, conv4 384
 * and conv5 256 filters 3×3 (padding 1) at 13×13, pooling → 6; fully connected 4096, 4096 and
 * 1000 (the paper's C classes for ImageNet), with dropout 0.5 on the two hidden ones (section 3).
 * Pooling 110 to 55 and 26 to 13 rounds up ({@code ceilMode}: a floor would give 54 and 12), as
 * the cuda-convnet and Caffe layers of the time did. The paper gives no constants for the
 * normalization; these are AlexNetCaffe's.
 */
@Network(input = {3, 224, 224}, loss = Loss.SOFTMAX_CROSS_ENTROPY, classes = 1000)
public abstract class ZfNet {
  @Conv(filters = 96, kernel = 7, stride = 2, padding = 1, activation = RELU) Layer conv1;
  @Pool(size = 3, stride = 2, ceilMode = true) Layer pool1;
  @LocalResponseNorm(size = 5, alpha = 1e-4, beta = 0.75, k = 1) Layer norm1;
  @Conv(filters = 256, kernel = 5, stride = 2, activation = RELU) Layer conv2;
  @Pool(size = 3, stride = 2, ceilMode = true) Layer pool2;
  @LocalResponseNorm(size = 5, alpha = 1e-4, beta = 0.75, k = 1) Layer norm2;
  @Conv(filters = 384, kernel = 3, padding = 1, activation = RELU) Layer conv3;
  @Conv(filters = 384, kernel = 3, padding = 1, activation = RELU) Layer conv4;
  @Conv(filters = 256, kernel = 3, padding = 1, activation = RELU) Layer conv5;
  @Pool(size = 3, stride = 2) Layer pool5;
  @Affine(units = 4096, activation = RELU) Layer fc6;
  @Dropout(p = 0.5) Layer drop6;
  @Affine(units = 4096, activation = RELU) Layer fc7;
  @Dropout(p = 0.5) Layer drop7;
  @Affine(units = 1000) Layer fc8;
}
