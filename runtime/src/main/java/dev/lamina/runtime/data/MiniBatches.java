package dev.lamina.runtime.data;

import dev.lamina.runtime.SeededRandom;

/**
 * Shuffled mini-batches over a {@link Dataset}, copied into buffers allocated once: after
 * construction, {@link #startEpoch} and {@link #load} allocate nothing.
 *
 * <p>The order of epoch {@code e} is a Fisher–Yates shuffle of {@code 0..size-1} driven by {@code
 * SeededRandom.stream(seed, e)}, so it depends only on the seed and the epoch number (a resumed
 * run sees the same batches). Without shuffling, samples come in dataset order. The last batch of
 * an epoch holds the remainder when the batch size does not divide the dataset size.
 *
 * <p>Not thread-safe.
 */
public final class MiniBatches {
  private final Dataset data;
  private final int batchSize;
  private final long seed;
  private final boolean shuffle;
  private final int[] order;
  private final float[] inputs;
  private final int[] labels;
  private final SeededRandom random = new SeededRandom(0);

  /** Batches of up to {@code batchSize} samples of {@code data}, shuffled per epoch with {@code seed}. */
  public MiniBatches(Dataset data, int batchSize, long seed, boolean shuffle) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    }
    if (data.size() == 0) {
      throw new IllegalArgumentException("cannot make batches of an empty dataset");
    }
    this.data = data;
    this.batchSize = batchSize;
    this.seed = seed;
    this.shuffle = shuffle;
    this.order = new int[data.size()];
    this.inputs = new float[batchSize * data.sampleSize()];
    this.labels = new int[batchSize];
    startEpoch(0);
  }

  /** The dataset. */
  public Dataset dataset() {
    return data;
  }

  /** The largest batch. */
  public int batchSize() {
    return batchSize;
  }

  /** Batches per epoch: {@code ceil(size / batchSize)}. */
  public int batchesPerEpoch() {
    return (data.size() + batchSize - 1) / batchSize;
  }

  /** Prepares the order of epoch {@code epoch} (0-based). */
  public void startEpoch(int epoch) {
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    if (shuffle) {
      random.reseed(seed, epoch);
      random.shuffle(order, order.length);
    }
  }

  /**
   * Copies batch {@code batch} (0-based) of the current epoch into {@link #inputs()} and {@link
   * #labels()}; returns its number of samples.
   */
  public int load(int batch) {
    int from = batch * batchSize;
    if (batch < 0 || from >= order.length) {
      throw new IndexOutOfBoundsException("batch " + batch + " of " + batchesPerEpoch());
    }
    int count = Math.min(batchSize, order.length - from);
    int sampleSize = data.sampleSize();
    float[] features = data.features();
    int[] all = data.labels();
    for (int i = 0; i < count; i++) {
      int index = order[from + i];
      System.arraycopy(features, index * sampleSize, inputs, i * sampleSize, sampleSize);
      labels[i] = all[index];
    }
    return count;
  }

  /** The input buffer: the loaded batch's samples one after another. */
  public float[] inputs() {
    return inputs;
  }

  /** The label buffer of the loaded batch. */
  public int[] labels() {
    return labels;
  }

  /** The dataset index of sample {@code i} of batch {@code batch} in the current epoch. */
  public int sampleIndex(int batch, int i) {
    return order[batch * batchSize + i];
  }
}
