package dev.lamina.onnx;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * An ONNX file that cannot be read or translated: damaged or truncated data, absurd sizes, or an
 * operator, attribute or graph shape Lamina cannot express. The message names the file and, for
 * each problem, the node or tensor, its operator and attribute, and what Lamina supports instead.
 * Every problem found is listed, not only the first.
 */
public final class OnnxException extends IOException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final List<String> problems;

  public OnnxException(Path file, List<String> problems) {
    this(file, problems, "");
  }

  /** With {@code hint}, one line after the problems (for example what Lamina supports). */
  public OnnxException(Path file, List<String> problems, String hint) {
    super(message(file, problems) + (hint.isEmpty() ? "" : "\n" + hint));
    this.file = file;
    this.problems = List.copyOf(problems);
  }

  public OnnxException(Path file, String problem) {
    this(file, List.of(problem));
  }

  public OnnxException(Path file, String problem, Throwable cause) {
    this(file, List.of(problem));
    initCause(cause);
  }

  /** The file that was read. */
  public Path file() {
    return file;
  }

  /** One line per problem, without the file name. */
  public List<String> problems() {
    return problems;
  }

  private static String message(Path file, List<String> problems) {
    if (problems.size() == 1) {
      return file + ": " + problems.get(0);
    }
    StringBuilder sb = new StringBuilder().append(file).append(": ").append(problems.size())
        .append(" problems:");
    for (String p : problems) {
      sb.append("\n  - ").append(p);
    }
    return sb.toString();
  }
}
