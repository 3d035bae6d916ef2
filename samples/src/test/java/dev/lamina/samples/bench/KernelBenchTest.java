package dev.lamina.samples.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The JMH kernel benchmarks measure what they say: every benchmark runs on its buffers, and the
 * input gradient's kernel call gives the naive network's dL/dx for the whole batch.
 */
class KernelBenchTest {
  @Test
  void everyBenchmarkRuns() {
    KernelBench b = new KernelBench();
    b.setUp();
    assertNotNull(b.c1Forward());
    assertNotNull(b.c1ForwardNaive());
    assertNotNull(b.c1WeightGradient());
    assertNotNull(b.c3Forward());
    assertNotNull(b.c3ForwardNaive());
    assertNotNull(b.c3WeightGradient());
    b.c3BackwardNaive(new Blackhole(
        "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous."));
  }

  @Test
  void inputGradientMatchesTheNaiveNetwork() {
    KernelBench b = new KernelBench();
    b.setUp();
    float[] dx = b.c3InputGradient().clone();
    float[] expected = new float[dx.length];
    float[] g = new float[b.g.length];
    for (int n = 0; n < KernelBench.BATCH; n++) {
      NaiveLeNet5.convBackward(NaiveLeNet5.C3, b.p, g, b.c3In, n * 1176, b.c3Dz, n * 1600,
          expected, n * 1176);
    }
    for (int i = 0; i < dx.length; i++) {
      assertEquals(expected[i], dx[i], 1e-4f * (1 + Math.abs(expected[i])), "dL/dx[" + i + "]");
    }
  }
}
