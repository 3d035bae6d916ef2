package dev.lamina.runtime;

/**
 * A way to fill one parameter tensor. Every random scheme draws double-precision values from a
 * {@link SeededRandom}; the {@code float} overload rounds the same values, so a {@code float} and a
 * {@code double} network initialized with the same seed start from the same point up to rounding.
 *
 * <p>Thread-safe (stateless).
 */
public enum Initializer {
  /** Kaiming/He normal: {@code N(0, 2 / fanIn)}, for ReLU-family activations. */
  HE_NORMAL,
  /** Kaiming/He uniform: {@code U(-a, a)} with {@code a = sqrt(6 / fanIn)}. */
  HE_UNIFORM,
  /** Xavier/Glorot normal: {@code N(0, 2 / (fanIn + fanOut))}. */
  XAVIER_NORMAL,
  /** Xavier/Glorot uniform: {@code U(-a, a)} with {@code a = sqrt(6 / (fanIn + fanOut))}. */
  XAVIER_UNIFORM,
  /**
   * {@code U(-a, a)} with {@code a = 1 / sqrt(fanIn)}: PyTorch's default for the weights and
   * biases of its recurrent layers, where {@code fanIn} is the hidden size.
   */
  UNIFORM_RECIPROCAL_SQRT,
  /** All zeros. */
  ZEROS,
  /** All ones. */
  ONES;

  /** The scheme named by a tensor's compile-time default. */
  public static Initializer of(ParameterTensor.Init init) {
    switch (init) {
      case HE_NORMAL:
        return HE_NORMAL;
      case XAVIER_UNIFORM:
        return XAVIER_UNIFORM;
      case UNIFORM_RECIPROCAL_SQRT:
        return UNIFORM_RECIPROCAL_SQRT;
      case ZEROS:
        return ZEROS;
      case ONES:
        return ONES;
      default:
        throw new IllegalArgumentException("no initializer for " + init);
    }
  }

  /**
   * The standard deviation (normal schemes) or the limit {@code a} (uniform schemes) for the given
   * fans; 0 for the constant schemes.
   */
  public double scale(int fanIn, int fanOut) {
    switch (this) {
      case HE_NORMAL:
        return StrictMath.sqrt(2.0 / requirePositive(fanIn, "fanIn"));
      case HE_UNIFORM:
        return StrictMath.sqrt(6.0 / requirePositive(fanIn, "fanIn"));
      case XAVIER_NORMAL:
        return StrictMath.sqrt(2.0 / requirePositive(fanIn + fanOut, "fanIn + fanOut"));
      case XAVIER_UNIFORM:
        return StrictMath.sqrt(6.0 / requirePositive(fanIn + fanOut, "fanIn + fanOut"));
      case UNIFORM_RECIPROCAL_SQRT:
        return 1 / StrictMath.sqrt(requirePositive(fanIn, "fanIn"));
      default:
        return 0;
    }
  }

  /** The next value of this scheme. */
  double sample(double scale, SeededRandom random) {
    switch (this) {
      case HE_NORMAL:
      case XAVIER_NORMAL:
        return scale * random.nextGaussian();
      case HE_UNIFORM:
      case XAVIER_UNIFORM:
      case UNIFORM_RECIPROCAL_SQRT:
        return scale * (2 * random.nextDouble() - 1);
      case ONES:
        return 1;
      default:
        return 0;
    }
  }

  /** Fills {@code params[offset, offset + size)}. */
  public void fill(float[] params, int offset, int size, int fanIn, int fanOut,
      SeededRandom random) {
    double scale = scale(fanIn, fanOut);
    for (int i = 0; i < size; i++) {
      params[offset + i] = (float) sample(scale, random);
    }
  }

  /** Fills {@code params[offset, offset + size)}. */
  public void fill(double[] params, int offset, int size, int fanIn, int fanOut,
      SeededRandom random) {
    double scale = scale(fanIn, fanOut);
    for (int i = 0; i < size; i++) {
      params[offset + i] = sample(scale, random);
    }
  }

  private int requirePositive(int fan, String what) {
    if (fan <= 0) {
      throw new IllegalArgumentException(name() + " needs a positive " + what + ", got " + fan);
    }
    return fan;
  }
}
