package dev.lamina.runtime.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lamina.runtime.ParameterTensor;
import dev.lamina.runtime.ParameterTensor.Init;
import dev.lamina.runtime.ParameterTensor.Role;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * STATISTIC tensors (batch normalization's running statistics) live in the parameter array with a
 * gradient that is always 0: every optimizer, with momentum and every kind of weight decay, must
 * leave them exactly as they are, step after step.
 */
class StatisticTensorsTest {
  private static final List<ParameterTensor> LAYOUT = List.of(
      new ParameterTensor("l", "weight", Role.WEIGHT, 0, new int[] {4}, 4, 1, Init.HE_NORMAL),
      new ParameterTensor("bn", "running_mean", Role.STATISTIC, 4, new int[] {3}, 1, 1,
          Init.ZEROS),
      new ParameterTensor("bn", "running_var", Role.STATISTIC, 7, new int[] {3}, 1, 1,
          Init.ONES));

  private static void assertStatisticsUntouched(BaseOptimizer optimizer) {
    optimizer.attach(LAYOUT);
    float[] p = {1, 2, 3, 4, 0.5f, -0.25f, 7, 1.5f, 2.5f, 0.125f};
    float[] g = {0.1f, -0.2f, 0.3f, 0.4f, 0, 0, 0, 0, 0, 0};
    float[] before = p.clone();
    for (int step = 0; step < 5; step++) {
      optimizer.step(p, g);
    }
    for (int i = 4; i < p.length; i++) {
      assertEquals(before[i], p[i], 0f, optimizer + " changed statistic " + i);
    }
    assertEquals(false, before[0] == p[0], optimizer + " did not train the weight");
  }

  @Test
  void sgdWithMomentumAndDecay() {
    assertStatisticsUntouched(Optimizers.sgd(0.1f).momentum(0.9f).weightDecay(0.1f).build());
    assertStatisticsUntouched(
        Optimizers.sgd(0.1f).momentum(0.9f).nesterov(true).weightDecay(0.1f).build());
  }

  @Test
  void adamAndAdamW() {
    assertStatisticsUntouched(Optimizers.adam(0.01f).weightDecay(0.1f).build());
    assertStatisticsUntouched(Optimizers.adam(0.01f).decoupledWeightDecay(0.1f).build());
  }
}
