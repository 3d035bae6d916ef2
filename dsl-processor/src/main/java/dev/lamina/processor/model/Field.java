package dev.lamina.processor.model;

import java.util.List;

/**
 * Receptive field, jump (effective stride) and start (centre of the first unit's field) per axis
 * {h, w}, in input pixels. Windows follow the forward recurrence {@code r_out = r_in +
 * (k_eff-1)·j_in}, {@code j_out = j_in·s}, {@code start_out = start_in + ((k_eff-1)/2 -
 * p_begin)·j_in}, from {@link #INPUT}.
 */
public record Field(long[] rf, long[] jump, double[] start) {
  /** The network input's: one pixel, jump 1, start 0. */
  public static final Field INPUT = new Field(new long[] {1, 1}, new long[] {1, 1},
      new double[] {0, 0});

  public Field {
    rf = rf.clone();
    jump = jump.clone();
    start = start.clone();
  }

  /** After a window of effective extent {@code keff}, stride and begin padding per axis. */
  public Field window(long[] keff, int[] stride, int[] pad) {
    long[] r = new long[2];
    long[] j = new long[2];
    double[] s = new double[2];
    for (int a = 0; a < 2; a++) {
      r[a] = rf[a] + (keff[a] - 1) * jump[a];
      j[a] = jump[a] * stride[a];
      s[a] = start[a] + ((keff[a] - 1) / 2.0 - pad[a]) * jump[a];
    }
    return new Field(r, j, s);
  }

  /** After a window covering a whole {@code h×w} map at stride 1. */
  public Field whole(int h, int w) {
    return window(new long[] {h, w}, new int[] {1, 1}, new int[] {0, 0});
  }

  /**
   * Of a layer merging several inputs: the largest field and jump over the inputs (the checker has
   * made sure the jumps agree), the first input's start.
   */
  public static Field merge(List<Field> ins) {
    long[] r = ins.get(0).rf.clone();
    long[] j = ins.get(0).jump.clone();
    for (Field f : ins.subList(1, ins.size())) {
      for (int a = 0; a < 2; a++) {
        r[a] = Math.max(r[a], f.rf[a]);
        j[a] = Math.max(j[a], f.jump[a]);
      }
    }
    return new Field(r, j, ins.get(0).start);
  }

  @Override
  public long[] rf() {
    return rf.clone();
  }

  @Override
  public long[] jump() {
    return jump.clone();
  }

  @Override
  public double[] start() {
    return start.clone();
  }
}
