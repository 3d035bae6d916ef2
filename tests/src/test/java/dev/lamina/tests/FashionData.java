package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.fail;

import dev.lamina.runtime.data.Dataset;
import dev.lamina.runtime.data.FashionMnist;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The real Fashion-MNIST from Debian's {@code dataset-fashion-mnist} package, loaded once per test
 * JVM. Missing data is a failure, never a skip: CI installs the package, and a learning test that
 * silently does not run proves nothing.
 */
public final class FashionData {
  /** Where Debian's package puts the four files. */
  public static final Path FOLDER = Path.of("/usr/share/datasets/fashion-mnist");

  private static FashionMnist.Split split;

  private FashionData() {}

  /** Training and test sets, pixels standardized with the training set's mean and deviation. */
  public static synchronized FashionMnist.Split load() {
    if (split == null) {
      if (!Files.isRegularFile(FOLDER.resolve(FashionMnist.TRAIN_IMAGES))) {
        fail("Fashion-MNIST is not installed: " + FOLDER.resolve(FashionMnist.TRAIN_IMAGES)
            + " is missing. Install it with `apt-get install dataset-fashion-mnist` (Debian/Ubuntu"
            + " package); the learning tests need the real images.");
      }
      try {
        split = FashionMnist.load(FOLDER).normalized();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return split;
  }

  /** The first {@code count} training images. */
  public static Dataset train(int count) {
    return load().train().subset(0, count);
  }

  /** The first {@code count} test images (never seen in training). */
  public static Dataset test(int count) {
    return load().test().subset(0, count);
  }
}
