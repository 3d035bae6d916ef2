package dev.lamina.processor.gen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.dsl.Activation;
import dev.lamina.dsl.Loss;
import dev.lamina.dsl.Recurrent.Cell;
import dev.lamina.dsl.Recurrent.Returns;
import dev.lamina.processor.model.NetworkModel;
import dev.lamina.processor.model.RecurrentOp;
import dev.lamina.processor.model.Shape;
import dev.lamina.runtime.FloatNetwork;
import dev.lamina.runtime.FloatWorkspace;
import dev.lamina.runtime.Optimizer;
import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Steady-state training steps and workspace passes allocate nothing. */
class AllocationTest {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private static long allocated() {
    return THREADS.getThreadAllocatedBytes(Thread.currentThread().getId());
  }

  /** Plain SGD written here, allocation-free. */
  static final class Sgd implements Optimizer {
    float lr;

    Sgd(float lr) {
      this.lr = lr;
    }

    @Override
    public void step(float[] parameters, float[] gradients) {
      for (int i = 0; i < parameters.length; i++) {
        parameters[i] -= lr * gradients[i];
      }
    }

    @Override
    public float learningRate() {
      return lr;
    }

    @Override
    public void setLearningRate(float learningRate) {
      lr = learningRate;
    }
  }

  @Test
  void trainStepAndWorkspacePassesAllocateNothing() {
    FloatNetwork net = Compiled.of(Models.lenetModern()).floatNetwork(1);
    net.setOptimizer(new Sgd(0.01f));
    int batch = 4;
    SplittableRandom r = new SplittableRandom(1);
    float[] x = new float[batch * 784];
    for (int i = 0; i < x.length; i++) {
      x[i] = r.nextFloat();
    }
    int[] labels = {1, 7, 3, 0};
    FloatWorkspace ws = net.newWorkspace(batch);
    ws.setInputGradientEnabled(true);
    float[] g = new float[batch * 10];
    float first = net.trainStep(x, labels, batch);
    float[] last = new float[1];
    long bytes = steadyStateBytes(() -> {
      last[0] = net.trainStep(x, labels, batch);
      ws.forward(x, 0, batch, true);
      ws.backward(g, 0, batch);
    });
    assertEquals(0, bytes, "bytes allocated by 200 steady-state steps");
    assertTrue(last[0] < first, "training on one batch lowers its loss: " + first + " -> "
        + last[0]);
  }

  /**
   * Bytes allocated by 200 steps after 500 of warm-up. The JIT may still be switching code
   * versions in the first windows (a few hundred bytes once, never per step), so up to five
   * windows are tried.
   */
  private static long steadyStateBytes(Runnable step) {
    for (int i = 0; i < 500; i++) { // warm up: class loading, JIT
      step.run();
      allocated();
    }
    long bytes = -1;
    for (int attempt = 0; attempt < 5 && bytes != 0; attempt++) {
      long before = allocated();
      for (int i = 0; i < 200; i++) {
        step.run();
      }
      bytes = allocated() - before;
    }
    return bytes;
  }

  /**
   * A stacked bidirectional LSTM under a per-step Affine, trained through the workspace with one
   * label per step: every step's gates and states live in buffers allocated with the workspace.
   */
  @Test
  void recurrentTrainingStepsAllocateNothing() {
    int steps = 6;
    NetworkModel model = Models.builder("AllocLstm", Shape.sequence(steps, 5))
        .add("r", new RecurrentOp(Cell.LSTM, 8, 2, true, true, Returns.SEQUENCE),
            Activation.IDENTITY, 0)
        .add("out", Models.affine(4), Activation.IDENTITY, 0)
        .loss(Loss.SOFTMAX_CROSS_ENTROPY).build();
    FloatNetwork net = Compiled.of(model).floatNetwork(1);
    Sgd sgd = new Sgd(0.1f);
    int batch = 3;
    SplittableRandom r = new SplittableRandom(2);
    float[] x = new float[batch * steps * 5];
    for (int i = 0; i < x.length; i++) {
      x[i] = r.nextFloat() - 0.5f;
    }
    int[] labels = new int[batch * steps];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = r.nextInt(4);
    }
    FloatWorkspace ws = net.newWorkspace(batch);
    float[] loss = new float[1];
    Runnable step = () -> {
      ws.zeroGradients();
      loss[0] = ws.lossAndGradients(x, 0, labels, 0, batch, 1f / batch);
      sgd.step(net.parameters(), ws.gradients());
    };
    step.run();
    float first = loss[0];
    long bytes = steadyStateBytes(step);
    float last = loss[0];
    assertEquals(0, bytes, "bytes allocated by 200 steady-state recurrent steps");
    assertTrue(last < first, "training on one batch lowers its loss: " + first + " -> " + last);
  }
}
