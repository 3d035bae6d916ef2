package dev.lamina.processor.model;

import dev.lamina.dsl.Activation;
import java.util.List;

/**
 * What a node computes, with every attribute resolved (defaults applied, one value expanded to
 * {@code {h, w}}), and the arithmetic of that computation: output shape, parameter tensors,
 * connections, multiply-adds and receptive field. The checker and the {@link ModelBuilder} both
 * ask the op, so each figure has one implementation.
 *
 * <p>One record per layer kind, in a file of its own ({@link ConvOp}, {@link PoolOp}, ...); the
 * kind's registry entry ({@code kind.LayerKinds}) ties it to its annotation, its rules and its
 * emitter. Every method may assume inputs that the kind's rules accepted.
 */
public interface Op {
  /** The kind's name as users see it: {@code Conv}, {@code Pool}, {@code Affine}, ... */
  String kindName();

  /** Whether the op reads two or more inputs (Add, Concat); otherwise it reads exactly one. */
  default boolean merges() {
    return false;
  }

  /** Shape of one output sample for inputs of these shapes. */
  Shape output(List<Shape> ins);

  /**
   * The parameter tensors, in storage order, for inputs of these shapes; {@code activation} picks
   * the weights' initializer ({@link TensorSpec#weightInit}).
   */
  default List<TensorSpec> tensors(List<Shape> ins, Activation activation) {
    return List.of();
  }

  /** Trained parameters: every tensor but statistics, saturating at {@code Long.MAX_VALUE}. */
  default long parameterCount(List<Shape> ins) {
    long n = 0;
    for (TensorSpec t : tensors(ins, Activation.IDENTITY)) {
      if (t.trained()) {
        n = Geometry.add(n, t.size());
      }
    }
    return n;
  }

  /** Connections into the output units (LeCun's count: every input a unit reads, bias included). */
  default long connections(List<Shape> ins, Shape out) {
    return 0;
  }

  /** Multiply-adds of one sample's forward pass. */
  default long multiplyAdds(List<Shape> ins, Shape out) {
    return 0;
  }

  /**
   * The receptive field, jump and start of the output, from those of the inputs (in input order);
   * {@code network} is the network's input shape. An element-wise op keeps its input's.
   */
  default Field field(List<Field> ins, List<Shape> inShapes, Shape network) {
    return ins.get(0);
  }

  /**
   * The summary's description without the activation ({@code 6@5x5 pad 2}); {@code inputs} are
   * the names of the layers read, in order.
   */
  String description(List<String> inputs);
}
