package dev.lamina.dsl;

/** The floating-point type a generated network computes in. */
public enum Precision {
  /** {@code float}: the class {@code Lamina_<Name>}. */
  FLOAT,
  /** {@code double}: the class {@code Lamina_<Name>_F64}. */
  DOUBLE
}
