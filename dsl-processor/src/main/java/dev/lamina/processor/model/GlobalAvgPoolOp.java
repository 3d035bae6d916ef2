package dev.lamina.processor.model;

import java.util.List;

/** Mean of each channel: C×H×W to C. */
public record GlobalAvgPoolOp() implements Op {
  @Override
  public String kindName() {
    return "GlobalAvgPool";
  }

  @Override
  public Shape output(List<Shape> ins) {
    return Shape.flat(ins.get(0).channels());
  }

  @Override
  public long connections(List<Shape> ins, Shape out) {
    return ins.get(0).size();
  }

  @Override
  public Field field(List<Field> ins, List<Shape> inShapes, Shape network) {
    Shape in = inShapes.get(0);
    return ins.get(0).whole(in.height(), in.width());
  }

  @Override
  public String description(List<String> inputs) {
    return "";
  }
}
