package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.dsl.Loss;
import dev.lamina.runtime.FloatWorkspace;
import dev.lamina.runtime.Losses;
import dev.lamina.runtime.ParameterTensor;
import dev.lamina.runtime.data.Dataset;
import dev.lamina.runtime.optim.Optimizers;
import dev.lamina.runtime.train.Trainer;
import dev.lamina.runtime.train.TrainingDivergedException;
import dev.lamina.tests.nets.Lamina_LeNet5;
import dev.lamina.tests.nets.Lamina_LeNet5_F64;
import org.junit.jupiter.api.Test;

/** Bad numbers: huge logits stay finite; divergence stops training with a clear message. */
class NumericsTest {

  @Test
  void softmaxCrossEntropyIsFiniteForLogitsOfPlusMinus1e4() {
    float[] logits = {1e4f, -1e4f, 0f, 1e4f, -1e4f, 5e3f, -5e3f, 1f, -1f, 1e4f};
    float[] grad = new float[10];
    for (int label = 0; label < 10; label++) {
      float loss = Losses.forwardBackward(Loss.SOFTMAX_CROSS_ENTROPY, logits, 1, 10,
          new int[] {label}, 0, grad, 1f);
      assertTrue(Float.isFinite(loss), "loss " + loss + " for label " + label);
      // logsumexp = 1e4 + log 3; the loss is that minus the label's logit.
      assertEquals(1e4 + Math.log(3) - logits[label], loss, 1e4 * 1e-6);
      for (float g : grad) {
        assertTrue(Float.isFinite(g) && g >= -1 && g <= 1, "gradient " + g);
      }
    }
  }

  /** Through the real network: logits of ±1e4 from the last layer's bias. */
  @Test
  void leNet5TrainsOnLogitsOfPlusMinus1e4() {
    Lamina_LeNet5 net = new Lamina_LeNet5(1);
    setHugeLogits(net.parameters(), net.summary().parameterTensors());
    Dataset d = FashionData.train(8);
    FloatWorkspace ws = net.newWorkspace(8);
    float loss = ws.lossAndGradients(d.features(), 0, d.labels(), 0, 8, 1f / 8);
    assertTrue(Float.isFinite(loss), "loss " + loss);
    // Logits +1e4 at even classes, -1e4 at odd ones: logsumexp = 1e4 + log 5, so a sample costs
    // log 5 with an even label and 2e4 + log 5 with an odd one.
    double expected = 0;
    for (int n = 0; n < 8; n++) {
      expected += Math.log(5) + (d.labels()[n] % 2 == 0 ? 0 : 2e4);
    }
    assertEquals(expected, loss, 1e-6 * expected + 1e-3);
    for (float g : ws.gradients()) {
      assertTrue(Float.isFinite(g), "gradient " + g);
    }
    Lamina_LeNet5_F64 wide = new Lamina_LeNet5_F64(1);
    setHugeLogits(wide.parameters(), wide.summary().parameterTensors());
    double[] x = new double[8 * wide.inputSize()];
    for (int i = 0; i < x.length; i++) {
      x[i] = d.features()[i];
    }
    var dws = wide.newWorkspace(8);
    double dloss = dws.lossAndGradients(x, 0, d.labels(), 0, 8, 1.0 / 8);
    assertEquals(expected, dloss, 1e-9 * expected);
    for (double g : dws.gradients()) {
      assertTrue(Double.isFinite(g), "double gradient " + g);
    }
  }

  /** out.weight = 0, out.bias = ±1e4 alternating: every sample's logits are ±1e4. */
  private static void setHugeLogits(float[] p, java.util.List<ParameterTensor> tensors) {
    for (ParameterTensor t : tensors) {
      if (t.layer().equals("out")) {
        for (int i = 0; i < t.size(); i++) {
          p[t.offset() + i] = t.name().equals("bias") ? (i % 2 == 0 ? 1e4f : -1e4f) : 0f;
        }
      }
    }
  }

  private static void setHugeLogits(double[] p, java.util.List<ParameterTensor> tensors) {
    for (ParameterTensor t : tensors) {
      if (t.layer().equals("out")) {
        for (int i = 0; i < t.size(); i++) {
          p[t.offset() + i] = t.name().equals("bias") ? (i % 2 == 0 ? 1e4 : -1e4) : 0;
        }
      }
    }
  }

  @Test
  void absurdLearningRateStopsWithAnErrorNamingEpochAndBatch() {
    Dataset train = FashionData.train(2048);
    Lamina_LeNet5 net = new Lamina_LeNet5(1);
    try (Trainer trainer = Trainer.builder(net, Optimizers.sgd(1e9f).build(net.summary()))
        .batchSize(32).threads(2).seed(1).build()) {
      TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> {
        for (int epoch = 0; epoch < 3; epoch++) {
          trainer.trainEpoch(train, null, epoch);
        }
      });
      String m = e.getMessage();
      System.out.println("diverged: " + m);
      assertTrue(e.epoch() >= 1 && e.batch() >= 1, m);
      assertTrue(m.contains("epoch " + e.epoch() + ", batch " + e.batch() + " of 64"), m);
      assertTrue(m.contains("NaN") || m.contains("infinite"), m);
      assertTrue(m.contains("learning rate"), m);
    }
  }
}
