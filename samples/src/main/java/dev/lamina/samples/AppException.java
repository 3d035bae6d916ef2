package dev.lamina.samples;

/**
 * A failure the user can fix (a missing file, a checkpoint of another model, an image that cannot
 * be read). The app prints its message as one line on stderr, without a stack trace.
 */
public final class AppException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public AppException(String message) {
    super(message);
  }

  public AppException(String message, Throwable cause) {
    super(message, cause);
  }
}
