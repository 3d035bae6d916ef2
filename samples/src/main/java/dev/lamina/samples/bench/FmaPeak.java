package dev.lamina.samples.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;

/**
 * The machine's measured FP32 multiply-add peak, in plain Java: what the JIT can get out of one
 * core (and out of T cores at once) on a loop it vectorizes. Figures are in GFLOP/s counting a
 * multiply-add as 2 floating-point operations, the convention of every GFLOP/s figure of the
 * benchmark.
 *
 * <p>The kernels update a small array that stays in the L1 cache, every element independently, so
 * C2's superword pass can vectorize the loop. Each element goes through a chain of {@code v = v·m +
 * c} steps per load and store, so that arithmetic rather than loads and stores bounds the loop.
 * Java has no floating-point contraction and C2 (JDK 17) does not vectorize {@code Math.fma}, so
 * these are separate vector multiplies and adds: on a core with separate multiply and add pipes
 * (AMD Zen) this reaches the same rate as fused multiply-adds. The constants keep every value
 * bounded and away from subnormals. Several forms are measured; the best is the peak. When the
 * runtime's Vector API kernels are in use, a fused multiply-add form on that API ({@link
 * VectorPeak}) is measured too.
 */
public final class FmaPeak {
  /** Elements per array: 16 KiB of floats, well inside L1. */
  static final int N = 4096;

  /** One kernel form: its name and the multiply-adds one pass over the array does. */
  record Form(String name, int multiplyAddsPerElement) {}

  static final List<Form> FORMS = forms();

  /** The plain-Java forms, and the Vector API's fused multiply-add when its kernels are in use. */
  private static List<Form> forms() {
    List<Form> forms = new ArrayList<>(List.of(
        new Form("axpy-1", 1), new Form("chain-4", 4), new Form("chain-8", 8),
        new Form("chain-4x2", 8), new Form("chain-8x2", 16),
        new Form("chain-16", 16)));
    if (dev.lamina.runtime.kernel.Kernels.VECTOR) {
      forms.add(new Form("vector-fma-16", 16));
    }
    return List.copyOf(forms);
  }

  /** One measured form. */
  record Result(String form, int threads, double gflops) {}

  private FmaPeak() {}

  /** One pass of {@code form} over {@code a} (and {@code b} for the two-array form). */
  static void pass(String form, float[] a, float[] b, float m, float c) {
    switch (form) {
      case "axpy-1" -> axpy1(a, m, c);
      case "chain-4" -> chain4(a, m, c);
      case "chain-8" -> chain8(a, m, c);
      case "chain-4x2" -> chain4x2(a, b, m, c);
      case "chain-8x2" -> chain8x2(a, b, m, c);
      case "chain-16" -> chain16(a, m, c);
      case "vector-fma-16" -> VectorPeak.chain16(a, m, c);
      default -> throw new IllegalArgumentException(form);
    }
  }

  static void axpy1(float[] a, float m, float c) {
    for (int i = 0; i < a.length; i++) {
      a[i] = a[i] * m + c;
    }
  }

  static void chain4(float[] a, float m, float c) {
    for (int i = 0; i < a.length; i++) {
      float v = a[i];
      v = v * m + c;
      v = v * m + c;
      v = v * m + c;
      v = v * m + c;
      a[i] = v;
    }
  }

  static void chain8(float[] a, float m, float c) {
    for (int i = 0; i < a.length; i++) {
      float v = a[i];
      v = v * m + c;
      v = v * m + c;
      v = v * m + c;
      v = v * m + c;
      v = v * m + c;
      v = v * m + c;
      v = v * m + c;
      v = v * m + c;
      a[i] = v;
    }
  }

  static void chain4x2(float[] a, float[] b, float m, float c) {
    for (int i = 0; i < a.length; i++) {
      float v = a[i];
      float u = b[i];
      v = v * m + c;
      u = u * m + c;
      v = v * m + c;
      u = u * m + c;
      v = v * m + c;
      u = u * m + c;
      v = v * m + c;
      u = u * m + c;
      a[i] = v;
      b[i] = u;
    }
  }

