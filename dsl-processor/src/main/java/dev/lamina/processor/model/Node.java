package dev.lamina.processor.model;

import dev.lamina.dsl.Activation;
import dev.lamina.runtime.LayerSummary;
import dev.lamina.runtime.ParameterTensor;
import java.util.List;

/**
 * One checked layer: what it computes, where its inputs come from, its shapes, its parameter
 * tensors (with offsets into the flat parameter array) and its compile-time figures.
 *
 * @param name the member's name
 * @param op what the layer computes
 * @param inputs indices of the nodes feeding it, in order; {@link #NETWORK_INPUT} is the input
 * @param inputShape shape of one sample entering the layer (before any implicit flatten); for
 *     layers reading several inputs, the first one's
 * @param outputShape shape of one sample leaving the layer
 * @param activation activation applied to the output
 * @param activationParameter the activation's parameter: LEAKY_RELU's negative slope, ELU's
 *     alpha
 * @param parameters this layer's parameter tensors, in storage order
 * @param summary the layer's row of the summary (counts, receptive field, jump, start)
 * @param inputShapes the shape of each input, in the order of {@link #inputs} ({@code
 *     inputShape} is the first)
 */
public record Node(
    String name,
    Op op,
    List<Integer> inputs,
    Shape inputShape,
    Shape outputShape,
    Activation activation,
    double activationParameter,
    List<ParameterTensor> parameters,
    LayerSummary summary,
    List<Shape> inputShapes) {

  /** The index used in {@link #inputs} for the network's input. */
  public static final int NETWORK_INPUT = -1;

  public Node {
    inputs = List.copyOf(inputs);
    parameters = List.copyOf(parameters);
    inputShapes = List.copyOf(inputShapes);
  }

  /** The parameter tensor with this name ({@code weight}, {@code bias}, {@code coeff}), or null. */
  public ParameterTensor parameter(String tensorName) {
    for (ParameterTensor t : parameters) {
      if (t.name().equals(tensorName)) {
        return t;
      }
    }
    return null;
  }
}
