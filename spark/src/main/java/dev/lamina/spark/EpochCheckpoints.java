package dev.lamina.spark;

import dev.lamina.runtime.FloatNetwork;
import dev.lamina.runtime.io.CheckpointException;
import dev.lamina.runtime.io.Checkpoints;
import dev.lamina.runtime.io.TrainingState;
import dev.lamina.runtime.optim.BaseOptimizer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A checkpoint per epoch in a directory of any Hadoop-compatible file system ({@code hdfs://},
 * {@code s3a://}, {@code file:} or a plain local path): {@code epoch-0003.ckpt} holds the
 * parameters after epoch 3 with the run's {@link TrainingState} (the optimizer's state, the steps
 * taken, the seed), in the runtime's checkpoint format. A file is written under a temporary name
 * and renamed, so a crash mid-write leaves no file with a checkpoint's name.
 */
final class EpochCheckpoints {
  private static final Pattern NAME = Pattern.compile("epoch-(\\d{4,})\\.ckpt");

  private final Path directory;
  private final Configuration conf;

  EpochCheckpoints(String directory, Configuration conf) {
    this.directory = new Path(directory);
    this.conf = conf;
  }

  /** Saves {@code network}'s parameters with {@code state} as the checkpoint of its epochs. */
  void save(FloatNetwork network, TrainingState state) throws IOException {
    FileSystem fs = directory.getFileSystem(conf);
    fs.mkdirs(directory);
    java.nio.file.Path local = Files.createTempFile("lamina-epoch", ".ckpt");
    try {
      Checkpoints.save(network, state, local);
      Path target = new Path(directory, String.format("epoch-%04d.ckpt", state.epochs()));
      Path temporary = new Path(directory, "." + target.getName() + ".writing");
      fs.copyFromLocalFile(false, true, new Path(local.toUri()), temporary);
      if (fs.exists(target) && !fs.delete(target, false)) {
        throw new IOException("cannot replace " + target);
      }
      if (!fs.rename(temporary, target)) {
        throw new IOException("cannot rename " + temporary + " to " + target);
      }
    } finally {
      Files.deleteIfExists(local);
    }
  }

  /**
   * Loads the newest checkpoint into {@code network} and {@code optimizer} and returns its
   * training state, or returns {@code null} (and leaves both alone) when the directory holds
   * none. Nothing is changed when the checkpoint is refused.
   *
   * @throws CheckpointException if the newest checkpoint is not a valid checkpoint of the
   *     network, holds no training state, or was written by a run with another seed or another
   *     kind of optimizer (the message names the file and says which)
   */
  TrainingState loadNewest(FloatNetwork network, BaseOptimizer optimizer, long seed)
      throws IOException {
    FileSystem fs = directory.getFileSystem(conf);
    if (!fs.exists(directory)) {
      return null;
    }
    int newest = 0;
    Path newestPath = null;
    for (FileStatus f : fs.listStatus(directory)) {
      Matcher m = NAME.matcher(f.getPath().getName());
      if (f.isFile() && m.matches()) {
        int epoch = Integer.parseInt(m.group(1));
        if (epoch > newest) {
          newest = epoch;
          newestPath = f.getPath();
        }
      }
    }
    if (newestPath == null) {
      return null;
    }
    byte[] bytes;
    try (InputStream in = fs.open(newestPath)) {
      bytes = in.readAllBytes();
    }
    String name = newestPath.toString();
    java.nio.file.Path file = java.nio.file.Path.of(name);
    TrainingState state = Checkpoints.readTrainingState(new ByteArrayInputStream(bytes), name);
    if (state == null) {
      throw new CheckpointException(file, CheckpointException.Kind.NOT_RESUMABLE, "holds"
          + " parameters only, no training state to resume from");
    }
    String kind = optimizer.getClass().getSimpleName();
    if (state.seed() != seed || !state.optimizer().equals(kind)) {
      throw new CheckpointException(file, CheckpointException.Kind.NOT_RESUMABLE, "the run was"
          + " trained with seed " + state.seed() + " and optimizer " + state.optimizer()
          + "; this trainer has seed " + seed + " and optimizer " + kind + ", so it would not"
          + " continue that run");
    }
    if (state.epochs() != newest) {
      throw new CheckpointException(file, CheckpointException.Kind.NOT_RESUMABLE, "its name"
          + " says epoch " + newest + " but it holds the state after epoch " + state.epochs());
    }
    float[] before = network.parameters().clone();
    Checkpoints.load(network, new ByteArrayInputStream(bytes), name);
    try {
      optimizer.restoreState(network.parameterCount(), state.optimizerSteps(),
          state.optimizerState());
    } catch (IllegalArgumentException e) {
      System.arraycopy(before, 0, network.parameters(), 0, before.length);
      throw new CheckpointException(file, CheckpointException.Kind.NOT_RESUMABLE,
          "the optimizer state does not fit " + optimizer + ": " + e.getMessage());
    }
    return state;
  }
}
