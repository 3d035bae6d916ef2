package dev.lamina.runtime;

import dev.lamina.dsl.Layer;
import java.util.List;

/**
 * A generated network computing in {@code float}. Generated classes ({@code Lamina_<Name>})
 * implement it; the runtime's trainer, optimizers and checkpoints work through it.
 *
 * <p>Thread safety: the parameters are shared by every {@link FloatWorkspace} of the network.
 * Inference through {@link #forward}, {@link #predict} or separate workspaces may run on many
 * threads at once as long as nothing writes the parameters meanwhile (no training, no checkpoint
 * loading). {@link #trainStep} and the optimizer are not thread-safe.
 */
public interface FloatNetwork {
  /** Everything the compiler computed: shapes, parameter layout, counts, receptive fields. */
  NetworkSummary summary();

  /** Elements of one input sample. */
  default int inputSize() {
    return summary().inputSize();
  }

  /** Elements of one output sample. */
  default int outputSize() {
    return summary().outputSize();
  }

  /** Length of the flat parameter array. */
  default int parameterCount() {
    return parameters().length;
  }

  /** The live flat parameter array; the layout is {@link NetworkSummary#parameterTensors()}. */
  float[] parameters();

  /** The layers, in execution order, with live views of their parameters. */
  List<Layer> layers();

  /**
   * A new workspace (activations, scratch and a gradient buffer) for batches of up to {@code
   * maxBatch} samples. Allocates once; its passes then allocate nothing.
   */
  FloatWorkspace newWorkspace(int maxBatch);

  /**
   * Inference on {@code batch} samples laid out one after another in {@code input}; writes {@code
   * batch * outputSize()} values to {@code output}. Thread-safe (one workspace per thread).
   */
  void forward(float[] input, int batch, float[] output);

  /** Index of the largest output for one sample. Thread-safe (one workspace per thread). */
  int predict(float[] sample);

  /** The optimizer {@link #trainStep} uses. */
  Optimizer optimizer();

  /** Sets the optimizer {@link #trainStep} uses. */
  void setOptimizer(Optimizer optimizer);

  /**
   * One training step on a batch of class labels: forward, loss, backward and the optimizer's
   * update. Returns the mean loss over the batch.
   */
  float trainStep(float[] input, int[] labels, int batch);

  /** One training step on regression targets ({@code batch * outputSize()} values). */
  float trainStep(float[] input, float[] targets, int batch);
}
