package dev.lamina.processor.gen;

import dev.lamina.dsl.Activation;
import dev.lamina.dsl.Loss;
import dev.lamina.dsl.PoolKind;
import dev.lamina.dsl.Precision;
import dev.lamina.processor.model.ModelBuilder;
import dev.lamina.processor.model.NetworkModel;
import dev.lamina.processor.model.AffineOp;
import dev.lamina.processor.model.ConvOp;
import dev.lamina.processor.model.PoolOp;
import dev.lamina.processor.model.Shape;
import java.util.EnumSet;

/** Networks used by several tests. */
final class Models {
  private Models() {}

  static final EnumSet<Precision> BOTH = EnumSet.allOf(Precision.class);

  static ModelBuilder builder(String name, Shape input) {
    return new ModelBuilder("p", name, input).precisions(BOTH);
  }

  static ConvOp conv(int filters, int k, int stride, int pad) {
    return new ConvOp(filters, k, k, stride, stride, pad, pad, 1, 1, true);
  }

  static PoolOp pool(PoolKind kind, int k, int stride) {
    return new PoolOp(kind, k, k, stride, stride, 0, 0, true);
  }

  static AffineOp affine(int units) {
    return new AffineOp(units, true);
  }

  /** Modern LeNet-5 on 1x28x28. */
  static NetworkModel lenetModern() {
    return builder("LeNet5", Shape.image(1, 28, 28))
        .add("c1", conv(6, 5, 1, 2), Activation.RELU, 0)
        .add("s2", pool(PoolKind.MAX, 2, 2), Activation.IDENTITY, 0)
        .add("c3", conv(16, 5, 1, 0), Activation.RELU, 0)
        .add("s4", pool(PoolKind.MAX, 2, 2), Activation.IDENTITY, 0)
        .add("f5", affine(120), Activation.RELU, 0)
        .add("f6", affine(84), Activation.RELU, 0)
        .add("out", affine(10), Activation.IDENTITY, 0)
        .loss(Loss.SOFTMAX_CROSS_ENTROPY)
        .build();
  }

  /** Classic LeNet-5 on 1x32x32: trainable subsampling, sigmoid/tanh, output without bias. */
  static NetworkModel lenetClassic() {
    return builder("LeNet5Classic", Shape.image(1, 32, 32))
        .add("c1", conv(6, 5, 1, 0), Activation.TANH, 0)
        .add("s2", pool(PoolKind.SUBSAMPLE, 2, 2), Activation.SIGMOID, 0)
        .add("c3", conv(16, 5, 1, 0), Activation.TANH, 0)
        .add("s4", pool(PoolKind.SUBSAMPLE, 2, 2), Activation.SIGMOID, 0)
        .add("c5", conv(120, 5, 1, 0), Activation.TANH, 0)
        .add("f6", affine(84), Activation.TANH, 0)
        .add("out", new AffineOp(10, false), Activation.IDENTITY, 0)
        .loss(Loss.SOFTMAX_CROSS_ENTROPY)
        .build();
  }

  /** MLP 784-100-10. */
  static NetworkModel mlp() {
    return builder("Mlp", Shape.flat(784))
        .add("h1", affine(100), Activation.RELU, 0)
        .add("out", affine(10), Activation.IDENTITY, 0)
        .loss(Loss.SOFTMAX_CROSS_ENTROPY)
        .build();
  }

  /** A VGG-16-sized network on 3x224x224. */
  static NetworkModel vgg16() {
    ModelBuilder b = new ModelBuilder("p", "Vgg16", Shape.image(3, 224, 224)).precisions(BOTH);
    int[][] blocks = {{64, 64}, {128, 128}, {256, 256, 256}, {512, 512, 512}, {512, 512, 512}};
    int block = 1;
    for (int[] convs : blocks) {
      int i = 1;
      for (int filters : convs) {
        b.add("conv" + block + "_" + i++, conv(filters, 3, 1, 1), Activation.RELU, 0);
      }
      b.add("pool" + block, pool(PoolKind.MAX, 2, 2), Activation.IDENTITY, 0);
      block++;
    }
    return b.add("fc6", affine(4096), Activation.RELU, 0)
        .add("fc7", affine(4096), Activation.RELU, 0)
        .add("fc8", affine(1000), Activation.IDENTITY, 0)
        .loss(Loss.SOFTMAX_CROSS_ENTROPY)
        .build();
  }
}
