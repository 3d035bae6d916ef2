package dev.lamina.runtime.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Loads Fashion-MNIST (or MNIST, same layout) from a folder holding the four standard files {@value
 * #TRAIN_IMAGES}, {@value #TRAIN_LABELS}, {@value #TEST_IMAGES} and {@value #TEST_LABELS} (the
 * uncompressed versions without {@code .gz} are accepted too). Images are 28×28, pixels are scaled
 * to [0, 1], samples have shape {@code 1×28×28}.
 *
 * <p>Thread-safe (stateless).
 */
public final class FashionMnist {
  public static final String TRAIN_IMAGES = "train-images-idx3-ubyte.gz";
  public static final String TRAIN_LABELS = "train-labels-idx1-ubyte.gz";
  public static final String TEST_IMAGES = "t10k-images-idx3-ubyte.gz";
  public static final String TEST_LABELS = "t10k-labels-idx1-ubyte.gz";

  /** Image side in pixels. */
  public static final int SIDE = 28;

  /** The ten class names, by label. */
  public static final List<String> CLASS_NAMES = List.of("T-shirt/top", "Trouser", "Pullover",
      "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

  private FashionMnist() {}

  /** A training set and a test set. Immutable and thread-safe. */
  public record Split(Dataset train, Dataset test) {
    /**
     * Both sets standardized with the training set's mean and standard deviation (the test set's
     * own statistics must not leak into training).
     */
    public Split normalized() {
      double mean = train.mean();
      double std = train.std();
      return new Split(train.normalized(mean, std), test.normalized(mean, std));
    }
  }

  /** Loads the training and test sets from {@code folder}, pixels in [0, 1]. */
  public static Split load(Path folder) throws IOException {
    if (!Files.isDirectory(folder)) {
      throw new NoSuchFileException(folder.toString(), null,
          "not a folder; expected one holding the four Fashion-MNIST files " + List.of(TRAIN_IMAGES,
              TRAIN_LABELS, TEST_IMAGES, TEST_LABELS));
    }
    Dataset train = load(folder, TRAIN_IMAGES, TRAIN_LABELS);
    Dataset test = load(folder, TEST_IMAGES, TEST_LABELS);
    return new Split(train, test);
  }

  private static Dataset load(Path folder, String images, String labels) throws IOException {
    Path imageFile = find(folder, images);
    Path labelFile = find(folder, labels);
    return Dataset.fromIdx(imageFile, labelFile, SIDE, SIDE, CLASS_NAMES.size());
  }

  private static Path find(Path folder, String name) throws NoSuchFileException {
    Path gz = folder.resolve(name);
    if (Files.isRegularFile(gz)) {
      return gz;
    }
    Path plain = folder.resolve(name.substring(0, name.length() - ".gz".length()));
    if (Files.isRegularFile(plain)) {
      return plain;
    }
    throw new NoSuchFileException(gz.toString(), null, "missing; a Fashion-MNIST folder holds "
        + List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS));
  }
}
