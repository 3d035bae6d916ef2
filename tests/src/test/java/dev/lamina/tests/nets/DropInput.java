package dev.lamina.tests.nets;

import static dev.lamina.dsl.Loss.SOFTMAX_CROSS_ENTROPY;

import dev.lamina.dsl.Affine;
import dev.lamina.dsl.Dropout;
import dev.lamina.dsl.Layer;
import dev.lamina.dsl.Network;

/** Dropout straight on the input, so that the gradient of {@code out} shows the mask. */
@Network(input = {64}, loss = SOFTMAX_CROSS_ENTROPY)
public abstract class DropInput {
  @Dropout(p = 0.5) Layer drop;
  @Affine(units = 2) Layer out;
}
