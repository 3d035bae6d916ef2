package dev.lamina.runtime.kernel;

/**
 * The innermost loops of generated convolutions, shared by every generated network:
 *
 * <pre>
 *   out[o][i] += Σ_s coef[coefOff + o·outStride + s·sumStride] · rows[s][i]
 *       for o &lt; outCount, s &lt; sumCount, i &lt; len
 * </pre>
 *
 * <p>A convolution's forward pass (outputs = output channels, rows = shifted input planes), its
 * input gradient and its weight gradient on patch rows are all this one product of a small
 * coefficient matrix with a set of rows. The other kernels are the same products laid out for
 * the Vector API: over a convolution's windows read in place ({@link #accumulateWindows}, {@link
 * #dotsWindows}), with the output channels as the vector lanes ({@link #windowProducts}, {@link
 * #outerWindows}), the input gradient added onto the input planes ({@link #addWindowProducts}),
 * dense layers' rows in place ({@link #accumulateRow}, {@link #rowDots}, {@link #outer}), 2×2 max
 * pooling and sums.
 * Two implementations of each:
 *
 * <ul>
 *   <li><b>plain Java</b> (always available): direct loops, for callers outside generated code
 *       (generated code runs its own per-layer loops when the Vector API is not in use);
 *   <li><b>the JDK Vector API</b> ({@link VectorKernels}), used when the JVM runs on JDK 21 or
 *       later with {@code --add-modules jdk.incubator.vector}: six, four or three outputs by two
 *       vectors of {@code i} held in registers while the rows stream past, fused multiply-adds.
 *       Faster by a factor of about two on AVX-512 machines; results differ from the plain path
 *       by rounding only (fused multiply-add, another summation order), and each path is
 *       deterministic.
 * </ul>
 *
 * <p>The choice is made once per JVM ({@link #BACKEND}); the system property {@code
 * lamina.kernels=plain} forces the plain path. On JDK 17 the incubating Vector API is not used even
 * when present: there it runs masked loops far slower than the plain path.
 *
 * <p>Thread-safe: the only state is per-thread scratch.
 */
public final class Kernels {
  private Kernels() {}

  /**
   * Whether {@link #accumulate} runs on the Vector API. Generated code tests this constant (which
   * the JIT folds) and otherwise runs its own per-layer loops, which C2 compiles per call site.
   */
  public static final boolean VECTOR = vectorUsable();

  /** The implementation in use: {@code "vector"} or {@code "plain"}. */
  public static final String BACKEND = VECTOR ? "vector" : "plain";

  private static boolean vectorUsable() {
    if ("plain".equals(System.getProperty("lamina.kernels"))) {
      return false;
    }
    if (Runtime.version().feature() < 21
        || ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
      return false;
    }
    try {
      return VectorKernels.selfCheck();
    } catch (LinkageError | RuntimeException e) {
      return false;
    }
  }

  /**
   * {@code out[o][i] += Σ_s coef[coefOff + o·outStride + s·sumStride] · rows[s][i]} for {@code o <
   * outCount}, {@code s < sumCount}, {@code i < len}. The arrays of {@code out} must be distinct
   * from those of {@code rows}.
   */
  public static void accumulate(float[][] out, int outCount, float[][] rows, int sumCount,
      float[] coef, int coefOff, int outStride, int sumStride, int len) {
    accumulate(out, outCount, rows, zeros(sumCount), sumCount, coef, coefOff, outStride,
        sumStride, len);
  }

  /** {@link #accumulate} with row {@code s} read from {@code rows[s][offsets[s]..]}. */
  private static void accumulate(float[][] out, int outCount, float[][] rows, int[] offsets,
      int sumCount, float[] coef, int coefOff, int outStride, int sumStride, int len) {
    if (VECTOR) {
      VectorKernels.accumulate(out, outCount, rows, offsets, sumCount, coef, coefOff, outStride,
          sumStride, len);
      return;
    }
    for (int o = 0; o < outCount; o++) {
      float[] d = out[o];
      for (int s = 0; s < sumCount; s++) {
        float w = coef[coefOff + o * outStride + s * sumStride];
        float[] row = rows[s];
        int at = offsets[s];
        for (int i = 0; i < len; i++) {
          d[i] += w * row[at + i];
        }
      }
    }
  }

