package dev.lamina.dsl;

/** Element-wise activation applied to a layer's output. */
public enum Activation {
  /** {@code y = x}. */
  IDENTITY,
  /** {@code y = max(0, x)}; the derivative at 0 is taken as 0. */
  RELU,
  /** {@code y = x} for x &gt; 0, else {@code slope·x}; the derivative at 0 is the slope. */
  LEAKY_RELU,
  /** {@code y = 1 / (1 + e^-x)}. */
  SIGMOID,
  /** {@code y = tanh(x)}. */
  TANH,
  /** Exact GELU, {@code x·Φ(x) = 0.5·x·(1 + erf(x/√2))}. */
  GELU,
  /** GELU's tanh approximation, {@code 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))}. */
  GELU_TANH,
  /**
   * {@code y = x} for x &gt; 0, else {@code α·(e^x - 1)} with the layer's {@code alpha} (1.0 by
   * default, as in PyTorch and ONNX); the derivative at 0 is taken from the negative side,
   * {@code α}.
   */
  ELU,
  /**
   * {@code y = min(max(0, x), 6)}, MobileNet's ReLU6 (PyTorch's {@code ReLU6}); the derivative is
   * 1 strictly between 0 and 6 and 0 elsewhere, at 0 and 6 included.
   */
  RELU6
}
