package dev.lamina.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link Json} against documents written out here: what every JSON type reads as, numbers bit for
 * bit against {@link Double#parseDouble}, and for malformed text the exact line, column and
 * expectation of the error.
 */
class JsonTest {
  @Test
  void readsEveryTypeInFileOrder() {
    Object v = Json.parse(
        " {\"b\": [1, -2.5e3, true, false, null, \"x\"],\n \"a\": {}, \"c\": []} ", "t");
    Map<String, Object> expected = new LinkedHashMap<>();
    expected.put("b", Arrays.asList(1.0, -2500.0, true, false, null, "x"));
    expected.put("a", Map.of());
    expected.put("c", List.of());
    assertEquals(expected, v);
    assertEquals(List.of("b", "a", "c"), List.copyOf(((Map<?, ?>) v).keySet()));
  }

  @Test
  void numbersReadBackBitForBit() {
    // Shortest decimals of doubles and of floats widened to double, subnormals, signed zero.
    double[] values = {0.1, -0.0, 1e-320, Double.MIN_VALUE, Double.MAX_VALUE, 1.764052391052246,
        (double) 0.1f, 2.220446049250313e-16, -123456789012345.0, 9007199254740993.0};
    for (double d : values) {
      String text = Double.toString(d).replace("E", "e");
      Object got = Json.parse("[" + text + "]", "t");
      assertEquals(Double.doubleToRawLongBits(d),
          Double.doubleToRawLongBits((Double) ((List<?>) got).get(0)), text);
    }
    assertEquals(List.of(0.0, 10.0, 0.5, 120.0, 0.012), Json.parse("[0, 1E1, 5e-1, 1.2e+2, 12E-3]",
        "t"));
  }

  @Test
  void decodesEveryEscape() {
    assertEquals("\"\\/\b\f\n\r\t\u00e9\u20ac a",
        Json.parse("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\u20AC a\"", "t"));
  }

  @Test
  void containersAreUnmodifiable() {
    Map<?, ?> m = (Map<?, ?>) Json.parse("{\"a\": [1]}", "t");
    assertThrows(UnsupportedOperationException.class, m::clear);
    assertThrows(UnsupportedOperationException.class, ((List<?>) m.get("a"))::clear);
  }

  @ParameterizedTest(name = "{index}: {3}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "``                       | 1 | 1 | expected a value, found the end of the input",
      "`  `                     | 1 | 3 | expected a value, found the end of the input",
      "`[1, 2`                  | 1 | 6 | expected ',' or ']' after an array element, found the end"
          + " of the input",
      "`[1 2]`                  | 1 | 4 | expected ',' or ']' after an array element, found '2'",
      "`[1,]`                   | 1 | 4 | expected a value (object, array, string, number, true,"
          + " false or null), found ']'",
      "`{\"a\" 1}`              | 1 | 6 | expected ':' after the key, found '1'",
      "`{\"a\": 1,}`            | 1 | 9 | expected a string key, found '}'",
      "`{a: 1}`                 | 1 | 2 | expected a string key, found 'a'",
      "`{\"a\": 1 \"b\": 2}`    | 1 | 9 | expected ',' or '}' after an object member, found '\"'",
      "`{\"a\": 1, \"a\": 2}`   | 1 | 10 | duplicate key \"a\"",
      "`[1]]`                   | 1 | 4 | expected the end of the document after the value, found"
          + " ']'",
      "`[tru]`                  | 1 | 5 | expected \"true\", found ']'",
      "`[nul`                   | 1 | 5 | expected \"null\", found the end of the input",
      "`[NaN]`                  | 1 | 2 | expected a value (object, array, string, number, true,"
          + " false or null), found 'N'",
      "`[01]`                   | 1 | 3 | expected '.', 'e' or the end of the number after a"
          + " leading 0, found '1'",
      "`[1.]`                   | 1 | 4 | expected a digit after the decimal point, found ']'",
      "`[.5]`                   | 1 | 2 | expected a value (object, array, string, number, true,"
          + " false or null), found '.'",
      "`[-]`                    | 1 | 3 | expected a digit, found ']'",
      "`[1e]`                   | 1 | 4 | expected a digit in the exponent, found ']'",
      "`[+1]`                   | 1 | 2 | expected a value (object, array, string, number, true,"
          + " false or null), found '+'",
      "`[1e400]`                | 1 | 2 | number 1e400 is beyond the double range",
      "`\"abc`                  | 1 | 5 | expected '\"' to end the string, found the end of the"
          + " input",
      "`\"a\\x\"`               | 1 | 4 | expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u"
          + " after '\\', found 'x'",
      "`\"\\u12g4\"`            | 1 | 6 | expected four hexadecimal digits after '\\u', found 'g'",
      "`\"\\u12\"`              | 1 | 6 | expected four hexadecimal digits after '\\u', found '\"'",
      "`{\\n  \"a\": [1,\\n   x]}` | 3 | 4 | expected a value (object, array, string, number, true,"
          + " false or null), found 'x'",
  })
  void malformedTextNamesTheSourceLineColumnAndWhatWasExpected(String text, int line, int column,
      String message) {
    JsonException e = assertThrows(JsonException.class,
        () -> Json.parse(text.replace("\\n", "\n"), "bad.json"));
    assertEquals("bad.json: line " + line + ", column " + column + ": " + message, e.getMessage());
    assertEquals("bad.json", e.source());
  }

  @Test
  void rawControlCharacterInAString() {
    JsonException e = assertThrows(JsonException.class, () -> Json.parse("\"a\tb\"", "s"));
    assertEquals("s: line 1, column 3: raw control character U+0009 in a string (JSON needs an"
        + " escape such as \\n or \\u0009)", e.getMessage());
  }

  @Test
  void deepNestingIsAnErrorNotAStackOverflow() {
    String ok = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
    assertTrue(Json.parse(ok, "t") instanceof List<?>);
    for (String open : List.of("[", "{\"k\":")) {
      String deep = open.repeat(1_000_000);
      JsonException e = assertThrows(JsonException.class, () -> Json.parse(deep, "deep"));
      assertEquals("deep: line 1, column " + (open.length() * Json.MAX_DEPTH + 1)
          + ": arrays and objects nested deeper than " + Json.MAX_DEPTH, e.getMessage());
    }
  }

  @Test
  void readNamesTheFile(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("case.json");
    Files.writeString(f, "{\"dims\": [2], \"data\": [1, 2]}\n{", StandardCharsets.UTF_8);
    JsonException e = assertThrows(JsonException.class, () -> Json.read(f));
    assertEquals(f + ": line 2, column 1: expected the end of the document after the value, found"
        + " '{'", e.getMessage());
  }
}
