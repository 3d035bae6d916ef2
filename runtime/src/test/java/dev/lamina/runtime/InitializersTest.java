package dev.lamina.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class InitializersTest {
  private static final ParameterTensor.Init HE = ParameterTensor.Init.HE_NORMAL;
  private static final ParameterTensor.Init XAVIER = ParameterTensor.Init.XAVIER_UNIFORM;

  /** Two layers: fc1 400x200 He, fc2 10x400 Xavier. */
  private static final List<ParameterTensor> LAYOUT = List.of(
      Layouts.weight("fc1", 0, 400, 200, HE),
      Layouts.bias("fc1", 80_000, 400),
      Layouts.weight("fc2", 80_400, 10, 400, XAVIER),
      Layouts.bias("fc2", 84_400, 10));
  private static final int SIZE = 84_410;

  @Test
  void sameSeedGivesBitIdenticalParameters() {
    float[] a = new float[SIZE];
    float[] b = new float[SIZE];
    Initializers.initialize(a, LAYOUT, 123);
    Initializers.initialize(b, LAYOUT, 123);
    assertArrayEquals(a, b); // assertArrayEquals on float[] compares bits via Float.equals
    for (int i = 0; i < SIZE; i++) {
      assertEquals(Float.floatToRawIntBits(a[i]), Float.floatToRawIntBits(b[i]));
    }
  }

  @Test
  void differentSeedsDiffer() {
    float[] a = new float[SIZE];
    float[] b = new float[SIZE];
    Initializers.initialize(a, LAYOUT, 1);
    Initializers.initialize(b, LAYOUT, 2);
    int same = 0;
    for (int i = 0; i < 80_000; i++) {
      same += a[i] == b[i] ? 1 : 0;
    }
    assertTrue(same < 10, same + " equal weights");
  }

  @Test
  void biasesAreZero() {
    float[] a = new float[SIZE];
    Arrays.fill(a, 7f);
    Initializers.initialize(a, LAYOUT, 9);
    for (int i = 80_000; i < 80_400; i++) {
      assertEquals(0f, a[i]);
    }
    for (int i = 84_400; i < SIZE; i++) {
      assertEquals(0f, a[i]);
    }
  }

  @Test
  void heNormalHasTheRightMeanAndStd() {
    float[] a = new float[SIZE];
    Initializers.initialize(a, LAYOUT, 77);
    int n = 80_000;
    double sum = 0;
    double sumSq = 0;
    for (int i = 0; i < n; i++) {
      sum += a[i];
      sumSq += (double) a[i] * a[i];
    }
    double mean = sum / n;
    double std = Math.sqrt(sumSq / n - mean * mean);
    double expectedStd = Math.sqrt(2.0 / 200); // fanIn 200
    // standard error of the mean: std/sqrt(n); of the std: std/sqrt(2n). Allow 5 of each.
    assertEquals(0, mean, 5 * expectedStd / Math.sqrt(n));
    assertEquals(expectedStd, std, 5 * expectedStd / Math.sqrt(2.0 * n));
  }

  @Test
  void xavierUniformStaysInBoundsAndFillsThem() {
    float[] a = new float[SIZE];
    Initializers.initialize(a, LAYOUT, 5);
    double limit = Math.sqrt(6.0 / (400 + 10));
    double min = Double.MAX_VALUE;
    double max = -Double.MAX_VALUE;
    double sumSq = 0;
    for (int i = 80_400; i < 84_400; i++) {
      assertTrue(Math.abs(a[i]) <= limit, a[i] + " outside ±" + limit);
      min = Math.min(min, a[i]);
      max = Math.max(max, a[i]);
      sumSq += (double) a[i] * a[i];
    }
    assertTrue(max > 0.99 * limit && min < -0.99 * limit, "range " + min + ".." + max);
    double std = Math.sqrt(sumSq / 4000);
    // uniform(-a, a) has std a/sqrt(3)
    assertEquals(limit / Math.sqrt(3), std, 0.03 * limit);
  }

  @Test
  void otherSchemesViaPlan() {
    float[] a = new float[SIZE];
    InitPlan plan = InitPlan.defaults().withWeights(Initializer.HE_UNIFORM)
        .with("fc2.weight", Initializer.XAVIER_NORMAL).with("fc1.bias", Initializer.ONES);
    Initializers.initialize(a, LAYOUT, 11, plan);
    double heLimit = Math.sqrt(6.0 / 200);
    double max = 0;
    for (int i = 0; i < 80_000; i++) {
      assertTrue(Math.abs(a[i]) <= heLimit);
      max = Math.max(max, Math.abs(a[i]));
    }
    assertTrue(max > 0.99 * heLimit);
    for (int i = 80_000; i < 80_400; i++) {
      assertEquals(1f, a[i]);
    }
    double sumSq = 0;
    boolean beyondUniformBound = false;
    double xavierStd = Math.sqrt(2.0 / 410);
    for (int i = 80_400; i < 84_400; i++) {
      sumSq += (double) a[i] * a[i];
      beyondUniformBound |= Math.abs(a[i]) > Math.sqrt(3) * xavierStd;
    }
    assertEquals(xavierStd, Math.sqrt(sumSq / 4000), 0.05 * xavierStd);
    assertTrue(beyondUniformBound, "a normal has tails");
    for (int i = 84_400; i < SIZE; i++) {
      assertEquals(0f, a[i]);
    }
  }

  @Test
  void unknownOverrideIsRejected() {
    InitPlan plan = InitPlan.defaults().with("fc3.weight", Initializer.ZEROS);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Initializers.initialize(new float[SIZE], LAYOUT, 1, plan));
    assertTrue(e.getMessage().contains("fc3.weight"), e.getMessage());
    assertTrue(e.getMessage().contains("fc1.weight"), e.getMessage());
  }

  @Test
  void addingALayerDoesNotChangeTheOthers() {
    float[] a = new float[SIZE];
    Initializers.initialize(a, LAYOUT, 3);
    // A new layer fc0 in front shifts every offset by its 50 parameters.
    List<ParameterTensor> grown = List.of(
        Layouts.weight("fc0", 0, 5, 10, HE),
        Layouts.weight("fc1", 50, 400, 200, HE),
        Layouts.bias("fc1", 80_050, 400),
        Layouts.weight("fc2", 80_450, 10, 400, XAVIER),
        Layouts.bias("fc2", 84_450, 10));
    float[] b = new float[SIZE + 50];
    Initializers.initialize(b, grown, 3);
    assertArrayEquals(a, Arrays.copyOfRange(b, 50, SIZE + 50));
  }

  @Test
  void doubleOverloadRoundsToTheFloatValues() {
    float[] f = new float[SIZE];
    double[] d = new double[SIZE];
    Initializers.initialize(f, LAYOUT, 8);
    Initializers.initialize(d, LAYOUT, 8);
    boolean differs = false;
    for (int i = 0; i < SIZE; i++) {
      assertEquals(f[i], (float) d[i]);
      differs |= f[i] != d[i];
    }
    assertTrue(differs, "the double values carry more precision");
  }

  @Test
  void tensorOutsideTheArrayIsRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Initializers.initialize(new float[100], LAYOUT, 1));
    assertTrue(e.getMessage().contains("fc1.weight"), e.getMessage());
    assertFalse(e.getMessage().isEmpty());
  }
}
