package dev.lamina.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Transposed convolution, the up-sampling layer of DCGAN generators, with PyTorch's {@code
 * ConvTranspose2d} semantics: the gradient of a convolution with respect to its input. Every input
 * value {@code x[c][i][j]} adds {@code x · w[c][k][u][v]} to output {@code (k, i·sh - ph + u·dh,
 * j·sw - pw + v·dw)}; positions outside the output are dropped. Weight {@code
 * [inChannels][filters][kh][kw]} (in before out, the reverse of {@link Conv}), then bias
 * {@code [filters]}.
 *
 * <p>Output size per axis: {@code (in - 1)·stride - 2·padding + dilation·(kernel - 1) +
 * outputPadding + 1}. A kernel of 4 with stride 2 and padding 1 doubles each side.
 *
 * <p>Its receptive field is not a window onto its input: each output reads at most {@code
 * ceil(effective kernel / stride)} input positions per axis, at a spacing finer than its input's
 * (a jump of 1/stride input positions). The summary shows the field grown by those positions and
 * keeps the input's jump and start, which the integer jump column can show.
 */
@Documented
@Retention(RetentionPolicy.SOURCE)
@Target(ElementType.FIELD)
public @interface ConvTranspose {
  /** Number of output channels. */
  int filters();

  /** Kernel size: {@code {k}} or {@code {kh, kw}}. */
  int[] kernel();

  /** Stride: {@code {s}} or {@code {sh, sw}}; the up-sampling factor. */
  int[] stride() default {1};

  /**
   * Padding removed from each side of the full output: {@code {p}} or {@code {ph, pw}}; at most
   * {@code dilation·(kernel - 1)}.
   */
  int[] padding() default {0};

  /**
   * Rows and columns added at the end of the output, {@code {op}} or {@code {oph, opw}}: each
   * smaller than the stride or the dilation (as PyTorch requires), to pick between the output
   * sizes a stride allows.
   */
  int[] outputPadding() default {0};

  /** Dilation: {@code {d}} or {@code {dh, dw}}. */
  int[] dilation() default {1};

  /** Whether the layer has a bias per filter. */
  boolean bias() default true;

  /** Activation applied to the output (a DCGAN generator ends in TANH). */
  Activation activation() default Activation.IDENTITY;

  /** Slope for negative inputs when {@link #activation()} is {@link Activation#LEAKY_RELU}. */
  double negativeSlope() default 0.01;

  /** {@code α} of {@link Activation#ELU}: {@code α·(e^x - 1)} for x &lt; 0. */
  double alpha() default 1.0;

  /** Loss on this layer's output (only on the last layer); see {@link Network#loss()}. */
  Loss loss() default Loss.NONE;

  /** Receptive field this layer's units must have; unset means no requirement. */
  ReceptiveField receptiveField() default @ReceptiveField;

  /** The layer read; see {@link Conv#from()}. */
  String[] from() default {};
}