  static void chain8x2(float[] a, float[] b, float m, float c) {
    for (int i = 0; i < a.length; i++) {
      float v = a[i];
      float u = b[i];
      v = v * m + c;
      u = u * m + c;
      v = v * m + c;
      u = u * m + c;
      v = v * m + c;
      u = u * m + c;
      v = v * m + c;
      u = u * m + c;
      v = v * m + c;
      u = u * m + c;
      v = v * m + c;
      u = u * m + c;
      v = v * m + c;
      u = u * m + c;
      v = v * m + c;
      u = u * m + c;
      a[i] = v;
      b[i] = u;
    }
  }

  static void chain16(float[] a, float m, float c) {
    for (int i = 0; i < a.length; i++) {
      float v = a[i];
      v = v * m + c;
      v = v * m + c;
      v = v * m + c;
      v = v * m + c;
      v = v * m + c;
      v = v * m + c;
      v = v * m + c;
      v = v * m + c;
      v = v * m + c;
      v = v * m + c;
      v = v * m + c;
      v = v * m + c;
      v = v * m + c;
      v = v * m + c;
      v = v * m + c;
      v = v * m + c;
      a[i] = v;
    }
  }

  /** GFLOP/s of one thread running {@code form} for about {@code seconds}. */
  static double runOne(Form form, double seconds) {
    float[] a = new float[N];
    float[] b = new float[N];
    for (int i = 0; i < N; i++) {
      a[i] = 1f + i * 1e-4f;
      b[i] = 2f - i * 1e-4f;
    }
    // Fixed point c / (1 - m) = 1: values stay near 1.
    float m = 0.999f;
    float c = 0.001f;
    long passes = 0;
    long deadline = System.nanoTime() + (long) (seconds * 1e9);
    long start = System.nanoTime();
    long now;
    do {
      for (int r = 0; r < 64; r++) {
        pass(form.name(), a, b, m, c);
      }
      passes += 64;
      now = System.nanoTime();
    } while (now < deadline);
    double elapsed = (now - start) / 1e9;
    Blackhole.consume(a[N / 2] + b[N / 3]);
    return 2.0 * form.multiplyAddsPerElement() * N * passes / elapsed / 1e9;
  }

  /** Total GFLOP/s of {@code threads} threads running {@code form} at the same time. */
  static double run(Form form, int threads, double seconds) {
    if (threads == 1) {
      return runOne(form, seconds);
    }
    double[] results = new double[threads];
    CyclicBarrier barrier = new CyclicBarrier(threads);
    List<Thread> ts = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int index = t;
      Thread th = new Thread(() -> {
        try {
          barrier.await();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
        results[index] = runOne(form, seconds);
      }, "fma-peak-" + t);
      ts.add(th);
      th.start();
    }
    double total = 0;
    for (int t = 0; t < threads; t++) {
      try {
        ts.get(t).join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      total += results[t];
    }
    return total;
  }

  /**
   * Measures every form on 1 thread (warm-up, then the median of {@code runs} runs of {@code
   * seconds}), then the best form on {@code threads} threads. Returns every result; the best
   * single-thread one first.
   */
  static List<Result> measure(int runs, double seconds, int maxThreads) {
    List<Result> all = new ArrayList<>();
    Form best = null;
    double bestValue = 0;
    for (Form f : FORMS) {
      runOne(f, Math.max(0.2, seconds)); // warm-up: let C2 compile the loop
      double[] r = new double[runs];
      for (int i = 0; i < runs; i++) {
        r[i] = runOne(f, seconds);
      }
      double med = Stats.median(r);
      all.add(new Result(f.name(), 1, med));
      if (med > bestValue) {
        bestValue = med;
        best = f;
      }
    }
    all.sort((x, y) -> Double.compare(y.gflops(), x.gflops()));
    for (int t = 2; t <= maxThreads; t++) {
      double[] r = new double[runs];
      for (int i = 0; i < runs; i++) {
        r[i] = run(best, t, seconds);
      }
      all.add(new Result(best.name(), t, Stats.median(r)));
    }
    return all;
  }

  /** Keeps values alive so the JIT cannot drop the loops. */
  static final class Blackhole {
    static volatile float sink;

    static void consume(float v) {
      sink = v;
    }
  }
}
