package dev.lamina.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConfusionMatrixTest {
  /**
   * Rows are true classes: class 0 has 8 samples (6 right, 2 taken for class 1), class 1 has 4
   * (3 right, 1 taken for class 0), class 2 has none and is predicted once for a class-0 sample.
   */
  private static final ConfusionMatrix M = new ConfusionMatrix(3, new long[] {
      5, 2, 1,
      1, 3, 0,
      0, 0, 0});

  @Test
  void precisionIsPerPredictedClassAndRecallPerTrueClass() {
    assertArrayEquals(new double[] {5.0 / 6, 3.0 / 5, 0}, M.perClassPrecision(), 1e-12);
    double[] recall = M.perClassAccuracy();
    assertEquals(5.0 / 8, recall[0], 1e-12);
    assertEquals(3.0 / 4, recall[1], 1e-12);
    assertEquals(Double.NaN, recall[2]);
  }

  @Test
  void theTableListsEveryClassAndTheMeans() {
    String expected = String.join("\n",
        "class  precision  recall  support",
        "0 a        83.3%   62.5%        8",
        "1 b        60.0%   75.0%        4",
        "2 c         0.0%       -        0",
        "mean       47.8%   68.8%       12");
    assertEquals(expected, M.renderPrecisionRecall(List.of("a", "b", "c")));
  }
}
