package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.lamina.runtime.data.Dataset;
import dev.lamina.runtime.optim.Optimizers;
import dev.lamina.runtime.train.Trainer;
import dev.lamina.tests.nets.Lamina_LeNet5;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The same seed twice gives bit-identical parameters after training. */
class DeterminismTest {

  private static int[] trainedBits(long seed) {
    Dataset train = FashionData.train(1024);
    Lamina_LeNet5 net = new Lamina_LeNet5(seed);
    try (Trainer trainer = Trainer.builder(net, Optimizers.adam(1e-3f).build(net.summary()))
        .batchSize(32).threads(2).seed(seed).build()) {
      trainer.trainEpoch(train, null, 0);
    }
    float[] p = net.parameters();
    int[] bits = new int[p.length];
    for (int i = 0; i < p.length; i++) {
      bits[i] = Float.floatToRawIntBits(p[i]);
    }
    return bits;
  }

  @Test
  void sameSeedTwiceGivesBitIdenticalParameters() {
    int[] first = trainedBits(3);
    int[] second = trainedBits(3);
    assertArrayEquals(first, second, "two trainings with seed 3 differ");
    assertFalse(Arrays.equals(first, trainedBits(4)), "the seed has no effect");
  }

  @Test
  void sameSeedTwiceGivesIdenticalInitialParameters() {
    assertArrayEquals(new Lamina_LeNet5(9).parameters(), new Lamina_LeNet5(9).parameters());
    assertArrayEquals(new Lamina_LeNet5().parameters(), new Lamina_LeNet5().parameters());
  }
}
