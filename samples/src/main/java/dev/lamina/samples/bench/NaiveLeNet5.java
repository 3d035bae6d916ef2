package dev.lamina.samples.bench;

import dev.lamina.dsl.Layer;
import dev.lamina.runtime.FloatNetwork;
import dev.lamina.runtime.FloatWorkspace;
import dev.lamina.runtime.Initializers;
import dev.lamina.runtime.Losses;
import dev.lamina.runtime.NetworkSummary;
import dev.lamina.runtime.Optimizer;
import dev.lamina.samples.Lamina_LeNet5;
import java.util.Arrays;
import java.util.List;

/**
 * The benchmark's naive baseline: the modern LeNet-5 as a hand-written, non-specialized runtime
 * would compute it. Generic convolution, pooling, affine and ReLU functions take every size as a
 * parameter and loop over shape variables, one sample at a time, with bounds tests for padding
 * inside the innermost loops. Nothing is unrolled, nothing is a constant.
 *
 * <p>It uses exactly the generated {@link Lamina_LeNet5}'s flat parameter layout and summary (conv
 * weights {@code [K][C][kh][kw]}, affine weights {@code [in][out]}), so both can start from the
 * same parameters and be trained by the same {@link dev.lamina.runtime.train.Trainer} with the same
 * optimizer: the difference in speed is what specialization buys. Allocation-free after
 * construction, like the generated class.
 */
public final class NaiveLeNet5 implements FloatNetwork {
  /** One layer's geometry, as a generic runtime would hold it. */
  record Conv(int c, int h, int w, int k, int kh, int kw, int pad, int stride, int oh, int ow,
      int weight, int bias) {
    int inSize() {
      return c * h * w;
    }

    int outSize() {
      return k * oh * ow;
    }
  }

  record Pool(int c, int h, int w, int size, int stride, int oh, int ow) {
    int inSize() {
      return c * h * w;
    }

    int outSize() {
      return c * oh * ow;
    }
  }

  record Affine(int in, int out, int weight, int bias) {}

  static final Conv C1 = new Conv(1, 28, 28, 6, 5, 5, 2, 1, 28, 28,
      Lamina_LeNet5.C1_WEIGHT, Lamina_LeNet5.C1_BIAS);
  static final Pool S2 = new Pool(6, 28, 28, 2, 2, 14, 14);
  static final Conv C3 = new Conv(6, 14, 14, 16, 5, 5, 0, 1, 10, 10,
      Lamina_LeNet5.C3_WEIGHT, Lamina_LeNet5.C3_BIAS);
  static final Pool S4 = new Pool(16, 10, 10, 2, 2, 5, 5);
  static final Affine F5 = new Affine(400, 120, Lamina_LeNet5.F5_WEIGHT, Lamina_LeNet5.F5_BIAS);
  static final Affine F6 = new Affine(120, 84, Lamina_LeNet5.F6_WEIGHT, Lamina_LeNet5.F6_BIAS);
  static final Affine OUT = new Affine(84, 10, Lamina_LeNet5.OUT_WEIGHT, Lamina_LeNet5.OUT_BIAS);

  private final float[] parameters = new float[Lamina_LeNet5.PARAMETER_COUNT];
  private Optimizer optimizer;
  private Workspace training;
  private Workspace inference;

  /** A network initialized exactly like {@code new Lamina_LeNet5(seed)}. */
  public NaiveLeNet5(long seed) {
    Initializers.initialize(parameters, summary().parameterTensors(), seed);
  }

  /** A network with a copy of {@code params} (same layout as the generated class). */
  public NaiveLeNet5(float[] params) {
    System.arraycopy(params, 0, parameters, 0, parameters.length);
  }

  @Override
  public NetworkSummary summary() {
    return Lamina_LeNet5.SUMMARY;
  }

  @Override
  public float[] parameters() {
    return parameters;
  }

  @Override
  public List<Layer> layers() {
    return List.of();
  }

  @Override
  public Workspace newWorkspace(int maxBatch) {
    return new Workspace(this, maxBatch);
  }

