package dev.lamina.runtime.data;

import java.nio.file.Path;

/**
 * The contents of an IDX file of unsigned bytes: its dimensions and its body, row-major.
 *
 * @param file where it was read from
 * @param dimensions the sizes, for example {@code {60000, 28, 28}}
 * @param data the body, {@code product(dimensions)} bytes (read them with {@code & 0xFF})
 *
 * <p>Thread-safe as long as nobody modifies {@link #data()}, which is the live array.
 */
public record IdxArray(Path file, int[] dimensions, byte[] data) {
  public IdxArray {
    dimensions = dimensions.clone();
  }

  @Override
  public int[] dimensions() {
    return dimensions.clone();
  }

  /** The first dimension: the number of items. */
  public int count() {
    return dimensions[0];
  }

  /** Elements per item: the product of the dimensions after the first. */
  public int itemSize() {
    int n = 1;
    for (int i = 1; i < dimensions.length; i++) {
      n *= dimensions[i];
    }
    return n;
  }

  /** Unsigned value at a flat index. */
  public int get(int index) {
    return data[index] & 0xFF;
  }
}
