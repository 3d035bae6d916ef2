package dev.lamina.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * The vector sets are all there: the cases on the class path are exactly those the set's README
 * lists in its table of cases (written by whoever made the vectors, so an independent count),
 * every file parses, names its own case and holds well-formed tensors.
 */
class VectorSetTest {
  /** How many cases each README states. */
  static final Map<VectorSet, Integer> STATED = Map.of(
      VectorSet.TORCH, 48, VectorSet.TORCH_SEQ_GEN, 22, VectorSet.ONNX_NODE, 103);

  /** The case names in the first column of the README's "## Cases" table. */
  static TreeSet<String> readmeCases(VectorSet set) {
    String readme = set.readme();
    int start = readme.indexOf("\n## Cases\n");
    assertTrue(start >= 0, set + ": README has no Cases section");
    int end = readme.indexOf("\n## ", start + 1);
    String section = readme.substring(start, end < 0 ? readme.length() : end);
    Pattern row = Pattern.compile("^\\| `?([a-zA-Z0-9_]+)`? \\| ", Pattern.MULTILINE);
    TreeSet<String> names = new TreeSet<>();
    Matcher m = row.matcher(section);
    while (m.find()) {
      if (!m.group(1).equals("case") && !m.group(1).equals("op")) {
        names.add(m.group(1));
      }
    }
    // The ONNX README's table of operator counts comes first; its rows are not cases.
    names.removeIf(n -> !n.startsWith("test_") && set == VectorSet.ONNX_NODE);
    return names;
  }

  @ParameterizedTest
  @EnumSource(VectorSet.class)
  void theCasesAreThoseTheReadmeLists(VectorSet set) {
    List<String> cases = set.cases();
    assertEquals(new TreeSet<>(readmeCases(set)), new TreeSet<>(cases));
    assertEquals(STATED.get(set), cases.size());
    assertTrue(set.readme().contains(STATED.get(set) + " cases"), set + ": README's count");
  }

  @ParameterizedTest
  @EnumSource(VectorSet.class)
  void everyFileParsesAndNamesItsCase(VectorSet set) {
    Map<String, Integer> tensors = new TreeMap<>();
    for (String name : set.cases()) {
      Map<String, Object> c = set.read(name);
      assertEquals(name, c.get("case"), set.source(name));
      tensors.merge(name, countTensors(c, set.source(name), "case"), Integer::sum);
    }
    for (Map.Entry<String, Integer> e : tensors.entrySet()) {
      assertTrue(e.getValue() >= 2, e.getKey() + ": an input and an output at least");
    }
  }

  /** Every object with "dims" and "data" below {@code v} read as a {@link Tensor}. */
  private static int countTensors(Object v, String source, String path) {
    int n = 0;
    if (v instanceof Map<?, ?> m) {
      if (m.containsKey("dims") && m.containsKey("data")) {
        Tensor.of(m, source, path);
        return 1;
      }
      for (Map.Entry<?, ?> e : m.entrySet()) {
        n += countTensors(e.getValue(), source, path + "." + e.getKey());
      }
    } else if (v instanceof List<?> l) {
      for (int k = 0; k < l.size(); k++) {
        n += countTensors(l.get(k), source, path + "[" + k + "]");
      }
    }
    return n;
  }

  @Test
  void anUnknownCaseNamesItsFile() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> VectorSet.TORCH.read("no_such_case"));
    assertEquals("conformance/torch/no_such_case.json does not exist", e.getMessage());
  }

  @Test
  void aTensorOfTheWrongSizeNamesFilePathAndCounts() {
    Object t = Json.parse("{\"dims\": [2, 3], \"data\": [1, 2, 3, 4, 5]}", "f.json");
    JsonException e = assertThrows(JsonException.class, () -> Tensor.of(t, "f.json", "input"));
    assertEquals("f.json: input.data: expected 6 values for dims [2, 3], found 5", e.getMessage());
    Object d = Json.parse("{\"dims\": [2, 1.5], \"data\": []}", "f.json");
    e = assertThrows(JsonException.class, () -> Tensor.of(d, "f.json", "w"));
    assertEquals("f.json: w.dims[1]: expected a size (an integer >= 0), found 1.5",
        e.getMessage());
    Object s = Json.parse("{\"dims\": [1], \"data\": [\"x\"]}", "f.json");
    e = assertThrows(JsonException.class, () -> Tensor.of(s, "f.json", "w"));
    assertEquals("f.json: w.data[0]: expected a number, found the string \"x\"", e.getMessage());
    e = assertThrows(JsonException.class, () -> Tensor.of(List.of(), "f.json", "w"));
    assertEquals("f.json: w: expected a tensor {\"dims\": [...], \"data\": [...]}, found an array",
        e.getMessage());
  }

  @Test
  void aScalarHoldsOneValue() {
    Tensor t = Tensor.of(Json.parse("{\"dims\": [], \"data\": [2.5]}", "f"), "f", "loss");
    assertEquals(0, t.dims().length);
    assertEquals(2.5, t.data()[0]);
  }
}
