package dev.lamina.runtime.view;

/** Shape formatting shared by the views. */
final class TensorShapes {
  private TensorShapes() {}

  /** {@code [6x1x5x5]}. */
  static String string(int[] shape) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < shape.length; i++) {
      if (i > 0) {
        sb.append('x');
      }
      sb.append(shape[i]);
    }
    return sb.append(']').toString();
  }
}
