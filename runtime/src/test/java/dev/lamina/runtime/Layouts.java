package dev.lamina.runtime;

import dev.lamina.dsl.Loss;
import java.util.ArrayList;
import java.util.List;

/** Parameter layouts and summaries for tests. */
public final class Layouts {
  private Layouts() {}

  /** A weight tensor {@code [rows x cols]} (fanIn = cols, fanOut = rows). */
  public static ParameterTensor weight(String layer, int offset, int rows, int cols,
      ParameterTensor.Init init) {
    return new ParameterTensor(layer, "weight", ParameterTensor.Role.WEIGHT, offset,
        new int[] {rows, cols}, cols, rows, init);
  }

  /** A bias tensor of {@code size}. */
  public static ParameterTensor bias(String layer, int offset, int size) {
    return new ParameterTensor(layer, "bias", ParameterTensor.Role.BIAS, offset, new int[] {size},
        1, size, ParameterTensor.Init.ZEROS);
  }

  /**
   * The summary of a stack of affine layers {@code sizes[0] -> sizes[1] -> ...}, each with weight
   * {@code [out x in]} then bias, named {@code fc1, fc2, ...}, hidden layers described with {@code activation}.
   */
  public static NetworkSummary mlp(String name, Loss loss, String activation, int... sizes) {
    List<LayerSummary> layers = new ArrayList<>();
    List<ParameterTensor> tensors = new ArrayList<>();
    int offset = 0;
    for (int l = 1; l < sizes.length; l++) {
      String layer = "fc" + l;
      int in = sizes[l - 1];
      int out = sizes[l];
      boolean last = l == sizes.length - 1;
      tensors.add(weight(layer, offset, out, in,
          last ? ParameterTensor.Init.XAVIER_UNIFORM : ParameterTensor.Init.HE_NORMAL));
      offset += in * out;
      tensors.add(bias(layer, offset, out));
      offset += out;
      long params = (long) in * out + out;
      layers.add(new LayerSummary(layer, "Affine", out + (last ? "" : " " + activation), new int[] {out},
          params, params, (long) in * out, new int[] {1, 1}, new int[] {1, 1},
          new double[] {0, 0}));
    }
    return new NetworkSummary(name, new int[] {sizes[0]}, loss, layers, tensors);
  }
}
