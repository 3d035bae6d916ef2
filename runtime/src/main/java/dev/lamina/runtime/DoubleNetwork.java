package dev.lamina.runtime;

import dev.lamina.dsl.Layer;
import java.util.List;

/**
 * A generated network computing in {@code double} ({@code Lamina_<Name>_F64}), for gradient checks
 * and users who want the precision. Same contract as {@link FloatNetwork}, thread safety included.
 */
public interface DoubleNetwork {
  NetworkSummary summary();

  default int inputSize() {
    return summary().inputSize();
  }

  default int outputSize() {
    return summary().outputSize();
  }

  default int parameterCount() {
    return parameters().length;
  }

  /** The live flat parameter array; the layout is {@link NetworkSummary#parameterTensors()}. */
  double[] parameters();

  List<Layer> layers();

  DoubleWorkspace newWorkspace(int maxBatch);

  void forward(double[] input, int batch, double[] output);

  int predict(double[] sample);
}
