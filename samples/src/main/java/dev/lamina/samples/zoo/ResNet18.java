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
 * ResNet-18 (He et al. 2015) as in torchvision ({@code resnet18}) on 3×224×224 images: 11,689,512
 * trainable parameters (batch normalization's running statistics are stored beside them but not
 * counted, as in PyTorch); receptive field 435 at the output of the last stage.
 */
@Network(input = {3, 224, 224}, loss = Loss.SOFTMAX_CROSS_ENTROPY, classes = 1000)
public abstract class ResNet18 {
  /** Basic block with an identity shortcut: {@code relu(bn(conv(relu(bn(conv(x))))) + x)}. */
  @Block
  static class Basic {
    static final int FILTERS = Block.ARG0;

    @Conv(filters = FILTERS, kernel = 3, padding = 1, bias = false) Layer conv1;
    @BatchNorm(activation = RELU) Layer bn1;
    @Conv(filters = FILTERS, kernel = 3, padding = 1, bias = false) Layer conv2;
    @BatchNorm Layer bn2;
    @Add(from = {"bn2", Network.INPUT}, activation = RELU) Layer out;
  }

  /** Basic block that halves the size: stride 2, and a 1×1 stride-2 projection as shortcut. */
  @Block
  static class Down {
    static final int FILTERS = Block.ARG0;

    @Conv(filters = FILTERS, kernel = 3, stride = 2, padding = 1, bias = false) Layer conv1;
    @BatchNorm(activation = RELU) Layer bn1;
    @Conv(filters = FILTERS, kernel = 3, padding = 1, bias = false) Layer conv2;
    @BatchNorm Layer bn2;
    // The last row and column of an even-sized map are skipped, as in torchvision.
    @SuppressWarnings("lamina:stride-remainder")
    @Conv(filters = FILTERS, kernel = 1, stride = 2, bias = false, from = Network.INPUT)
    Layer downsample;
    @BatchNorm Layer downsampleBn;
    @Add(from = {"bn2", "downsampleBn"}, activation = RELU) Layer out;
  }

  @Conv(filters = 64, kernel = 7, stride = 2, padding = 3, bias = false) Layer conv1;
  @BatchNorm(activation = RELU) Layer bn1;
  @Pool(size = 3, stride = 2, padding = 1) Layer maxpool;
  @Apply(block = Basic.class, args = 64) Layer layer1a;
  @Apply(block = Basic.class, args = 64) Layer layer1b;
  @Apply(block = Down.class, args = 128) Layer layer2a;
  @Apply(block = Basic.class, args = 128) Layer layer2b;
  @Apply(block = Down.class, args = 256) Layer layer3a;
  @Apply(block = Basic.class, args = 256) Layer layer3b;
  @Apply(block = Down.class, args = 512) Layer layer4a;
  @Apply(block = Basic.class, args = 512) Layer layer4b;
  @GlobalAvgPool Layer avgpool;
  @Affine(units = 1000) Layer fc;
}
