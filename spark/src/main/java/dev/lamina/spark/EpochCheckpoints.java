package dev.lamina.spark;

import dev.lamina.runtime.FloatNetwork;
import dev.lamina.runtime.io.CheckpointException;
import dev.lamina.runtime.io.Checkpoints;
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
 * parameters after epoch 3, in the runtime's checkpoint format. A file is written under a
 * temporary name and renamed, so a crash mid-write leaves no file with a checkpoint's name.
 */
final class EpochCheckpoints {
  private static final Pattern NAME = Pattern.compile("epoch-(\\d{4,})\\.ckpt");

  private final Path directory;
  private final Configuration conf;

  EpochCheckpoints(String directory, Configuration conf) {
    this.directory = new Path(directory);
    this.conf = conf;
  }

  /** Saves {@code network}'s parameters as the checkpoint of epoch {@code epoch} (1-based). */
  void save(FloatNetwork network, int epoch) throws IOException {
    FileSystem fs = directory.getFileSystem(conf);
    fs.mkdirs(directory);
    java.nio.file.Path local = Files.createTempFile("lamina-epoch", ".ckpt");
    try {
      Checkpoints.save(network, local);
      Path target = new Path(directory, String.format("epoch-%04d.ckpt", epoch));
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
   * Loads the newest checkpoint into {@code network} and returns its epoch, or returns 0 (and
   * leaves the network alone) when the directory holds none.
   *
   * @throws CheckpointException if the newest checkpoint is not a valid checkpoint of the
   *     network (the message names the file)
   */
  int loadNewest(FloatNetwork network) throws IOException {
    FileSystem fs = directory.getFileSystem(conf);
    if (!fs.exists(directory)) {
      return 0;
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
    if (newestPath != null) {
      try (InputStream in = fs.open(newestPath)) {
        Checkpoints.load(network, in, newestPath.toString());
      }
    }
    return newest;
  }
}
