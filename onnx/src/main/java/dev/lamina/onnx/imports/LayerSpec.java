package dev.lamina.onnx.imports;

import dev.lamina.dsl.Activation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One layer of the imported network, as the source will declare it: the annotation, its attribute
 * values as Java literals (only those that differ from the defaults), the layers it reads, its
 * activation, and its parameter tensors already in Lamina's layout ({@code weight} of a
 * convolution {@code [K][C][kh][kw]}, of an affine layer {@code [in][out]}).
 *
 * <p>Mutable while the translator builds it (an activation node after it sets {@link
 * #activation}); not thread-safe.
 */
final class LayerSpec {
  /** The annotation's simple name: Conv, Pool, Affine, BatchNorm, Dropout, GlobalAvgPool, ... */
  final String kind;
  final String name;
  /** Names of the layers read, {@code "input"} for the network input. */
  final List<String> from;
  /** Attribute name to Java literal, in the order written. */
  final Map<String, String> attributes = new LinkedHashMap<>();
  /** Parameter tensor name ({@code weight}, {@code bias}, ...) to values in Lamina's layout. */
  final Map<String, float[]> tensors = new LinkedHashMap<>();
  /** Printable descriptions of the ONNX nodes this layer stands for. */
  final List<String> origin = new ArrayList<>();
  /** Shape of one output sample (a recurrent layer's changes when it returns its last step). */
  int[] shape;
  Activation activation = Activation.IDENTITY;
  /** LeakyRelu's slope or Elu's alpha, as ONNX's float32 value. */
  float activationParameter;

  LayerSpec(String kind, String name, List<String> from, int[] shape) {
    this.kind = kind;
    this.name = name;
    this.from = List.copyOf(from);
    this.shape = shape.clone();
  }

  LayerSpec attribute(String attribute, String literal) {
    attributes.put(attribute, literal);
    return this;
  }

  int size() {
    int n = 1;
    for (int d : shape) {
      n *= d;
    }
    return n;
  }
}
