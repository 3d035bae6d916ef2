package dev.lamina.processor.gen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.TypeName;
import dev.lamina.dsl.Precision;

/**
 * The element type a generated class computes in. Every template is written once against this
 * type: {@code float} for {@link Precision#FLOAT}, {@code double} for {@link Precision#DOUBLE}.
 */
record Num(Precision precision) {
  static final String RUNTIME = "dev.lamina.runtime";

  boolean isFloat() {
    return precision == Precision.FLOAT;
  }

  /** {@code float} or {@code double}. */
  TypeName type() {
    return isFloat() ? TypeName.FLOAT : TypeName.DOUBLE;
  }

  /** {@code float[]} or {@code double[]}. */
  ArrayTypeName array() {
    return ArrayTypeName.of(type());
  }

  /** The keyword, for code written as text. */
  String t() {
    return isFloat() ? "float" : "double";
  }

  /** A literal of this type that reads back as {@code (T) value}: {@code 0.01f}, {@code 0.01}. */
  String lit(double value) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      throw new IllegalArgumentException("no literal for " + value);
    }
    return isFloat() ? Float.toString((float) value) + "f" : Double.toString(value);
  }

  /** Wraps an expression computed in double so it has this type. */
  String fromDouble(String expression) {
    return isFloat() ? "(float) (" + expression + ")" : expression;
  }

  String negativeInfinity() {
    return isFloat() ? "Float.NEGATIVE_INFINITY" : "Double.NEGATIVE_INFINITY";
  }

  ClassName network() {
    return ClassName.get(RUNTIME, isFloat() ? "FloatNetwork" : "DoubleNetwork");
  }

  ClassName workspace() {
    return ClassName.get(RUNTIME, isFloat() ? "FloatWorkspace" : "DoubleWorkspace");
  }

  ClassName tensorView() {
    return ClassName.get(RUNTIME + ".view", isFloat() ? "FloatTensorView" : "DoubleTensorView");
  }
}
