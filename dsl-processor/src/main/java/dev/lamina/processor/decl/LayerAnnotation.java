package dev.lamina.processor.decl;

import dev.lamina.dsl.Activation;
import dev.lamina.dsl.Loss;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A layer annotation as the reader sees it: its name and every attribute it declares, with how
 * each is decoded. The reader decodes exactly these: an attribute of the annotation missing here,
 * or one listed here that the annotation lacks, is an internal error naming it, never a silent
 * drop.
 *
 * <p>Attribute groups that several annotations share are declared once: {@link #withCommon()}
 * (activation with its parameters, {@code from}, {@code receptiveField}) and {@link #withLoss()}.
 *
 * @param qualifiedName {@code dev.lamina.dsl.Conv}
 * @param simpleName {@code Conv}, as messages name the kind
 * @param attributes every attribute by name, in declaration order
 */
public record LayerAnnotation(String qualifiedName, String simpleName,
    Map<String, AttrType> attributes) {
  /** The package of Lamina's annotations. */
  public static final String PACKAGE = "dev.lamina.dsl";

  /** {@code @Apply}: a use of a block, not a layer itself but the block's layers. */
  public static final LayerAnnotation APPLY = of("Apply")
      .with("block", AttrType.BLOCK)
      .with("args", AttrType.INTS)
      .with("from", AttrType.STRINGS);

  public LayerAnnotation {
    attributes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
  }

  /** The annotation {@code dev.lamina.dsl.<simpleName>}, with no attributes yet. */
  public static LayerAnnotation of(String simpleName) {
    return new LayerAnnotation(PACKAGE + "." + simpleName, simpleName, Map.of());
  }

  /** This annotation with one more attribute. */
  public LayerAnnotation with(String attribute, AttrType type) {
    Map<String, AttrType> m = new LinkedHashMap<>(attributes);
    if (m.put(attribute, type) != null) {
      throw new IllegalArgumentException("@" + simpleName + "." + attribute + " declared twice");
    }
    return new LayerAnnotation(qualifiedName, simpleName, m);
  }

  /** The attributes most layer annotations have: {@link #withActivation} and {@link #withGraph}. */
  public LayerAnnotation withCommon() {
    return withActivation().withGraph();
  }

  /**
   * {@code activation} with its parameters: {@code negativeSlope} of LEAKY_RELU, {@code alpha} of
   * ELU. A kind without them has no activation (it reads as IDENTITY).
   */
  public LayerAnnotation withActivation() {
    return with("activation", AttrType.of(Activation.class))
        .with("negativeSlope", AttrType.NUMBER)
        .with("alpha", AttrType.NUMBER);
  }

  /** {@code from} and {@code receptiveField}, which every layer annotation has. */
  public LayerAnnotation withGraph() {
    return with("from", AttrType.STRINGS)
        .with("receptiveField", AttrType.RECEPTIVE_FIELD);
  }

  /** Whether the kind takes an activation ({@link #withActivation}). */
  public boolean hasActivation() {
    return attributes.containsKey("activation");
  }

  /** The {@code loss} of a layer that may end a network. */
  public LayerAnnotation withLoss() {
    return with("loss", AttrType.of(Loss.class));
  }

  /** Whether this is {@code @Apply}. */
  public boolean isApply() {
    return qualifiedName.equals(APPLY.qualifiedName);
  }
}
