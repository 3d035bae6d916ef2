package dev.lamina.samples;

import dev.lamina.runtime.FloatNetwork;
import dev.lamina.runtime.io.CheckpointInfo;
import dev.lamina.runtime.io.Checkpoints;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The app's use of the runtime's checkpoints: which model a file belongs to, loading it into a new
 * network of that model, saving.
 */
final class Weights {
  /** A loaded checkpoint: the model it belongs to and a network holding its parameters. */
  record Loaded(Models.Entry model, FloatNetwork network) {}

  private Weights() {}

  /**
   * The checkpoint {@code train} writes for {@code modelName} (LeNet5 when {@code null}) in the
   * working directory, as {@code eval} and {@code predict} use it without {@code --weights}.
   */
  static Path defaultFile(String modelName) {
    Models.Entry entry = Models.get(modelName == null ? "LeNet5" : modelName);
    Path file = Path.of(entry.name().toLowerCase(java.util.Locale.ROOT) + ".ckpt");
    if (!Files.isRegularFile(file)) {
      throw new AppException("no --weights given, and " + file + " (what 'train --model "
          + entry.name() + "' writes here) does not exist: train first or pass --weights FILE");
    }
    return file;
  }

  static void save(FloatNetwork net, Path file) throws IOException {
    Checkpoints.save(net, file);
  }

  /**
   * Loads {@code file} into a new network of {@code modelName}, or of the model the checkpoint
   * was saved from when {@code modelName} is null. Every problem is an exception whose message
   * is one line naming the file.
   */
  static Loaded load(Path file, String modelName) throws IOException {
    Models.Entry wanted = modelName == null ? null : Models.get(modelName);
    if (!Files.isRegularFile(file)) {
      throw new AppException("weights file not found: " + file);
    }
    // Validates the whole file (checksums) before anything else.
    CheckpointInfo info = Checkpoints.read(file);
    Models.Entry entry = wanted != null ? wanted : Models.byFingerprint(info.fingerprint());
    if (entry == null) {
      try {
        entry = Models.get(info.networkName());
      } catch (AppException e) {
        throw new AppException(file + " is a checkpoint of " + info.networkName()
            + ", which is neither a sample model nor on the class path; models: " + Models.names());
      }
    }
    if (!entry.summary().fingerprint().equals(info.fingerprint())) {
      throw new AppException(file + " is a checkpoint of " + info.networkName() + ", not of "
          + entry.summary().networkName() + " (structure fingerprints differ)");
    }
    FloatNetwork net = entry.create(0);
    Checkpoints.load(net, file);
    return new Loaded(entry, net);
  }
}
