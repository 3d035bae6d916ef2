package dev.lamina.processor.decl;

/** The layer annotations, by the qualified name the reader looks for. */
public enum LayerKind {
  CONV("dev.lamina.dsl.Conv", "Conv"),
  POOL("dev.lamina.dsl.Pool", "Pool"),
  AFFINE("dev.lamina.dsl.Affine", "Affine"),
  ADD("dev.lamina.dsl.Add", "Add"),
  CONCAT("dev.lamina.dsl.Concat", "Concat"),
  BATCH_NORM("dev.lamina.dsl.BatchNorm", "BatchNorm"),
  DROPOUT("dev.lamina.dsl.Dropout", "Dropout"),
  GLOBAL_AVG_POOL("dev.lamina.dsl.GlobalAvgPool", "GlobalAvgPool"),
  /** A use of a block: not a layer itself, but the block's layers. */
  APPLY("dev.lamina.dsl.Apply", "Apply");

  private final String annotationName;
  private final String simpleName;

  LayerKind(String annotationName, String simpleName) {
    this.annotationName = annotationName;
    this.simpleName = simpleName;
  }

  public String annotationName() {
    return annotationName;
  }

  /** {@code Conv}, {@code Pool}, {@code Affine}, ... */
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
