package dev.lamina.processor.model;

/**
 * The geometry that convolution and pooling share: a kernel or window of {@code kh×kw} taps,
 * strides, padding before ({@code ph}, {@code pw}: top, left) and after ({@code pb}, {@code pr}:
 * bottom, right) the input, and dilation.
 */
public interface SlidingWindow {
  int kh();

  int kw();

  int sh();

  int sw();

  int ph();

  int pw();

  int pb();

  int pr();

  int dh();

  int dw();

  /** Effective kernel height with dilation: {@code dh·(kh-1)+1}. */
  default int effectiveKh() {
    return dh() * (kh() - 1) + 1;
  }

  default int effectiveKw() {
    return dw() * (kw() - 1) + 1;
  }

  /** Whether each axis has the same padding on both sides. */
  default boolean symmetric() {
    return ph() == pb() && pw() == pr();
  }

  /** The receptive field, jump and start after this window. */
  default Field after(Field in) {
    return in.window(new long[] {effectiveKh(), effectiveKw()}, new int[] {sh(), sw()},
        new int[] {ph(), pw()});
  }

  /** Output rows and columns for an input of {@code h×w}, rounding up with {@code ceil}. */
  default int[] outputSize(int h, int w, boolean ceil) {
    return new int[] {(int) Geometry.outputSize(h, kh(), sh(), ph(), pb(), dh(), ceil),
        (int) Geometry.outputSize(w, kw(), sw(), pw(), pr(), dw(), ceil)};
  }
}
