package dev.lamina.processor.model;

import java.util.Arrays;

/**
 * The shape of one sample: rank 3 {@code C×H×W} for feature maps, rank 1 {@code D} for flat
 * vectors. Immutable.
 */
public final class Shape {
  private final int[] dims;

  private Shape(int[] dims) {
    this.dims = dims;
  }

  public static Shape image(int channels, int height, int width) {
    return new Shape(new int[] {channels, height, width});
  }

  public static Shape flat(int size) {
    return new Shape(new int[] {size});
  }

  public static Shape of(int... dims) {
    return new Shape(dims.clone());
  }

  public int rank() {
    return dims.length;
  }

  public boolean isImage() {
    return dims.length == 3;
  }

  /** Channels of an image shape. */
  public int channels() {
    requireImage();
    return dims[0];
  }

  public int height() {
    requireImage();
    return dims[1];
  }

  public int width() {
    requireImage();
    return dims[2];
  }

  /** Number of elements, as a long so that overflow can be detected. */
  public long size() {
    long n = 1;
    for (int d : dims) {
      n *= d;
    }
    return n;
  }

  public int[] dims() {
    return dims.clone();
  }

  private void requireImage() {
    if (dims.length != 3) {
      throw new IllegalStateException("not an image shape: " + this);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Shape s && Arrays.equals(dims, s.dims);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(dims);
  }

  /** {@code 16x5x5}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < dims.length; i++) {
      if (i > 0) {
        sb.append('x');
      }
      sb.append(dims[i]);
    }
    return sb.toString();
  }
}
