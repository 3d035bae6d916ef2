package dev.lamina.runtime;

/**
 * A small, fully specified pseudo-random generator: xoshiro256** (Blackman and Vigna) seeded through
 * SplitMix64, with normal deviates from the Marsaglia polar method computed with {@link StrictMath}.
 * Every operation is defined here bit for bit, so a seed gives the same numbers on every JDK and
 * platform (unlike {@code java.util.Random#nextGaussian}, whose use of {@code Math} functions, or
 * {@code SplittableRandom}, whose algorithm, may change between releases).
 *
 * <p>Independent streams: {@link #stream(long, long)} derives a generator from a seed and a stream
 * index (for example the index of a parameter tensor, or an epoch number), so adding a stream never
 * changes the numbers of another one.
 *
 * <p>Not thread-safe: give each thread its own instance.
 */
public final class SeededRandom {
  private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

  private long s0;
  private long s1;
  private long s2;
  private long s3;
  private double spareGaussian;
  private boolean hasSpareGaussian;

  /** A generator for {@code seed}. */
  public SeededRandom(long seed) {
    reseed(seed);
  }

  /** A generator in the given raw state (for checks against the reference vectors). */
  static SeededRandom fromState(long s0, long s1, long s2, long s3) {
    SeededRandom r = new SeededRandom(0);
    r.s0 = s0;
    r.s1 = s1;
    r.s2 = s2;
    r.s3 = s3;
    return r;
  }

  /** A generator for stream {@code stream} of {@code seed}, independent of the other streams. */
  public static SeededRandom stream(long seed, long stream) {
    return new SeededRandom(streamSeed(seed, stream));
  }

  /**
   * The seed {@link #stream(long, long)} starts its generator with: {@code new
   * SeededRandom(streamSeed(seed, stream))} equals {@code stream(seed, stream)}. Allocation-free,
   * for deriving seeds in steady state.
   */
  public static long streamSeed(long seed, long stream) {
    return mix64(mix64(seed) ^ mix64(stream * GOLDEN_GAMMA + 0x632BE59BD9B4E019L));
  }

  /**
   * Restarts this generator as {@code stream(seed, stream)} would, without allocating (for
   * per-epoch shuffles in steady state).
   */
  public void reseed(long seed, long stream) {
    reseed(streamSeed(seed, stream));
  }

  /** Restarts this generator as {@code new SeededRandom(seed)} would. */
  public void reseed(long seed) {
    long x = seed;
    x += GOLDEN_GAMMA;
    s0 = mix64(x);
    x += GOLDEN_GAMMA;
    s1 = mix64(x);
    x += GOLDEN_GAMMA;
    s2 = mix64(x);
    x += GOLDEN_GAMMA;
    s3 = mix64(x);
    if ((s0 | s1 | s2 | s3) == 0) {
      s0 = GOLDEN_GAMMA; // the all-zero state is the one xoshiro cannot leave
    }
    hasSpareGaussian = false;
  }

  /** The SplitMix64 finalizer (Stafford variant 13): a bijective 64-bit mix. */
  static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** 64 uniformly random bits. */
  public long nextLong() {
    long result = Long.rotateLeft(s1 * 5, 7) * 9;
    long t = s1 << 17;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = Long.rotateLeft(s3, 45);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  public double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /** Uniform in [0, bound), without modulo bias. */
  public int nextInt(int bound) {
    if (bound <= 0) {
      throw new IllegalArgumentException("bound must be positive, got " + bound);
    }
    // Lemire's multiply-and-reject on 32 random bits.
    long m = (nextLong() >>> 32) * bound;
    long low = m & 0xFFFFFFFFL;
    if (low < bound) {
      long threshold = (0x1_0000_0000L - bound) % bound;
      while (low < threshold) {
        m = (nextLong() >>> 32) * bound;
        low = m & 0xFFFFFFFFL;
      }
    }
    return (int) (m >>> 32);
  }

  /** Standard normal deviate (mean 0, standard deviation 1), Marsaglia polar method. */
  public double nextGaussian() {
    if (hasSpareGaussian) {
      hasSpareGaussian = false;
      return spareGaussian;
    }
    double u;
    double v;
    double s;
    do {
      u = 2 * nextDouble() - 1;
      v = 2 * nextDouble() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s == 0);
    double factor = StrictMath.sqrt(-2 * StrictMath.log(s) / s);
    spareGaussian = v * factor;
    hasSpareGaussian = true;
    return u * factor;
  }

  /** Shuffles {@code a[0..length)} in place (Fisher–Yates). */
  public void shuffle(int[] a, int length) {
    for (int i = length - 1; i > 0; i--) {
      int j = nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
}
