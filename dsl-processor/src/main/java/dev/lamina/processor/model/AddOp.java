package dev.lamina.processor.model;

import java.util.List;

/** Element-wise sum of two or more inputs of one shape; no parameters. */
public record AddOp() implements Op {
  @Override
  public String kindName() {
    return "Add";
  }

  @Override
  public boolean merges() {
    return true;
  }

  @Override
  public Shape output(List<Shape> ins) {
    return ins.get(0);
  }

  /** One addition per unit for each input after the first. */
  @Override
  public long connections(List<Shape> ins, Shape out) {
    return Geometry.mul(out.size(), ins.size() - 1);
  }

  @Override
  public Field field(List<Field> ins, List<Shape> inShapes, Shape network) {
    return Field.merge(ins);
  }

  @Override
  public String description(List<String> inputs) {
    return String.join(" + ", inputs);
  }
}
