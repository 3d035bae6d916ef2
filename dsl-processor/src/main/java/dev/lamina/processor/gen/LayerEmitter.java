package dev.lamina.processor.gen;

import com.palantir.javapoet.MethodSpec;
import java.util.List;

/**
 * Writes the workspace methods of one layer kind: the kind's generation stage, created by its
 * registry entry ({@code kind.LayerKinds}) from the kind's op. The workspace generator wires every
 * layer the same way:
 *
 * <ul>
 *   <li>{@code void <name>Forward(T[] x, int xOff, int batch)} reads {@code batch} samples from
 *       {@code x[xOff..]} and writes the layer's output before its activation into {@link
 *       LayerContext#preBuffer()};
 *   <li>{@code void <name>BackwardParams(T[] x, int xOff, int batch)} (only if {@link
 *       #hasParameters()}) adds dL/d(parameters) to the gradient array, reading
 *       dL/d(pre-activation) from {@link LayerContext#deltaBuffer()};
 *   <li>{@code void <name>BackwardData(T[] dx, int batch)} adds dL/d(input) to {@code dx}, which
 *       the caller has zeroed.
 * </ul>
 *
 * <p>A layer reading several inputs (Add, Concat) gets one {@code x<k>, x<k>Off} pair and one
 * {@code dx<k>} per input instead (see {@link LayerContext}). Several layers may add into the same
 * {@code dx}: the generator zeroes every delta buffer once per backward pass, so a layer read by
 * several others receives the sum of their gradients. {@code trainingPass} tells a layer whether
 * the last forward pass ran in training mode (BatchNorm, Dropout).
 *
 * <p>Each returned list starts with that entry point; further methods are helpers it calls. Every
 * method must stay under HotSpot's 8000-byte HugeMethodLimit: loop, rather than unroll, whatever
 * grows with the layer's size.
 */
public interface LayerEmitter {
  /** Buffers this layer keeps in the workspace besides its output, pre-activation and delta. */
  default List<Buffer> buffers(LayerContext c) {
    return List.of();
  }

  boolean hasParameters();

  /**
   * Whether the layer draws random masks in training (Dropout): the workspace then keeps a seeded
   * generator and a {@code reseed} method.
   */
  default boolean drawsMasks() {
    return false;
  }

  List<MethodSpec> forward(LayerContext c);

  default List<MethodSpec> backwardParams(LayerContext c) {
    return List.of();
  }

  List<MethodSpec> backwardData(LayerContext c);

  /**
   * A workspace array: its field name, whether it holds ints, and its length per sample. With
   * {@code rows > 0} it is instead a scratch of {@code rows} separate arrays of {@code perSample}
   * values each, whatever the batch ({@code T[rows][perSample]}, zero when created).
   */
  record Buffer(String name, boolean ints, int perSample, String comment, int rows) {
    Buffer(String name, boolean ints, int perSample, String comment) {
      this(name, ints, perSample, comment, 0);
    }

    /** {@code rows} scratch arrays of {@code length} values, independent of the batch. */
    static Buffer scratch(String name, int rows, int length, String comment) {
      return new Buffer(name, false, length, comment, rows);
    }
  }
}
