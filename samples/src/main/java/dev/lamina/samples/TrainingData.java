package dev.lamina.samples;

import dev.lamina.runtime.data.CsvData;
import dev.lamina.runtime.data.Dataset;
import dev.lamina.runtime.data.DatasetFormatException;
import dev.lamina.runtime.data.ImageFolder;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The data {@code train} learns from: Fashion-MNIST (with its test set), an image folder or a CSV
 * file, with a validation set held out of the training data when asked for (always for the user's
 * own data, which has no test set).
 *
 * @param train what the trainer learns from
 * @param validation held out of the training data, or {@code null}
 * @param test the Fashion-MNIST test set, or {@code null} for the user's own data
 * @param classes the class names, index = label
 * @param source a short description for the log
 */
record TrainingData(Dataset train, Dataset validation, Dataset test, List<String> classes,
    String source) {

  /** The fraction held out of the user's own data when {@code --validation} is not given. */
  static final double DEFAULT_OWN_VALIDATION = 0.2;

  /** The set evaluated after each epoch: the validation set if there is one, else the test set. */
  Dataset evaluated() {
    return validation != null ? validation : test;
  }

  /** "validation" or "test". */
  String evaluatedName() {
    return validation != null ? "validation" : "test";
  }

  /**
   * This data with channel c of every set replaced by {@code (x - mean[c]) / std[c]} (the
   * training set's statistics, {@link Dataset#channelStatistics}).
   *
   * @throws AppException if a channel's deviation is 0 (a channel that never changes)
   */
  TrainingData normalized(double[] mean, double[] std) {
    try {
      return new TrainingData(train.normalized(mean, std),
          validation == null ? null : validation.normalized(mean, std),
          test == null ? null : test.normalized(mean, std), classes, source);
    } catch (IllegalArgumentException e) {
      throw new AppException(source + ": --normalize: " + e.getMessage());
    }
  }

  /** {@code mean [m0, m1, ...] and std [s0, s1, ...]} of per-channel statistics. */
  static String describe(double[][] stats) {
    StringBuilder b = new StringBuilder("mean [");
    for (int k = 0; k < 2; k++) {
      for (int c = 0; c < stats[k].length; c++) {
        b.append(c > 0 ? ", " : "").append(String.format(Locale.ROOT, "%.6f", stats[k][c]));
      }
      b.append(k == 0 ? "] and std [" : "]");
    }
    return b.toString();
  }

  /** Fashion-MNIST from {@code folder} (or the bundled subset), validation as asked. */
  static TrainingData fashion(Path folder, double validation, long seed, PrintWriter err)
      throws IOException {
    FashionData.Loaded d = FashionData.load(folder, err);
    Dataset train = d.split().train();
    Dataset held = null;
    if (validation > 0) {
      Dataset.Split s = train.split(validation, seed);
      train = s.train();
      held = s.validation();
    }
    return new TrainingData(train, held, d.split().test(), FashionClasses.NAMES, d.source());
  }

  /**
   * An image folder, each image converted to the model's input shape {@code C×H×W}; unreadable
   * images skipped with a count on {@code err} when {@code skipUnreadable}.
   */
  static TrainingData imageFolder(Path dir, int[] inputShape, boolean resize,
      boolean skipUnreadable, long maxPixels, double validation, long seed, PrintWriter err)
      throws IOException {
    if (inputShape.length != 3 || (inputShape[0] != 1 && inputShape[0] != 3)) {
      throw new AppException("--data-dir needs a model that takes images (1 or 3 channels);"
          + " this one takes " + java.util.Arrays.toString(inputShape));
    }
    ImageFolder.Loaded loaded;
    try {
      loaded = ImageFolder.at(dir).shape(inputShape[0], inputShape[1], inputShape[2])
          .resize(resize).skipUnreadable(skipUnreadable).maxPixels(maxPixels).load();
    } catch (DatasetFormatException e) {
      throw new AppException(ImageInput.withOption(e.getMessage())
          + (e.getMessage().contains("expected " + inputShape[2] + "×" + inputShape[1])
              ? " (or pass --resize)" : ""), e);
    }
    for (String skipped : loaded.skipped()) {
      err.println("skipped " + ImageInput.withOption(skipped));
    }
    if (!loaded.skipped().isEmpty()) {
      err.printf(Locale.ROOT, "skipped %d unreadable image%s%n", loaded.skipped().size(),
          loaded.skipped().size() == 1 ? "" : "s");
      err.flush();
    }
    return own(loaded.dataset(), loaded.classes(), dir.toString(), validation, seed);
  }

  /** A CSV file with the label in column {@code label} (a header name or a 0-based index). */
  static TrainingData csv(Path file, String label, int inputSize, double validation, long seed)
      throws IOException {
    CsvData.Builder b = CsvData.at(file);
    if (label != null && label.chars().allMatch(Character::isDigit)) {
      b.label(Integer.parseInt(label));
    } else if (label != null) {
      b.label(label);
    }
    CsvData.Loaded loaded;
    try {
      loaded = b.load();
    } catch (DatasetFormatException e) {
      throw new AppException(e.getMessage(), e);
    }
    if (loaded.dataset().sampleSize() != inputSize) {
      throw new AppException(file + " has " + loaded.dataset().sampleSize() + " feature columns;"
          + " the model takes " + inputSize + " inputs");
    }
    return own(loaded.dataset(), loaded.classes(), file.toString(), validation, seed);
  }

  private static TrainingData own(Dataset all, List<String> classes, String source,
      double validation, long seed) {
    double fraction = validation > 0 ? validation : DEFAULT_OWN_VALIDATION;
    Dataset.Split s;
    try {
      s = all.split(fraction, seed);
    } catch (IllegalArgumentException e) {
      throw new AppException(source + ": " + e.getMessage());
    }
    return new TrainingData(s.train(), s.validation(), null, classes, source);
  }
}
