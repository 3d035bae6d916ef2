package dev.lamina.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Spatial pooling over each channel: {@link PoolKind#MAX} (default), {@link PoolKind#AVG}, or
 * LeNet-5's trainable {@link PoolKind#SUBSAMPLE}.
 *
 * <p>Output size per axis: {@code floor((in + begin + end - dilation*(size-1) - 1) / stride) + 1},
 * where {@code begin} and {@code end} are the padding before and after the input on that axis;
 * with {@link #ceilMode()} the division rounds up, and (as in PyTorch and ONNX) a last window that
 * would start in the end padding is dropped.
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
   * Padding: {@code {p}} on every side, {@code {ph, pw}} on both sides of each axis, or {@code
   * {top, left, bottom, right}} (ONNX's {@code pads} order). Each side may be up to the effective
   * window minus one ({@code dilation*(size-1)}), as in ONNX, but no window may read padding
   * only. Padding never wins a max; for {@link PoolKind#AVG} see {@link #countPadding()}. Leave it
   * unset with {@link #autoPad()}.
   */
  int[] padding() default {0};

  /**
   * Padding computed from the input size instead of {@link #padding()}: {@link AutoPad#SAME_UPPER}
   * or {@link AutoPad#SAME_LOWER} give an output of {@code ceil(in / stride)}, {@link
   * AutoPad#VALID} no padding. Not combined with {@link #ceilMode()}.
   */
  AutoPad autoPad() default AutoPad.EXPLICIT;

  /** Dilation: {@code {d}} or {@code {dh, dw}}; window positions {@code d} apart. */
  int[] dilation() default {1};

  /**
   * Rounds the output size up instead of down ({@code ceil_mode} of PyTorch and ONNX): the last
   * window may overhang the end of the padded input; positions beyond it are not read.
   */
  boolean ceilMode() default false;

  /**
   * For {@link PoolKind#AVG} with padding: {@code true} divides every window by the number of its
   * positions inside the padded input (kh*kw, except for a ceil-mode window that overhangs the end
   * padding; PyTorch's default and ONNX's {@code count_include_pad = 1}), {@code false} by the
   * number of its positions inside the input.
   */
  boolean countPadding() default true;

  /** Activation applied to the output (LeNet-5's subsampling layers use SIGMOID or TANH). */
  Activation activation() default Activation.IDENTITY;

  /** Slope for negative inputs when {@link #activation()} is {@link Activation#LEAKY_RELU}. */
  double negativeSlope() default 0.01;

  /** {@code α} of {@link Activation#ELU}: {@code α·(e^x - 1)} for x &lt; 0. */
  double alpha() default 1.0;

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
