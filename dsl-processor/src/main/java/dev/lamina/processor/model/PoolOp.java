package dev.lamina.processor.model;

import dev.lamina.dsl.Activation;
import dev.lamina.dsl.PoolKind;
import dev.lamina.runtime.ParameterTensor.Init;
import dev.lamina.runtime.ParameterTensor.Role;
import java.util.List;
import java.util.Locale;

/**
 * Pooling; SUBSAMPLE has coeff [channels], then bias [channels]. Padding as in {@link ConvOp};
 * {@code ceil} rounds the output size up (the output shape says how many windows there are).
 */
public record PoolOp(PoolKind kind, int kh, int kw, int sh, int sw, int ph, int pw, int pb,
    int pr, int dh, int dw, boolean ceil, boolean countPadding) implements Op, SlidingWindow {
  /** Symmetric padding, no dilation, floor mode. */
  public PoolOp(PoolKind kind, int kh, int kw, int sh, int sw, int ph, int pw,
      boolean countPadding) {
    this(kind, kh, kw, sh, sw, ph, pw, ph, pw, 1, 1, false, countPadding);
  }

  public boolean padded() {
    return ph > 0 || pw > 0 || pb > 0 || pr > 0;
  }

  @Override
  public String kindName() {
    return "Pool";
  }

  @Override
  public Shape output(List<Shape> ins) {
    Shape in = ins.get(0);
    int[] size = outputSize(in.height(), in.width(), ceil);
    return Shape.image(in.channels(), size[0], size[1]);
  }

  @Override
  public List<TensorSpec> tensors(List<Shape> ins, Activation activation) {
    if (kind != PoolKind.SUBSAMPLE) {
      return List.of();
    }
    int c = ins.get(0).channels();
    long window = (long) kh * kw;
    return List.of(TensorSpec.weight("coeff", new int[] {c}, window, 1, activation),
        new TensorSpec("bias", Role.BIAS, new int[] {c}, window, 1, Init.ZEROS));
  }

  @Override
  public long connections(List<Shape> ins, Shape out) {
    long window = (long) kh * kw;
    return Geometry.mul(out.size(), kind == PoolKind.SUBSAMPLE ? window + 1 : window);
  }

  @Override
  public long multiplyAdds(List<Shape> ins, Shape out) {
    return kind == PoolKind.SUBSAMPLE ? out.size() : 0;
  }

  @Override
  public Field field(List<Field> ins, List<Shape> inShapes, Shape network) {
    return after(ins.get(0));
  }

  @Override
  public String description(List<String> inputs) {
    StringBuilder sb = new StringBuilder(kind.name().toLowerCase(Locale.ROOT)).append(' ')
        .append(kh).append('x').append(kw).append('/').append(Geometry.pair(sh, sw));
    sb.append(Geometry.padding(ph, pw, pb, pr));
    if (padded() && kind == PoolKind.AVG && !countPadding) {
      sb.append(" excl");
    }
    if (dh != 1 || dw != 1) {
      sb.append(" dil ").append(Geometry.pair(dh, dw));
    }
    if (ceil) {
      sb.append(" ceil");
    }
    return sb.toString();
  }
}
