package dev.lamina.runtime.view;

import dev.lamina.dsl.Layer;
import dev.lamina.dsl.Tensor;
import java.util.ArrayList;
import java.util.List;

/** A generated network's {@link Layer}: its name, kind, output shape and live parameter views. */
public final class LayerView implements Layer {
  private final String name;
  private final String kind;
  private final int[] outputShape;
  private final Tensor weights;
  private final Tensor bias;
  private final List<Tensor> parameters;

  /**
   * @param weights the weight (or SUBSAMPLE coefficient) tensor, or null
   * @param bias the bias tensor, or null
   */
  public LayerView(String name, String kind, int[] outputShape, Tensor weights, Tensor bias) {
    this(name, kind, outputShape, weights, bias, both(weights, bias));
  }

  /**
   * A layer whose trained tensors are more than a weight and a bias (a recurrent layer's {@code
   * weight_ih_l0}, {@code weight_hh_l0}, ...).
   *
   * @param weights the first weight tensor, or null
   * @param bias the bias tensor, or null
   * @param parameters every trained tensor, in storage order
   */
  public LayerView(String name, String kind, int[] outputShape, Tensor weights, Tensor bias,
      List<Tensor> parameters) {
    this.name = name;
    this.kind = kind;
    this.outputShape = outputShape.clone();
    this.weights = weights;
    this.bias = bias;
    this.parameters = List.copyOf(parameters);
  }

  private static List<Tensor> both(Tensor weights, Tensor bias) {
    List<Tensor> all = new ArrayList<>(2);
    if (weights != null) {
      all.add(weights);
    }
    if (bias != null) {
      all.add(bias);
    }
    return all;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String kind() {
    return kind;
  }

  @Override
  public int[] outputShape() {
    return outputShape.clone();
  }

  @Override
  public List<Tensor> parameters() {
    return parameters;
  }

  @Override
  public Tensor weights() {
    return weights;
  }

  @Override
  public Tensor bias() {
    return bias;
  }

  @Override
  public String toString() {
    return name + " " + kind + " " + TensorShapes.string(outputShape);
  }
}
