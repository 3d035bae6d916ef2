package dev.lamina.dsl;

/**
 * A live view of one parameter tensor inside a network's flat parameter array. Reads and writes go
 * straight to the network's parameters.
 */
public interface Tensor {
  /** Qualified name, for example {@code "c1.weight"}. */
  String name();

  /** The shape, for example {@code {6, 1, 5, 5}} for a convolution's weights ([out][in][kh][kw]). */
  int[] shape();

  /** Number of elements. */
  int size();

  /** Element at a flat (row-major) index. */
  double get(int index);

  /** Sets the element at a flat (row-major) index. */
  void set(int index, double value);

  /** A copy of all elements, row-major. */
  double[] toArray();
}
