package dev.lamina.samples;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Writing result files: checked before long work, written through a temporary sibling. */
final class OutputFiles {
  interface Writer {
    void write(OutputStream out) throws IOException;
  }

  private OutputFiles() {}

  /**
   * Fails now, not after an hour of training, if {@code file} cannot be written: its folder must
   * exist (or be creatable) and be writable, and the file itself must not be a folder.
   */
  static void checkWritable(Path file, String what) {
    Path abs = file.toAbsolutePath();
    Path dir = abs.getParent();
    try {
      Files.createDirectories(dir);
    } catch (IOException | SecurityException e) {
      throw new AppException("cannot write " + what + " " + file + ": cannot create folder "
          + dir);
    }
    if (Files.isDirectory(abs)) {
      throw new AppException("cannot write " + what + " " + file + ": it is a folder");
    }
    if (!Files.isWritable(dir) || Files.exists(abs) && !Files.isWritable(abs)) {
      throw new AppException("cannot write " + what + " " + file + ": permission denied");
    }
  }

  /** Writes {@code file} through a temporary file in the same folder and an atomic rename. */
  static void writeAtomically(Path file, Writer writer) throws IOException {
    Path abs = file.toAbsolutePath();
    Files.createDirectories(abs.getParent());
    Path tmp = abs.resolveSibling("." + abs.getFileName() + ".tmp");
    try {
      try (OutputStream out = Files.newOutputStream(tmp)) {
        writer.write(out);
      }
      Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AccessDeniedException e) {
      throw new AppException("cannot write " + file + ": permission denied", e);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
