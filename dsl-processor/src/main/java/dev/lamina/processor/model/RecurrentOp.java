package dev.lamina.processor.model;

import dev.lamina.dsl.Activation;
import dev.lamina.dsl.Recurrent.Cell;
import dev.lamina.dsl.Recurrent.Returns;
import dev.lamina.runtime.ParameterTensor.Init;
import dev.lamina.runtime.ParameterTensor.Role;
import java.util.ArrayList;
import java.util.List;

/**
 * A recurrent layer over a {@code T×D} sequence: {@code layers} stacked cells of {@code units}
 * hidden values, each in one or both directions, with PyTorch's parameter names and layouts
 * ({@code weight_ih_l<k>[_reverse]} {@code [G·H][D_k]}, {@code weight_hh_l<k>} {@code [G·H][H]},
 * {@code bias_ih_l<k>}, {@code bias_hh_l<k>} {@code [G·H]}; per layer, per direction, in that
 * order), so that its flat parameters are PyTorch's {@code state_dict} values in order.
 */
public record RecurrentOp(Cell cell, int units, int layers, boolean bidirectional, boolean bias,
    Returns returns) implements Op {

  /** Gate blocks G of the cell: the rows of its weights are G·H. */
  public static int gates(Cell cell) {
    return switch (cell) {
      case RNN_TANH, RNN_RELU -> 1;
      case LSTM -> 4;
      case GRU -> 3;
      case MGU -> 2;
    };
  }

  public int gates() {
    return gates(cell);
  }

  /** Directions per layer: 1, or 2 when bidirectional. */
  public int dirs() {
    return bidirectional ? 2 : 1;
  }

  /** Values per step that layer {@code k} reads: D for the first, dirs·H above. */
  public int inputSize(int k, int features) {
    return k == 0 ? features : dirs() * units;
  }

  /** {@code _l0}, {@code _l1_reverse}: the suffix of layer k's tensors in direction dir. */
  public static String suffix(int k, int dir) {
    return "_l" + k + (dir == 1 ? "_reverse" : "");
  }

  @Override
  public String kindName() {
    return "Recurrent";
  }

  @Override
  public Shape output(List<Shape> ins) {
    Shape in = ins.get(0);
    int width = dirs() * units;
    return returns == Returns.SEQUENCE ? Shape.sequence(in.steps(), width) : Shape.flat(width);
  }

  /** Every tensor starts uniform in ±1/√H, as PyTorch's (the activation plays no part). */
  @Override
  public List<TensorSpec> tensors(List<Shape> ins, Activation activation) {
    int features = ins.get(0).features();
    int rows = gates() * units;
    List<TensorSpec> t = new ArrayList<>();
    for (int k = 0; k < layers; k++) {
      for (int dir = 0; dir < dirs(); dir++) {
        String s = suffix(k, dir);
        t.add(tensor("weight_ih" + s, Role.WEIGHT, rows, inputSize(k, features)));
        t.add(tensor("weight_hh" + s, Role.WEIGHT, rows, units));
        if (bias) {
          t.add(tensor("bias_ih" + s, Role.BIAS, rows));
          t.add(tensor("bias_hh" + s, Role.BIAS, rows));
        }
      }
    }
    return t;
  }

  private TensorSpec tensor(String name, Role role, int... shape) {
    return new TensorSpec(name, role, shape, units, shape[0], Init.UNIFORM_RECIPROCAL_SQRT);
  }

  /**
   * Per step, each gate unit reads its layer's input values, the H hidden values and (with bias)
   * its two biases.
   */
  @Override
  public long connections(List<Shape> ins, Shape out) {
    Shape in = ins.get(0);
    long perStep = 0;
    for (int k = 0; k < layers; k++) {
      long reads = inputSize(k, in.features()) + units + (bias ? 2 : 0);
      perStep = Geometry.add(perStep, Geometry.mul(Geometry.mul(dirs(), gates() * (long) units),
          reads));
    }
    return Geometry.mul(perStep, in.steps());
  }

  /**
   * Per sequence: the two products of every gate at every step, and the cell's element-wise
   * products (LSTM {@code f⊙c + i⊙g}, {@code o⊙tanh(c)}; GRU {@code r⊙(W_hn h + b_hn)}, {@code
   * (1-z)⊙n + z⊙h}; MGU {@code f⊙h}, {@code (1-f)⊙h + f⊙n}: three per hidden value).
   */
  @Override
  public long multiplyAdds(List<Shape> ins, Shape out) {
    Shape in = ins.get(0);
    long perStep = 0;
    int elementwise = cell == Cell.RNN_TANH || cell == Cell.RNN_RELU ? 0 : 3;
    for (int k = 0; k < layers; k++) {
      long products = Geometry.mul(gates() * (long) units, inputSize(k, in.features()) + units);
      perStep = Geometry.add(perStep,
          Geometry.mul(dirs(), products + (long) elementwise * units));
    }
    return Geometry.mul(perStep, in.steps());
  }

  /**
   * The whole sequence: the last step of a forward layer has read every step, and every step of
   * a bidirectional layer has (a step t of a forward-only layer has read steps 0..t; the summary
   * gives the widest, which is what the output's last step sees).
   */
  @Override
  public Field field(List<Field> ins, List<Shape> inShapes, Shape network) {
    Shape in = inShapes.get(0);
    Field f = ins.get(0);
    long[] rf = f.rf();
    long steps = rf[0] + (in.steps() - 1) * f.jump()[0];
    long width = network.isSequence() ? network.features() : rf[1];
    return new Field(new long[] {steps, Math.max(rf[1], width)}, f.jump(),
        new double[] {f.start()[0] + (in.steps() - 1) / 2.0 * f.jump()[0], f.start()[1]});
  }

  /** {@code LSTM 128, 2 layers, bidirectional, last, no bias}. */
  @Override
  public String description(List<String> inputs) {
    StringBuilder d = new StringBuilder(cell.name()).append(' ').append(units);
    if (layers > 1) {
      d.append(", ").append(layers).append(" layers");
    }
    if (bidirectional) {
      d.append(", bidirectional");
    }
    d.append(returns == Returns.LAST ? ", last step" : ", sequence");
    if (!bias) {
      d.append(", no bias");
    }
    return d.toString();
  }
}
