package dev.lamina.samples.bench;

/**
 * The benchmark's one timing loop: warm-up until the JIT has settled, then timed runs.
 *
 * <p>Generated layer methods loop long per call, so HotSpot reaches them first through on-stack
 * replacement and compiles the regular C2 version late (seconds, more on a busy machine). A fixed
 * warm-up can therefore end before peak speed. Warm-up here lasts at least {@code warmupSeconds}
 * and then continues, in windows of {@code warmupSeconds / 4}, while the rate still improves by more
 * than 2% per window, up to 10 times {@code warmupSeconds} in all.
 */
final class Timing {
  /** A measured operation. */
  interface Body {
    void run() throws Throwable;
  }

  private Timing() {}

  /** Seconds per call of {@code body} in each of {@code runs} runs of at least {@code runSeconds}. */
  static double[] secondsPerCall(Body body, int runs, double runSeconds, double warmupSeconds)
      throws Throwable {
    warmUp(body, warmupSeconds);
    double[] perCall = new double[runs];
    for (int r = 0; r < runs; r++) {
      perCall[r] = timedRun(body, runSeconds);
    }
    return perCall;
  }

  /**
   * Seconds per call of {@code a} and of {@code b} in {@code runs} pairs of runs taken in turn
   * ({@code a}, {@code b}, {@code a}, ...), after warming both up: a ratio of the two is then
   * taken over the same stretch of time, so a machine whose speed drifts (other tenants of its
   * host) shifts both sides of each pair alike. Returns {@code {a's runs, b's runs}}.
   */
  static double[][] secondsPerCallInTurn(Body a, Body b, int runs, double runSeconds,
      double warmupSeconds) throws Throwable {
    warmUp(a, warmupSeconds);
    warmUp(b, warmupSeconds);
    double[][] perCall = new double[2][runs];
    for (int r = 0; r < runs; r++) {
      perCall[0][r] = timedRun(a, runSeconds);
      perCall[1][r] = timedRun(b, runSeconds);
    }
    return perCall;
  }

  /** Seconds per call over one run of at least {@code runSeconds}. */
  static double timedRun(Body body, double runSeconds) throws Throwable {
    long budget = (long) (runSeconds * 1e9);
    long n = 0;
    long t0 = System.nanoTime();
    long now;
    do {
      body.run();
      n++;
      now = System.nanoTime();
    } while (now - t0 < budget);
    return (now - t0) / 1e9 / n;
  }

  static void warmUp(Body body, double warmupSeconds) throws Throwable {
    long start = System.nanoTime();
    long minEnd = start + (long) (warmupSeconds * 1e9);
    long maxEnd = start + (long) (10 * warmupSeconds * 1e9);
    do {
      body.run();
    } while (System.nanoTime() < minEnd);
    long window = Math.max(1_000_000L, (long) (warmupSeconds / 4 * 1e9));
    double previous = rate(body, window);
    while (System.nanoTime() < maxEnd) {
      double now = rate(body, window);
      if (now <= previous * 1.02) {
        break;
      }
      previous = now;
    }
  }

  /** Calls per second over about {@code nanos}. */
  private static double rate(Body body, long nanos) throws Throwable {
    return 1 / timedRun(body, nanos / 1e9);
  }
}
