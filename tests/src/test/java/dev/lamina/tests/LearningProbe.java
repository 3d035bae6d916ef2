package dev.lamina.tests;

import dev.lamina.runtime.Optimizer;
import dev.lamina.runtime.data.Dataset;
import dev.lamina.runtime.optim.Optimizers;
import dev.lamina.runtime.train.Trainer;
import dev.lamina.tests.nets.Lamina_LeNet5;
import org.junit.jupiter.api.Test;

class LearningProbe {
  @Test
  void probe() {
    Dataset train = FashionData.train(4000);
    Dataset test = FashionData.test(1000);
    String[][] variants = {{"none", ""}, {"c1.weight", "ZERO"}, {"c3.weight", "NEGATE"},
        {"out.weight", "ZERO"}, {"f5.weight", "NEGATE"}, {"out.weight", "NEGATE"}, {"f6.weight", "ZERO"}};
    for (String[] v : variants) {
      long t0 = System.nanoTime();
      Lamina_LeNet5 net = new Lamina_LeNet5(7);
      Optimizer opt = Optimizers.adam(1e-3f).build(net.summary());
      if (!v[0].equals("none")) {
        opt = new BrokenGradient(opt, net.summary(), v[0], BrokenGradient.Damage.valueOf(v[1]));
      }
      try (Trainer t = Trainer.builder(net, opt).batchSize(32).threads(2).seed(11).build()) {
        for (int e = 0; e < 3; e++) {
          var r = t.trainEpoch(train, test, e);
          System.out.printf("%s %s epoch %d test %.4f train %.4f%n", v[0], v[1], e, r.testAccuracy(), r.trainAccuracy());
        }
      }
      System.out.printf("%.1f s%n", (System.nanoTime() - t0) / 1e9);
    }
  }
}
