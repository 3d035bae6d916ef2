package dev.lamina.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Spatial pooling over each channel: {@link PoolKind#MAX} (default), {@link PoolKind#AVG}, or
 * LeNet-5's trainable {@link PoolKind#SUBSAMPLE}.
 */
@Documented
@Retention(RetentionPolicy.SOURCE)
@Target(ElementType.FIELD)
public @interface Pool {
  PoolKind kind() default PoolKind.MAX;

  /** Window size: {@code {k}} or {@code {kh, kw}}. */
  int[] size();

  /** Stride: {@code {s}} or {@code {sh, sw}}; empty (the default) means equal to the size. */
  int[] stride() default {};

  /**
   * Padding on both sides: {@code {p}} or {@code {ph, pw}}. Padding never wins a max; for
   * {@link PoolKind#AVG} see {@link #countPadding()}.
   */
  int[] padding() default {0};

  /**
   * For {@link PoolKind#AVG} with padding: {@code true} divides every window by kh*kw (PyTorch's
   * default), {@code false} by the number of window positions inside the input.
   */
  boolean countPadding() default true;

  /** Activation applied to the output (LeNet-5's subsampling layers use SIGMOID or TANH). */
  Activation activation() default Activation.IDENTITY;

  /** Slope for negative inputs when {@link #activation()} is {@link Activation#LEAKY_RELU}. */
  double negativeSlope() default 0.01;

  /** Receptive field this layer's units must have; unset means no requirement. */
  ReceptiveField receptiveField() default @ReceptiveField;

  /**
   * The layers this layer reads, by member name; {@link Network#INPUT} ({@code "input"}) is the
   * network's input (inside a {@link Block}, the block's input). Empty (the default) means the
   * member declared just before this one (the input for the first member). References must point
   * backwards: a layer may only read members declared above it, so the source order is an
   * execution order and no cycle can be written.
   */
  String[] from() default {};
}
