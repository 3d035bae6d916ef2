package dev.lamina.processor.gen;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Small helpers that write index arithmetic as readable source text with constants folded. */
final class Src {
  private Src() {}

  /** A sum or difference whose last term is an int literal: {@code xr + 2}, {@code xr - 1}. */
  private static final Pattern TRAILING = Pattern.compile(
      "([\\w.\\[\\] ]*[\\w\\]]) ([+-]) (\\d+)");

  /**
   * {@code base + k}, {@code base - k} or {@code base}; {@code k} is an int literal or a name. Two
   * literals fold into one ({@code 5 + 1} is {@code 6}, {@code xr + 2 + 4} is {@code xr + 6}), and
   * a literal 0 drops out.
   */
  static String plus(String base, String k) {
    if (isInt(k)) {
      int v = Integer.parseInt(k);
      if (v == 0) {
        return base;
      }
      if (isInt(base)) {
        return Long.toString(Long.parseLong(base) + v);
      }
      Matcher m = TRAILING.matcher(base);
      if (m.matches()) {
        long sum = (m.group(2).equals("+") ? 1 : -1) * Long.parseLong(m.group(3)) + v;
        return sum == 0 ? m.group(1)
            : m.group(1) + (sum < 0 ? " - " + -sum : " + " + sum);
      }
      return v < 0 ? base + " - " + (-(long) v) : base + " + " + v;
    }
    return base.equals("0") ? k : base + " + " + k;
  }

  static String plus(String base, int k) {
    return plus(base, Integer.toString(k));
  }

  /** {@code var * k} or {@code var}; the product itself when {@code var} is an int literal. */
  static String times(String var, int k) {
    if (isInt(var)) {
      return Long.toString(Long.parseLong(var) * k);
    }
    return k == 1 ? var : var + " * " + k;
  }

  /**
   * {@code expr * k}: the product itself for an int literal, {@code expr} for {@code k} 1, and a
   * sum or product in parentheses.
   */
  static String product(String expr, int k) {
    if (isInt(expr) || k == 1 || !expr.contains(" ")) {
      return times(expr, k);
    }
    return "(" + expr + ") * " + k;
  }

  /** {@code (var * m + a) * k} with every factor of 1 and term of 0 dropped. */
  static String scaled(String var, int m, String a, int k) {
    String inner = plus(times(var, m), a);
    if (k == 1) {
      return inner;
    }
    return (inner.equals(times(var, m)) ? inner : "(" + inner + ")") + " * " + k;
  }

  static boolean isInt(String s) {
    if (s.isEmpty()) {
      return false;
    }
    int start = s.charAt(0) == '-' ? 1 : 0;
    if (start == s.length()) {
      return false;
    }
    for (int i = start; i < s.length(); i++) {
      if (!Character.isDigit(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

}
