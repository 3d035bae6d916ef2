package demo;

import dev.lamina.runtime.Optimizer;
import dev.lamina.runtime.data.FashionMnist;
import dev.lamina.runtime.io.Checkpoints;
import dev.lamina.runtime.optim.Optimizers;
import dev.lamina.runtime.train.EpochResult;
import dev.lamina.runtime.train.Trainer;
import java.nio.file.Path;

public class TrainLeNet5 {
  public static void main(String[] args) throws Exception {
    Path folder = Path.of(args.length > 0 ? args[0] : "/usr/share/datasets/fashion-mnist");
    FashionMnist.Split data = FashionMnist.load(folder);             // pixels in [0, 1]
    Lamina_LeNet5 net = new Lamina_LeNet5(42);                       // seeded He/Xavier init
    Optimizer sgd = Optimizers.sgd(0.05f).momentum(0.9f).build(net.summary());
    try (Trainer trainer = Trainer.builder(net, sgd).batchSize(64).threads(2).seed(1).build()) {
      for (EpochResult r : trainer.fit(data.train(), data.test(), 10)) {
        System.out.println(r);
      }
    }
    Checkpoints.save(net, Path.of("lenet5.ckpt"));
    float[] image = new float[net.inputSize()];                      // 1x28x28 = 784 floats
    data.test().copySample(0, image, 0);
    int label = net.predict(image);
    System.out.println("first test image: " + FashionMnist.CLASS_NAMES.get(label));
    double[] c1Weights = net.c1().weights().toArray();               // live per-layer views
    System.out.println("c1 weights: " + c1Weights.length);
  }
}
