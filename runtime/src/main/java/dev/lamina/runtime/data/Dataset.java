package dev.lamina.runtime.data;

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

  @Override
  public String toString() {
    return size() + " samples of " + Arrays.toString(sampleShape) + ", " + classes + " classes";
  }
}
