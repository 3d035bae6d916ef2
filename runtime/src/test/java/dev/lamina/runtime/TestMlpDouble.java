package dev.lamina.runtime;

import dev.lamina.dsl.Layer;
import dev.lamina.dsl.Loss;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code double} twin of {@link TestMlp} (same summary and layout), a {@link DoubleNetwork} test
 * double for checkpoints and the reference for gradient checks.
 */
public final class TestMlpDouble implements DoubleNetwork {
  private final NetworkSummary summary;
  private final int[] sizes;
  private final boolean relu;
  private final double[] params;

  /** Hidden layers with tanh. */
  public TestMlpDouble(String name, int... sizes) {
    this(name, false, sizes);
  }

  /** Hidden layers with ReLU when {@code relu}, else tanh. */
  public TestMlpDouble(String name, boolean relu, int... sizes) {
    this.sizes = sizes.clone();
    this.relu = relu;
    this.summary = Layouts.mlp(name, Loss.SOFTMAX_CROSS_ENTROPY, relu ? "relu" : "tanh", sizes);
    ParameterTensor last = summary.parameterTensors().get(summary.parameterTensors().size() - 1);
    this.params = new double[last.offset() + last.size()];
  }

  @Override
  public NetworkSummary summary() {
    return summary;
  }

  @Override
  public double[] parameters() {
    return params;
  }

  @Override
  public List<Layer> layers() {
    return List.of();
  }

  @Override
  public Workspace newWorkspace(int maxBatch) {
    return new Workspace(maxBatch);
  }

  @Override
  public void forward(double[] input, int batch, double[] output) {
    double[] out = new Workspace(batch).forward(input, 0, batch, false);
    System.arraycopy(out, 0, output, 0, batch * outputSize());
  }

  @Override
  public int predict(double[] sample) {
    double[] out = new Workspace(1).forward(sample, 0, 1, false);
    int best = 0;
    for (int k = 1; k < out.length; k++) {
      if (out[k] > out[best]) {
        best = k;
      }
    }
    return best;
  }

  /** Activations and gradients of one thread. */
  public final class Workspace implements DoubleWorkspace {
    private final int maxBatch;
    private final double[][] acts;
    private final double[][] deltas;
    private final double[] gradients = new double[params.length];
    private final double[] outputGradient;
    private final double[] inputGradient;
    private boolean inputGradientEnabled;
    private double[] input;
    private int inputOffset;

    Workspace(int maxBatch) {
      this.maxBatch = maxBatch;
      acts = new double[sizes.length][];
      deltas = new double[sizes.length][];
      for (int l = 0; l < sizes.length; l++) {
        acts[l] = new double[maxBatch * sizes[l]];
        deltas[l] = new double[maxBatch * sizes[l]];
      }
      outputGradient = new double[maxBatch * sizes[sizes.length - 1]];
      inputGradient = new double[maxBatch * sizes[0]];
    }

    @Override
    public DoubleNetwork network() {
      return TestMlpDouble.this;
    }

    @Override
    public int maxBatch() {
      return maxBatch;
    }

    @Override
    public double[] forward(double[] x, int offset, int batch, boolean training) {
      input = x;
      inputOffset = offset;
      int p = 0;
      for (int l = 1; l < sizes.length; l++) {
        int in = sizes[l - 1];
        int out = sizes[l];
        double[] src = l == 1 ? x : acts[l - 1];
        int srcBase = l == 1 ? offset : 0;
        int b = p + in * out;
        boolean hidden = l < sizes.length - 1;
        for (int n = 0; n < batch; n++) {
          for (int o = 0; o < out; o++) {
            double z = params[b + o];
            for (int i = 0; i < in; i++) {
              z += params[p + o * in + i] * src[srcBase + n * in + i];
            }
            acts[l][n * out + o] = !hidden ? z : relu ? Math.max(z, 0) : Math.tanh(z);
          }
        }
        p = b + out;
      }
      return acts[sizes.length - 1];
    }

    @Override
    public void backward(double[] gradOutput, int offset, int batch) {
      int last = sizes.length - 1;
      System.arraycopy(gradOutput, offset, deltas[last], 0, batch * sizes[last]);
      int p = params.length;
      for (int l = last; l >= 1; l--) {
        int in = sizes[l - 1];
        int out = sizes[l];
        p -= in * out + out;
        int b = p + in * out;
        double[] src = l == 1 ? input : acts[l - 1];
        int srcBase = l == 1 ? inputOffset : 0;
        boolean wantPrev = l > 1 || inputGradientEnabled;
        double[] prev = l > 1 ? deltas[l - 1] : inputGradient;
        if (wantPrev) {
          Arrays.fill(prev, 0, batch * in, 0);
        }
        for (int n = 0; n < batch; n++) {
          for (int o = 0; o < out; o++) {
            double d = deltas[l][n * out + o];
            gradients[b + o] += d;
            for (int i = 0; i < in; i++) {
              gradients[p + o * in + i] += d * src[srcBase + n * in + i];
              if (wantPrev) {
                prev[n * in + i] += d * params[p + o * in + i];
              }
            }
          }
        }
        if (l > 1) {
          for (int i = 0; i < batch * in; i++) {
            double a = acts[l - 1][i];
            prev[i] *= relu ? (a > 0 ? 1 : 0) : 1 - a * a;
          }
        }
      }
    }

    @Override
    public double[] outputGradientBuffer() {
      return outputGradient;
    }

    @Override
    public double[] gradients() {
      return gradients;
    }

    @Override
    public void zeroGradients() {
      Arrays.fill(gradients, 0);
    }

    @Override
    public void setInputGradientEnabled(boolean enabled) {
      inputGradientEnabled = enabled;
    }

    @Override
    public double[] inputGradient() {
      return inputGradient;
    }
  }
}
