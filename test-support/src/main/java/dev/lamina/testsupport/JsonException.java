package dev.lamina.testsupport;

/**
 * Text that is not the JSON or the structure expected: the message names the source, where in
 * it (a line and column, or a path such as {@code layers[2].params.weight}) and what was
 * expected there.
 */
public final class JsonException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String source;

  JsonException(String source, int line, int column, String message) {
    super(source + ": line " + line + ", column " + column + ": " + message);
    this.source = source;
  }

  JsonException(String source, String path, String message) {
    super(source + ": " + path + ": " + message);
    this.source = source;
  }

  /** The file or text the error is in. */
  public String source() {
    return source;
  }
}
