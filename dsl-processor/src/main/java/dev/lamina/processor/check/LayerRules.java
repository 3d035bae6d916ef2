package dev.lamina.processor.check;

import dev.lamina.processor.model.Op;
import dev.lamina.processor.model.Shape;

/**
 * The check stage of one layer kind: validates the layer's own attributes and its input, and
 * builds its {@link Op}. The checker does the rest the same way for every kind: the member itself,
 * its references and number of inputs, its activation, the parameter total, the loss and the
 * receptive-field requirements.
 */
public interface LayerRules {
  /**
   * What the rules found: the op ({@code null} after an error in the layer's attributes or input)
   * and the output shape ({@code null} when it cannot be known; the layers after it are then not
   * checked against shapes until one whose output does not depend on its input).
   */
  record Outcome(Op op, Shape out) {
    /** Nothing known: an error was reported, or the input is unknown. */
    public static final Outcome UNKNOWN = new Outcome(null, null);

    /** The op and, from its arithmetic, its output for the layer's inputs. */
    public static Outcome of(Op op, LayerCheck c) {
      return new Outcome(op, op.output(c.ins()));
    }
  }

  /**
   * Checks one layer. {@link LayerCheck#in()} is its input's shape, null when unknown (the rules
   * then still check every attribute on its own).
   */
  Outcome check(LayerCheck c);

  /** Whether the kind reads two or more inputs (Add, Concat); otherwise exactly one. */
  default boolean merges() {
    return false;
  }

  /**
   * The attribute that sets how many values the layer outputs ({@code filters}, {@code units}),
   * where messages about a loss that does not fit the last layer point; null for none.
   */
  default String unitsAttribute() {
    return null;
  }
}
