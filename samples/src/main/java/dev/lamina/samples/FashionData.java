package dev.lamina.samples;

import dev.lamina.runtime.data.FashionMnist;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Finds Fashion-MNIST: the folder given with {@code --data} (by default the one Debian's {@code
 * dataset-fashion-mnist} package installs), or else the 2,000/500-image subset inside the app's
 * jar, with a one-line hint on how to install the full set. Pixels are scaled to [0, 1] and not
 * standardized, so that any image can be fed the same way without stored statistics.
 */
public final class FashionData {
  /** Where Debian's {@code dataset-fashion-mnist} package puts the files. */
  public static final String DEFAULT_FOLDER = "/usr/share/datasets/fashion-mnist";

  private static final String SUBSET = "/dev/lamina/samples/fashion-subset/";
  private static final List<String> FILES = List.of(FashionMnist.TRAIN_IMAGES,
      FashionMnist.TRAIN_LABELS, FashionMnist.TEST_IMAGES, FashionMnist.TEST_LABELS);

  /**
   * Loaded data and where it came from.
   *
   * @param split training and test sets, pixels in [0, 1]
   * @param source a short description for the log: the folder, or the bundled subset
   * @param bundled whether this is the subset inside the jar
   */
  public record Loaded(FashionMnist.Split split, String source, boolean bundled) {}

  private FashionData() {}

  /**
   * Loads from {@code folder}; if it does not exist, prints the install hint to {@code err} and
   * loads the bundled subset. A folder that exists but lacks files or holds broken ones is an
   * error (falling back silently would hide it).
   */
  public static Loaded load(Path folder, PrintWriter err) throws IOException {
    if (Files.isDirectory(folder)) {
      return new Loaded(FashionMnist.load(folder), folder.toString(), false);
    }
    err.println("note: no Fashion-MNIST at " + folder + " (install it with 'apt-get install"
        + " dataset-fashion-mnist' or pass --data DIR); using the 2,000/500-image subset bundled"
        + " in the app");
    err.flush();
    return bundled();
  }

  /** The subset inside the jar: the first 2,000 training and 500 test images. */
  public static Loaded bundled() throws IOException {
    Path dir = Files.createTempDirectory("lamina-fashion-subset");
    try {
      for (String name : FILES) {
        try (InputStream in = FashionData.class.getResourceAsStream(SUBSET + name)) {
          if (in == null) {
            throw new IOException("the app's jar lacks the bundled data file " + name);
          }
          Files.copy(in, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        }
      }
      return new Loaded(FashionMnist.load(dir), "the bundled subset",
          true);
    } finally {
      for (String name : FILES) {
        Files.deleteIfExists(dir.resolve(name));
      }
      Files.deleteIfExists(dir);
    }
  }
}
