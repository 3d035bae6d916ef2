package dev.lamina.samples.zoo;

import static dev.lamina.dsl.Activation.RELU;

import dev.lamina.dsl.Affine;
import dev.lamina.dsl.Conv;
import dev.lamina.dsl.Dropout;
import dev.lamina.dsl.Layer;
import dev.lamina.dsl.Loss;
import dev.lamina.dsl.Network;
import dev.lamina.dsl.Pool;

/**
 * AlexNet as in torchvision ({@code torchvision.models.alexnet}, the one-GPU variant of Krizhevsky
 * et al. 2012 with 64/192/384/256/256 filters), on 3×224×224 images: 61,100,840 parameters, a
 * receptive field of 195 at pool5. torchvision's adaptive average pooling to 6×6 is the identity
 * at this input size and is left out.
 */
@Network(input = {3, 224, 224}, loss = Loss.SOFTMAX_CROSS_ENTROPY, classes = 1000)
public abstract class AlexNet {
  @Conv(filters = 64, kernel = 11, stride = 4, padding = 2, activation = RELU) Layer conv1;
  @Pool(size = 3, stride = 2) Layer pool1;
  @Conv(filters = 192, kernel = 5, padding = 2, activation = RELU) Layer conv2;
  @Pool(size = 3, stride = 2) Layer pool2;
  @Conv(filters = 384, kernel = 3, padding = 1, activation = RELU) Layer conv3;
  @Conv(filters = 256, kernel = 3, padding = 1, activation = RELU) Layer conv4;
  @Conv(filters = 256, kernel = 3, padding = 1, activation = RELU) Layer conv5;
  @Pool(size = 3, stride = 2) Layer pool5;
  @Dropout(p = 0.5) Layer drop6;
  @Affine(units = 4096, activation = RELU) Layer fc6;
  @Dropout(p = 0.5) Layer drop7;
  @Affine(units = 4096, activation = RELU) Layer fc7;
  @Affine(units = 1000) Layer fc8;
}
