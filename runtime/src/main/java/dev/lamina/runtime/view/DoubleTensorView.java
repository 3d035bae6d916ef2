package dev.lamina.runtime.view;

import dev.lamina.dsl.Tensor;

/** A live {@link Tensor} over a slice of a flat {@code double[]} parameter array. */
public final class DoubleTensorView implements Tensor {
  private final String name;
  private final int[] shape;
  private final double[] data;
  private final int offset;
  private final int size;

  /**
   * @param name qualified name, {@code layer.tensor}
   * @param shape row-major shape
   * @param data the network's flat parameter array
   * @param offset index of the first element in {@code data}
   */
  public DoubleTensorView(String name, int[] shape, double[] data, int offset) {
    this.name = name;
    this.shape = shape.clone();
    this.data = data;
    this.offset = offset;
    int n = 1;
    for (int d : shape) {
      n *= d;
    }
    this.size = n;
    if (offset < 0 || offset + n > data.length) {
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
  public double get(int index) {
    return data[offset + checkIndex(index)];
  }

  @Override
  public void set(int index, double value) {
    data[offset + checkIndex(index)] = value;
  }

  @Override
  public double[] toArray() {
    double[] copy = new double[size];
    for (int i = 0; i < size; i++) {
      copy[i] = data[offset + i];
    }
    return copy;
  }

  private int checkIndex(int index) {
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
