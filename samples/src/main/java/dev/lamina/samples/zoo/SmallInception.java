package dev.lamina.samples.zoo;

import static dev.lamina.dsl.Activation.RELU;

import dev.lamina.dsl.Affine;
import dev.lamina.dsl.Apply;
import dev.lamina.dsl.BatchNorm;
import dev.lamina.dsl.Block;
import dev.lamina.dsl.Concat;
import dev.lamina.dsl.Conv;
import dev.lamina.dsl.GlobalAvgPool;
import dev.lamina.dsl.Layer;
import dev.lamina.dsl.Loss;
import dev.lamina.dsl.Network;
import dev.lamina.dsl.Pool;

/**
 * A small Inception-style network (GoogLeNet's module, Szegedy et al. 2014) for Fashion-MNIST:
 * a 3×3 stem and 2×2 pooling, an Inception module at 14×14, 2×2 pooling, another at 7×7, global
 * average pooling and one fully connected layer; batch normalization after the stem and after
 * each module (whose branches end in ReLU).
 */
@Network(input = {1, 28, 28}, loss = Loss.SOFTMAX_CROSS_ENTROPY, classes = 10)
public abstract class SmallInception {
  /**
   * Four parallel branches concatenated along the channels: 1×1; 1×1 then 3×3; 1×1 then 5×5;
   * 3×3 max pooling then 1×1. Arguments: the filters of the 1×1 branch, of the 3×3 reduction and
   * the 3×3, of the 5×5 reduction and the 5×5, and of the pooling projection.
   */
  @Block
  static class Module {
    static final int ONE = Block.ARG0;
    static final int THREE_REDUCE = Block.ARG1;
    static final int THREE = Block.ARG2;
    static final int FIVE_REDUCE = Block.ARG3;
    static final int FIVE = Block.ARG4;
    static final int POOL_PROJ = Block.ARG5;

    @Conv(filters = ONE, kernel = 1, activation = RELU) Layer b1;
    @Conv(filters = THREE_REDUCE, kernel = 1, activation = RELU, from = Network.INPUT)
    Layer b3reduce;
    @Conv(filters = THREE, kernel = 3, padding = 1, activation = RELU) Layer b3;
    @Conv(filters = FIVE_REDUCE, kernel = 1, activation = RELU, from = Network.INPUT)
    Layer b5reduce;
    @Conv(filters = FIVE, kernel = 5, padding = 2, activation = RELU) Layer b5;
    @Pool(size = 3, stride = 1, padding = 1, from = Network.INPUT) Layer pool;
    @Conv(filters = POOL_PROJ, kernel = 1, activation = RELU) Layer poolProj;
    @Concat(from = {"b1", "b3", "b5", "poolProj"}) Layer out;
  }

  @Conv(filters = 24, kernel = 3, padding = 1, bias = false) Layer stem;
  @BatchNorm(activation = RELU) Layer stemBn;
  @Pool(size = 2) Layer pool1;
  @Apply(block = Module.class, args = {16, 16, 24, 4, 8, 8}) Layer inception1;
  @BatchNorm Layer bn1;
  @Pool(size = 2) Layer pool2;
  @Apply(block = Module.class, args = {24, 24, 32, 8, 16, 16}) Layer inception2;
  @BatchNorm Layer bn2;
  @GlobalAvgPool Layer gap;
  @Affine(units = 10) Layer out;
}
