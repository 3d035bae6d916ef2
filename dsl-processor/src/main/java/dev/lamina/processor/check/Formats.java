package dev.lamina.processor.check;

import dev.lamina.processor.model.Geometry;
import java.util.List;

/** How messages write values: sizes, paddings, lists as written in source, comparisons. */
public final class Formats {
  private Formats() {}

  public static String compare(int[] actual, int[] want) {
    StringBuilder sb = new StringBuilder();
    String[] axis = {"height", "width"};
    for (int a = 0; a < 2; a++) {
      String op = actual[a] < want[a] ? " < " : actual[a] > want[a] ? " > " : " = ";
      sb.append(a == 0 ? "" : ", ").append(axis[a]).append(' ').append(actual[a]).append(op)
          .append(want[a]);
    }
    return sb.toString();
  }

  public static String describeKernel(boolean conv, int[] k, int[] dil, long[] keff) {
    String base = (conv ? "kernel " : "window ") + k[0] + "x" + k[1];
    if (dil[0] == 1 && dil[1] == 1) {
      return base;
    }
    return base + " at dilation " + pair(dil[0], dil[1]) + " (effective " + keff[0] + "x"
        + keff[1] + ")";
  }

  /** {@code kernel <= 4}, {@code kernel <= {4, 6}}, {@code kernel height <= 4}. */
  public static String bound(String what, boolean[] fails, long[] v, String op) {
    if (fails[0] && fails[1]) {
      return what + " " + op + " " + (v[0] == v[1] ? Long.toString(v[0])
          : "{" + v[0] + ", " + v[1] + "}");
    }
    return fails[0] ? what + " height " + op + " " + v[0] : what + " width " + op + " " + v[1];
  }

  /** Padding as the messages show it: {@code 1}, {@code 1x0} or {@code {0, 0, 1, 1}}. */
  public static String padText(int[] p) {
    if (p[0] == p[2] && p[1] == p[3]) {
      return pair(p[0], p[1]);
    }
    return "{" + p[0] + ", " + p[1] + ", " + p[2] + ", " + p[3] + "}";
  }

  /** The padding of axis {@code a} in a formula: {@code 2*1} or {@code 0 + 1}. */
  public static String padTerm(int[] p, int a) {
    return p[a] == p[a + 2] ? "2*" + p[a] : p[a] + " + " + p[a + 2];
  }

  /** {@code 2} or {@code 2x1}. */
  public static String pair(int h, int w) {
    return Geometry.pair(h, w);
  }

  /** {@code {5, 5, 5}}. */
  public static String list(List<?> values) {
    StringBuilder sb = new StringBuilder("{");
    for (int i = 0; i < values.size(); i++) {
      Object v = values.get(i);
      sb.append(i == 0 ? "" : ", ").append(v instanceof String str ? "\"" + str + "\"" : v);
    }
    return sb.append('}').toString();
  }

  /** As written: {@code 7} or {@code {7, 5}}. */
  public static String value(List<Integer> values) {
    return values.size() == 1 ? Integer.toString(values.get(0)) : list(values);
  }

  public static String num(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : String.valueOf(v);
  }
}
