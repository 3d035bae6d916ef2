package dev.lamina.processor.model;

import dev.lamina.dsl.Activation;
import dev.lamina.runtime.ParameterTensor.Init;
import dev.lamina.runtime.ParameterTensor.Role;
import java.util.List;

/**
 * Batch normalization per channel (per feature for flat inputs); weight [C] (γ), bias [C] (β),
 * then the statistics running_mean [C] and running_var [C].
 */
public record BatchNormOp(double eps, double momentum) implements Op {
  @Override
  public String kindName() {
    return "BatchNorm";
  }

  @Override
  public Shape output(List<Shape> ins) {
    return ins.get(0);
  }

  /** Channels of an image, features of a flat input. */
  private static int channels(Shape in) {
    return in.isImage() ? in.channels() : (int) in.size();
  }

  @Override
  public List<TensorSpec> tensors(List<Shape> ins, Activation activation) {
    Shape in = ins.get(0);
    int c = channels(in);
    long perChannel = in.size() / c;
    return List.of(
        new TensorSpec("weight", Role.BIAS, new int[] {c}, perChannel, 1, Init.ONES),
        new TensorSpec("bias", Role.BIAS, new int[] {c}, perChannel, 1, Init.ZEROS),
        new TensorSpec("running_mean", Role.STATISTIC, new int[] {c}, perChannel, 1, Init.ZEROS),
        new TensorSpec("running_var", Role.STATISTIC, new int[] {c}, perChannel, 1, Init.ONES));
  }

  @Override
  public long connections(List<Shape> ins, Shape out) {
    return 2 * out.size();
  }

  @Override
  public long multiplyAdds(List<Shape> ins, Shape out) {
    return out.size();
  }

  @Override
  public String description(List<String> inputs) {
    return eps == 1e-5 && momentum == 0.1 ? "" : "eps " + eps + " momentum " + momentum;
  }
}
