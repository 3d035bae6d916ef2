package dev.lamina.testsupport;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A tensor of a test vector file, {@code {"dims": [2, 3], "data": [...]}}: the shape and the
 * values in row-major order (the last index varies fastest). A rank-0 tensor ({@code "dims":
 * []}) holds one value.
 *
 * @param dims the shape, each size at least 0
 * @param data as many values as the product of {@code dims}
 */
public record Tensor(int[] dims, double[] data) {
  /**
   * The tensor at {@code path} of a parsed file ({@code source} names the file): an object with
   * integer {@code dims} and as many numbers in {@code data} as they multiply to. Anything else
   * is a {@link JsonException} naming the file, the path and what was expected.
   */
  public static Tensor of(Object value, String source, String path) {
    if (!(value instanceof Map<?, ?> m)) {
      throw new JsonException(source, path, "expected a tensor {\"dims\": [...], \"data\": [...]},"
          + " found " + describe(value));
    }
    List<?> dl = list(m.get("dims"), source, path + ".dims");
    List<?> vl = list(m.get("data"), source, path + ".data");
    int[] dims = new int[dl.size()];
    long size = 1;
    for (int k = 0; k < dims.length; k++) {
      Object d = dl.get(k);
      if (!(d instanceof Double v) || v != Math.rint(v) || v < 0 || v > Integer.MAX_VALUE) {
        throw new JsonException(source, path + ".dims[" + k + "]",
            "expected a size (an integer >= 0), found " + describe(d));
      }
      dims[k] = v.intValue();
      size *= dims[k];
    }
    if (size != vl.size()) {
      throw new JsonException(source, path + ".data", "expected " + size + " values for dims "
          + Arrays.toString(dims) + ", found " + vl.size());
    }
    double[] data = new double[vl.size()];
    for (int k = 0; k < data.length; k++) {
      if (!(vl.get(k) instanceof Double v)) {
        throw new JsonException(source, path + ".data[" + k + "]",
            "expected a number, found " + describe(vl.get(k)));
      }
      data[k] = v;
    }
    return new Tensor(dims, data);
  }

  /** The values rounded to float. */
  public float[] floats() {
    float[] f = new float[data.length];
    for (int k = 0; k < f.length; k++) {
      f[k] = (float) data[k];
    }
    return f;
  }

  /** The values as ints (class labels); each must be an integer. */
  public int[] ints() {
    int[] v = new int[data.length];
    for (int k = 0; k < v.length; k++) {
      v[k] = (int) data[k];
      if (v[k] != data[k]) {
        throw new IllegalStateException("value " + k + " is not an integer: " + data[k]);
      }
    }
    return v;
  }

  private static List<?> list(Object o, String source, String path) {
    if (!(o instanceof List<?> l)) {
      throw new JsonException(source, path, "expected an array, found " + describe(o));
    }
    return l;
  }

  /** How a JSON value reads in an error message. */
  static String describe(Object o) {
    if (o == null) {
      return "null or nothing";
    }
    if (o instanceof Map<?, ?>) {
      return "an object";
    }
    if (o instanceof List<?>) {
      return "an array";
    }
    if (o instanceof String str) {
      return "the string \"" + (str.length() > 40 ? str.substring(0, 40) + "..." : str) + "\"";
    }
    return o.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Tensor t && Arrays.equals(dims, t.dims) && Arrays.equals(data, t.data);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(dims) + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "Tensor" + Arrays.toString(dims);
  }
}
