package dev.lamina.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.dsl.Loss;
import dev.lamina.dsl.Precision;
import java.util.List;
import org.junit.jupiter.api.Test;

class NetworkSummaryTest {
  private static LayerSummary layer(int units) {
    return new LayerSummary("out", "Affine", Integer.toString(units),
        new int[] {units}, 5L * units, 5L * units, 4L * units, new int[] {1, 4}, new int[] {1, 1},
        new double[] {0, 1.5});
  }

  private static ParameterTensor weight(int units) {
    return new ParameterTensor("out", "weight", ParameterTensor.Role.WEIGHT, 0,
        new int[] {4, units}, 4, units, ParameterTensor.Init.XAVIER_UNIFORM);
  }

  private static NetworkSummary summary(int units) {
    return new NetworkSummary("p.Net", new int[] {4}, Loss.MSE, List.of(layer(units)),
        List.of(weight(units)));
  }

  /** Two layers with memory figures: 12 + 2·B and 100 + 10·B inference bytes, and so on. */
  private static NetworkSummary withMemory(Precision precision) {
    LayerSummary a = layer(3).withMemory(new LayerMemory(2, 12, 5, 40));
    LayerSummary b = new LayerSummary("h", "Affine", "2", new int[] {2}, 10, 10, 8,
        new int[] {1, 4}, new int[] {1, 1}, new double[] {0, 1.5},
        new LayerMemory(10, 100, 30, 300));
    return new NetworkSummary("p.Net", new int[] {4}, Loss.MSE, List.of(b, a),
        List.of(weight(3)), precision);
  }

  @Test
  void equalSummariesAreEqualDespiteArrayFields() {
    assertEquals(summary(3), summary(3));
    assertEquals(summary(3).hashCode(), summary(3).hashCode());
    assertNotEquals(summary(3), summary(2));
  }

  @Test
  void fingerprintDependsOnStructure() {
    assertEquals(summary(3).fingerprint(), summary(3).fingerprint());
    assertNotEquals(summary(3).fingerprint(), summary(2).fingerprint());
  }

  @Test
  void memoryFiguresAddUpPerBatch() {
    NetworkSummary s = withMemory(Precision.FLOAT);
    assertEquals(new LayerMemory(12, 112, 35, 340), s.memory());
    assertEquals(112 + 12, s.inferenceBytes(1));
    assertEquals(112 + 12 * 64, s.inferenceBytes(64));
    assertEquals(340 + 35 * 64, s.trainingBytes(64));
    assertEquals(12, s.storedValues());
    assertEquals(48, s.parameterBytes(Precision.FLOAT));
    assertEquals(96, s.parameterBytes(Precision.DOUBLE));
    assertThrows(IllegalArgumentException.class, () -> s.trainingBytes(0));
  }

  @Test
  void memoryIsPartOfEqualityButNotOfTheFingerprint() {
    NetworkSummary f = withMemory(Precision.FLOAT);
    NetworkSummary d = withMemory(Precision.DOUBLE);
    assertNotEquals(f, d);
    assertNotEquals(summary(3), new NetworkSummary("p.Net", new int[] {4}, Loss.MSE,
        List.of(layer(3).withMemory(new LayerMemory(1, 0, 1, 0))), List.of(weight(3))));
    assertEquals(f.fingerprint(), d.fingerprint());
    assertEquals(summary(3).fingerprint(), new NetworkSummary("p.Net", new int[] {4}, Loss.MSE,
        List.of(layer(3).withMemory(new LayerMemory(1, 0, 1, 0))), List.of(weight(3)))
        .fingerprint());
  }

  @Test
  void trainingCountsAtLeastWhatInferenceDoes() {
    assertThrows(IllegalArgumentException.class, () -> new LayerMemory(5, 0, 4, 0));
    assertThrows(IllegalArgumentException.class, () -> new LayerMemory(0, 5, 0, 4));
    assertThrows(IllegalArgumentException.class, () -> new LayerMemory(-1, 0, 0, 0));
  }

  @Test
  void tableShowsMemoryColumnsAndLinesOnlyWithFigures() {
    String plain = summary(3).toTable();
    assertFalse(plain.contains("B/sample"), plain);
    assertFalse(plain.contains("workspace"), plain);
    String table = withMemory(Precision.DOUBLE).toTable();
    assertTrue(table.contains("fwd B/sample  train B/sample  fixed B"), table);
    assertTrue(table.lines().anyMatch(l -> l.matches("total .* 12 +35 +340")), table);
    assertTrue(table.contains("parameters: 12 values, 48 bytes as float, 96 as double\n"), table);
    assertTrue(table.contains("workspace (double), bytes: inference 112 + 12 per sample, training"
        + " 340 + 35 per sample\n"), table);
    assertTrue(table.contains("  batch 1: 124 / 375; batch 32: 496 / 1,460; batch 256: 3,184 /"
        + " 9,300 (inference / training)\n"), table);
  }
}
