package dev.lamina.dsl;

import java.util.List;

/**
 * A layer of a generated network, as users see it: its name, kind, output shape and a view of its
 * parameters. The generated subclass fills every {@code Layer} field of the declaring class.
 */
public interface Layer {
  /** The member's name, as in every message, summary and checkpoint. */
  String name();

  /** {@code "Conv"}, {@code "Pool"}, {@code "Affine"}, ... */
  String kind();

  /** Output shape of one sample: {@code {C, H, W}} or {@code {D}}. */
  int[] outputShape();

  /** All parameter tensors of this layer, in storage order; empty for parameter-free layers. */
  List<Tensor> parameters();

  /** The weight tensor (for SUBSAMPLE pooling, the coefficients); {@code null} if none. */
  Tensor weights();

  /** The bias tensor; {@code null} if the layer has none. */
  Tensor bias();
}
