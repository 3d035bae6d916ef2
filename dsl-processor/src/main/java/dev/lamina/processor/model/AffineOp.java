package dev.lamina.processor.model;

import dev.lamina.dsl.Activation;
import java.util.ArrayList;
import java.util.List;

/**
 * Fully connected; weight [in][units] (Y = X·W), then bias [units]. Flattens image inputs; on a
 * sequence {@code T×D} it applies at every step (in = D), giving {@code T×units}.
 */
public record AffineOp(int units, boolean bias) implements Op {
  @Override
  public String kindName() {
    return "Affine";
  }

  @Override
  public Shape output(List<Shape> ins) {
    Shape in = ins.get(0);
    return in.isSequence() ? Shape.sequence(in.steps(), units) : Shape.flat(units);
  }

  /** Inputs per unit: the whole input, or one step's values of a sequence. */
  public static long fanIn(Shape in) {
    return in.isSequence() ? in.features() : in.size();
  }

  /** The rows the layer transforms per sample: the steps of a sequence, else 1. */
  public static int rows(Shape in) {
    return in.isSequence() ? in.steps() : 1;
  }

  @Override
  public List<TensorSpec> tensors(List<Shape> ins, Activation activation) {
    long fanIn = fanIn(ins.get(0));
    List<TensorSpec> t = new ArrayList<>();
    t.add(TensorSpec.weight("weight", new int[] {(int) Math.min(fanIn, Integer.MAX_VALUE), units},
        fanIn, units, activation));
    if (bias) {
      t.add(TensorSpec.bias(units, fanIn));
    }
    return t;
  }

  @Override
  public long connections(List<Shape> ins, Shape out) {
    Shape in = ins.get(0);
    return Geometry.mul(Geometry.mul(fanIn(in) + (bias ? 1 : 0), units), rows(in));
  }

  @Override
  public long multiplyAdds(List<Shape> ins, Shape out) {
    Shape in = ins.get(0);
    return Geometry.mul(Geometry.mul(fanIn(in), units), rows(in));
  }

  /**
   * On a C×H×W input, a window covering the whole map. In a flat network every unit mixes all
   * features, and with them the whole input vector (treated as 1×D), whatever element-wise layers
   * came before. A flat input derived from an image already covers everything its producer saw.
   */
  @Override
  public Field field(List<Field> ins, List<Shape> inShapes, Shape network) {
    Shape in = inShapes.get(0);
    if (in.isImage()) {
      return ins.get(0).whole(in.height(), in.width());
    }
    if (in.isSequence()) {
      // per step: what the step's values saw, across all of their features
      long[] rf = ins.get(0).rf();
      return new Field(new long[] {rf[0], Math.max(rf[1], in.features())}, ins.get(0).jump(),
          ins.get(0).start());
    }
    if (!network.isImage()) {
      long d = network.size();
      return new Field(new long[] {1, d}, new long[] {1, 1}, new double[] {0, (d - 1) / 2.0});
    }
    return ins.get(0);
  }

  @Override
  public String description(List<String> inputs) {
    return units + (bias ? "" : " nobias");
  }
}
