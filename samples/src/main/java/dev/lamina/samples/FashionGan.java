package dev.lamina.samples;

import static dev.lamina.dsl.Activation.LEAKY_RELU;
import static dev.lamina.dsl.Activation.RELU;
import static dev.lamina.dsl.Activation.TANH;

import dev.lamina.dsl.Affine;
import dev.lamina.dsl.BatchNorm;
import dev.lamina.dsl.Conv;
import dev.lamina.dsl.ConvTranspose;
import dev.lamina.dsl.Layer;
import dev.lamina.dsl.Loss;
import dev.lamina.dsl.Network;
import dev.lamina.dsl.Reshape;

/**
 * A DCGAN (Radford, Metz and Chintala 2016) for Fashion-MNIST's 28×28 garments, sized to train in
 * minutes on two cores: a {@link Generator} from {@value #NOISE} standard normal values to a
 * 1×28×28 image in [-1, 1], and a {@link Discriminator} from such an image to one logit (real
 * against generated). The paper's rules: transposed convolutions of stride 2 up, strided
 * convolutions down, no pooling, batch norm in both networks except at the generator's output and
 * the discriminator's input, ReLU in the generator with tanh at its output, LeakyReLU (slope 0.2)
 * in the discriminator. The pixels of real images are mapped from [0, 1] to [-1, 1] for it.
 */
public final class FashionGan {
  /** Noise values per generated image. */
  public static final int NOISE = 64;

  private FashionGan() {}

  /**
   * Noise → affine 64·7·7 → 64×7×7 with batch norm and ReLU → transposed convolution 4×4 stride 2
   * to 32×14×14, batch norm, ReLU → transposed convolution 4×4 stride 2 to 1×28×28, tanh.
   */
  @Network(input = {NOISE})
  @SuppressWarnings("lamina:no-loss")
  public abstract static class Generator {
    @Affine(units = 64 * 7 * 7, bias = false) Layer project;
    @Reshape(shape = {64, 7, 7}) Layer planes;
    @BatchNorm(activation = RELU) Layer bn0;
    @ConvTranspose(filters = 32, kernel = 4, stride = 2, padding = 1, bias = false) Layer up1;
    @BatchNorm(activation = RELU) Layer bn1;
    @ConvTranspose(filters = 1, kernel = 4, stride = 2, padding = 1, activation = TANH) Layer up2;
  }

  /**
   * 1×28×28 → convolution 4×4 stride 2 to 32×14×14, LeakyReLU → convolution 4×4 stride 2 to
   * 64×7×7, batch norm, LeakyReLU → one logit; binary cross-entropy on the logit.
   */
  @Network(input = {1, 28, 28}, loss = Loss.BCE_WITH_LOGITS)
  public abstract static class Discriminator {
    @Conv(filters = 32, kernel = 4, stride = 2, padding = 1, activation = LEAKY_RELU,
        negativeSlope = 0.2) Layer c1;
    @Conv(filters = 64, kernel = 4, stride = 2, padding = 1, bias = false) Layer c2;
    @BatchNorm(activation = LEAKY_RELU, negativeSlope = 0.2) Layer bn2;
    @Affine(units = 1) Layer logit;
  }
}
