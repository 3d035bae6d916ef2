package dev.lamina.samples.text;

/**
 * The {@value #SIZE} symbols of the text models: the line feed (index 0) and the 95 printable
 * ASCII characters from space to tilde (indexes 1 to 95, in code order).
 */
public final class Alphabet {
  /** Number of symbols. */
  public static final int SIZE = 96;

  private Alphabet() {}

  /** The index of {@code c}, or -1 if it is not a symbol of the alphabet. */
  public static int index(char c) {
    if (c == '\n') {
      return 0;
    }
    return c >= ' ' && c <= '~' ? c - ' ' + 1 : -1;
  }

  /** The symbol at {@code index} (0 to {@value #SIZE} - 1). */
  public static char symbol(int index) {
    if (index < 0 || index >= SIZE) {
      throw new IllegalArgumentException("symbol index " + index + " is outside 0.." + (SIZE - 1));
    }
    return index == 0 ? '\n' : (char) (' ' + index - 1);
  }
}
