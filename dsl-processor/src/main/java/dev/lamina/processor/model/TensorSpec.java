package dev.lamina.processor.model;

import dev.lamina.dsl.Activation;
import dev.lamina.runtime.ParameterTensor.Init;
import dev.lamina.runtime.ParameterTensor.Role;

/**
 * A parameter tensor an op asks for, before the model gives it an offset in the flat array.
 *
 * @param name {@code weight}, {@code bias}, {@code coeff}, {@code running_mean}, ...
 * @param role what the optimizer and the parameter counts do with it
 * @param shape its dimensions, outermost first
 * @param fanIn inputs per unit, for the initializer
 * @param fanOut outputs per input, for the initializer
 * @param init its initializer
 */
public record TensorSpec(String name, Role role, int[] shape, long fanIn, long fanOut,
    Init init) {
  public TensorSpec {
    shape = shape.clone();
  }

  @Override
  public int[] shape() {
    return shape.clone();
  }

  /** Number of values, saturating at {@code Long.MAX_VALUE}. */
  public long size() {
    long n = 1;
    for (int d : shape) {
      n = Geometry.mul(n, d);
    }
    return n;
  }

  /** Whether it counts as a parameter (statistics live in the array but are not trained). */
  public boolean trained() {
    return role != Role.STATISTIC;
  }

  /** A weight tensor, initialized for the layer's activation. */
  public static TensorSpec weight(String name, int[] shape, long fanIn, long fanOut,
      Activation activation) {
    return new TensorSpec(name, Role.WEIGHT, shape, fanIn, fanOut, weightInit(activation));
  }

  /** A bias of {@code n} values, zero at first. */
  public static TensorSpec bias(int n, long fanIn) {
    return new TensorSpec("bias", Role.BIAS, new int[] {n}, fanIn, 1, Init.ZEROS);
  }

  /** He for ReLU-like activations, Xavier otherwise. */
  public static Init weightInit(Activation activation) {
    return switch (activation) {
      case RELU, RELU6, LEAKY_RELU, GELU, GELU_TANH, ELU -> Init.HE_NORMAL;
      case IDENTITY, SIGMOID, TANH -> Init.XAVIER_UNIFORM;
    };
  }
}
