package dev.lamina.runtime.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Clipping by global norm against the rule written out in double precision. */
class GradientClippingTest {
  @Test
  void aGradientAboveTheBoundIsScaledToIt() {
    // norm of (3, 4, 0, 12) is 13
    float[] p = {1, 1, 1, 1};
    float[] g = {3, 4, 0, 12};
    BaseOptimizer sgd = Optimizers.sgd(0.5f).build().clipGradientNorm(1.3f);
    sgd.step(p, g);
    double scale = 1.3 / (13 + 1e-6);
    double[] raw = {3, 4, 0, 12};
    for (int i = 0; i < 4; i++) {
      assertEquals(1 - 0.5 * raw[i] * scale, p[i], 1e-6, "parameter " + i);
      assertEquals(raw[i] * scale, g[i], 1e-6, "the gradient is clipped in place, " + i);
    }
    assertEquals(13, sgd.lastGradientNorm(), 1e-9);
    double norm = 0;
    for (float v : g) {
      norm += v * v;
    }
    assertEquals(1.3, Math.sqrt(norm), 1e-5);
  }

  @Test
  void aGradientWithinTheBoundIsLeftAlone() {
    float[] p = {0, 0};
    float[] g = {0.3f, -0.4f};
    Optimizers.sgd(1f).build().clipGradientNorm(0.6f).step(p, g);
    assertEquals(-0.3f, p[0]);
    assertEquals(0.4f, p[1]);
  }

  @Test
  void offByDefaultAndRefusesANegativeBound() {
    float[] p = {0};
    float[] g = {100};
    BaseOptimizer sgd = Optimizers.sgd(1f).build();
    assertEquals(0f, sgd.gradientClipNorm());
    sgd.step(p, g);
    assertEquals(-100f, p[0]);
    assertTrue(Double.isNaN(sgd.lastGradientNorm()));
    assertThrows(IllegalArgumentException.class, () -> sgd.clipGradientNorm(-1));
  }

  @Test
  void adamSeesTheClippedGradient() {
    // the first step is clipped (norm 50 > 5), the second not (norm √3): Adam, which is nearly
    // blind to a gradient's scale, sees the ratio between them change
    float[][] steps = {{30, -40, 0}, {1, 1, 1}};
    float[] clipped = {1, 2, 3};
    float[] byHand = clipped.clone();
    float[] unclipped = clipped.clone();
    BaseOptimizer a = Optimizers.adam(0.1f).build().clipGradientNorm(5f);
    BaseOptimizer b = Optimizers.adam(0.1f).build();
    BaseOptimizer c = Optimizers.adam(0.1f).build();
    double scale = 5 / (50 + 1e-6);
    for (int s = 0; s < 2; s++) {
      a.step(clipped, steps[s].clone());
      float[] g = steps[s].clone();
      if (s == 0) {
        for (int i = 0; i < 3; i++) {
          g[i] = (float) (g[i] * scale);
        }
      }
      b.step(byHand, g);
      c.step(unclipped, steps[s].clone());
    }
    for (int i = 0; i < 3; i++) {
      assertEquals(byHand[i], clipped[i], 1e-7f, "element " + i);
    }
    assertTrue(Math.abs(unclipped[0] - clipped[0]) > 1e-3, "clipping changed the second step");
  }
}
