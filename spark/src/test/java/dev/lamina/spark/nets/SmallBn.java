package dev.lamina.spark.nets;

import dev.lamina.dsl.Affine;
import dev.lamina.dsl.BatchNorm;
import dev.lamina.dsl.Layer;
import dev.lamina.dsl.Loss;
import dev.lamina.dsl.Network;

/** A classifier with batch normalization, which the Spark trainer refuses. */
@Network(input = {64}, loss = Loss.SOFTMAX_CROSS_ENTROPY, classes = 3)
public abstract class SmallBn {
  @Affine(units = 8) Layer f1;
  @BatchNorm Layer bn;
  @Affine(units = 3) Layer out;
}
