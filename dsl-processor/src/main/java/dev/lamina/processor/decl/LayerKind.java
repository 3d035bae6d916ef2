package dev.lamina.processor.decl;

/** The layer annotations, by the qualified name the reader looks for. */
public enum LayerKind {
  CONV("dev.lamina.dsl.Conv", "Conv"),
  POOL("dev.lamina.dsl.Pool", "Pool"),
  AFFINE("dev.lamina.dsl.Affine", "Affine");

  private final String annotationName;
  private final String simpleName;

  LayerKind(String annotationName, String simpleName) {
    this.annotationName = annotationName;
    this.simpleName = simpleName;
  }

  public String annotationName() {
    return annotationName;
  }

  /** {@code Conv}, {@code Pool}, {@code Affine}. */
  public String simpleName() {
    return simpleName;
  }

  /** The kind for an annotation's qualified name, or null. */
  public static LayerKind of(String qualifiedName) {
    for (LayerKind k : values()) {
      if (k.annotationName.equals(qualifiedName)) {
        return k;
      }
    }
    return null;
  }
}
