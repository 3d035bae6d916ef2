package dev.lamina.processor.check.rules;

import dev.lamina.dsl.Recurrent.Cell;
import dev.lamina.dsl.Recurrent.Returns;
import dev.lamina.processor.check.LayerCheck;
import dev.lamina.processor.check.LayerRules;
import dev.lamina.processor.decl.Value;
import dev.lamina.processor.diag.Message;
import dev.lamina.processor.model.Geometry;
import dev.lamina.processor.model.RecurrentOp;
import dev.lamina.processor.model.Shape;

/**
 * {@code @Recurrent}: {@code units} and {@code layers} in range, a sequence input, and every
 * buffer the generated backpropagation through time keeps (each step's gates and states of every
 * layer and direction) within an array.
 */
public final class RecurrentRules implements LayerRules {
  /** Most stacked layers accepted: deeper stacks do not train without residual connections. */
  static final int MAX_LAYERS = 16;

  @Override
  public Outcome check(LayerCheck c) {
    Integer units = c.count("units");
    Integer layers = c.count("layers");
    Value<Integer> layersValue = c.layer().integer("layers");
    if (layers != null && layers > MAX_LAYERS) {
      c.report(Message.ATTRIBUTE_RANGE, layersValue.site(), c.name(), "layers", layers,
          "at most " + MAX_LAYERS + " (stack further recurrent layers with from = ... if you"
              + " must)");
      layers = null;
    }
    Cell cell = c.layer().<Cell>attr("cell").value();
    Returns returns = c.layer().<Returns>attr("returns").value();
    Boolean bidirectional = c.layer().bool("bidirectional").value();
    Boolean bias = c.layer().bool("bias").value();
    if (units == null || layers == null || cell == null || returns == null
        || bidirectional == null || bias == null || c.in() == null) {
      return Outcome.UNKNOWN;
    }
    Shape in = c.in();
    if (!in.isSequence()) {
      c.needsSequence(in);
      return Outcome.UNKNOWN;
    }
    RecurrentOp op = new RecurrentOp(cell, units, layers, bidirectional, bias, returns);
    // the largest per-sample buffer: every step's gate values of one layer and direction
    long gateValues = Geometry.mul(Geometry.mul(in.steps(), op.gates()), units);
    long sequence = Geometry.mul(in.steps(), (long) op.dirs() * units);
    long largest = Math.max(gateValues, sequence);
    if (largest > LayerCheck.MAX_ARRAY) {
      Shape big = Shape.sequence(in.steps(), (int) Math.min(Integer.MAX_VALUE,
          (long) op.gates() * units));
      c.report(Message.ACTIVATION_TOO_LARGE, c.layer().integer("units").site(), c.name(), big,
          largest, LayerCheck.MAX_ARRAY);
      return Outcome.UNKNOWN;
    }
    return Outcome.of(op, c);
  }

  @Override
  public String unitsAttribute() {
    return "units";
  }
}
