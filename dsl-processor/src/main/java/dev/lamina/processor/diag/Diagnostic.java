package dev.lamina.processor.diag;

/**
 * One formatted diagnostic and where it points. Free of {@code javax.lang.model} types.
 *
 * @param message the catalogue entry
 * @param site where it points
 * @param text the formatted text (for warnings, prefixed with {@code [lamina:<id>]})
 */
public record Diagnostic(Message message, Site site, String text) {
  public boolean isError() {
    return message.severity() == Message.Severity.ERROR;
  }

  @Override
  public String toString() {
    return message.severity() + " " + text;
  }
}
