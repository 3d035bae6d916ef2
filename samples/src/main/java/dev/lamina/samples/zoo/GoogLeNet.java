package dev.lamina.samples.zoo;

import static dev.lamina.dsl.Activation.RELU;

import dev.lamina.dsl.Affine;
import dev.lamina.dsl.Apply;
import dev.lamina.dsl.BatchNorm;
import dev.lamina.dsl.Block;
import dev.lamina.dsl.Concat;
import dev.lamina.dsl.Conv;
import dev.lamina.dsl.Dropout;
import dev.lamina.dsl.GlobalAvgPool;
import dev.lamina.dsl.Layer;
import dev.lamina.dsl.Loss;
import dev.lamina.dsl.Network;
import dev.lamina.dsl.Pool;

/**
 * GoogLeNet (Szegedy et al. 2014, "Going Deeper with Convolutions") as torchvision builds it
 * ({@code googlenet(aux_logits=False)}) on 3×224×224 images: 6,624,904 trainable parameters.
 *
 * <p>torchvision's layout, not the paper's exactly: every convolution is a {@code BasicConv2d}
 * (convolution without bias, batch normalization with eps 0.001, ReLU), the third branch of each
 * Inception module has a 3×3 convolution where the paper has a 5×5 (as in torchvision's code),
 * and every max pooling rounds up ({@code ceil_mode=True}). Without the two auxiliary classifiers,
 * which only training uses; torchvision's optional input transform (a fixed per-channel affine
 * map, no parameters) is left out. The output sizes are the paper's Table 1: 64×112×112 after
 * conv1, 56 after the first pooling, 192×28×28 after the second, 480×14×14 after the third,
 * 832×7×7 after the fourth and 1024×7×7 after inception5b.
 */
@Network(input = {3, 224, 224}, loss = Loss.SOFTMAX_CROSS_ENTROPY, classes = 1000)
public abstract class GoogLeNet {
  /**
   * torchvision's {@code BasicConv2d}: a convolution without bias, then batch normalization and
   * ReLU. Arguments: filters, kernel, stride, padding.
   */
  @Block
  static class BasicConv {
    static final int FILTERS = Block.ARG0;
    static final int KERNEL = Block.ARG1;
    static final int STRIDE = Block.ARG2;
    static final int PADDING = Block.ARG3;

    @Conv(filters = FILTERS, kernel = KERNEL, stride = STRIDE, padding = PADDING, bias = false)
    Layer conv;
    @BatchNorm(eps = 0.001, activation = RELU) Layer bn;
  }

  /**
   * The Inception module: four branches concatenated along the channels, each convolution a
   * {@link BasicConv} (written out: a block cannot apply another block). Branch 1 is a 1×1
   * convolution; branch 2 a 1×1 reduction and a 3×3; branch 3 a 1×1 reduction and a 3×3
   * (torchvision's, the paper's 5×5); branch 4 3×3 max pooling with stride 1 and a 1×1
   * projection. Arguments in the order of the paper's Table 1 and torchvision's {@code
   * Inception}: #1×1, #3×3 reduce, #3×3, #5×5 reduce, #5×5, pool proj.
   */
  @Block
  static class Inception {
    static final int ONE = Block.ARG0;
    static final int THREE_REDUCE = Block.ARG1;
    static final int THREE = Block.ARG2;
    static final int FIVE_REDUCE = Block.ARG3;
    static final int FIVE = Block.ARG4;
    static final int POOL_PROJ = Block.ARG5;

    @Conv(filters = ONE, kernel = 1, bias = false) Layer branch1;
    @BatchNorm(eps = 0.001, activation = RELU) Layer branch1Bn;

    @Conv(filters = THREE_REDUCE, kernel = 1, bias = false, from = Network.INPUT)
    Layer branch2a;
    @BatchNorm(eps = 0.001, activation = RELU) Layer branch2aBn;
    @Conv(filters = THREE, kernel = 3, padding = 1, bias = false) Layer branch2b;
    @BatchNorm(eps = 0.001, activation = RELU) Layer branch2bBn;

    @Conv(filters = FIVE_REDUCE, kernel = 1, bias = false, from = Network.INPUT)
    Layer branch3a;
    @BatchNorm(eps = 0.001, activation = RELU) Layer branch3aBn;
    @Conv(filters = FIVE, kernel = 3, padding = 1, bias = false) Layer branch3b;
    @BatchNorm(eps = 0.001, activation = RELU) Layer branch3bBn;

    @Pool(size = 3, stride = 1, padding = 1, ceilMode = true, from = Network.INPUT)
    Layer branch4pool;
    @Conv(filters = POOL_PROJ, kernel = 1, bias = false) Layer branch4;
    @BatchNorm(eps = 0.001, activation = RELU) Layer branch4Bn;

    @Concat(from = {"branch1Bn", "branch2bBn", "branch3bBn", "branch4Bn"}) Layer out;
  }

  @Apply(block = BasicConv.class, args = {64, 7, 2, 3}) Layer conv1;
  @Pool(size = 3, stride = 2, ceilMode = true) Layer maxpool1;
  @Apply(block = BasicConv.class, args = {64, 1, 1, 0}) Layer conv2;
  @Apply(block = BasicConv.class, args = {192, 3, 1, 1}) Layer conv3;
  @Pool(size = 3, stride = 2, ceilMode = true) Layer maxpool2;
  @Apply(block = Inception.class, args = {64, 96, 128, 16, 32, 32}) Layer inception3a;
  @Apply(block = Inception.class, args = {128, 128, 192, 32, 96, 64}) Layer inception3b;
  @Pool(size = 3, stride = 2, ceilMode = true) Layer maxpool3;
  @Apply(block = Inception.class, args = {192, 96, 208, 16, 48, 64}) Layer inception4a;
  @Apply(block = Inception.class, args = {160, 112, 224, 24, 64, 64}) Layer inception4b;
  @Apply(block = Inception.class, args = {128, 128, 256, 24, 64, 64}) Layer inception4c;
  @Apply(block = Inception.class, args = {112, 144, 288, 32, 64, 64}) Layer inception4d;
  @Apply(block = Inception.class, args = {256, 160, 320, 32, 128, 128}) Layer inception4e;
  @Pool(size = 2, stride = 2, ceilMode = true) Layer maxpool4;
  @Apply(block = Inception.class, args = {256, 160, 320, 32, 128, 128}) Layer inception5a;
  @Apply(block = Inception.class, args = {384, 192, 384, 48, 128, 128}) Layer inception5b;
  @GlobalAvgPool Layer avgpool;
  @Dropout(p = 0.2) Layer dropout;
  @Affine(units = 1000) Layer fc;
}
