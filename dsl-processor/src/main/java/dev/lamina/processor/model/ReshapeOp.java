package dev.lamina.processor.model;

import java.util.List;

/** The input's values, in order, as a {@code c×h×w} image; no parameters, no arithmetic. */
public record ReshapeOp(int c, int h, int w) implements Op {
  @Override
  public String kindName() {
    return "Reshape";
  }

  @Override
  public Shape output(List<Shape> ins) {
    return Shape.image(c, h, w);
  }

  @Override
  public String description(List<String> inputs) {
    return "";
  }
}
