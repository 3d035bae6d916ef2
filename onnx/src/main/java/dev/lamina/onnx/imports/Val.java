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
  /** Folded integers in row-major order with their dims, or null. */
  final long[] ints;
  final int[] intDims;
  final boolean scalar;
  /** Constant floats with their ONNX dims, or null. */
  final float[] floats;
  final long[] dims;
  /** How ONNX lays out a recurrent layer's sequence: {@link #BATCH_FIRST} unless it is moved. */
  final int layout;
  /** Directions of a recurrent node's raw output (layouts {@link #RAW} and {@link #SPLIT}). */
  final int dirs;
  /** Whether this is a float tensor of zeros whose shape involves the batch size. */
  final boolean zeros;

  /** A sequence as {@code [N, T, F]}, or any other activation as Lamina sees it. */
  static final int BATCH_FIRST = 0;
  /** A sequence as {@code [T, N, F]}, as ONNX's recurrent operators read it. */
  static final int TIME_MAJOR = 1;
  /** A recurrent operator's output Y, {@code [T, dirs, N, H]}. */
  static final int RAW = 2;
  /** Y with the batch before the directions, {@code [T, N, dirs, H]}. */
  static final int SPLIT = 3;

  private Val(String layer, int[] shape, boolean flat, int[] pads, float padValue, String padNode,
      long[] ints, int[] intDims, float[] floats, long[] dims) {
    this(layer, shape, flat, pads, padValue, padNode, ints, intDims, floats, dims, BATCH_FIRST, 1,
        false);
  }

  private Val(String layer, int[] shape, boolean flat, int[] pads, float padValue, String padNode,
      long[] ints, int[] intDims, float[] floats, long[] dims, int layout, int dirs,
      boolean zeros) {
    this.layout = layout;
    this.dirs = dirs;
    this.zeros = zeros;
    this.layer = layer;
    this.shape = shape;
    this.flat = flat;
    this.pads = pads;
    this.padValue = padValue;
    this.padNode = padNode;
    this.ints = ints;
    this.intDims = intDims;
    this.scalar = intDims != null && intDims.length == 0;
    this.floats = floats;
    this.dims = dims;
  }

  static Val activation(String layer, int[] shape, boolean flat) {
    return new Val(layer, shape, flat, null, 0, null, null, null, null, null);
  }

  /** A folded scalar or vector. */
  static Val ints(long[] v, boolean scalar) {
    return ints(v, scalar ? new int[0] : new int[] {v.length});
  }

  static Val ints(long[] v, int[] dims) {
    return new Val(null, null, false, null, 0, null, v, dims, null, null);
  }

  static Val floats(float[] v, long[] dims) {
    return new Val(null, null, false, null, 0, null, null, null, v, dims);
  }

  /** The sequence {@code shape} of {@code layer} in {@code layout}. */
  static Val sequence(String layer, int[] shape, int layout, int dirs) {
    return new Val(layer, shape, false, null, 0, null, null, null, null, null, layout, dirs,
        false);
  }

  /** Zeros whose shape involves the batch size (a recurrent operator's initial state). */
  static Val batchZeros() {
    return new Val(null, null, false, null, 0, null, null, null, null, null, BATCH_FIRST, 1,
        true);
  }

  Val padded(int[] p, float value, String node) {
    return new Val(layer, shape, flat, p, value, node, null, null, null, null);
  }

  Val flattened() {
    return new Val(layer, shape, true, null, 0, null, null, null, null, null);
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
