package dev.lamina.tests.nets;

import static dev.lamina.dsl.Activation.LEAKY_RELU;
import static dev.lamina.dsl.Loss.BCE_WITH_LOGITS;

import dev.lamina.dsl.Affine;
import dev.lamina.dsl.BatchNorm;
import dev.lamina.dsl.Conv;
import dev.lamina.dsl.Layer;
import dev.lamina.dsl.Network;

/** A small discriminator for {@link TinyGenerator}'s images: one logit, with batch norm. */
@Network(input = {1, 6, 6}, loss = BCE_WITH_LOGITS)
public abstract class TinyCritic {
  @Conv(filters = 4, kernel = 4, stride = 2, padding = 1) Layer c1;
  @BatchNorm(activation = LEAKY_RELU, negativeSlope = 0.2) Layer bn1;
  @Affine(units = 1) Layer logit;
}
