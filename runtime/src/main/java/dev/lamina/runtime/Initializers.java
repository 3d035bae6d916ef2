package dev.lamina.runtime;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Initializes a flat parameter array tensor by tensor.
 *
 * <p>Reproducibility: tensor {@code t} draws from {@code SeededRandom.stream(seed, h)} where {@code
 * h} is a fixed 64-bit hash (FNV-1a) of its qualified name {@code layer.name}. The same seed
 * therefore gives bit-identical parameters on every JDK, and adding, removing or reordering other
 * layers never changes a tensor's initial values.
 *
 * <p>Thread-safe (stateless); the arrays written must not be used concurrently.
 */
public final class Initializers {
  private Initializers() {}

  /** Initializes {@code net}'s parameters with each tensor's default initializer. */
  public static void initialize(FloatNetwork net, long seed) {
    initialize(net.parameters(), net.summary().parameterTensors(), seed, InitPlan.defaults());
  }

  /** Initializes {@code net}'s parameters with each tensor's default initializer. */
  public static void initialize(DoubleNetwork net, long seed) {
    initialize(net.parameters(), net.summary().parameterTensors(), seed, InitPlan.defaults());
  }

  /** Initializes every tensor with its compile-time default {@link ParameterTensor#init()}. */
  public static void initialize(float[] params, List<ParameterTensor> tensors, long seed) {
    initialize(params, tensors, seed, InitPlan.defaults());
  }

  /** Initializes every tensor with its compile-time default {@link ParameterTensor#init()}. */
  public static void initialize(double[] params, List<ParameterTensor> tensors, long seed) {
    initialize(params, tensors, seed, InitPlan.defaults());
  }

  /** Initializes every tensor as {@code plan} says. */
  public static void initialize(
      float[] params, List<ParameterTensor> tensors, long seed, InitPlan plan) {
    validate(params.length, tensors, plan);
    for (ParameterTensor t : tensors) {
      plan.initializerFor(t).fill(params, t.offset(), t.size(), t.fanIn(), t.fanOut(),
          SeededRandom.stream(seed, streamId(t.qualifiedName())));
    }
  }

  /** Initializes every tensor as {@code plan} says. */
  public static void initialize(
      double[] params, List<ParameterTensor> tensors, long seed, InitPlan plan) {
    validate(params.length, tensors, plan);
    for (ParameterTensor t : tensors) {
      plan.initializerFor(t).fill(params, t.offset(), t.size(), t.fanIn(), t.fanOut(),
          SeededRandom.stream(seed, streamId(t.qualifiedName())));
    }
  }

  /** The stream index of a tensor: 64-bit FNV-1a of the UTF-8 bytes of its qualified name. */
  static long streamId(String qualifiedName) {
    long h = 0xCBF29CE484222325L;
    for (byte b : qualifiedName.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xFF;
      h *= 0x100000001B3L;
    }
    return h;
  }

  private static void validate(int length, List<ParameterTensor> tensors, InitPlan plan) {
    Set<String> names = new HashSet<>();
    for (ParameterTensor t : tensors) {
      if (t.offset() < 0 || (long) t.offset() + t.size() > length) {
        throw new IllegalArgumentException("tensor " + t + " of " + t.size()
            + " elements does not fit in a parameter array of " + length);
      }
      if (!names.add(t.qualifiedName())) {
        throw new IllegalArgumentException("two tensors are named " + t.qualifiedName());
      }
    }
    for (String name : plan.overrides().keySet()) {
      if (!names.contains(name)) {
        throw new IllegalArgumentException("initializer override for unknown tensor '" + name
            + "'; the tensors are " + new TreeSet<>(names));
      }
    }
  }
}
