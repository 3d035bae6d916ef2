package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.runtime.data.Dataset;
import dev.lamina.runtime.optim.Optimizers;
import dev.lamina.runtime.train.Trainer;
import dev.lamina.tests.nets.Lamina_LeNet5;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * A steady-state training step of the real LeNet-5 allocates nothing: the bytes this thread
 * allocates ({@code ThreadMXBean#getThreadAllocatedBytes}) over {@value #STEPS} steps after
 * {@value #WARMUP} warm-up steps are exactly 0.
 */
class AllocationTest {
  static final int BATCH = 16;
  static final int BATCHES = 8;
  static final int WARMUP = 300;
  static final int STEPS = 200;

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private static long allocated() {
    return THREADS.getThreadAllocatedBytes(Thread.currentThread().getId());
  }

  @Test
  void trainStepAllocatesNothing() {
    assertTrue(THREADS.isThreadAllocatedMemorySupported());
    Dataset data = FashionData.train(BATCH * BATCHES);
    Lamina_LeNet5 net = new Lamina_LeNet5(1);
    net.setOptimizer(Optimizers.sgd(0.01f).momentum(0.9f).build(net.summary()));
    float[][] inputs = new float[BATCHES][];
    int[][] labels = new int[BATCHES][];
    for (int b = 0; b < BATCHES; b++) {
      inputs[b] = Arrays.copyOfRange(data.features(), b * BATCH * net.inputSize(),
          (b + 1) * BATCH * net.inputSize());
      labels[b] = Arrays.copyOfRange(data.labels(), b * BATCH, (b + 1) * BATCH);
    }
    for (int i = 0; i < WARMUP; i++) {
      net.trainStep(inputs[i % BATCHES], labels[i % BATCHES], BATCH);
    }
    allocated(); // the bean's own first call may allocate
    long before = allocated();
    for (int i = 0; i < STEPS; i++) {
      net.trainStep(inputs[i % BATCHES], labels[i % BATCHES], BATCH);
    }
    long bytes = allocated() - before;
    assertEquals(0, bytes, "bytes allocated by " + STEPS + " steady-state trainStep calls");
  }

  @Test
  void trainerStepAllocatesNothingOnTheCallingThread() {
    Dataset data = FashionData.train(BATCH * BATCHES);
    Lamina_LeNet5 net = new Lamina_LeNet5(1);
    try (Trainer trainer = Trainer.builder(net, Optimizers.adam(1e-3f).build(net.summary()))
        .batchSize(BATCH).threads(2).seed(1).build()) {
      float[] x = data.features();
      int[] y = data.labels();
      int sample = net.inputSize();
      for (int i = 0; i < WARMUP; i++) {
        trainer.trainBatch(x, (i % BATCHES) * BATCH * sample, y, (i % BATCHES) * BATCH, BATCH);
      }
      allocated();
      long before = allocated();
      for (int i = 0; i < STEPS; i++) {
        trainer.trainBatch(x, (i % BATCHES) * BATCH * sample, y, (i % BATCHES) * BATCH, BATCH);
      }
      long bytes = allocated() - before;
      assertEquals(0, bytes, "bytes allocated on the calling thread by " + STEPS
          + " Trainer.trainBatch calls (2 threads)");
    }
  }
}
