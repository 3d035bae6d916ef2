package dev.lamina.samples.zoo;

import static dev.lamina.dsl.Activation.RELU;

import dev.lamina.dsl.Affine;
import dev.lamina.dsl.Apply;
import dev.lamina.dsl.Block;
import dev.lamina.dsl.Dropout;
import dev.lamina.dsl.Layer;
import dev.lamina.dsl.Loss;
import dev.lamina.dsl.Network;
import dev.lamina.dsl.Pool;
import dev.lamina.dsl.Conv;

/**
 * VGG-16 (configuration D of Simonyan and Zisserman 2014, torchvision's {@code vgg16} without
 * batch normalization) on 3×224×224 images: 138,357,544 parameters; receptive field 196 at
 * conv5_3 and 212 at pool5. The convolution stages are two blocks used five times.
 */
@Network(input = {3, 224, 224}, loss = Loss.SOFTMAX_CROSS_ENTROPY, classes = 1000)
public abstract class Vgg16 {
  /** Two 3×3 convolutions with {@code FILTERS} filters, then 2×2 max pooling. */
  @Block
  static class Two {
    static final int FILTERS = Block.ARG0;

    @Conv(filters = FILTERS, kernel = 3, padding = 1, activation = RELU) Layer conv1;
    @Conv(filters = FILTERS, kernel = 3, padding = 1, activation = RELU) Layer conv2;
    @Pool(size = 2) Layer pool;
  }

  /** Three 3×3 convolutions with {@code FILTERS} filters, then 2×2 max pooling. */
  @Block
  static class Three {
    static final int FILTERS = Block.ARG0;

    @Conv(filters = FILTERS, kernel = 3, padding = 1, activation = RELU) Layer conv1;
    @Conv(filters = FILTERS, kernel = 3, padding = 1, activation = RELU) Layer conv2;
    @Conv(filters = FILTERS, kernel = 3, padding = 1, activation = RELU) Layer conv3;
    @Pool(size = 2) Layer pool;
  }

  @Apply(block = Two.class, args = 64) Layer stage1;
  @Apply(block = Two.class, args = 128) Layer stage2;
  @Apply(block = Three.class, args = 256) Layer stage3;
  @Apply(block = Three.class, args = 512) Layer stage4;
  @Apply(block = Three.class, args = 512) Layer stage5;
  @Affine(units = 4096, activation = RELU) Layer fc6;
  @Dropout(p = 0.5) Layer drop6;
  @Affine(units = 4096, activation = RELU) Layer fc7;
  @Dropout(p = 0.5) Layer drop7;
  @Affine(units = 1000) Layer fc8;
}
