package dev.lamina.processor.gen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    for (int i = 0; i < 500; i++) { // warm up: class loading, JIT
      net.trainStep(x, labels, batch);
      ws.forward(x, 0, batch, true);
      ws.backward(g, 0, batch);
      allocated();
    }
    // A window of 200 steps after warm-up; the JIT may still be switching code versions in the
    // first windows (a few hundred bytes once, never per step), so up to five windows are tried.
    long bytes = -1;
    float last = 0;
    for (int attempt = 0; attempt < 5 && bytes != 0; attempt++) {
      long before = allocated();
      for (int i = 0; i < 200; i++) {
        last = net.trainStep(x, labels, batch);
        ws.forward(x, 0, batch, true);
        ws.backward(g, 0, batch);
      }
      bytes = allocated() - before;
    }
    assertEquals(0, bytes, "bytes allocated by 200 steady-state steps");
    assertTrue(last < first, "training on one batch lowers its loss: " + first + " -> " + last);
  }
}
