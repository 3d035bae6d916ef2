package dev.lamina.samples.bench;

import dev.lamina.runtime.kernel.Kernels;
import dev.lamina.samples.Lamina_LeNet5;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * JMH microbenchmarks of the runtime's convolution kernels at LeNet-5's shapes, one batch of 64
 * samples per operation, each beside its peer in the same JVM: the naive direct convolution of
 * {@link NaiveLeNet5} (generic loops over shape variables). The kernels are called exactly as the
 * generated {@code Lamina_LeNet5} calls them on the Vector API path (c1 on its zero-padded 32-wide
 * grid, c3 with the output channels as lanes), without the per-layer copies around them; the
 * layer timer ({@code bench --sections=layers}) times the generated passes whole.
 *
 * <pre>
 *   java -cp samples/target/lamina-samples.jar org.openjdk.jmh.Main KernelBench
 * </pre>
 *
 * run from a JDK 21+ {@code java} (the fork adds {@code --add-modules jdk.incubator.vector}, so the
 * Vector API kernels are the ones measured; on JDK 17 the plain ones are). Each fork prints the
 * kernels in use.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class KernelBench {
  static final int BATCH = 64;

  /** LeNet-5's parameters (random), and gradients to add into. */
  final float[] p = new float[Lamina_LeNet5.PARAMETER_COUNT];
  final float[] g = new float[Lamina_LeNet5.PARAMETER_COUNT];

  /** c1: the batch's images, and each on the zero-padded 32×32 grid (+16 spare floats). */
  final float[] c1In = new float[BATCH * 784];
  final float[] c1Grid = new float[BATCH * 1024 + 16];
  final float[][] c1Acc = new float[6][892 + 16];
  final float[][] c1Dz = new float[6][892 + 16];
  final float[] c1Out = new float[BATCH * 6 * 784];

  /** c3: its input (s2's output), dL/dz, one sample's dz by position, the kernel by tap. */
  final float[] c3In = new float[BATCH * 1176];
  final float[] c3Dz = new float[BATCH * 1600];
  final float[] c3DzT = new float[1600];
  final float[] c3Wt = new float[2400];
  final float[] c3Zt = new float[1600];
  final float[] c3Gt = new float[2400];
  final float[] c3Dx = new float[BATCH * 1176];
  final float[] c3Out = new float[BATCH * 1600];

  @Setup
  public void setUp() {
    SplittableRandom r = new SplittableRandom(5);
    for (float[] a : new float[][] {p, c1In, c3In, c3Dz, c3DzT, c3Wt}) {
      for (int i = 0; i < a.length; i++) {
        a[i] = (float) (r.nextDouble() - 0.5);
      }
    }
    for (float[] a : c1Dz) {
      for (int i = 0; i < a.length; i++) {
        a[i] = (float) (r.nextDouble() - 0.5);
      }
    }
    for (int n = 0; n < BATCH; n++) {
      for (int y = 0; y < 28; y++) {
        System.arraycopy(c1In, n * 784 + y * 28, c1Grid, n * 1024 + (y + 2) * 32 + 2, 28);
      }
    }
    System.err.println("kernels: " + Kernels.BACKEND);
  }

  @Benchmark
  public float[][] c1Forward() {
    for (int n = 0; n < BATCH; n++) {
      Kernels.accumulateWindows(c1Acc, 6, c1Grid, n * 1024, 5, 5, 32, 1, p,
          Lamina_LeNet5.C1_WEIGHT, 25, 1, 892);
    }
    return c1Acc;
  }

  @Benchmark
  public float[] c1ForwardNaive() {
    for (int n = 0; n < BATCH; n++) {
      NaiveLeNet5.convForward(NaiveLeNet5.C1, p, c1In, n * 784, c1Out, n * 6 * 784);
    }
    return c1Out;
  }

  @Benchmark
  public float[] c1WeightGradient() {
    for (int n = 0; n < BATCH; n++) {
      Kernels.dotsWindows(c1Dz, 6, c1Grid, n * 1024, 5, 5, 32, 1, g, Lamina_LeNet5.C1_WEIGHT, 25,
          892);
    }
    return g;
  }

  @Benchmark
  public float[] c3Forward() {
    for (int n = 0; n < BATCH; n++) {
      Kernels.windowProducts(c3Zt, 0, c3Wt, 0, 16, c3In, n * 1176, 6, 196, 5, 5, 14, 1, 10, 10,
          14);
    }
    return c3Zt;
  }

  @Benchmark
  public float[] c3ForwardNaive() {
    for (int n = 0; n < BATCH; n++) {
      NaiveLeNet5.convForward(NaiveLeNet5.C3, p, c3In, n * 1176, c3Out, n * 1600);
    }
    return c3Out;
  }

  @Benchmark
  public float[] c3WeightGradient() {
    for (int n = 0; n < BATCH; n++) {
      Kernels.outerWindows(c3Gt, 0, c3DzT, 0, 16, c3In, n * 1176, 6, 196, 5, 5, 14, 1, 10, 10,
          14);
    }
    return c3Gt;
  }

  @Benchmark
  public float[] c3InputGradient() {
    for (int n = 0; n < BATCH; n++) {
      Kernels.addWindowProducts(c3Dx, n * 1176, 6, 196, 5, 5, 14, 1, 10, 10, 14, c3Dz, n * 1600,
          16, p, Lamina_LeNet5.C3_WEIGHT, 150);
    }
    return c3Dx;
  }

  /** Both of c3's gradients at once, as the naive network computes them. */
  @Benchmark
  public void c3BackwardNaive(Blackhole bh) {
    for (int n = 0; n < BATCH; n++) {
      NaiveLeNet5.convBackward(NaiveLeNet5.C3, p, g, c3In, n * 1176, c3Dz, n * 1600, c3Dx,
          n * 1176);
    }
    bh.consume(g);
    bh.consume(c3Dx);
  }
}
