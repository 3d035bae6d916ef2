package dev.lamina.spark;

import java.io.Serializable;

/**
 * One training sample: the network's input values (a C×H×W image flattened row by row, or a
 * feature vector) and its class label. The elements of the RDD a {@link SparkTrainer} trains on.
 * The array is not copied: do not change it while the sample is in use.
 *
 * @param features the input, {@code inputSize()} values of the network
 * @param label the class, {@code 0..classes-1}
 */
public record Sample(float[] features, int label) implements Serializable {
  private static final long serialVersionUID = 1L;
}