  @Override
  public void forward(float[] input, int batch, float[] output) {
    if (inference == null || inference.maxBatch < batch) {
      inference = new Workspace(this, batch);
    }
    float[] out = inference.forward(input, 0, batch, false);
    System.arraycopy(out, 0, output, 0, batch * 10);
  }

  @Override
  public int predict(float[] sample) {
    if (inference == null) {
      inference = new Workspace(this, 1);
    }
    float[] out = inference.forward(sample, 0, 1, false);
    int best = 0;
    for (int o = 1; o < 10; o++) {
      if (out[o] > out[best]) {
        best = o;
      }
    }
    return best;
  }

  @Override
  public Optimizer optimizer() {
    return optimizer;
  }

  @Override
  public void setOptimizer(Optimizer optimizer) {
    this.optimizer = optimizer;
  }

  @Override
  public float trainStep(float[] input, int[] labels, int batch) {
    if (training == null || training.maxBatch < batch) {
      training = new Workspace(this, batch);
    }
    training.zeroGradients();
    float loss = training.lossAndGradients(input, 0, labels, 0, batch, 1f / batch);
    optimizer.step(parameters, training.gradients());
    return loss / batch;
  }

  @Override
  public float trainStep(float[] input, float[] targets, int batch) {
    throw new UnsupportedOperationException("the naive baseline trains on class labels only");
  }

  /** Activations and gradients for up to {@code maxBatch} samples. */
  public static final class Workspace implements FloatWorkspace {
    private final NaiveLeNet5 network;
    private final int maxBatch;
    private final float[] p;
    private final float[] g;
    private final float[] outGrad;
    private float[] input;
    private int inputOffset;
    // Per layer: output (after activation), its gradient, and the pooling arg-max.
    private final float[] c1;
    private final float[] dc1;
    private final float[] s2;
    private final float[] ds2;
    private final int[] s2Arg;
    private final float[] c3;
    private final float[] dc3;
    private final float[] s4;
    private final float[] ds4;
    private final int[] s4Arg;
    private final float[] f5;
    private final float[] df5;
    private final float[] f6;
    private final float[] df6;
    private final float[] out;
    private final float[] dout;

    Workspace(NaiveLeNet5 network, int maxBatch) {
      this.network = network;
      this.maxBatch = maxBatch;
      this.p = network.parameters;
      this.g = new float[p.length];
      this.outGrad = new float[maxBatch * 10];
      c1 = new float[maxBatch * C1.outSize()];
      dc1 = new float[maxBatch * C1.outSize()];
      s2 = new float[maxBatch * S2.outSize()];
      ds2 = new float[maxBatch * S2.outSize()];
      s2Arg = new int[maxBatch * S2.outSize()];
      c3 = new float[maxBatch * C3.outSize()];
      dc3 = new float[maxBatch * C3.outSize()];
      s4 = new float[maxBatch * S4.outSize()];
      ds4 = new float[maxBatch * S4.outSize()];
      s4Arg = new int[maxBatch * S4.outSize()];
      f5 = new float[maxBatch * F5.out()];
      df5 = new float[maxBatch * F5.out()];
      f6 = new float[maxBatch * F6.out()];
      df6 = new float[maxBatch * F6.out()];
      out = new float[maxBatch * OUT.out()];
      dout = new float[maxBatch * OUT.out()];
    }

    @Override
    public NaiveLeNet5 network() {
      return network;
    }

    @Override
    public int maxBatch() {
      return maxBatch;
    }

    @Override
    public float[] outputGradientBuffer() {
      return outGrad;
    }

    @Override
    public float[] gradients() {
      return g;
    }

    @Override
    public void zeroGradients() {
      Arrays.fill(g, 0f);
    }

    @Override
    public void setInputGradientEnabled(boolean enabled) {
      if (enabled) {
        throw new UnsupportedOperationException("the naive baseline has no input gradient");
      }
    }

    @Override
    public float[] inputGradient() {
      return null;
    }

