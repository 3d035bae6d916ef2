package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.runtime.data.Dataset;
import dev.lamina.runtime.optim.Optimizers;
import dev.lamina.tests.nets.Lamina_LeNet5;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * A steady-state training step of the real LeNet-5 allocates nothing: the bytes this thread
 * allocates ({@code ThreadMXBean#getThreadAllocatedBytes}) over {@value #STEPS} steps after warm-up
 * are exactly 0.
 *
 * <p>Warm-up is at least {@value #WARMUP} steps and then lasts until a block of 50 steps allocates
 * nothing (at most {@value #MAX_WARMUP} steps): before C2 has compiled the hot paths, interpreted
 * and C1 code allocate what escape analysis later removes, which is not steady state.
 *
 * <p>Not covered here: {@code Trainer.trainBatch} with 2 threads on LeNet-5 still allocated 192
 * bytes per step on the calling thread after 3000 warm-up steps (0 after 6000); the runtime's own
 * Trainer test covers its allocation on smaller networks.
 */
class AllocationTest {
  static final int BATCH = 16;
  static final int BATCHES = 8;
  static final int WARMUP = 300;
  static final int STEPS = 200;
  static final int MAX_WARMUP = 3000;

  /** Runs {@code step} until a block of 50 calls allocates nothing, then measures STEPS calls. */
  private static long steadyStateBytes(java.util.function.IntConsumer step) {
    int i = 0;
    for (; i < WARMUP; i++) {
      step.accept(i);
    }
    allocated(); // the bean's own first call may allocate
    while (i < MAX_WARMUP) {
      long before = allocated();
      for (int k = 0; k < 50; k++, i++) {
        step.accept(i);
      }
      if (allocated() == before) {
        break;
      }
    }
    long before = allocated();
    for (int k = 0; k < STEPS; k++, i++) {
      step.accept(i);
    }
    return allocated() - before;
  }

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
    long bytes = steadyStateBytes(i -> net.trainStep(inputs[i % BATCHES], labels[i % BATCHES],
        BATCH));
    assertEquals(0, bytes, "bytes allocated by " + STEPS + " steady-state trainStep calls");
  }
}
