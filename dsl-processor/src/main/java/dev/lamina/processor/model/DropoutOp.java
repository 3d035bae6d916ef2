package dev.lamina.processor.model;

import java.util.List;

/** Inverted dropout with drop probability {@code p}; masks seeded with {@code seed}. */
public record DropoutOp(double p, long seed) implements Op {
  @Override
  public String kindName() {
    return "Dropout";
  }

  @Override
  public Shape output(List<Shape> ins) {
    return ins.get(0);
  }

  @Override
  public String description(List<String> inputs) {
    return "p " + p + (seed == 0 ? "" : " seed " + seed);
  }
}
