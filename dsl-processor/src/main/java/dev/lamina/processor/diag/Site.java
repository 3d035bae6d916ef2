package dev.lamina.processor.diag;

import java.util.Set;

/**
 * Where a diagnostic points: an opaque handle the checker passes through untouched. The annotation
 * processor's sites carry the element, annotation mirror and annotation value ({@link ElementSite});
 * plain unit tests use any implementation.
 */
public interface Site {
  /**
   * The {@code lamina:<id>} warning ids silenced here by {@code @SuppressWarnings} on the member or
   * any enclosing class (without the {@code lamina:} prefix; {@code all} silences every warning).
   */
  Set<String> suppressedWarnings();

  /** Whether a warning with this id is silenced at this site. */
  default boolean suppresses(String id) {
    Set<String> s = suppressedWarnings();
    return s.contains(id) || s.contains("all");
  }
}
