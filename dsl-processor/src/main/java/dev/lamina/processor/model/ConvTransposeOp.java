package dev.lamina.processor.model;

import dev.lamina.dsl.Activation;
import java.util.ArrayList;
import java.util.List;

/**
 * Transposed convolution (PyTorch's {@code ConvTranspose2d}, one group); weight
 * [inChannels][filters][kh][kw], then bias [filters]. Input value {@code (c, i, j)} adds to
 * output {@code (k, i·sh - ph + u·dh, j·sw - pw + v·dw)} for each tap; {@code oph}, {@code opw}
 * add rows and columns at the end of the output. As a {@link SlidingWindow} its padding is the same on both
 * sides.
 */
public record ConvTransposeOp(int filters, int kh, int kw, int sh, int sw, int ph, int pw,
    int oph, int opw, int dh, int dw, boolean bias) implements Op, SlidingWindow {
  @Override
  public int pb() {
    return ph;
  }

  @Override
  public int pr() {
    return pw;
  }

  @Override
  public String kindName() {
    return "ConvTranspose";
  }

  /** {@code (in - 1)·s - 2p + d·(k - 1) + outputPadding + 1}; below 1 when it does not fit. */
  public static long outputSize(int in, int k, int s, int p, int op, int d) {
    return (long) (in - 1) * s - 2L * p + (long) d * (k - 1) + op + 1;
  }

  @Override
  public Shape output(List<Shape> ins) {
    Shape in = ins.get(0);
    return Shape.image(filters, (int) outputSize(in.height(), kh, sh, ph, oph, dh),
        (int) outputSize(in.width(), kw, sw, pw, opw, dw));
  }

  /**
   * Weight: fan-in the input values one output reads on average, {@code C·kh·kw / (sh·sw)}; fan-out
   * the outputs one input value reaches, {@code K·kh·kw}.
   */
  @Override
  public List<TensorSpec> tensors(List<Shape> ins, Activation activation) {
    int c = ins.get(0).channels();
    long fanIn = Math.max(1, (long) c * kh * kw / ((long) sh * sw));
    List<TensorSpec> t = new ArrayList<>();
    t.add(TensorSpec.weight("weight", new int[] {c, filters, kh, kw}, fanIn,
        (long) filters * kh * kw, activation));
    if (bias) {
      t.add(TensorSpec.bias(filters, fanIn));
    }
    return t;
  }

  /** Pairs (input position, tap) along one axis whose output position lies inside the output. */
  private static long landing(int in, int out, int k, int s, int p, int d) {
    long n = 0;
    for (int i = 0; i < in; i++) {
      for (int u = 0; u < k; u++) {
        long o = (long) i * s - p + (long) u * d;
        if (o >= 0 && o < out) {
          n++;
        }
      }
    }
    return n;
  }

  /** Exactly the products whose output lies inside the output: C·K times each axis's landings. */
  @Override
  public long multiplyAdds(List<Shape> ins, Shape out) {
    Shape in = ins.get(0);
    long rows = landing(in.height(), out.height(), kh, sh, ph, dh);
    long cols = landing(in.width(), out.width(), kw, sw, pw, dw);
    return Geometry.mul(Geometry.mul((long) in.channels() * filters, rows), cols);
  }

  @Override
  public long connections(List<Shape> ins, Shape out) {
    return Geometry.add(multiplyAdds(ins, out), bias ? out.size() : 0);
  }

  /**
   * Not a window onto the input: each output reads at most {@code ceil(k_eff / s)} input positions
   * per axis, so the field grows by that many; the output's spacing is finer than the input's
   * (1/s of its jump), which an integer jump cannot show, so jump and start stay the input's.
   */
  @Override
  public Field field(List<Field> ins, List<Shape> inShapes, Shape network) {
    Field f = ins.get(0);
    long[] rf = f.rf();
    long[] jump = f.jump();
    long[] reads = {(effectiveKh() + sh - 1) / sh, (effectiveKw() + sw - 1) / sw};
    for (int a = 0; a < 2; a++) {
      rf[a] += (reads[a] - 1) * jump[a];
    }
    return new Field(rf, jump, f.start());
  }

  @Override
  public String description(List<String> inputs) {
    StringBuilder sb = new StringBuilder().append(filters).append('@').append(kh).append('x')
        .append(kw);
    if (sh != 1 || sw != 1) {
      sb.append(" stride ").append(Geometry.pair(sh, sw));
    }
    sb.append(Geometry.padding(ph, pw, ph, pw));
    if (oph != 0 || opw != 0) {
      sb.append(" outpad ").append(Geometry.pair(oph, opw));
    }
    if (dh != 1 || dw != 1) {
      sb.append(" dil ").append(Geometry.pair(dh, dw));
    }
    if (!bias) {
      sb.append(" nobias");
    }
    return sb.toString();
  }
}
