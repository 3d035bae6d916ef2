package dev.lamina.runtime.data;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A data file that is not what it should be: wrong magic number, unexpected dimensions, a body
 * shorter or longer than its header says, corrupt compression, or files that do not match each
 * other. The message names the file, the byte offset (counted in the decompressed data for gzip
 * files) and what was expected versus found, for example {@code train-images-idx3-ubyte.gz: at byte
 * 0: expected magic 0x00000803 (unsigned byte, 3 dimensions), found 0x00000801 (unsigned byte, 1
 * dimension)}.
 *
 * <p>Immutable and thread-safe.
 */
public class DatasetFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final long offset;

  /** A problem at byte {@code offset} of {@code file}; {@code offset < 0} if not tied to one byte. */
  public DatasetFormatException(Path file, long offset, String detail) {
    this(file, offset, detail, null);
  }

  /** As {@link #DatasetFormatException(Path, long, String)} with the underlying cause. */
  public DatasetFormatException(Path file, long offset, String detail, Throwable cause) {
    super(file + ": " + (offset >= 0 ? "at byte " + offset + ": " : "") + detail, cause);
    this.file = file;
    this.offset = offset;
  }

  /** The offending file. */
  public Path file() {
    return file;
  }

  /** The byte offset of the problem (decompressed data for gzip files), or -1. */
  public long offset() {
    return offset;
  }
}
