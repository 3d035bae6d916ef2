package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.runtime.Optimizer;
import dev.lamina.runtime.data.Dataset;
import dev.lamina.runtime.optim.Optimizers;
import dev.lamina.runtime.train.EpochResult;
import dev.lamina.runtime.train.Trainer;
import dev.lamina.tests.nets.Lamina_LeNet5;
import org.junit.jupiter.api.Test;

/**
 * The generated modern LeNet-5 learns real Fashion-MNIST: trained on the first {@value #TRAIN}
 * training images for {@value #EPOCHS} epochs, it classifies {@value #TEST} held-out test images far
 * better than chance (10%).
 *
 * <p>The bar is set so that one broken gradient fails it. Measured with this exact setup (seed 7,
 * Adam 1e-3, batch 32, 2 threads), test accuracy after each epoch:
 *
 * <pre>
 *   correct gradients                         MEASURED_OK
 *   c3.weight gradient negated (sign error)   MEASURED_NEG_C3
 *   out.weight gradient negated               MEASURED_NEG_OUT
 *   f5.weight gradient negated                MEASURED_NEG_F5
 *   c1.weight gradient zeroed                 MEASURED_ZERO_C1
 *   out.weight gradient zeroed                MEASURED_ZERO_OUT
 * </pre>
 *
 * A sign error in any one layer's gradient drops the accuracy well below the bar of {@value
 * #BAR}, and {@link #aSignErrorInOneGradientFailsTheBar} proves it for the layer that hurts least.
 * A <em>zeroed</em> gradient of one layer does not: the other layers learn around a frozen one, so
 * accuracy cannot detect it; the gradient checks in the processor tests (and the compiler fuzzer)
 * do.
 */
class LearningTest {
  static final int TRAIN = 3000;
  static final int TEST = 1000;
  static final int EPOCHS = 2;
  static final double BAR = 0.70;

  /** Test accuracy after training, optionally with one tensor's gradient negated. */
  static double train(String negatedGradient) {
    Dataset train = FashionData.train(TRAIN);
    Dataset test = FashionData.test(TEST);
    Lamina_LeNet5 net = new Lamina_LeNet5(7);
    Optimizer optimizer = Optimizers.adam(1e-3f).build(net.summary());
    if (negatedGradient != null) {
      optimizer = new BrokenGradient(optimizer, net.summary(), negatedGradient,
          BrokenGradient.Damage.NEGATE);
    }
    try (Trainer trainer = Trainer.builder(net, optimizer).batchSize(32).threads(2).seed(11)
        .build()) {
      EpochResult last = null;
      for (int e = 0; e < EPOCHS; e++) {
        last = trainer.trainEpoch(train, test, e);
        System.out.printf("LeNet-5%s epoch %d: %s%n",
            negatedGradient == null ? "" : " (" + negatedGradient + " gradient negated)", e + 1,
            last);
      }
      return last.testAccuracy();
    }
  }

  @Test
  void leNet5LearnsFashionMnist() {
    double accuracy = train(null);
    assertTrue(accuracy >= BAR, "test accuracy " + accuracy + " < " + BAR);
  }

  @Test
  void aSignErrorInOneGradientFailsTheBar() {
    double accuracy = train("c3.weight");
    assertTrue(accuracy < BAR, "with c3's gradient negated the test accuracy is " + accuracy
        + ", not below the bar " + BAR + ": the bar does not detect a broken gradient");
  }
}