  /**
   * {@link #accumulate} over the windows of a convolution read in place: row {@code s = u·kw + v}
   * (kernel tap {@code (u, v)}) is {@code src[base + u·rowStep + v·colStep + i]}, so no shifted
   * copy of the input is made. {@code base + (kh-1)·rowStep + (kw-1)·colStep + len} must not
   * exceed {@code src.length}.
   */
  public static void accumulateWindows(float[][] out, int outCount, float[] src, int base,
      int kh, int kw, int rowStep, int colStep, float[] coef, int coefOff, int outStride,
      int sumStride, int len) {
    Scratch sc = windows(src, base, kh, kw, rowStep, colStep);
    accumulate(out, outCount, sc.rows, sc.offsets, kh * kw, coef, coefOff, outStride, sumStride,
        len);
    sc.release(kh * kw);
  }

  /**
   * A stride-1 convolution's weight gradient for one sample, reading its input windows in place:
   *
   * <pre>
   *   out[outOff + t·len + k] += Σ_{i &lt; oh, j &lt; ow}
   *       src[base + c·planeStep + u·rowStep + v·colStep + i·posRowStep + j]
   *       · dzT[dzOff + (i·ow + j)·len + k]
   * </pre>
   *
   * for every tap {@code t = (c·kh + u)·kw + v} and output channel {@code k < len}: a sum over the
   * output positions of outer products (the taps' inputs at that position times dL/dz at that
   * position, {@code dzT} holding one row of {@code len} channels per position). No patch rows are
   * gathered; on the Vector API the output channels are the vector lanes, four taps in registers.
   * {@code out} holds the gradient transposed (tap-major).
   */
  public static void outerWindows(float[] out, int outOff, float[] dzT, int dzOff, int len,
      float[] src, int base, int channels, int planeStep, int kh, int kw, int rowStep,
      int colStep, int oh, int ow, int posRowStep) {
    int taps = channels * kh * kw;
    int[] offsets = tapOffsets(base, channels, planeStep, kh, kw, rowStep, colStep);
    if (VECTOR) {
      VectorKernels.outerWindows(out, outOff, dzT, dzOff, len, src, offsets, taps, oh, ow,
          posRowStep);
    } else {
      for (int t = 0; t < taps; t++) {
        int o = outOff + t * len;
        for (int i = 0; i < oh; i++) {
          int at = offsets[t] + i * posRowStep;
          for (int j = 0; j < ow; j++) {
            float x = src[at + j];
            int d = dzOff + (i * ow + j) * len;
            for (int k = 0; k < len; k++) {
              out[o + k] += x * dzT[d + k];
            }
          }
        }
      }
    }
  }

  /**
   * A stride-1 convolution's forward pass for one sample with the output channels adjacent:
   *
   * <pre>
   *   out[outOff + (i·ow + j)·len + k] += Σ_t src[base + c·planeStep + u·rowStep + v·colStep
   *       + i·posRowStep + j] · wT[wOff + t·len + k]
   * </pre>
   *
   * for every output position {@code (i, j)} and channel {@code k < len}, summed over the taps
   * {@code t = (c·kh + u)·kw + v} ({@code wT} holds the kernel transposed, tap-major). The input
   * windows are read in place; on the Vector API the channels are the lanes and four positions
   * are summed at a time, so only the output's own positions are computed.
   */
  public static void windowProducts(float[] out, int outOff, float[] wT, int wOff, int len,
      float[] src, int base, int channels, int planeStep, int kh, int kw, int rowStep,
      int colStep, int oh, int ow, int posRowStep) {
    int taps = channels * kh * kw;
    int[] offsets = tapOffsets(base, channels, planeStep, kh, kw, rowStep, colStep);
    if (VECTOR) {
      VectorKernels.windowProducts(out, outOff, wT, wOff, len, src, offsets, taps, oh, ow,
          posRowStep);
    } else {
      for (int i = 0; i < oh; i++) {
        for (int j = 0; j < ow; j++) {
          int d = outOff + (i * ow + j) * len;
          for (int t = 0; t < taps; t++) {
            float x = src[offsets[t] + i * posRowStep + j];
            int w = wOff + t * len;
            for (int k = 0; k < len; k++) {
              out[d + k] += x * wT[w + k];
            }
          }
        }
      }
    }
  }

