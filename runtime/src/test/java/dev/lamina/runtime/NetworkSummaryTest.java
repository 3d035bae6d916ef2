package dev.lamina.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.lamina.dsl.Loss;
import java.util.List;
import org.junit.jupiter.api.Test;

class NetworkSummaryTest {
  private static NetworkSummary summary(int units) {
    LayerSummary layer = new LayerSummary("out", "Affine", Integer.toString(units),
        new int[] {units}, 5L * units, 5L * units, 4L * units, new int[] {1, 4}, new int[] {1, 1},
        new double[] {0, 1.5});
    ParameterTensor w = new ParameterTensor("out", "weight", ParameterTensor.Role.WEIGHT, 0,
        new int[] {4, units}, 4, units, ParameterTensor.Init.XAVIER_UNIFORM);
    return new NetworkSummary("p.Net", new int[] {4}, Loss.MSE, List.of(layer), List.of(w));
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
}
