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
 * <p>The bar is set so that a broken gradient fails it. Measured with exactly this setup (seed 7,
 * Adam 1e-3, batch 32, 2 threads), test accuracy after the last epoch, with one tensor's gradient
 * damaged in an optimizer wrapper ({@link BrokenGradient}):
 *
 * <pre>
 *   correct gradients                          79.7%
 *   f5.weight gradient negated (sign error)    17.5%
 *   out.weight gradient negated                53.9%
 *   c3.weight gradient negated                 62.0%   (checked below)
 *   f6.weight gradient negated                 76.8%
 *   c1.weight gradient negated                 79.2%
 * </pre>
 *
 * The bar, {@value #BAR}, fails the f5, out and c3 sign errors; {@link
 * #aSignErrorInOneGradientFailsTheBar} proves
 * it for c3. Honest limits: a sign error in c1 or f6 does not show in accuracy at this budget, and
 * neither does a <em>zeroed</em> gradient of one layer (in a longer run, 4000 images for 3 epochs:
 * correct 81.2%; c1, f6 or out gradient zeroed 80.9%, 80.4%, 81.0%): the other layers learn around
 * a frozen or misdirected one. Those bugs are caught by the double-precision gradient checks (the
 * generator's tests and the compiler fuzzer), not by a learning test.
 */
class LearningTest {
  static final int TRAIN = 3000;
  static final int TEST = 1000;
  static final int EPOCHS = 2;
  static final double BAR = 0.72;

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
