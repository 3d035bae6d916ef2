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
 * The original AlexNet (Krizhevsky, Sutskever and Hinton 2012, the two-GPU network) as Caffe's
 * {@code models/bvlc_alexnet/deploy.prototxt} defines it, on 3×227×227 images: 60,965,224
 * parameters.
 *
 * <p>conv2, conv4 and conv5 run in two groups (the paper's two GPUs: each filter reads half of
 * the channels); local response normalization (Caffe's {@code local_size 5, alpha 1e-4, beta
 * 0.75} and its default {@code k 1}) follows the ReLU of conv1 and conv2, before their pooling.
 * Output sizes: 96×55×55 after conv1, 27 after pool1, 13 after pool2 and conv3 to conv5, 6 after
 * pool5. Caffe rounds pooling sizes up: {@code ceilMode} says so, though at this input every
 * division is exact. Dropout (0.5) follows fc6 and fc7 as in the prototxt.
 */
@Network(input = {3, 227, 227}, loss = Loss.SOFTMAX_CROSS_ENTROPY, classes = 1000)
public abstract class AlexNetCaffe {
  @Conv(filters = 96, kernel = 11, stride = 4, activation = RELU) Layer conv1;
  @LocalResponseNorm(size = 5, alpha = 1e-4, beta = 0.75, k = 1) Layer norm1;
  @Pool(size = 3, stride = 2, ceilMode = true) Layer pool1;
  @Conv(filters = 256, kernel = 5, padding = 2, groups = 2, activation = RELU) Layer conv2;
  @LocalResponseNorm(size = 5, alpha = 1e-4, beta = 0.75, k = 1) Layer norm2;
  @Pool(size = 3, stride = 2, ceilMode = true) Layer pool2;
  @Conv(filters = 384, kernel = 3, padding = 1, activation = RELU) Layer conv3;
  @Conv(filters = 384, kernel = 3, padding = 1, groups = 2, activation = RELU) Layer conv4;
  @Conv(filters = 256, kernel = 3, padding = 1, groups = 2, activation = RELU) Layer conv5;
  @Pool(size = 3, stride = 2, ceilMode = true) Layer pool5;
  @Affine(units = 4096, activation = RELU) Layer fc6;
  @Dropout(p = 0.5) Layer drop6;
  @Affine(units = 4096, activation = RELU) Layer fc7;
  @Dropout(p = 0.5) Layer drop7;
  @Affine(units = 1000) Layer fc8;
}
