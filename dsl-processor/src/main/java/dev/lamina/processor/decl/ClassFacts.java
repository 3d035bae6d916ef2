package dev.lamina.processor.decl;

/**
 * What the checker needs to know about a {@code @Network} class to decide whether the generated
 * class can extend it.
 *
 * @param form class, interface, enum, record or annotation type
 * @param isFinal declared final
 * @param isSealed declared sealed
 * @param privateWhere null when the class and all its enclosing classes are accessible, else a
 *     phrase such as {@code "private"} or {@code "inside the private class Outer"}
 * @param isInner a non-static member class
 * @param isLocal a local or anonymous class
 * @param typeParameters the type parameters as written ({@code "<T>"}), or empty
 * @param hasNoArgConstructor whether a non-private constructor without parameters exists
 */
public record ClassFacts(
    Form form,
    boolean isFinal,
    boolean isSealed,
    String privateWhere,
    boolean isInner,
    boolean isLocal,
    String typeParameters,
    boolean hasNoArgConstructor) {

  /** The kind of type carrying {@code @Network}. */
  public enum Form {
    CLASS("a class"),
    INTERFACE("an interface"),
    ENUM("an enum"),
    RECORD("a record"),
    ANNOTATION("an annotation type");

    private final String phrase;

    Form(String phrase) {
      this.phrase = phrase;
    }

    /** {@code "an interface"}. */
    public String phrase() {
      return phrase;
    }
  }

  /** A plain abstract top-level class (as written by the tests of the checker). */
  public static ClassFacts plainClass() {
    return new ClassFacts(Form.CLASS, false, false, null, false, false, "", true);
  }
}
