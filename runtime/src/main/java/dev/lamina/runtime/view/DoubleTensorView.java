package dev.lamina.runtime.view;

import dev.lamina.dsl.Tensor;

/** A live {@link Tensor} over a slice of a flat {@code double[]} parameter array. */
public final class DoubleTensorView extends TensorView {
  private final double[] data;

  /**
   * @param name qualified name, {@code layer.tensor}
   * @param shape row-major shape
   * @param data the network's flat parameter array
   * @param offset index of the first element in {@code data}
   */
  public DoubleTensorView(String name, int[] shape, double[] data, int offset) {
    super(name, shape, offset, data.length);
    this.data = data;
  }

  @Override
  public double get(int index) {
    return data[offset + checkIndex(index)];
  }

  @Override
  public void set(int index, double value) {
    data[offset + checkIndex(index)] = value;
  }
}
