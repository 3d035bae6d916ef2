package golden;

import static dev.lamina.dsl.Activation.RELU;
import static dev.lamina.dsl.Loss.SOFTMAX_CROSS_ENTROPY;
import static dev.lamina.dsl.PoolKind.AVG;

import dev.lamina.dsl.Add;
import dev.lamina.dsl.Affine;
import dev.lamina.dsl.BatchNorm;
import dev.lamina.dsl.Concat;
import dev.lamina.dsl.Conv;
import dev.lamina.dsl.Dropout;
import dev.lamina.dsl.GlobalAvgPool;
import dev.lamina.dsl.Layer;
import dev.lamina.dsl.Network;
import dev.lamina.dsl.Pool;

/**
 * A graph: a residual branch with batch normalization joined by Add, two branches joined by
 * Concat (a stride-2 convolution on plain loops beside average pooling), and dropout before the
 * classifier.
 */
@Network(input = {2, 8, 8}, loss = SOFTMAX_CROSS_ENTROPY, classes = 4)
public abstract class Graph {
  @Conv(filters = 3, kernel = 3, padding = 1, bias = false) Layer c1;
  @BatchNorm(activation = RELU) Layer bn1;
  @Conv(filters = 3, kernel = 1, bias = false, from = Network.INPUT) Layer proj;
  @Add(from = {"bn1", "proj"}, activation = RELU) Layer sum;
  @Conv(filters = 2, kernel = 2, stride = 2, from = "sum") Layer down;
  @Pool(size = 2, stride = 2, kind = AVG, from = "sum") Layer skip;
  @Concat(from = {"down", "skip"}) Layer cat;
  @GlobalAvgPool Layer gap;
  @Dropout(p = 0.25) Layer drop;
  @Affine(units = 4) Layer out;
}
