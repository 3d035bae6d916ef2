package dev.lamina.processor.decl;

import dev.lamina.dsl.Activation;
import dev.lamina.dsl.Loss;
import dev.lamina.processor.diag.Site;
import java.util.List;
import java.util.Map;

/**
 * One layer member as declared: its name, kind, declaration facts and every attribute of its layer
 * annotation (explicit or default), each with its own site.
 *
 * @param name the member's name: the layer's name in every message
 * @param kind which layer annotation
 * @param site the member with its layer annotation
 * @param facts modifiers, type and annotations of the member
 * @param attributes every attribute by name ({@code kernel}, {@code stride}, ...)
 * @param receptiveField the layer's {@code receptiveField} requirement
 */
public record LayerDecl(
    String name,
    LayerAnnotation kind,
    Site site,
    MemberFacts facts,
    Map<String, Value<?>> attributes,
    ReceptiveFieldDecl receptiveField) {

  public LayerDecl {
    attributes = Map.copyOf(attributes);
  }

  /** An attribute; a missing one reads as unknown, pointing at the member. */
  @SuppressWarnings("unchecked")
  public <T> Value<T> attr(String attribute) {
    Value<?> v = attributes.get(attribute);
    return v == null ? new Value<>(null, false, site) : (Value<T>) v;
  }

  public Value<List<Integer>> ints(String attribute) {
    return attr(attribute);
  }

  public Value<Integer> integer(String attribute) {
    return attr(attribute);
  }

  public Value<Boolean> bool(String attribute) {
    return attr(attribute);
  }

  /** The activation; IDENTITY for a kind that takes none. */
  public Value<Activation> activation() {
    return kind.hasActivation() ? attr("activation")
        : new Value<>(Activation.IDENTITY, false, site);
  }

  /** LEAKY_RELU's slope; 0.01 for a kind that takes no activation. */
  public Value<Double> negativeSlope() {
    return kind.hasActivation() ? attr("negativeSlope") : new Value<>(0.01, false, site);
  }

  /**
   * ELU's alpha; 1.0 for a kind that takes no activation (whose own {@code alpha}, if it has one,
   * means something else).
   */
  public Value<Double> alpha() {
    return kind.hasActivation() ? attr("alpha") : new Value<>(1.0, false, site);
  }

  /** The layer's loss ({@code Loss.NONE} for Pool, which has none). */
  public Value<Loss> loss() {
    Value<Loss> v = attr("loss");
    return attributes.containsKey("loss") ? v : new Value<>(Loss.NONE, false, site);
  }
}
