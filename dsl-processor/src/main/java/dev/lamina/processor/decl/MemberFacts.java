package dev.lamina.processor.decl;

import java.util.List;

/**
 * What the checker needs to know about a layer member's declaration.
 *
 * @param isStatic declared static
 * @param isPrivate declared private
 * @param isFinal declared final
 * @param type whether its type is {@code dev.lamina.dsl.Layer}
 * @param typeName the declared type as written, for messages
 * @param annotations every layer annotation on the member, in source order
 */
public record MemberFacts(
    boolean isStatic,
    boolean isPrivate,
    boolean isFinal,
    TypeFact type,
    String typeName,
    List<LayerAnnotation> annotations) {

  /** The member's declared type. */
  public enum TypeFact {
    /** {@code dev.lamina.dsl.Layer}. */
    LAYER,
    /** Some other type. */
    OTHER,
    /** Unresolved: javac reports it, the checker stays silent. */
    ERROR
  }

  public MemberFacts {
    annotations = List.copyOf(annotations);
  }

  /** A well-formed layer member (as written by the tests of the checker). */
  public static MemberFacts layer(LayerAnnotation kind) {
    return new MemberFacts(false, false, false, TypeFact.LAYER, "Layer", List.of(kind));
  }
}
