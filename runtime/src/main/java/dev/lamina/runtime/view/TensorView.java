package dev.lamina.runtime.view;

import dev.lamina.dsl.Tensor;

/**
 * What every live {@link Tensor} over a slice of a flat parameter array shares: name, shape, size,
 * bounds checks and copying. Subclasses supply element access for their element type.
 */
abstract class TensorView implements Tensor {
  private final String name;
  private final int[] shape;
  final int offset;
  private final int size;

  TensorView(String name, int[] shape, int offset, int dataLength) {
    this.name = name;
    this.shape = shape.clone();
    this.offset = offset;
    int n = 1;
    for (int d : shape) {
      n *= d;
    }
    this.size = n;
    if (offset < 0 || offset + n > dataLength) {
      throw new IllegalArgumentException(name + " does not fit in the parameter array");
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int[] shape() {
    return shape.clone();
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public double[] toArray() {
    double[] copy = new double[size];
    for (int i = 0; i < size; i++) {
      copy[i] = get(i);
    }
    return copy;
  }

  /** {@code index}, or an exception naming the tensor when it is outside {@code 0..size-1}. */
  final int checkIndex(int index) {
    if (index < 0 || index >= size) {
      throw new IndexOutOfBoundsException(name + ": index " + index + " outside 0.." + (size - 1));
    }
    return index;
  }

  @Override
  public String toString() {
    return name + TensorShapes.string(shape);
  }
}