    @Override
    public float[] forward(float[] x, int offset, int batch, boolean training) {
      if (batch > maxBatch) {
        throw new IllegalArgumentException("batch " + batch + " > " + maxBatch);
      }
      this.input = x;
      this.inputOffset = offset;
      for (int n = 0; n < batch; n++) {
        int xo = offset + n * C1.inSize();
        convForward(C1, p, x, xo, c1, n * C1.outSize());
        relu(c1, n * C1.outSize(), C1.outSize());
        maxPoolForward(S2, c1, n * S2.inSize(), s2, n * S2.outSize(), s2Arg);
        convForward(C3, p, s2, n * C3.inSize(), c3, n * C3.outSize());
        relu(c3, n * C3.outSize(), C3.outSize());
        maxPoolForward(S4, c3, n * S4.inSize(), s4, n * S4.outSize(), s4Arg);
        affineForward(F5, p, s4, n * F5.in(), f5, n * F5.out());
        relu(f5, n * F5.out(), F5.out());
        affineForward(F6, p, f5, n * F6.in(), f6, n * F6.out());
        relu(f6, n * F6.out(), F6.out());
        affineForward(OUT, p, f6, n * OUT.in(), out, n * OUT.out());
      }
      return out;
    }

    @Override
    public void backward(float[] gradOutput, int offset, int batch) {
      for (int n = 0; n < batch; n++) {
        System.arraycopy(gradOutput, offset + n * 10, dout, n * 10, 10);
        affineBackward(OUT, p, g, f6, n * OUT.in(), dout, n * OUT.out(), df6, n * OUT.in());
        reluBackward(f6, df6, n * F6.out(), F6.out());
        affineBackward(F6, p, g, f5, n * F6.in(), df6, n * F6.out(), df5, n * F6.in());
        reluBackward(f5, df5, n * F5.out(), F5.out());
        affineBackward(F5, p, g, s4, n * F5.in(), df5, n * F5.out(), ds4, n * F5.in());
        maxPoolBackward(S4, ds4, n * S4.outSize(), s4Arg, dc3, n * S4.inSize());
        reluBackward(c3, dc3, n * C3.outSize(), C3.outSize());
        convBackward(C3, p, g, s2, n * C3.inSize(), dc3, n * C3.outSize(), ds2, n * C3.inSize());
        maxPoolBackward(S2, ds2, n * S2.outSize(), s2Arg, dc1, n * S2.inSize());
        reluBackward(c1, dc1, n * C1.outSize(), C1.outSize());
        convBackward(C1, p, g, input, inputOffset + n * C1.inSize(), dc1, n * C1.outSize(), null,
            0);
      }
    }

