package dev.lamina.samples.zoo;

import static dev.lamina.dsl.Activation.RELU6;

import dev.lamina.dsl.Add;
import dev.lamina.dsl.Affine;
import dev.lamina.dsl.Apply;
import dev.lamina.dsl.BatchNorm;
import dev.lamina.dsl.Block;
import dev.lamina.dsl.Conv;
import dev.lamina.dsl.Dropout;
import dev.lamina.dsl.GlobalAvgPool;
import dev.lamina.dsl.Layer;
import dev.lamina.dsl.Loss;
import dev.lamina.dsl.Network;

/**
 * MobileNetV2 (Sandler et al. 2018, "MobileNetV2: Inverted Residuals and Linear Bottlenecks") as
 * torchvision builds it ({@code mobilenet_v2}, width 1.0) on 3×224×224 images: 3,504,872
 * trainable parameters.
 *
 * <p>A 3×3 stride-2 convolution to 32 channels, then the paper's Table 2 of inverted residual
 * blocks (expansion t, channels c, repeats n, first stride s): (1, 16, 1, 1), (6, 24, 2, 2),
 * (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1); a 1×1 convolution
 * to 1280 channels, global average pooling, dropout 0.2 and a fully connected layer. Every
 * convolution is without bias and followed by batch normalization (eps 1e-5) and ReLU6, except
 * the linear bottleneck: each block's last 1×1 projection has no activation. A block adds its
 * input when its stride is 1 and its input and output channels agree.
 */
@Network(input = {3, 224, 224}, loss = Loss.SOFTMAX_CROSS_ENTROPY, classes = 1000)
public abstract class MobileNetV2 {
  /**
   * The first block (expansion 1): a 3×3 depthwise convolution and the 1×1 linear projection,
   * no shortcut (32 channels in, 16 out). Arguments: input channels, output channels.
   */
  @Block
  static class Separable {
    static final int CHANNELS = Block.ARG0;
    static final int OUT = Block.ARG1;

    @Conv(filters = CHANNELS, kernel = 3, padding = 1, groups = CHANNELS, bias = false)
    Layer depthwise;
    @BatchNorm(activation = RELU6) Layer depthwiseBn;
    @Conv(filters = OUT, kernel = 1, bias = false) Layer project;
    @BatchNorm Layer projectBn;
  }

  /**
   * An inverted residual block without shortcut (the first of a stage: the stride or the
   * channels change): 1×1 expansion to {@code HIDDEN} channels, 3×3 depthwise convolution with
   * stride {@code STRIDE}, 1×1 linear projection to {@code OUT}. Arguments: hidden channels
   * (6 × input channels), output channels, stride.
   */
  @Block
  static class Inverted {
    static final int HIDDEN = Block.ARG0;
    static final int OUT = Block.ARG1;
    static final int STRIDE = Block.ARG2;

    @Conv(filters = HIDDEN, kernel = 1, bias = false) Layer expand;
    @BatchNorm(activation = RELU6) Layer expandBn;
    @Conv(filters = HIDDEN, kernel = 3, stride = STRIDE, padding = 1, groups = HIDDEN,
        bias = false)
    Layer depthwise;
    @BatchNorm(activation = RELU6) Layer depthwiseBn;
    @Conv(filters = OUT, kernel = 1, bias = false) Layer project;
    @BatchNorm Layer projectBn;
  }

  /**
   * An inverted residual block with its shortcut (stride 1, as many channels out as in): {@link
   * Inverted} with stride 1 whose projection is added to the block's input, without activation.
   * Arguments: hidden channels (6 × channels), channels.
   */
  @Block
  static class Residual {
    static final int HIDDEN = Block.ARG0;
    static final int OUT = Block.ARG1;

    @Conv(filters = HIDDEN, kernel = 1, bias = false) Layer expand;
    @BatchNorm(activation = RELU6) Layer expandBn;
    @Conv(filters = HIDDEN, kernel = 3, padding = 1, groups = HIDDEN, bias = false)
    Layer depthwise;
    @BatchNorm(activation = RELU6) Layer depthwiseBn;
    @Conv(filters = OUT, kernel = 1, bias = false) Layer project;
    @BatchNorm Layer projectBn;
    @Add(from = {"projectBn", Network.INPUT}) Layer out;
  }

  @Conv(filters = 32, kernel = 3, stride = 2, padding = 1, bias = false) Layer conv0;
  @BatchNorm(activation = RELU6) Layer conv0Bn;
  @Apply(block = Separable.class, args = {32, 16}) Layer block1;
  @Apply(block = Inverted.class, args = {96, 24, 2}) Layer block2;
  @Apply(block = Residual.class, args = {144, 24}) Layer block3;
  @Apply(block = Inverted.class, args = {144, 32, 2}) Layer block4;
  @Apply(block = Residual.class, args = {192, 32}) Layer block5;
  @Apply(block = Residual.class, args = {192, 32}) Layer block6;
  @Apply(block = Inverted.class, args = {192, 64, 2}) Layer block7;
  @Apply(block = Residual.class, args = {384, 64}) Layer block8;
  @Apply(block = Residual.class, args = {384, 64}) Layer block9;
  @Apply(block = Residual.class, args = {384, 64}) Layer block10;
  @Apply(block = Inverted.class, args = {384, 96, 1}) Layer block11;
  @Apply(block = Residual.class, args = {576, 96}) Layer block12;
  @Apply(block = Residual.class, args = {576, 96}) Layer block13;
  @Apply(block = Inverted.class, args = {576, 160, 2}) Layer block14;
  @Apply(block = Residual.class, args = {960, 160}) Layer block15;
  @Apply(block = Residual.class, args = {960, 160}) Layer block16;
  @Apply(block = Inverted.class, args = {960, 320, 1}) Layer block17;
  @Conv(filters = 1280, kernel = 1, bias = false) Layer conv18;
  @BatchNorm(activation = RELU6) Layer conv18Bn;
  @GlobalAvgPool Layer avgpool;
  @Dropout(p = 0.2) Layer dropout;
  @Affine(units = 1000) Layer classifier;
}
