package dev.lamina.processor.model;

import dev.lamina.dsl.Activation;
import java.util.ArrayList;
import java.util.List;

/**
 * Convolution (cross-correlation with zero padding); weight [filters][inChannels/groups][kh][kw],
 * then bias [filters]. {@code ph}, {@code pw} are the padding before the input (top, left), {@code
 * pb}, {@code pr} after it (bottom, right). With {@code groups > 1} filter k reads only the input
 * channels of its group, {@code k / (filters/groups)}.
 */
public record ConvOp(int filters, int kh, int kw, int sh, int sw, int ph, int pw, int pb, int pr,
    int dh, int dw, boolean bias, int groups) implements Op, SlidingWindow {
  /** One group: every filter reads every channel. */
  public ConvOp(int filters, int kh, int kw, int sh, int sw, int ph, int pw, int pb, int pr,
      int dh, int dw, boolean bias) {
    this(filters, kh, kw, sh, sw, ph, pw, pb, pr, dh, dw, bias, 1);
  }

  /** Symmetric padding: {@code ph} on top and bottom, {@code pw} left and right; one group. */
  public ConvOp(int filters, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw,
      boolean bias) {
    this(filters, kh, kw, sh, sw, ph, pw, ph, pw, dh, dw, bias, 1);
  }

  @Override
  public String kindName() {
    return "Conv";
  }

  @Override
  public Shape output(List<Shape> ins) {
    Shape in = ins.get(0);
    int[] size = outputSize(in.height(), in.width(), false);
    return Shape.image(filters, size[0], size[1]);
  }

  /** Inputs each output unit reads: {@code C/groups·kh·kw}. */
  private long fanIn(Shape in) {
    return Geometry.mul(Geometry.mul(in.channels() / groups, kh), kw);
  }

  @Override
  public List<TensorSpec> tensors(List<Shape> ins, Activation activation) {
    Shape in = ins.get(0);
    long fanIn = fanIn(in);
    List<TensorSpec> t = new ArrayList<>();
    t.add(TensorSpec.weight("weight", new int[] {filters, in.channels() / groups, kh, kw},
        fanIn, (long) filters / groups * kh * kw, activation));
    if (bias) {
      t.add(TensorSpec.bias(filters, fanIn));
    }
    return t;
  }

  @Override
  public long connections(List<Shape> ins, Shape out) {
    return Geometry.mul(out.size(), fanIn(ins.get(0)) + (bias ? 1 : 0));
  }

  @Override
  public long multiplyAdds(List<Shape> ins, Shape out) {
    return Geometry.mul(out.size(), fanIn(ins.get(0)));
  }

  @Override
  public Field field(List<Field> ins, List<Shape> inShapes, Shape network) {
    return after(ins.get(0));
  }

  @Override
  public String description(List<String> inputs) {
    StringBuilder sb = new StringBuilder().append(filters).append('@').append(kh)
        .append('x').append(kw);
    if (sh != 1 || sw != 1) {
      sb.append(" stride ").append(Geometry.pair(sh, sw));
    }
    sb.append(Geometry.padding(ph, pw, pb, pr));
    if (dh != 1 || dw != 1) {
      sb.append(" dil ").append(Geometry.pair(dh, dw));
    }
    if (groups > 1) {
      sb.append(" groups ").append(groups);
    }
    if (!bias) {
      sb.append(" nobias");
    }
    return sb.toString();
  }
}
