package dev.lamina.processor.decl;

import dev.lamina.processor.diag.Site;

/**
 * One annotation attribute as written (or defaulted) in source.
 *
 * @param value the decoded value; {@code null} when javac could not resolve it (it has reported
 *     that error itself, so checks depending on the value are skipped)
 * @param explicit whether the attribute was written in source (false: its default applies)
 * @param site where it is, for diagnostics pointing at this exact value
 */
public record Value<T>(T value, boolean explicit, Site site) {
  public boolean known() {
    return value != null;
  }
}
