package dev.lamina.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares a network. Put it on an abstract (or at least non-final) class whose {@link Layer}
 * fields, in source order, each carry one layer annotation ({@link Conv}, {@link Pool},
 * {@link Affine}, {@link BatchNorm}, {@link Dropout}, {@link GlobalAvgPool}, {@link Add},
 * {@link Concat}, or {@link Apply} for a {@link Block}).
 *
 * <p><b>Graphs.</b> Without {@code from} every layer reads the member declared before it, which
 * gives a stack. With {@code from = {"c1"}} a layer reads any member declared above it (or
 * {@link #INPUT}); {@link Add} and {@link Concat} read two or more. The network is then a
 * directed acyclic graph whose output is the last member; members whose output reaches neither
 * the output nor the loss are reported with a warning ({@code lamina:unused-output}).
 *
 * <p>At compile time the Lamina processor infers every shape, checks that the layers fit together
 * and generates {@code Lamina_<Name>} (nested classes: {@code Lamina_Outer_Inner}), a subclass
 * with specialized forward and backward passes.
 *
 * <pre>{@code
 * @Network(input = {1, 28, 28}, loss = Loss.SOFTMAX_CROSS_ENTROPY)
 * public abstract class LeNet5 {
 *   @Conv(filters = 6, kernel = 5, padding = 2, activation = RELU) Layer c1;
 *   @Pool(size = 2, stride = 2) Layer s2;
 *   ...
 *   @Affine(units = 10) Layer out;
 * }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.SOURCE)
@Target(ElementType.TYPE)
public @interface Network {
  /**
   * The name that {@code from} attributes use for the network's input (inside a {@link Block},
   * for the block's input).
   */
  String INPUT = "input";

  /** Input shape of one sample: {@code {C, H, W}} for images, {@code {D}} for a flat vector. */
  int[] input();

  /**
   * The loss the network is trained with. It may instead be declared on the last layer; declaring
   * it in both places is an error. {@link Loss#NONE} (no loss anywhere) gives an inference-only
   * network, with a warning.
   */
  Loss loss() default Loss.NONE;

  /**
   * Number of classes, when stated: checked against the last layer's unit count. {@code 0} means
   * "not stated".
   */
  int classes() default 0;

  /** Receptive field the whole network (its last layer) must have; unset means no requirement. */
  ReceptiveField receptiveField() default @ReceptiveField;

  /**
   * Parameters, multiply-adds and workspace memory the network must stay within, checked at
   * compile time; the default states no bound.
   */
  Budget budget() default @Budget;

  /**
   * Which generated classes to emit: {@link Precision#FLOAT} gives {@code Lamina_<Name>},
   * {@link Precision#DOUBLE} gives {@code Lamina_<Name>_F64} (useful for gradient checks).
   */
  Precision[] precision() default {Precision.FLOAT};
}