    @Override
    public float lossAndGradients(float[] x, int offset, int[] labels, int labelOffset,
        int batch, float gradScale) {
      float[] o = forward(x, offset, batch, true);
      float loss = Losses.forwardBackward(network.summary().loss(), o, batch, 10, labels,
          labelOffset, outGrad, gradScale);
      backward(outGrad, 0, batch);
      return loss;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Generic layer functions: every size is a parameter.

  static void convForward(Conv l, float[] p, float[] x, int xo, float[] z, int zo) {
    for (int k = 0; k < l.k(); k++) {
      float b = p[l.bias() + k];
      for (int oy = 0; oy < l.oh(); oy++) {
        for (int ox = 0; ox < l.ow(); ox++) {
          float s = b;
          for (int c = 0; c < l.c(); c++) {
            for (int i = 0; i < l.kh(); i++) {
              int iy = oy * l.stride() - l.pad() + i;
              if (iy < 0 || iy >= l.h()) {
                continue;
              }
              for (int j = 0; j < l.kw(); j++) {
                int ix = ox * l.stride() - l.pad() + j;
                if (ix < 0 || ix >= l.w()) {
                  continue;
                }
                s += p[l.weight() + ((k * l.c() + c) * l.kh() + i) * l.kw() + j]
                    * x[xo + (c * l.h() + iy) * l.w() + ix];
              }
            }
          }
          z[zo + (k * l.oh() + oy) * l.ow() + ox] = s;
        }
      }
    }
  }

  /** Adds dW and db to {@code g}; if {@code dx} is not null, writes dL/dx there. */
  static void convBackward(Conv l, float[] p, float[] g, float[] x, int xo, float[] dz, int dzo,
      float[] dx, int dxo) {
    if (dx != null) {
      Arrays.fill(dx, dxo, dxo + l.inSize(), 0f);
    }
    for (int k = 0; k < l.k(); k++) {
      for (int oy = 0; oy < l.oh(); oy++) {
        for (int ox = 0; ox < l.ow(); ox++) {
          float d = dz[dzo + (k * l.oh() + oy) * l.ow() + ox];
          g[l.bias() + k] += d;
          for (int c = 0; c < l.c(); c++) {
            for (int i = 0; i < l.kh(); i++) {
              int iy = oy * l.stride() - l.pad() + i;
              if (iy < 0 || iy >= l.h()) {
                continue;
              }
              for (int j = 0; j < l.kw(); j++) {
                int ix = ox * l.stride() - l.pad() + j;
                if (ix < 0 || ix >= l.w()) {
                  continue;
                }
                int wi = l.weight() + ((k * l.c() + c) * l.kh() + i) * l.kw() + j;
                int xi = (c * l.h() + iy) * l.w() + ix;
                g[wi] += d * x[xo + xi];
                if (dx != null) {
                  dx[dxo + xi] += d * p[wi];
                }
              }
            }
          }
        }
      }
    }
  }

  static void maxPoolForward(Pool l, float[] x, int xo, float[] y, int yo, int[] arg) {
    for (int c = 0; c < l.c(); c++) {
      for (int oy = 0; oy < l.oh(); oy++) {
        for (int ox = 0; ox < l.ow(); ox++) {
          float best = Float.NEGATIVE_INFINITY;
          int at = 0;
          for (int i = 0; i < l.size(); i++) {
            for (int j = 0; j < l.size(); j++) {
              int xi = (c * l.h() + oy * l.stride() + i) * l.w() + ox * l.stride() + j;
              if (x[xo + xi] > best) {
                best = x[xo + xi];
                at = xi;
              }
            }
          }
          int yi = yo + (c * l.oh() + oy) * l.ow() + ox;
          y[yi] = best;
          arg[yi] = at;
        }
      }
    }
  }

  /** Writes dL/dx (zeroing it first) from dL/dy through the arg-max of each window. */
  static void maxPoolBackward(Pool l, float[] dy, int dyo, int[] arg, float[] dx, int dxo) {
    Arrays.fill(dx, dxo, dxo + l.inSize(), 0f);
    for (int q = 0; q < l.outSize(); q++) {
      dx[dxo + arg[dyo + q]] += dy[dyo + q];
    }
  }

  static void affineForward(Affine l, float[] p, float[] x, int xo, float[] y, int yo) {
    for (int o = 0; o < l.out(); o++) {
      float s = p[l.bias() + o];
      for (int i = 0; i < l.in(); i++) {
        s += x[xo + i] * p[l.weight() + i * l.out() + o];
      }
      y[yo + o] = s;
    }
  }

  /** Adds dW and db to {@code g}; writes dL/dx to {@code dx}. */
  static void affineBackward(Affine l, float[] p, float[] g, float[] x, int xo, float[] dy, int dyo,
      float[] dx, int dxo) {
    for (int o = 0; o < l.out(); o++) {
      g[l.bias() + o] += dy[dyo + o];
    }
    for (int i = 0; i < l.in(); i++) {
      float xi = x[xo + i];
      float s = 0;
      for (int o = 0; o < l.out(); o++) {
        int wi = l.weight() + i * l.out() + o;
        g[wi] += xi * dy[dyo + o];
        s += p[wi] * dy[dyo + o];
      }
      dx[dxo + i] = s;
    }
  }

  static void relu(float[] y, int off, int n) {
    for (int q = off; q < off + n; q++) {
      if (y[q] < 0) {
        y[q] = 0;
      }
    }
  }

  /** dL/dz = dL/dy where the output was positive, else 0 (the output after ReLU stands for z). */
  static void reluBackward(float[] y, float[] dy, int off, int n) {
    for (int q = off; q < off + n; q++) {
      if (y[q] <= 0) {
        dy[q] = 0;
      }
    }
  }
}
