package dev.lamina.onnx.imports;

import java.math.BigDecimal;

/** Java literals for attribute values read from float32 ONNX attributes. */
final class Literals {
  private Literals() {}

  /**
   * The shortest decimal that reads back as {@code v} in float32 ({@code 0.1f} gives {@code 0.1},
   * not the double expansion), so that the generated layer computes with ONNX's own value.
   */
  static String decimal(float v) {
    if (!Float.isFinite(v)) {
      throw new IllegalArgumentException("not a finite value: " + v);
    }
    String s = new BigDecimal(Float.toString(v)).stripTrailingZeros().toPlainString();
    if (s.length() > 12) {
      s = Float.toString(v);
    }
    return s.contains(".") || s.contains("E") ? s : s + ".0";
  }

  /** {@code 1 - v} for ONNX's batch-norm momentum, computed on v's shortest decimal. */
  static String oneMinus(float v) {
    BigDecimal d = BigDecimal.ONE.subtract(new BigDecimal(Float.toString(v)));
    String s = d.stripTrailingZeros().toPlainString();
    return s.contains(".") ? s : s + ".0";
  }
}
