package dev.lamina.runtime.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A checkpoint file that cannot be loaded. The message names the file and says what is wrong; the
 * {@link #kind()} says it for programs. When this is thrown, the network was not modified.
 *
 * <p>Immutable and thread-safe.
 */
public class CheckpointException extends IOException {
  private static final long serialVersionUID = 1L;

  /** What is wrong with the file. */
  public enum Kind {
    /** Not a Lamina checkpoint at all (another kind of file). */
    NOT_A_CHECKPOINT,
    /** The file ends before its declared length. */
    TRUNCATED,
    /** A checksum does not match: the file was damaged. */
    CORRUPT,
    /** Written by a newer format version than this runtime reads. */
    UNSUPPORTED_VERSION,
    /** Written for another network (name, fingerprint or parameter count differ). */
    WRONG_NETWORK,
    /**
     * Cannot continue the training run asked for: no training state, or one of another seed or
     * optimizer.
     */
    NOT_RESUMABLE
  }

  private final transient Path file;
  private final Kind kind;

  public CheckpointException(Path file, Kind kind, String detail) {
    super(file + ": " + detail);
    this.file = file;
    this.kind = kind;
  }

  /** The checkpoint file. */
  public Path file() {
    return file;
  }

  /** What is wrong. */
  public Kind kind() {
    return kind;
  }
}
