package dev.lamina.runtime;

import java.util.Arrays;

/**
 * One parameter tensor of a generated network: where it sits in the flat parameter array, its
 * shape, and how it is initialized by default. Immutable and thread-safe.
 *
 * @param layer the owning layer's name
 * @param name the tensor's name within the layer ({@code weight}, {@code bias}, {@code coeff})
 * @param role whether it is a weight (decayed, randomly initialized) or a bias-like tensor
 * @param offset first index in the flat parameter array
 * @param shape the tensor's shape, row-major
 * @param fanIn inputs feeding each output unit (for initialization)
 * @param fanOut outputs each input unit feeds (for initialization)
 * @param init the default initializer chosen at compile time from the layer's activation
 */
public record ParameterTensor(
    String layer, String name, Role role, int offset, int[] shape, int fanIn, int fanOut, Init init) {

  /** What a tensor is for: optimizers apply weight decay to weights only. */
  public enum Role {
    WEIGHT,
    BIAS,
    /**
     * Not trained: statistics a layer keeps in the parameter array so that checkpoints carry them
     * (batch normalization's running mean and variance). The network updates them itself in
     * training passes; their gradient is always 0, so optimizers leave them unchanged, they are
     * never decayed, and parameter counts in summaries leave them out.
     */
    STATISTIC
  }

  /** Default initializers. */
  public enum Init {
    /** Kaiming/He normal, std = sqrt(2 / fanIn): for ReLU-family activations. */
    HE_NORMAL,
    /** Xavier/Glorot uniform, limit = sqrt(6 / (fanIn + fanOut)): for sigmoid, tanh, identity. */
    XAVIER_UNIFORM,
    /**
     * Uniform in [-1/sqrt(fanIn), 1/sqrt(fanIn)]: recurrent layers' weights and biases, with the
     * hidden size as fanIn (PyTorch's default).
     */
    UNIFORM_RECIPROCAL_SQRT,
    /** All zeros (biases). */
    ZEROS,
    /** All ones. */
    ONES
  }

  public ParameterTensor {
    shape = shape.clone();
  }

  /** Number of elements. */
  public int size() {
    int n = 1;
    for (int d : shape) {
      n *= d;
    }
    return n;
  }

  /** {@code layer.name}. */
  public String qualifiedName() {
    return layer + "." + name;
  }

  @Override
  public int[] shape() {
    return shape.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ParameterTensor t
        && layer.equals(t.layer)
        && name.equals(t.name)
        && role == t.role
        && offset == t.offset
        && Arrays.equals(shape, t.shape)
        && fanIn == t.fanIn
        && fanOut == t.fanOut
        && init == t.init;
  }

  @Override
  public int hashCode() {
    return ((layer.hashCode() * 31 + name.hashCode()) * 31 + offset) * 31 + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return qualifiedName() + Arrays.toString(shape) + "@" + offset;
  }
}
