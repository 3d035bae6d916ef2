package dev.lamina.processor.model;

import java.util.List;

/** Concatenation of two or more inputs along the channels (or features); no parameters. */
public record ConcatOp() implements Op {
  @Override
  public String kindName() {
    return "Concat";
  }

  @Override
  public boolean merges() {
    return true;
  }

  /** The inputs' channels (or features) added up, at the first input's height and width. */
  @Override
  public Shape output(List<Shape> ins) {
    long channels = 0;
    for (Shape x : ins) {
      channels += x.isImage() ? x.channels() : x.size();
    }
    int c = (int) Math.min(channels, Integer.MAX_VALUE);
    Shape a = ins.get(0);
    return a.isImage() ? Shape.image(c, a.height(), a.width()) : Shape.flat(c);
  }

  @Override
  public Field field(List<Field> ins, List<Shape> inShapes, Shape network) {
    return Field.merge(ins);
  }

  @Override
  public String description(List<String> inputs) {
    return String.join(" | ", inputs);
  }
}