  /**
   * A stride-1 convolution's input gradient for one sample, added straight onto the input planes:
   *
   * <pre>
   *   dst[base + c·planeStep + u·rowStep + v·colStep + i·posRowStep + j] +=
   *       Σ_k w[wOff + k·kStride + (c·kh + u)·kw + v] · dz[dzOff + k·oh·ow + i·ow + j]
   * </pre>
   *
   * for every input channel {@code c < channels}, tap {@code (u, v)}, {@code i < oh}, {@code j <
   * ow}, summed over the output channels {@code k < outChannels} ({@code w} is the kernel as
   * stored, {@code [k][c][u][v]}, {@code kStride} apart per output channel): the col2im of the
   * patch rows' gradients without any patch rows. On the Vector API dz is first copied with its
   * rows {@code posRowStep} apart and zeros between them, so a tap's products over a whole plane
   * are one contiguous run landing on the destination as a run of the same shape (the zeros fall
   * on the columns that tap's windows do not cover, adding {@code 0·w}: a {@code -0.0} there may
   * become {@code +0.0}, and an infinite weight makes it NaN), added in place, several input
   * channels per block. Requires {@code ow ≤ posRowStep}.
   */
  public static void addWindowProducts(float[] dst, int base, int channels, int planeStep, int kh,
      int kw, int rowStep, int colStep, int oh, int ow, int posRowStep, float[] dz, int dzOff,
      int outChannels, float[] w, int wOff, int kStride) {
    if (ow > posRowStep) {
      throw new IllegalArgumentException("window rows of " + ow + " do not fit " + posRowStep
          + " positions apart");
    }
    if (VECTOR) {
      Scratch sc = SCRATCH.get();
      VectorKernels.addWindowProducts(dst, base, channels, planeStep, kh, kw, rowStep, colStep, oh,
          ow, posRowStep, dz, dzOff, outChannels, w, wOff, kStride,
          sc.padded(outChannels * oh * posRowStep + VectorKernels.lanes()));
      return;
    }
    for (int c = 0; c < channels; c++) {
      for (int u = 0; u < kh; u++) {
        for (int v = 0; v < kw; v++) {
          int t = (c * kh + u) * kw + v;
          int d = base + c * planeStep + u * rowStep + v * colStep;
          for (int k = 0; k < outChannels; k++) {
            float wk = w[wOff + k * kStride + t];
            int z = dzOff + k * oh * ow;
            for (int i = 0; i < oh; i++) {
              for (int j = 0; j < ow; j++) {
                dst[d + i * posRowStep + j] += wk * dz[z + i * ow + j];
              }
            }
          }
        }
      }
    }
  }

