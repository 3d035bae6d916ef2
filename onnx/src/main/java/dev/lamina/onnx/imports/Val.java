package dev.lamina.onnx.imports;

/**
 * What the translator knows about one ONNX value: an activation computed by a Lamina layer (or
 * the network input), a folded integer vector (shape plumbing), or a float constant.
 */
final class Val {
  /** The batch size in folded shape vectors: unknown until run time. */
  static final long BATCH = Long.MIN_VALUE;

  /** The layer computing it, {@code "input"} for the network input; null for constants. */
  final String layer;
  /** Lamina's shape of one sample: {@code {C, H, W}} or {@code {D}}. */
  final int[] shape;
  /** Whether ONNX sees it flattened to {@code [N, size]} (after Flatten or a flattening Reshape). */
  final boolean flat;
  /** Pending zero or minus-infinity padding {top, left, bottom, right} from a Pad node, or null. */
  final int[] pads;
  final float padValue;
  final String padNode;
  /** Folded integers (rank 0 or 1), or null. */
  final long[] ints;
  final boolean scalar;
  /** Constant floats with their ONNX dims, or null. */
  final float[] floats;
  final long[] dims;

  private Val(String layer, int[] shape, boolean flat, int[] pads, float padValue, String padNode,
      long[] ints, boolean scalar, float[] floats, long[] dims) {
    this.layer = layer;
    this.shape = shape;
    this.flat = flat;
    this.pads = pads;
    this.padValue = padValue;
    this.padNode = padNode;
    this.ints = ints;
    this.scalar = scalar;
    this.floats = floats;
    this.dims = dims;
  }

  static Val activation(String layer, int[] shape, boolean flat) {
    return new Val(layer, shape, flat, null, 0, null, null, false, null, null);
  }

  static Val ints(long[] v, boolean scalar) {
    return new Val(null, null, false, null, 0, null, v, scalar, null, null);
  }

  static Val floats(float[] v, long[] dims) {
    return new Val(null, null, false, null, 0, null, null, false, v, dims);
  }

  Val padded(int[] p, float value, String node) {
    return new Val(layer, shape, flat, p, value, node, null, false, null, null);
  }

  Val flattened() {
    return new Val(layer, shape, true, null, 0, null, null, false, null, null);
  }

  boolean isActivation() {
    return shape != null;
  }

  boolean isImage() {
    return shape != null && shape.length == 3 && !flat;
  }

  int size() {
    int n = 1;
    for (int d : shape) {
      n *= d;
    }
    return n;
  }

  /** ONNX's dims of one sample: the shape, or {@code [size]} once flattened. */
  int[] onnxDims() {
    return flat ? new int[] {size()} : shape.clone();
  }
}
