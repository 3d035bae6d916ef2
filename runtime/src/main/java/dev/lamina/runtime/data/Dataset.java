package dev.lamina.runtime.data;

import dev.lamina.runtime.SeededRandom;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Labelled samples in memory: {@code size()} samples of {@code sampleSize()} floats each, laid out
 * one after another (NCHW per sample: {@code C·H·W} floats each), and one integer class label per
 * sample in {@code [0, classes())}.
 *
 * <p>Immutable by contract: {@link #features()} and {@link #labels()} return the live arrays (so
 * that trainers can read batches without copying) and callers must not modify them. With that,
 * instances are thread-safe.
 */
public final class Dataset {
  private final float[] features;
  private final int[] labels;
  private final int[] sampleShape;
  private final int sampleSize;
  private final int classes;

  /**
   * A dataset over the given arrays (not copied). {@code features} holds {@code labels.length}
   * samples of shape {@code sampleShape}; every label must be in {@code [0, classes)}.
   */
  public Dataset(float[] features, int[] labels, int[] sampleShape, int classes) {
    this.sampleShape = sampleShape.clone();
    int size = 1;
    for (int d : sampleShape) {
      if (d <= 0) {
        throw new IllegalArgumentException("sample shape " + Arrays.toString(sampleShape)
            + " has a non-positive dimension");
      }
      size *= d;
    }
    this.sampleSize = size;
    if ((long) labels.length * size != features.length) {
      throw new IllegalArgumentException(labels.length + " labels need " + (long) labels.length * size
          + " feature values for samples of " + Arrays.toString(sampleShape) + ", got "
          + features.length);
    }
    if (classes < 1) {
      throw new IllegalArgumentException("need at least one class, got " + classes);
    }
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] >= classes) {
        throw new IllegalArgumentException("label " + labels[i] + " of sample " + i
            + " is outside 0.." + (classes - 1));
      }
    }
    this.features = features;
    this.labels = labels;
    this.classes = classes;
  }

  /**
   * Reads an image file and a label file in IDX format (plain or gzip), scaling pixels from 0..255
   * to [0, 1]. Samples get shape {@code 1×rows×cols}. Labels must be below {@code classes}, and both
   * files must hold the same number of items.
   */
  public static Dataset fromIdx(Path imagesFile, Path labelsFile, int classes) throws IOException {
    return fromIdx(imagesFile, labelsFile, -1, -1, classes);
  }

  /**
   * As {@link #fromIdx(Path, Path, int)}, also requiring images of {@code rows × cols} pixels (-1
   * accepts any size).
   */
  public static Dataset fromIdx(Path imagesFile, Path labelsFile, int rows, int cols, int classes)
      throws IOException {
    IdxArray images = IdxReader.readImages(imagesFile, rows, cols);
    IdxArray labelArray = IdxReader.readLabels(labelsFile);
    if (images.count() != labelArray.count()) {
      throw new DatasetFormatException(labelsFile, 4, "expected " + images.count()
          + " labels, one per image of " + imagesFile + ", found " + labelArray.count()
          + " labels");
    }
    int[] labels = new int[labelArray.count()];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = labelArray.get(i);
      if (labels[i] >= classes) {
        throw new DatasetFormatException(labelsFile, 8 + i, "expected a class label in 0.."
            + (classes - 1) + " for item " + i + ", found " + labels[i]);
      }
    }
    byte[] pixels = images.data();
    float[] features = new float[pixels.length];
    for (int i = 0; i < pixels.length; i++) {
      features[i] = (pixels[i] & 0xFF) / 255f;
    }
    int[] dims = images.dimensions();
    return new Dataset(features, labels, new int[] {1, dims[1], dims[2]}, classes);
  }

  /** Number of samples. */
  public int size() {
    return labels.length;
  }

  /** Floats per sample. */
  public int sampleSize() {
    return sampleSize;
  }

  /** Shape of one sample, for example {@code {1, 28, 28}}. */
  public int[] sampleShape() {
    return sampleShape.clone();
  }

  /** Number of classes; labels are in {@code [0, classes)}. */
  public int classes() {
    return classes;
  }

  /** The live feature array, {@code size() × sampleSize()} floats. Do not modify. */
  public float[] features() {
    return features;
  }

  /** The live label array. Do not modify. */
  public int[] labels() {
    return labels;
  }

  /** Label of sample {@code index}. */
  public int label(int index) {
    return labels[index];
  }

  /** Copies sample {@code index} to {@code dst[dstOffset ..]}. */
  public void copySample(int index, float[] dst, int dstOffset) {
    System.arraycopy(features, index * sampleSize, dst, dstOffset, sampleSize);
  }

  /** A copy of samples {@code [from, from + count)}. */
  public Dataset subset(int from, int count) {
    if (from < 0 || count < 0 || from + count > size()) {
      throw new IndexOutOfBoundsException("subset " + from + ".." + (from + count) + " of a dataset"
          + " of " + size() + " samples");
    }
    return new Dataset(
        Arrays.copyOfRange(features, from * sampleSize, (from + count) * sampleSize),
        Arrays.copyOfRange(labels, from, from + count), sampleShape, classes);
  }

  /** Mean of all feature values (computed in double). */
  public double mean() {
    double sum = 0;
    for (float f : features) {
      sum += f;
    }
    return features.length == 0 ? 0 : sum / features.length;
  }

  /** Population standard deviation of all feature values (computed in double, two passes). */
  public double std() {
    double mean = mean();
    double sum = 0;
    for (float f : features) {
      double d = f - mean;
      sum += d * d;
    }
    return features.length == 0 ? 0 : Math.sqrt(sum / features.length);
  }

  /**
   * A copy with every feature replaced by {@code (x - mean) / std}. Normalize a test set with the
   * training set's statistics.
   */
  public Dataset normalized(double mean, double std) {
    if (!(std > 0) || Double.isInfinite(std) || !Double.isFinite(mean)) {
      throw new IllegalArgumentException("normalization needs a finite mean and a positive std, got "
          + mean + " and " + std);
    }
    float[] out = new float[features.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) ((features[i] - mean) / std);
    }
    return new Dataset(out, labels, sampleShape, classes);
  }

  /**
   * A training set and the validation set held out of it.
   *
   * @param train the samples kept for training, in their original order
   * @param validation the samples held out, in their original order
   */
  public record Split(Dataset train, Dataset validation) {}

  /**
   * Holds out {@code round(fraction · size())} samples, chosen by a Fisher–Yates shuffle seeded
   * with {@code seed}, as a validation set; the rest is the training set. Both keep the samples'
   * original order. The same seed gives the same split.
   *
   * @throws IllegalArgumentException unless both parts get at least one sample
   */
  public Split split(double fraction, long seed) {
    int held = (int) Math.round(fraction * size());
    if (!(fraction > 0 && fraction < 1) || held < 1 || held >= size()) {
      throw new IllegalArgumentException("a validation fraction of " + fraction + " of "
          + size() + " samples leaves " + held + " for validation and " + (size() - held)
          + " for training; both need at least one");
    }
    int[] order = new int[size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    new SeededRandom(seed).shuffle(order, order.length);
    boolean[] validation = new boolean[size()];
    for (int i = 0; i < held; i++) {
      validation[order[i]] = true;
    }
    return new Split(select(validation, false, size() - held), select(validation, true, held));
  }

  /** The {@code count} samples whose flag is {@code value}, in order. */
  private Dataset select(boolean[] flag, boolean value, int count) {
    float[] f = new float[count * sampleSize];
    int[] l = new int[count];
    int n = 0;
    for (int i = 0; i < flag.length; i++) {
      if (flag[i] == value) {
        System.arraycopy(features, i * sampleSize, f, n * sampleSize, sampleSize);
        l[n++] = labels[i];
      }
    }
    return new Dataset(f, l, sampleShape, classes);
  }

  /**
   * Per-channel mean and population standard deviation (computed in double, two passes): for
   * samples {@code C×H×W}, {@code [0][c]} is channel c's mean over every sample and position and
   * {@code [1][c]} its standard deviation; a sample of one dimension is one channel.
   */
  public double[][] channelStatistics() {
    int channels = sampleShape.length == 3 ? sampleShape[0] : 1;
    int plane = sampleSize / channels;
    double[][] stats = new double[2][channels];
    long count = (long) size() * plane;
    for (int pass = 0; pass < 2; pass++) {
      for (int c = 0; c < channels; c++) {
        double sum = 0;
        double mean = stats[0][c];
        for (int i = 0; i < size(); i++) {
          int base = i * sampleSize + c * plane;
          for (int k = 0; k < plane; k++) {
            double v = features[base + k];
            sum += pass == 0 ? v : (v - mean) * (v - mean);
          }
        }
        double value = count == 0 ? 0 : sum / count;
        stats[pass][c] = pass == 0 ? value : Math.sqrt(value);
      }
    }
    return stats;
  }

  /**
   * A copy with channel c's values replaced by {@code (x - mean[c]) / std[c]} (see {@link
   * #channelStatistics}). Normalize a validation or test set with the training set's statistics.
   */
  public Dataset normalized(double[] mean, double[] std) {
    int channels = sampleShape.length == 3 ? sampleShape[0] : 1;
    if (mean.length != channels || std.length != channels) {
      throw new IllegalArgumentException("samples of " + Arrays.toString(sampleShape) + " have "
          + channels + " channels; got " + mean.length + " means and " + std.length + " stds");
    }
    for (int c = 0; c < channels; c++) {
      if (!(std[c] > 0) || Double.isInfinite(std[c]) || !Double.isFinite(mean[c])) {
        throw new IllegalArgumentException("normalization needs a finite mean and a positive std,"
            + " got " + mean[c] + " and " + std[c] + " for channel " + c);
      }
    }
    int plane = sampleSize / channels;
    float[] out = new float[features.length];
    for (int i = 0; i < out.length; i++) {
      int c = (i % sampleSize) / plane;
      out[i] = (float) ((features[i] - mean[c]) / std[c]);
    }
    return new Dataset(out, labels, sampleShape, classes);
  }

  @Override
  public String toString() {
    return size() + " samples of " + Arrays.toString(sampleShape) + ", " + classes + " classes";
  }
}
