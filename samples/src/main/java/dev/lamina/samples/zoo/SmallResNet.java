package dev.lamina.samples.zoo;

import static dev.lamina.dsl.Activation.RELU;

import dev.lamina.dsl.Add;
import dev.lamina.dsl.Affine;
import dev.lamina.dsl.Apply;
import dev.lamina.dsl.BatchNorm;
import dev.lamina.dsl.Block;
import dev.lamina.dsl.Conv;
import dev.lamina.dsl.GlobalAvgPool;
import dev.lamina.dsl.Layer;
import dev.lamina.dsl.Loss;
import dev.lamina.dsl.Network;
import dev.lamina.dsl.Pool;

/**
 * A small residual network for Fashion-MNIST (1×28×28, 10 classes): a 3×3 stem, 2×2 pooling, three
 * basic blocks (16 filters at 14×14, then 32 at 7×7 with a projected shortcut), global average
 * pooling and one fully connected layer; batch normalization after every convolution.
 */
@Network(input = {1, 28, 28}, loss = Loss.SOFTMAX_CROSS_ENTROPY, classes = 10)
public abstract class SmallResNet {
  /** Two 3×3 convolutions and an identity shortcut. */
  @Block
  static class Basic {
    static final int FILTERS = Block.ARG0;

    @Conv(filters = FILTERS, kernel = 3, padding = 1, bias = false) Layer conv1;
    @BatchNorm(activation = RELU) Layer bn1;
    @Conv(filters = FILTERS, kernel = 3, padding = 1, bias = false) Layer conv2;
    @BatchNorm Layer bn2;
    @Add(from = {"bn2", Network.INPUT}, activation = RELU) Layer out;
  }

  /** Two 3×3 convolutions, the first with stride 2, and a 1×1 stride-2 projection shortcut. */
  @Block
  static class Down {
    static final int FILTERS = Block.ARG0;

    @Conv(filters = FILTERS, kernel = 3, stride = 2, padding = 1, bias = false) Layer conv1;
    @BatchNorm(activation = RELU) Layer bn1;
    @Conv(filters = FILTERS, kernel = 3, padding = 1, bias = false) Layer conv2;
    @BatchNorm Layer bn2;
    @SuppressWarnings("lamina:stride-remainder")
    @Conv(filters = FILTERS, kernel = 1, stride = 2, bias = false, from = Network.INPUT)
    Layer proj;
    @BatchNorm Layer projBn;
    @Add(from = {"bn2", "projBn"}, activation = RELU) Layer out;
  }

  @Conv(filters = 16, kernel = 3, padding = 1, bias = false) Layer stem;
  @BatchNorm(activation = RELU) Layer stemBn;
  @Pool(size = 2) Layer pool;
  @Apply(block = Basic.class, args = 16) Layer res1;
  @Apply(block = Down.class, args = 32) Layer res2;
  @Apply(block = Basic.class, args = 32) Layer res3;
  @GlobalAvgPool Layer gap;
  @Affine(units = 10) Layer out;
}
