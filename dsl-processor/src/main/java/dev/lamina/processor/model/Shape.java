package dev.lamina.processor.model;

import java.util.Arrays;

/**
 * The shape of one sample: rank 3 {@code C×H×W} for feature maps, rank 2 {@code T×D} for sequences
 * (T steps of D features), rank 1 {@code D} for flat vectors. Immutable.
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

  /** {@code steps} steps of {@code features} values each. */
  public static Shape sequence(int steps, int features) {
    return new Shape(new int[] {steps, features});
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

  public boolean isSequence() {
    return dims.length == 2;
  }

  /** Steps of a sequence shape. */
  public int steps() {
    requireSequence();
    return dims[0];
  }

  /** Values per step of a sequence shape. */
  public int features() {
    requireSequence();
    return dims[1];
  }

  /**
   * How messages name the shape: {@code an image 1x28x28}, {@code a sequence of 28 steps of 28
   * values}, {@code a vector of 84 values}.
   */
  public String phrase() {
    return switch (dims.length) {
      case 3 -> "an image " + this;
      case 2 -> "a sequence of " + dims[0] + (dims[0] == 1 ? " step" : " steps") + " of "
          + dims[1] + (dims[1] == 1 ? " value" : " values");
      default -> "a vector of " + size() + (size() == 1 ? " value" : " values");
    };
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

  private void requireSequence() {
    if (dims.length != 2) {
      throw new IllegalStateException("not a sequence shape: " + this);
    }
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
