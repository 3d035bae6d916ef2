package dev.lamina.processor.diag;

import java.util.Set;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;

/**
 * A site in source: the element, and where known the annotation and the exact annotation value, so
 * that compilers and IDEs underline the offending token.
 *
 * @param element the member or class
 * @param mirror the annotation on it, or null
 * @param value the value inside that annotation, or null (defaults have no source position)
 * @param suppressedWarnings ids silenced by {@code @SuppressWarnings("lamina:<id>")} here or on an
 *     enclosing element
 */
public record ElementSite(
    Element element, AnnotationMirror mirror, AnnotationValue value, Set<String> suppressedWarnings)
    implements Site {

  public ElementSite {
    suppressedWarnings = Set.copyOf(suppressedWarnings);
  }

  /** The same element and annotation, another value. */
  public ElementSite at(AnnotationValue otherValue) {
    return new ElementSite(element, mirror, otherValue, suppressedWarnings);
  }

  @Override
  public String toString() {
    return element + (mirror == null ? "" : " " + mirror) + (value == null ? "" : " " + value);
  }
}
