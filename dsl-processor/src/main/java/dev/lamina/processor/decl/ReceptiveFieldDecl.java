package dev.lamina.processor.decl;

import java.util.List;

/**
 * A {@code @ReceptiveField} requirement as declared.
 *
 * @param atLeast {@code {n}} or {@code {h, w}}; empty when not stated
 * @param exactly {@code {n}} or {@code {h, w}}; empty when not stated
 * @param coversInput whether the field must cover the whole input
 */
public record ReceptiveFieldDecl(
    Value<List<Integer>> atLeast, Value<List<Integer>> exactly, Value<Boolean> coversInput) {

  /** Whether any requirement is stated. */
  public boolean present() {
    return (atLeast.known() && !atLeast.value().isEmpty())
        || (exactly.known() && !exactly.value().isEmpty())
        || Boolean.TRUE.equals(coversInput.value());
  }
}
