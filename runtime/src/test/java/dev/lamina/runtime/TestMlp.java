package dev.lamina.runtime;

import dev.lamina.dsl.Layer;
import dev.lamina.dsl.Loss;
import java.util.Arrays;
import java.util.List;

/**
 * A hand-written {@link FloatNetwork} test double: a stack of affine layers with tanh or ReLU between them
 * ({@code sizes[0] -> sizes[1] -> ... }, no activation after the last), softmax cross-entropy
 * loss, parameters laid out as {@link Layouts#mlp}. Its analytic backward pass is checked against
 * numerical gradients of {@link TestMlpDouble} in {@code TestNetworksTest}. {@link #layers()} is
 * empty: the runtime under test never needs the layer views.
 */
public final class TestMlp implements FloatNetwork {
  private final NetworkSummary summary;
  private final int[] sizes;
  private final boolean relu;
  private final float[] params;
  private Optimizer optimizer;
  private Workspace stepWorkspace;

  /** Hidden layers with tanh. */
  public TestMlp(String name, int... sizes) {
    this(name, false, sizes);
  }

  /** Hidden layers with ReLU when {@code relu}, else tanh. */
  public TestMlp(String name, boolean relu, int... sizes) {
    this.sizes = sizes.clone();
    this.relu = relu;
    this.summary = Layouts.mlp(name, Loss.SOFTMAX_CROSS_ENTROPY, relu ? "relu" : "tanh", sizes);
    ParameterTensor last = summary.parameterTensors().get(summary.parameterTensors().size() - 1);
    this.params = new float[last.offset() + last.size()];
  }

  @Override
  public NetworkSummary summary() {
    return summary;
  }

  @Override
  public float[] parameters() {
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
  public void forward(float[] input, int batch, float[] output) {
    float[] out = new Workspace(batch).forward(input, 0, batch, false);
    System.arraycopy(out, 0, output, 0, batch * outputSize());
  }

  @Override
  public int predict(float[] sample) {
    float[] out = new Workspace(1).forward(sample, 0, 1, false);
    int best = 0;
    for (int k = 1; k < out.length; k++) {
      if (out[k] > out[best]) {
        best = k;
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
    if (stepWorkspace == null || stepWorkspace.maxBatch() < batch) {
      stepWorkspace = new Workspace(batch);
    }
    stepWorkspace.zeroGradients();
    float loss = stepWorkspace.lossAndGradients(input, 0, labels, 0, batch, 1f / batch);
    optimizer.step(params, stepWorkspace.gradients());
    return loss / batch;
  }

  @Override
  public float trainStep(float[] input, float[] targets, int batch) {
    throw new UnsupportedOperationException("this test network is trained on class labels");
  }

  /** Activations and gradients of one thread. */
  public final class Workspace implements FloatWorkspace {
    private final int maxBatch;
    /** acts[l]: outputs of layer l (acts[0] unused: the input is read in place). */
    private final float[][] acts;
    private final float[][] deltas;
    private final float[] gradients = new float[params.length];
    private final float[] outputGradient;
    private final float[] inputGradient;
    private boolean inputGradientEnabled;
    private float[] input;
    private int inputOffset;

    Workspace(int maxBatch) {
      this.maxBatch = maxBatch;
      acts = new float[sizes.length][];
      deltas = new float[sizes.length][];
      for (int l = 0; l < sizes.length; l++) {
        acts[l] = new float[maxBatch * sizes[l]];
        deltas[l] = new float[maxBatch * sizes[l]];
      }
      outputGradient = new float[maxBatch * sizes[sizes.length - 1]];
      inputGradient = new float[maxBatch * sizes[0]];
    }

    @Override
    public FloatNetwork network() {
      return TestMlp.this;
    }

    @Override
    public int maxBatch() {
      return maxBatch;
    }

    @Override
    public float[] forward(float[] x, int offset, int batch, boolean training) {
      input = x;
      inputOffset = offset;
      int p = 0;
      for (int l = 1; l < sizes.length; l++) {
        int in = sizes[l - 1];
        int out = sizes[l];
        float[] src = l == 1 ? x : acts[l - 1];
        int srcBase = l == 1 ? offset : 0;
        float[] dst = acts[l];
        int b = p + in * out;
        boolean hidden = l < sizes.length - 1;
        for (int n = 0; n < batch; n++) {
          for (int o = 0; o < out; o++) {
            float z = params[b + o];
            int w = p + o * in;
            for (int i = 0; i < in; i++) {
              z += params[w + i] * src[srcBase + n * in + i];
            }
            dst[n * out + o] = !hidden ? z : relu ? Math.max(z, 0f) : (float) Math.tanh(z);
          }
        }
        p = b + out;
      }
      return acts[sizes.length - 1];
    }

    @Override
    public void backward(float[] gradOutput, int offset, int batch) {
      int last = sizes.length - 1;
      System.arraycopy(gradOutput, offset, deltas[last], 0, batch * sizes[last]);
      int p = params.length;
      for (int l = last; l >= 1; l--) {
        int in = sizes[l - 1];
        int out = sizes[l];
        p -= in * out + out;
        int b = p + in * out;
        float[] src = l == 1 ? input : acts[l - 1];
        int srcBase = l == 1 ? inputOffset : 0;
        float[] delta = deltas[l];
        boolean wantPrev = l > 1 || inputGradientEnabled;
        float[] prev = l > 1 ? deltas[l - 1] : inputGradient;
        if (wantPrev) {
          Arrays.fill(prev, 0, batch * in, 0f);
        }
        for (int n = 0; n < batch; n++) {
          for (int o = 0; o < out; o++) {
            float d = delta[n * out + o];
            gradients[b + o] += d;
            int w = p + o * in;
            for (int i = 0; i < in; i++) {
              gradients[w + i] += d * src[srcBase + n * in + i];
              if (wantPrev) {
                prev[n * in + i] += d * params[w + i];
              }
            }
          }
        }
        if (l > 1) {
          float[] a = acts[l - 1];
          for (int i = 0; i < batch * in; i++) {
            prev[i] *= relu ? (a[i] > 0 ? 1 : 0) : 1 - a[i] * a[i]; // relu' or tanh'
          }
        }
      }
    }

    @Override
    public float[] outputGradientBuffer() {
      return outputGradient;
    }

    @Override
    public float[] gradients() {
      return gradients;
    }

    @Override
    public void zeroGradients() {
      Arrays.fill(gradients, 0f);
    }

    @Override
    public void setInputGradientEnabled(boolean enabled) {
      inputGradientEnabled = enabled;
    }

    @Override
    public float[] inputGradient() {
      return inputGradient;
    }
  }
}