  /**
   * A 2×2 stride-2 max pool of one plane ({@code 2·oh} rows of {@code w} values from {@code
   * x[xc..]}, {@code 2·ow <= w}): {@code z[zc + i·ow + j]} is the maximum of the window at row
   * {@code 2i}, column {@code 2j}, and {@code a[zc + i·ow + j]} the index of its first maximum in
   * window order (ties keep the earlier value), as an offset from {@code x[xc - argBase]}. A NaN
   * in a window makes its maximum NaN (as {@code Math.max}); the index is then of the first of
   * its pairs that compares false.
   */
  public static void maxPool2x2(float[] x, int xc, int w, int oh, int ow, float[] z, int zc,
      int[] a, int argBase) {
    if (VECTOR) {
      VectorKernels.maxPool2x2(x, xc, w, oh, ow, z, zc, a, argBase);
      return;
    }
    for (int i = 0; i < oh; i++) {
      for (int j = 0; j < ow; j++) {
        int q = xc + 2 * i * w + 2 * j;
        float x0 = x[q];
        float x1 = x[q + 1];
        float x2 = x[q + w];
        float x3 = x[q + w + 1];
        int s01 = x1 > x0 ? 1 : 0;
        int s23 = x3 > x2 ? 1 : 0;
        float m01 = Math.max(x0, x1);
        float m23 = Math.max(x2, x3);
        int low = m23 > m01 ? 1 : 0;
        z[zc + i * ow + j] = Math.max(m01, m23);
        a[zc + i * ow + j] = argBase + (q - xc) + s01 + low * (w + s23 - s01);
      }
    }
  }

  /**
   * {@code Σ a[from .. from + len)} in a fixed order (a layer's bias gradient): on the Vector API
   * with vector partial sums, otherwise with eight running sums (one running sum waits for each
   * add in turn).
   */
  public static float sum(float[] a, int from, int len) {
    if (VECTOR) {
      return VectorKernels.sum(a, from, len);
    }
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    float s4 = 0;
    float s5 = 0;
    float s6 = 0;
    float s7 = 0;
    int i = from;
    int end = from + len;
    for (; i + 7 < end; i += 8) {
      s0 += a[i];
      s1 += a[i + 1];
      s2 += a[i + 2];
      s3 += a[i + 3];
      s4 += a[i + 4];
      s5 += a[i + 5];
      s6 += a[i + 6];
      s7 += a[i + 7];
    }
    for (; i < end; i++) {
      s0 += a[i];
    }
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
  }

  /**
   * {@code Σ (a[i] − mean)²} over {@code a[from .. from + len)} in a fixed order (a batch norm's
   * variance, one plane of a channel at a time): on the Vector API with vector partial sums,
   * otherwise with eight running sums, as {@link #sum}.
   */
  public static float sumSquaredDeviations(float[] a, int from, int len, float mean) {
    if (VECTOR) {
      return VectorKernels.sumSquaredDeviations(a, from, len, mean);
    }
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    float s4 = 0;
    float s5 = 0;
    float s6 = 0;
    float s7 = 0;
    int i = from;
    int end = from + len;
    for (; i + 7 < end; i += 8) {
      float d0 = a[i] - mean;
      float d1 = a[i + 1] - mean;
      float d2 = a[i + 2] - mean;
      float d3 = a[i + 3] - mean;
      float d4 = a[i + 4] - mean;
      float d5 = a[i + 5] - mean;
      float d6 = a[i + 6] - mean;
      float d7 = a[i + 7] - mean;
      s0 += d0 * d0;
      s1 += d1 * d1;
      s2 += d2 * d2;
      s3 += d3 * d3;
      s4 += d4 * d4;
      s5 += d5 * d5;
      s6 += d6 * d6;
      s7 += d7 * d7;
    }
    for (; i < end; i++) {
      float d = a[i] - mean;
      s0 += d * d;
    }
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
  }

