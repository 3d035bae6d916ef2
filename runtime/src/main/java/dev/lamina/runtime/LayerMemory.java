package dev.lamina.runtime;

/**
 * The workspace memory one layer accounts for in a generated class: bytes of the array elements
 * its {@code Workspace} allocates for the layer, split into the part that grows with the batch
 * (per sample) and the part that does not (scratch rows, the layer's share of the parameter
 * gradients). A workspace for {@code B} samples allocates {@code fixed + B * perSample}.
 * Immutable and thread-safe.
 *
 * <p>Inference counts the buffers a forward pass uses: the layer's output, its output before the
 * activation, and every scratch or saved-value buffer its forward methods name (on either kernel
 * path, in either mode, so one inference pass may write fewer). Training counts every
 * buffer of the layer: those, its delta, the values only the backward pass reads, the backward
 * scratch, its share of the gradient array (laid out like the parameters) and, for the last
 * layer, the loss gradient. JVM object headers are not counted.
 *
 * @param inferenceBytesPerSample bytes per sample of the forward pass's buffers
 * @param inferenceFixedBytes bytes of the forward pass's buffers that do not grow with the batch
 * @param trainingBytesPerSample bytes per sample of all the layer's buffers
 * @param trainingFixedBytes bytes of all the layer's buffers that do not grow with the batch
 */
public record LayerMemory(long inferenceBytesPerSample, long inferenceFixedBytes,
    long trainingBytesPerSample, long trainingFixedBytes) {
  /** No figures: a summary built without a generated workspace's layout. */
  public static final LayerMemory NONE = new LayerMemory(0, 0, 0, 0);

  public LayerMemory {
    if (inferenceBytesPerSample < 0 || inferenceFixedBytes < 0
        || trainingBytesPerSample < inferenceBytesPerSample
        || trainingFixedBytes < inferenceFixedBytes) {
      throw new IllegalArgumentException("inconsistent workspace figures: "
          + inferenceBytesPerSample + ", " + inferenceFixedBytes + ", " + trainingBytesPerSample
          + ", " + trainingFixedBytes);
    }
  }

  /** Bytes of the forward pass's buffers for {@code batch} samples. */
  public long inferenceBytes(int batch) {
    return bytes(inferenceFixedBytes, inferenceBytesPerSample, batch);
  }

  /** Bytes of all the layer's buffers for {@code batch} samples. */
  public long trainingBytes(int batch) {
    return bytes(trainingFixedBytes, trainingBytesPerSample, batch);
  }

  /** The sum of two layers' figures. */
  public LayerMemory plus(LayerMemory o) {
    return new LayerMemory(
        Math.addExact(inferenceBytesPerSample, o.inferenceBytesPerSample),
        Math.addExact(inferenceFixedBytes, o.inferenceFixedBytes),
        Math.addExact(trainingBytesPerSample, o.trainingBytesPerSample),
        Math.addExact(trainingFixedBytes, o.trainingFixedBytes));
  }

  private static long bytes(long fixed, long perSample, int batch) {
    if (batch < 1) {
      throw new IllegalArgumentException("batch must be >= 1: " + batch);
    }
    return Math.addExact(fixed, Math.multiplyExact(perSample, (long) batch));
  }
}
