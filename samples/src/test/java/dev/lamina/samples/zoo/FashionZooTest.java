package dev.lamina.samples.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.runtime.FloatNetwork;
import dev.lamina.runtime.data.FashionMnist;
import dev.lamina.runtime.io.Checkpoints;
import dev.lamina.runtime.optim.LearningRateSchedule;
import dev.lamina.runtime.optim.Optimizers;
import dev.lamina.runtime.train.EpochResult;
import dev.lamina.runtime.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The small graph networks train on the Fashion-MNIST subset bundled with the samples (2,000
 * training and 500 test images). The comparison with LeNet-5 trained the same way takes minutes,
 * so it runs only with {@code -Dlamina.zoo.compare=true}.
 */
class FashionZooTest {
  static FashionMnist.Split subset() throws Exception {
    Path folder = Path.of(FashionZooTest.class
        .getResource("/dev/lamina/samples/fashion-subset/README.md").toURI()).getParent();
    return FashionMnist.load(folder).normalized();
  }

  static double train(FloatNetwork net, FashionMnist.Split data, int epochs) {
    try (Trainer t = Trainer.builder(net, Optimizers.adam(0.003f).build())
        .batchSize(32).threads(2).seed(7)
        .schedule(LearningRateSchedule.cosine(0.003f, 0.0003f, epochs)).build()) {
      List<EpochResult> results = t.fit(data.train(), data.test(), epochs);
      return results.get(results.size() - 1).testAccuracy();
    }
  }

  @Test
  void smallNetworksLearn() throws Exception {
    FashionMnist.Split data = subset();
    FashionMnist.Split small = new FashionMnist.Split(data.train().subset(0, 512),
        data.test().subset(0, 200));
    for (FloatNetwork net : new FloatNetwork[] {new Lamina_SmallResNet(),
        new Lamina_SmallInception()}) {
      double accuracy = train(net, small, 2);
      assertTrue(accuracy > 0.4, net.summary().networkName() + ": " + accuracy);
    }
  }

  @Test
  @EnabledIfSystemProperty(named = "lamina.zoo.compare", matches = "true")
  void bestGraphNetworkBeatsLeNet5() throws Exception {
    FashionMnist.Split data = subset();
    int epochs = Integer.getInteger("lamina.zoo.epochs", 10);
    long t0 = System.nanoTime();
    double lenet = train(new Lamina_LeNet5Reference(), data, epochs);
    long t1 = System.nanoTime();
    double resnet = train(new Lamina_SmallResNet(), data, epochs);
    long t2 = System.nanoTime();
    double inception = train(new Lamina_SmallInception(), data, epochs);
    long t3 = System.nanoTime();
    System.out.printf("LeNet-5 %.3f (%d ms), SmallResNet %.3f (%d ms), SmallInception %.3f (%d ms)%n",
        lenet, (t1 - t0) / 1_000_000, resnet, (t2 - t1) / 1_000_000, inception,
        (t3 - t2) / 1_000_000);
    assertTrue(Math.max(resnet, inception) > lenet,
        "LeNet-5 " + lenet + ", SmallResNet " + resnet + ", SmallInception " + inception);
  }

  @Test
  void runningStatisticsTravelInCheckpoints(@TempDir Path dir) throws Exception {
    FashionMnist.Split data = subset();
    Lamina_SmallResNet net = new Lamina_SmallResNet();
    train(net, new FashionMnist.Split(data.train().subset(0, 256), data.test()), 1);
    Path file = dir.resolve("resnet.ckpt");
    Checkpoints.save(net, file);
    Lamina_SmallResNet copy = new Lamina_SmallResNet(99);
    Checkpoints.load(copy, file);
    assertArrayEquals(net.parameters(), copy.parameters());
    float[] x = new float[784];
    data.test().copySample(0, x, 0);
    float[] a = new float[10];
    float[] b = new float[10];
    net.forward(x, 1, a);
    copy.forward(x, 1, b);
    assertArrayEquals(a, b);
    assertTrue(Files.size(file) > 4L * Lamina_SmallResNet.PARAMETER_COUNT);
  }
}
