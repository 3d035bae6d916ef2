package dev.lamina.processor.model;

import java.util.List;

/**
 * Local response normalization across the channels of a C×H×W input: {@code b[c] = a[c] / (k +
 * alpha/size · Σ a[c']²)^beta} over the channels {@code c - floor(size/2) .. c + floor((size-1)/2)}
 * that exist. No parameters; the shape and receptive field stay as they are.
 */
public record LrnOp(int size, double alpha, double beta, double k) implements Op {
  /** Channels before a channel that its sum reads: {@code floor(size / 2)}. */
  public int before() {
    return size / 2;
  }

  /** Channels after a channel that its sum reads: {@code floor((size - 1) / 2)}. */
  public int after() {
    return (size - 1) / 2;
  }

  @Override
  public String kindName() {
    return "LocalResponseNorm";
  }

  @Override
  public Shape output(List<Shape> ins) {
    return ins.get(0);
  }

  /** Each value reads the {@code size} values of its window across channels (at most C). */
  @Override
  public long connections(List<Shape> ins, Shape out) {
    return Geometry.mul(out.size(), Math.min(size, ins.get(0).channels()));
  }

  /** Per value, a square added to its window's sum and one multiplication by the scale. */
  @Override
  public long multiplyAdds(List<Shape> ins, Shape out) {
    return Geometry.mul(out.size(), Math.min(size, ins.get(0).channels()) + 1L);
  }

  @Override
  public String description(List<String> inputs) {
    return "size " + size + " alpha " + alpha + " beta " + beta + " k " + k;
  }
}
