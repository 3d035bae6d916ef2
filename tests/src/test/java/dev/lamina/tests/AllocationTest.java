package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.runtime.data.Dataset;
import dev.lamina.runtime.kernel.Kernels;
import dev.lamina.runtime.optim.Optimizers;
import dev.lamina.runtime.train.Trainer;
import dev.lamina.tests.nets.Lamina_LeNet5;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A steady-state training step of the real LeNet-5 allocates nothing: the bytes this thread
 * allocates ({@code ThreadMXBean#getThreadAllocatedBytes}) over {@value #STEPS} steps after warm-up
 * are exactly 0 (in one of up to five windows of that many steps: a tier change of the JIT may
 * allocate once, in any window).
 *
 * <p>Warm-up is at least {@value #WARMUP} steps and then lasts until a block of 50 steps allocates
 * nothing (at most {@value #MAX_WARMUP} steps): before C2 has compiled the hot paths, interpreted
 * and C1 code allocate what escape analysis later removes, which is not steady state.
 *
 * <p>The same on the Vector API kernels, in a JDK 21+ JVM ({@link VectorJvm}) where
 * no method of the vector kernels is inlined: a vector passed from one of them to another is then
 * boxed, an allocation per call that otherwise appears only in the runs where C2 happened not to
 * inline the callee (a lane sum taking the vector did: 36,864 bytes per batch-64 step, in about
 * one run in eight).
 *
 * <p>{@code Trainer.trainBatch} with 2 threads is measured too, on the calling thread and the
 * trainer's worker. It used to allocate 192 bytes per step on the calling thread: Adam's bias
 * corrections called {@code StrictMath.pow}, which on JDK 17 allocates small arrays that only C2's
 * escape analysis removes, thousands of steps late and not for good.
 */
class AllocationTest {
  static final int BATCH = 16;
  static final int BATCHES = 8;
  static final int WARMUP = 300;
  static final int STEPS = 200;
  static final int MAX_WARMUP = 3000;

  /**
   * Runs {@code step} until a block of 50 calls allocates nothing, then measures windows of STEPS
   * calls until one allocates nothing (at most 5), returning the least a window allocated: a tier
   * change of the JIT may allocate a few hundred bytes once, in any window; an allocation per
   * step shows in every window.
   */
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
    long least = Long.MAX_VALUE;
    for (int window = 0; window < 5 && least > 0; window++) {
      long before = allocated();
      for (int k = 0; k < STEPS; k++, i++) {
        step.accept(i);
      }
      least = Math.min(least, allocated() - before);
    }
    return least;
  }

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private static long allocated() {
    return THREADS.getThreadAllocatedBytes(Thread.currentThread().getId());
  }

  @Test
  void trainStepAllocatesNothing() {
    assertEquals(0, trainStepBytes(), "bytes allocated by " + STEPS
        + " steady-state trainStep calls");
  }

  @Test
  void trainStepAllocatesNothingOnTheVectorApiWithNothingInlined() throws Exception {
    String output = VectorJvm.run(List.of("-XX:CompileCommand=quiet",
        "-XX:CompileCommand=dontinline,dev.lamina.runtime.kernel.VectorKernels::*"),
        AllocationTest.class);
    assertTrue(output.contains("kernels: vector"), output);
    assertTrue(output.contains("steady-state trainStep bytes: 0\n"), output);
  }

  /** Prints the kernels in use and {@link #trainStepBytes()}, for the test above. */
  public static void main(String[] args) {
    System.out.println("kernels: " + Kernels.BACKEND);
    System.out.println("steady-state trainStep bytes: " + trainStepBytes());
  }

  /** Bytes allocated by {@value #STEPS} steady-state {@code trainStep} calls of LeNet-5. */
  private static long trainStepBytes() {
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
    return steadyStateBytes(i -> net.trainStep(inputs[i % BATCHES], labels[i % BATCHES],
        BATCH));
  }

  private static Set<Long> trainerThreads() {
    Set<Long> ids = new HashSet<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("lamina-trainer-")) {
        ids.add(t.getId());
      }
    }
    return ids;
  }

  /**
   * {@code Trainer.trainBatch} on LeNet-5 with 2 threads, batch 2 (one fixed chunk per thread) and
   * Adam: after 500 warm-up steps, a window of {@value #STEPS} steps allocates nothing on the
   * calling thread and the worker. Up to 5 windows are tried: a tier change of the JIT (C2
   * replacing C1 code of the loss, the optimizer) may allocate a few hundred bytes once, in any
   * window; an allocation per step shows in every window.
   */
  @Test
  void dataParallelTrainingStepAllocatesNothing() {
    assertDataParallelStepsAllocateNothing(2, Trainer.DEFAULT_PASS_SAMPLES, false);
  }

  /** As above with batch 4 in passes of one sample, handed out to whichever thread is free. */
  @Test
  void dataParallelTrainingStepWithPassesHandedOutAllocatesNothing() {
    assertDataParallelStepsAllocateNothing(4, 1, true);
  }

  private static void assertDataParallelStepsAllocateNothing(int batch, int passSamples,
      boolean handsOut) {
    Dataset data = FashionData.train(64);
    Lamina_LeNet5 net = new Lamina_LeNet5(1);
    Set<Long> before = trainerThreads();
    try (Trainer trainer = Trainer.builder(net, Optimizers.adam(1e-3f).build(net.summary()))
        .batchSize(batch).threads(2).passSamples(passSamples).seed(1).build()) {
      assertEquals(handsOut, trainer.handsOutPasses());
      Set<Long> workers = trainerThreads();
      workers.removeAll(before);
      assertEquals(1, workers.size(), "the trainer's one worker thread");
      long worker = workers.iterator().next();
      float[] x = data.features();
      int[] y = data.labels();
      int in = net.inputSize();
      int batches = 64 / batch;
      int step = 0;
      float sink = 0;
      for (; step < 500; step++) {
        int first = (step % batches) * batch;
        sink += trainer.trainBatch(x, first * in, y, first, batch);
      }
      allocated();
      THREADS.getThreadAllocatedBytes(worker);
      List<String> windows = new ArrayList<>();
      boolean clean = false;
      for (int window = 0; window < 5 && !clean; window++) {
        long workerBefore = THREADS.getThreadAllocatedBytes(worker);
        long callerBefore = allocated();
        for (int k = 0; k < STEPS; k++, step++) {
          int first = (step % batches) * batch;
          sink += trainer.trainBatch(x, first * in, y, first, batch);
        }
        long caller = allocated() - callerBefore;
        long workerBytes = THREADS.getThreadAllocatedBytes(worker) - workerBefore;
        windows.add(caller + " + " + workerBytes);
        clean = caller + workerBytes == 0;
      }
      assertTrue(clean, "bytes allocated (calling thread + worker) by windows of " + STEPS
          + " steps after 500 warm-up steps: " + windows);
      assertTrue(Float.isFinite(sink));
    }
  }
}