  /**
   * {@code Σ a[i]·b[i]} over {@code i} in {@code [from, from + len)} of both arrays, in a fixed
   * order (a batch norm's {@code Σ dz·x̂}): on the Vector API with vector partial sums of fused
   * multiply-adds, otherwise with eight running sums, as {@link #sum}.
   */
  public static float dot(float[] a, float[] b, int from, int len) {
    if (VECTOR) {
      return VectorKernels.dot(a, b, from, len);
    }
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    float s4 = 0;
    float s5 = 0;
    float s6 = 0;
    float s7 = 0;
    int i = from;
    int end = from + len;
    for (; i + 7 < end; i += 8) {
      s0 += a[i] * b[i];
      s1 += a[i + 1] * b[i + 1];
      s2 += a[i + 2] * b[i + 2];
      s3 += a[i + 3] * b[i + 3];
      s4 += a[i + 4] * b[i + 4];
      s5 += a[i + 5] * b[i + 5];
      s6 += a[i + 6] * b[i + 6];
      s7 += a[i + 7] * b[i + 7];
    }
    for (; i < end; i++) {
      s0 += a[i] * b[i];
    }
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
  }

  /** {@link #sum} in double, with four running sums (the double variant of generated code). */
  public static double sum(double[] a, int from, int len) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int i = from;
    int end = from + len;
    for (; i + 3 < end; i += 4) {
      s0 += a[i];
      s1 += a[i + 1];
      s2 += a[i + 2];
      s3 += a[i + 3];
    }
    for (; i < end; i++) {
      s0 += a[i];
    }
    return (s0 + s1) + (s2 + s3);
  }

  /** {@link #sumSquaredDeviations} in double, with four running sums. */
  public static double sumSquaredDeviations(double[] a, int from, int len, double mean) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int i = from;
    int end = from + len;
    for (; i + 3 < end; i += 4) {
      double d0 = a[i] - mean;
      double d1 = a[i + 1] - mean;
      double d2 = a[i + 2] - mean;
      double d3 = a[i + 3] - mean;
      s0 += d0 * d0;
      s1 += d1 * d1;
      s2 += d2 * d2;
      s3 += d3 * d3;
    }
    for (; i < end; i++) {
      double d = a[i] - mean;
      s0 += d * d;
    }
    return (s0 + s1) + (s2 + s3);
  }

  /** {@link #dot} in double, with four running sums. */
  public static double dot(double[] a, double[] b, int from, int len) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int i = from;
    int end = from + len;
    for (; i + 3 < end; i += 4) {
      s0 += a[i] * b[i];
      s1 += a[i + 1] * b[i + 1];
      s2 += a[i + 2] * b[i + 2];
      s3 += a[i + 3] * b[i + 3];
    }
    for (; i < end; i++) {
      s0 += a[i] * b[i];
    }
    return (s0 + s1) + (s2 + s3);
  }

  /** Per thread: the row references and offsets of the window kernels, and a padded copy of dz. */
  private static final class Scratch {
    float[][] rows = new float[64][];
    int[] offsets = new int[64];

    /** dL/dz with padded rows, for {@link #addWindowProducts}. */
    float[] padded = new float[0];

    Scratch ensure(int n) {
      if (rows.length < n) {
        rows = new float[n][];
        offsets = new int[n];
      }
      return this;
    }

    float[] padded(int n) {
      if (padded.length < n) {
        padded = new float[n];
      }
      return padded;
    }

    /** Drops the references to the caller's arrays. */
    void release(int n) {
      java.util.Arrays.fill(rows, 0, n, null);
    }
  }

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  /** Zero offsets for at least {@code n} rows (shared, never written). */
  private static volatile int[] zeros = new int[64];

  private static int[] zeros(int n) {
    int[] z = zeros;
    if (z.length < n) {
      z = new int[Math.max(n, 2 * z.length)];
      zeros = z;
    }
    return z;
  }

  /**
   * {@code out[i] += Σ_s coef[coefOff + s] · rows[rowOff + s·rowStride + i]} for {@code s <
   * sumCount}, {@code i < len}: one output from rows that are slices of one flat array (a dense
   * layer's weight rows in the parameter array, read in place: no copy for a single sample).
   */
  public static void accumulateRow(float[] out, float[] rows, int rowOff, int rowStride,
      int sumCount, float[] coef, int coefOff, int len) {
    if (VECTOR) {
      VectorKernels.accumulateRow(out, rows, rowOff, rowStride, sumCount, coef, coefOff, len);
      return;
    }
    for (int s = 0; s < sumCount; s++) {
      float w = coef[coefOff + s];
      int r = rowOff + s * rowStride;
      for (int i = 0; i < len; i++) {
        out[i] += w * rows[r + i];
      }
    }
  }

  /**
   * {@code grad[gradOff + t] += Σ_i dz[i] · taps[t][i]} for {@code t < tapCount}, {@code i < len}:
   * a convolution's weight gradient as dot products of its output gradient with shifted inputs.
   * On the Vector API each dot product keeps vector partial sums in registers, reduced in a fixed
   * lane order at the end (deterministic); the plain path is one scalar sum per tap.
   */
  public static void dots(float[] dz, float[][] taps, int tapCount, float[] grad, int gradOff,
      int len) {
    dots(dz, 0, taps, zeros(tapCount), tapCount, grad, gradOff, len);
  }

  /**
   * {@link #dots} over the windows of a convolution read in place: tap {@code t = u·kw + v} is
   * {@code src[base + u·rowStep + v·colStep + i]} (see {@link #accumulateWindows}).
   */
  public static void dotsWindows(float[] dz, float[] src, int base, int kh, int kw, int rowStep,
      int colStep, float[] grad, int gradOff, int len) {
    Scratch sc = windows(src, base, kh, kw, rowStep, colStep);
    dots(dz, 0, sc.rows, sc.offsets, kh * kw, grad, gradOff, len);
    sc.release(kh * kw);
  }

  /**
   * {@link #dotsWindows(float[], float[], int, int, int, int, int, float[], int, int)} for {@code
   * dzCount} rows of dz at once (a convolution's output channels): {@code grad[gradOff +
   * r·gradStride + t] += Σ_i dz[r][i] · (tap t's window)[i]}. On the Vector API three rows by four
   * taps share their loads; the plain path is one scalar sum per row and tap.
   */
  public static void dotsWindows(float[][] dz, int dzCount, float[] src, int base, int kh,
      int kw, int rowStep, int colStep, float[] grad, int gradOff, int gradStride, int len) {
    Scratch sc = windows(src, base, kh, kw, rowStep, colStep);
    if (VECTOR) {
      VectorKernels.dotsRows(dz, dzCount, sc.rows, sc.offsets, kh * kw, grad, gradOff,
          gradStride, len);
    } else {
      for (int r = 0; r < dzCount; r++) {
        dots(dz[r], 0, sc.rows, sc.offsets, kh * kw, grad, gradOff + r * gradStride, len);
      }
    }
    sc.release(kh * kw);
  }

  /**
   * {@code out[outOff + r] += Σ_i rows[rowOff + r·rowStride + i] · v[vOff + i]} for {@code r <
   * rowCount}, {@code i < len}: a dense layer's input gradient for one sample, W's rows read in
   * place (dot products, on the Vector API with vector partial sums).
   */
  public static void rowDots(float[] out, int outOff, float[] rows, int rowOff, int rowStride,
      int rowCount, float[] v, int vOff, int len) {
    Scratch sc = windows(rows, rowOff, rowCount, 1, rowStride, 0);
    dots(v, vOff, sc.rows, sc.offsets, rowCount, out, outOff, len);
    sc.release(rowCount);
  }

  /**
   * {@link #dots} with {@code dz} read from {@code dz[dzOff..]} and tap {@code t} from {@code
   * taps[t][offsets[t]..]}.
   */
  private static void dots(float[] dz, int dzOff, float[][] taps, int[] offsets, int tapCount,
      float[] grad, int gradOff, int len) {
    if (VECTOR) {
      VectorKernels.dots(dz, dzOff, taps, offsets, tapCount, grad, gradOff, len);
      return;
    }
    for (int t = 0; t < tapCount; t++) {
      float[] a = taps[t];
      int at = offsets[t];
      float sum = 0;
      for (int i = 0; i < len; i++) {
        sum += dz[dzOff + i] * a[at + i];
      }
      grad[gradOff + t] += sum;
    }
  }

  /**
   * {@code g[gOff + r·len + i] += x[xOff + r] · v[vOff + i]} for {@code r < rows}, {@code i <
   * len}: the outer product of a dense layer's weight gradient for one sample, into the gradient
   * array in place.
   */
  public static void outer(float[] g, int gOff, float[] x, int xOff, int rows, float[] v,
      int vOff, int len) {
    if (VECTOR) {
      VectorKernels.outer(g, gOff, x, xOff, rows, v, vOff, len);
      return;
    }
    for (int r = 0; r < rows; r++) {
      float a = x[xOff + r];
      int row = gOff + r * len;
      for (int i = 0; i < len; i++) {
        g[row + i] += a * v[vOff + i];
      }
    }
  }

  /**
   * This thread's scratch offsets of every tap {@code (c, u, v)} of a multi-channel window, {@code
   * base + c·planeStep + u·rowStep + v·colStep}, in kernel order (offsets only: the kernels that
   * take them read one array, so no row references are stored or cleared).
   */
  private static int[] tapOffsets(int base, int channels, int planeStep, int kh, int kw,
      int rowStep, int colStep) {
    int[] offsets = SCRATCH.get().ensure(channels * kh * kw).offsets;
    int s = 0;
    for (int c = 0; c < channels; c++) {
      for (int u = 0; u < kh; u++) {
        for (int v = 0; v < kw; v++, s++) {
          offsets[s] = base + c * planeStep + u * rowStep + v * colStep;
        }
      }
    }
    return offsets;
  }

  /** This thread's scratch, holding {@code src} and the offset of every tap's window. */
  private static Scratch windows(float[] src, int base, int kh, int kw, int rowStep,
      int colStep) {
    Scratch sc = SCRATCH.get().ensure(kh * kw);
    for (int u = 0, s = 0; u < kh; u++) {
      for (int v = 0; v < kw; v++, s++) {
        sc.rows[s] = src;
        sc.offsets[s] = base + u * rowStep + v * colStep;
      }
    }
    return sc;
  }

  /**
   * A batch normalization's backward sums over one plane with its piecewise-linear activation's
   * derivative applied first: for each {@code i} in {@code [from, from + len)}, {@code z = g·xh[i]
   * + beta} (the forward pass's pre-activation, the same float arithmetic), {@code d[i] *= (lo < z
   * < hi ? 1 : below)} in place (ReLU: 0, +∞, 0; ReLU6: 0, 6, 0; leaky ReLU: 0, +∞, slope); returns
   * {@code Σ d[i]·xh[i]} and writes {@code Σ d[i]} to {@code sum[sumAt]}, each summed in the order
   * of {@link #dot} and {@link #sum}, so that the result is theirs on the masked values.
   */
  public static float maskedDotAndSum(float[] d, float[] xh, int from, int len, float g,
      float beta, float lo, float hi, float below, float[] sum, int sumAt) {
    if (VECTOR) {
      return VectorKernels.maskedDotAndSum(d, xh, from, len, g, beta, lo, hi, below, sum, sumAt);
    }
    int end = from + len;
    // without a branch, so that C2 vectorizes the loop: 1 inside (lo, hi), 0 outside (each side
    // a difference scaled past 1 when positive, then clamped), then d·in + d·below·(1 - in)
    for (int i = from; i < end; i++) {
      float z = g * xh[i] + beta;
      float in = Math.min(1f, Math.max(0f, z - lo) * 0x1p126f * 0x1p126f)
          * Math.min(1f, Math.max(0f, hi - z) * 0x1p126f * 0x1p126f);
      float v = d[i];
      d[i] = v * in + v * below * (1f - in);
    }
    sum[sumAt] = sum(d, from, len);
    return dot(d, xh, from, len);
  }
}
