package dev.lamina.dsl;

/**
 * Padding chosen by the compiler instead of written out ({@link Conv#autoPad()}, {@link
 * Pool#autoPad()}), with ONNX's {@code auto_pad} meanings (TensorFlow's {@code "SAME"} is {@link
 * #SAME_UPPER}).
 */
public enum AutoPad {
  /** The {@code padding} attribute applies (the default). */
  EXPLICIT,
  /** No padding: only windows that lie entirely inside the input ({@code padding = 0}). */
  VALID,
  /**
   * Output size {@code ceil(in / stride)} per axis; the total padding {@code max(0, (out - 1)·stride
   * + dilation·(k - 1) + 1 - in)} is split evenly, an odd one pixel going to the end (bottom,
   * right), as TensorFlow's {@code "SAME"} and ONNX's {@code SAME_UPPER}.
   */
  SAME_UPPER,
  /** As {@link #SAME_UPPER}, but an odd pixel of padding goes to the beginning (top, left). */
  SAME_LOWER
}
