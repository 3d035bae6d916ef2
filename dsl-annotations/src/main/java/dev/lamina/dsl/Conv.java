package dev.lamina.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A 2-D convolution (cross-correlation, zero padding) with {@link #filters()} output channels.
 *
 * <p>Sizes given as one value apply to both axes; two values are {@code {height, width}}. Output
 * size per axis: {@code floor((in + begin + end - dilation*(kernel-1) - 1) / stride) + 1}, where
 * {@code begin} and {@code end} are the padding before and after the input on that axis
 * ({@code 2*padding} when symmetric).
 */
@Documented
@Retention(RetentionPolicy.SOURCE)
@Target(ElementType.FIELD)
public @interface Conv {
  /** Number of filters (output channels). */
  int filters();

  /** Kernel size: {@code {k}} or {@code {kh, kw}}. */
  int[] kernel();

  /** Stride: {@code {s}} or {@code {sh, sw}}. */
  int[] stride() default {1};

  /**
   * Zero padding: {@code {p}} on every side, {@code {ph, pw}} on both sides of each axis, or
   * {@code {top, left, bottom, right}} (ONNX's {@code pads} order) for asymmetric padding. Each
   * side must be smaller than the effective kernel {@code dilation*(kernel-1)+1}, so that every
   * output reads at least one input value. Leave it unset with {@link #autoPad()}.
   */
  int[] padding() default {0};

  /**
   * Padding computed from the input size instead of {@link #padding()}: {@link AutoPad#SAME_UPPER}
   * (TensorFlow's {@code "SAME"}) or {@link AutoPad#SAME_LOWER} give an output of {@code
   * ceil(in / stride)}, {@link AutoPad#VALID} no padding.
   */
  AutoPad autoPad() default AutoPad.EXPLICIT;

  /** Dilation: {@code {d}} or {@code {dh, dw}}. */
  int[] dilation() default {1};

  /**
   * Grouped convolution, as PyTorch's {@code groups}: the input channels and the filters are cut
   * into {@code groups} equal groups, and each filter reads only the channels of its own group
   * (weight {@code [filters][channels/groups][kh][kw]}). Both counts must be divisible by it;
   * {@code groups} equal to the input channels is a depthwise convolution. Default 1: every filter
   * reads every channel.
   */
  int groups() default 1;

  /** Whether the layer has a bias per filter. */
  boolean bias() default true;

  /** Activation applied to the output. */
  Activation activation() default Activation.IDENTITY;

  /** Slope for negative inputs when {@link #activation()} is {@link Activation#LEAKY_RELU}. */
  double negativeSlope() default 0.01;

  /** {@code α} of {@link Activation#ELU}: {@code α·(e^x - 1)} for x &lt; 0. */
  double alpha() default 1.0;

  /** Loss on this layer's output (only on the last layer); see {@link Network#loss()}. */
  Loss loss() default Loss.NONE;

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
