package dev.lamina.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A reusable piece of network, declared once and used by {@link Apply} any number of times:
 * put it on a static nested (or top-level) class whose {@link Layer} fields carry layer
 * annotations exactly as in a {@link Network}.
 *
 * <ul>
 *   <li>Its first layer (and any layer with {@code from = Network.INPUT}) reads the block's
 *       input, which is what the {@code @Apply} member reads. Its last layer is the block's
 *       output.
 *   <li>{@code from} inside a block names the block's own members.
 *   <li>Integer attributes ({@code filters}, {@code units}, {@code kernel}, {@code stride},
 *       {@code padding}, {@code dilation}, {@code size}) may be the placeholders {@link #ARG0} to
 *       {@link #ARG7}, replaced by the {@code args} of each use. Give them names with constants:
 *       {@code static final int FILTERS = Block.ARG0;} then {@code @Conv(filters = FILTERS, ...)}.
 *   <li>Each use names its layers {@code use.member} (in summaries, checkpoints and messages; the
 *       generated code mangles them to {@code use_member}). An error inside a block says which use
 *       failed: {@code in res3a (Basic with args {128, 2}): ...}.
 * </ul>
 *
 * <pre>{@code
 * @Block
 * static class Basic {
 *   static final int FILTERS = Block.ARG0, STRIDE = Block.ARG1;
 *   @Conv(filters = FILTERS, kernel = 3, stride = STRIDE, padding = 1, activation = RELU) Layer c1;
 *   @Conv(filters = FILTERS, kernel = 3, padding = 1) Layer c2;
 *   @Conv(filters = FILTERS, kernel = 1, stride = STRIDE, from = Network.INPUT) Layer proj;
 *   @Add(from = {"c2", "proj"}, activation = RELU) Layer out;
 * }
 * @Apply(block = Basic.class, args = {128, 2}) Layer res3a;
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.SOURCE)
@Target(ElementType.TYPE)
public @interface Block {
  /** Placeholder for the first of {@link Apply#args()}. */
  int ARG0 = -1_000_000_000;
  /** Placeholder for the second of {@link Apply#args()}. */
  int ARG1 = ARG0 - 1;
  /** Placeholder for the third of {@link Apply#args()}. */
  int ARG2 = ARG0 - 2;
  /** Placeholder for the fourth of {@link Apply#args()}. */
  int ARG3 = ARG0 - 3;
  /** Placeholder for the fifth of {@link Apply#args()}. */
  int ARG4 = ARG0 - 4;
  /** Placeholder for the sixth of {@link Apply#args()}. */
  int ARG5 = ARG0 - 5;
  /** Placeholder for the seventh of {@link Apply#args()}. */
  int ARG6 = ARG0 - 6;
  /** Placeholder for the eighth of {@link Apply#args()}. */
  int ARG7 = ARG0 - 7;
}
