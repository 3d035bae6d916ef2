package dev.lamina.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict JSON reader (RFC 8259) for test data: objects become unmodifiable {@code Map<String,
 * Object>} in file order, arrays unmodifiable {@code List<Object>}, numbers {@code Double}, plus
 * {@code String}, {@code Boolean} and {@code null}.
 *
 * <p>Numbers are read with {@link Double#parseDouble}, so the shortest decimal of a double (or of
 * a float widened to double) reads back bit for bit; integers are doubles too (exact up to
 * 2^53).
 *
 * <p>Anything that is not JSON is a {@link JsonException} naming the source, the line and column
 * and what was expected there: a missing comma or bracket, text after the value, a number that is
 * not in JSON's grammar or beyond the double range, an unknown escape or a raw control character
 * in a string, a duplicate key, nesting deeper than {@value #MAX_DEPTH}. The reader never recurses
 * deeper than that, so no input ends in a {@link StackOverflowError}.
 *
 * <p>Stateless and thread-safe.
 */
public final class Json {
  /** The deepest nesting of arrays and objects accepted. */
  public static final int MAX_DEPTH = 128;

  private final String s;
  private final String source;
  private int i;

  private Json(String s, String source) {
    this.s = s;
    this.source = source;
  }

  /** Reads a UTF-8 file; errors name the file. */
  public static Object read(Path file) throws IOException {
    return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
  }

  /**
   * Parses one JSON value that makes up the whole of {@code text} (whitespace around it allowed).
   * {@code source} names the text in error messages (a file name, "response", ...).
   */
  public static Object parse(String text, String source) {
    Json j = new Json(text, source);
    Object v = j.value(0);
    j.space();
    if (j.i != text.length()) {
      throw j.error("expected the end of the document after the value");
    }
    return v;
  }

  private Object value(int depth) {
    space();
    if (i >= s.length()) {
      throw error("expected a value");
    }
    char c = s.charAt(i);
    return switch (c) {
      case '{' -> object(depth + 1);
      case '[' -> array(depth + 1);
      case '"' -> string();
      case 't' -> literal("true", Boolean.TRUE);
      case 'f' -> literal("false", Boolean.FALSE);
      case 'n' -> literal("null", null);
      default -> {
        if (c == '-' || (c >= '0' && c <= '9')) {
          yield number();
        }
        throw error("expected a value (object, array, string, number, true, false or null)");
      }
    };
  }

  private Map<String, Object> object(int depth) {
    nest(depth);
    Map<String, Object> m = new LinkedHashMap<>();
    i++;
    space();
    if (peek('}')) {
      return Collections.unmodifiableMap(m);
    }
    while (true) {
      space();
      if (i >= s.length() || s.charAt(i) != '"') {
        throw error("expected a string key");
      }
      int keyAt = i;
      String key = string();
      space();
      expect(':', "expected ':' after the key");
      Object v = value(depth);
      if (m.containsKey(key)) {
        i = keyAt;
        throw errorHere("duplicate key \"" + key + "\"");
      }
      m.put(key, v);
      space();
      if (!peek(',')) {
        expect('}', "expected ',' or '}' after an object member");
        return Collections.unmodifiableMap(m);
      }
    }
  }

  private List<Object> array(int depth) {
    nest(depth);
    List<Object> l = new ArrayList<>();
    i++;
    space();
    if (peek(']')) {
      return Collections.unmodifiableList(l);
    }
    while (true) {
      l.add(value(depth));
      space();
      if (!peek(',')) {
        expect(']', "expected ',' or ']' after an array element");
        return Collections.unmodifiableList(l);
      }
    }
  }

  private void nest(int depth) {
    if (depth > MAX_DEPTH) {
      throw errorHere("arrays and objects nested deeper than " + MAX_DEPTH);
    }
  }

  private String string() {
    i++; // the opening quote
    StringBuilder sb = new StringBuilder();
    while (true) {
      if (i >= s.length()) {
        throw error("expected '\"' to end the string");
      }
      char c = s.charAt(i);
      if (c == '"') {
        i++;
        return sb.toString();
      }
      if (c < 0x20) {
        throw errorHere(String.format("raw control character U+%04X in a string (JSON needs an"
            + " escape such as \\n or \\u%04x)", (int) c, (int) c));
      }
      if (c != '\\') {
        sb.append(c);
        i++;
        continue;
      }
      i++;
      if (i >= s.length()) {
        throw error("expected an escape character after '\\'");
      }
      char e = s.charAt(i);
      switch (e) {
        case '"', '\\', '/' -> sb.append(e);
        case 'b' -> sb.append('\b');
        case 'f' -> sb.append('\f');
        case 'n' -> sb.append('\n');
        case 'r' -> sb.append('\r');
        case 't' -> sb.append('\t');
        case 'u' -> {
          int code = 0;
          for (int k = 1; k <= 4; k++) {
            int d = i + k < s.length() ? Character.digit(s.charAt(i + k), 16) : -1;
            if (d < 0) {
              i += k;
              throw error("expected four hexadecimal digits after '\\u'");
            }
            code = code * 16 + d;
          }
          sb.append((char) code);
          i += 4;
        }
        default -> throw error("expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u after '\\'");
      }
      i++;
    }
  }

  /** {@code -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?} */
  private Double number() {
    int start = i;
    peek('-');
    if (peek('0')) {
      if (i < s.length() && isDigit(s.charAt(i))) {
        throw error("expected '.', 'e' or the end of the number after a leading 0");
      }
    } else {
      digits("expected a digit");
    }
    if (peek('.')) {
      digits("expected a digit after the decimal point");
    }
    if (peek('e') || peek('E')) {
      if (!peek('+')) {
        peek('-');
      }
      digits("expected a digit in the exponent");
    }
    String text = s.substring(start, i);
    double v = Double.parseDouble(text);
    if (Double.isInfinite(v)) {
      i = start;
      throw errorHere("number " + (text.length() > 40 ? text.substring(0, 40) + "..." : text)
          + " is beyond the double range");
    }
    return v;
  }

  private void digits(String expected) {
    if (i >= s.length() || !isDigit(s.charAt(i))) {
      throw error(expected);
    }
    while (i < s.length() && isDigit(s.charAt(i))) {
      i++;
    }
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private Object literal(String word, Object v) {
    for (int k = 0; k < word.length(); k++) {
      if (i + k >= s.length() || s.charAt(i + k) != word.charAt(k)) {
        i += k;
        throw error("expected \"" + word + "\"");
      }
    }
    i += word.length();
    return v;
  }

  private boolean peek(char c) {
    if (i < s.length() && s.charAt(i) == c) {
      i++;
      return true;
    }
    return false;
  }

  private void expect(char c, String expected) {
    if (!peek(c)) {
      throw error(expected);
    }
  }

  private void space() {
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      i++;
    }
  }

  /** "{source}: line L, column C: {expected}, found {what is there}". */
  private JsonException error(String expected) {
    String found;
    if (i >= s.length()) {
      found = "the end of the input";
    } else {
      char c = s.charAt(i);
      found = c < 0x20 ? String.format("character U+%04X", (int) c) : "'" + c + "'";
    }
    return errorHere(expected + ", found " + found);
  }

  /** "{source}: line L, column C: {message}". */
  private JsonException errorHere(String message) {
    int line = 1;
    int lineStart = 0;
    for (int k = 0; k < i && k < s.length(); k++) {
      if (s.charAt(k) == '\n') {
        line++;
        lineStart = k + 1;
      }
    }
    return new JsonException(source, line, i - lineStart + 1, message);
  }
}
