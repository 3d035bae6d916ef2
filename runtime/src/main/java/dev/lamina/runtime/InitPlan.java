package dev.lamina.runtime;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Which {@link Initializer} each parameter tensor gets: by default each tensor's compile-time
 * {@link ParameterTensor#init()}; {@link #withWeights} overrides every {@link
 * ParameterTensor.Role#WEIGHT WEIGHT} tensor (biases keep their default), and {@link #with(String,
 * Initializer)} overrides one tensor by qualified name ({@code "c1.weight"}), which wins over both.
 *
 * <p>Immutable and thread-safe.
 */
public final class InitPlan {
  private static final InitPlan DEFAULTS = new InitPlan(null, Map.of());

  private final Initializer weights;
  private final Map<String, Initializer> perTensor;

  private InitPlan(Initializer weights, Map<String, Initializer> perTensor) {
    this.weights = weights;
    this.perTensor = perTensor;
  }

  /** Every tensor gets its compile-time default. */
  public static InitPlan defaults() {
    return DEFAULTS;
  }

  /** A plan that gives every WEIGHT tensor {@code initializer} unless overridden by name. */
  public InitPlan withWeights(Initializer initializer) {
    return new InitPlan(Objects.requireNonNull(initializer), perTensor);
  }

  /** A plan that gives the tensor {@code qualifiedName} ({@code layer.name}) {@code initializer}. */
  public InitPlan with(String qualifiedName, Initializer initializer) {
    Map<String, Initializer> map = new LinkedHashMap<>(perTensor);
    map.put(Objects.requireNonNull(qualifiedName), Objects.requireNonNull(initializer));
    return new InitPlan(weights, Collections.unmodifiableMap(map));
  }

  /** The per-tensor overrides, by qualified name. */
  public Map<String, Initializer> overrides() {
    return perTensor;
  }

  /** The initializer this plan gives {@code tensor}. */
  public Initializer initializerFor(ParameterTensor tensor) {
    Initializer named = perTensor.get(tensor.qualifiedName());
    if (named != null) {
      return named;
    }
    if (weights != null && tensor.role() == ParameterTensor.Role.WEIGHT) {
      return weights;
    }
    return Initializer.of(tensor.init());
  }
}
