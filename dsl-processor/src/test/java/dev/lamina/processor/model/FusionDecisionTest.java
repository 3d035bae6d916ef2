package dev.lamina.processor.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.dsl.Activation;
import dev.lamina.dsl.Loss;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Which batch normalizations the inference pass folds into their convolution, and which layers
 * apply their activation in their own loop: the model stage's decisions every emitter reads.
 */
class FusionDecisionTest {
  private static ConvOp conv(int filters, boolean bias, int groups) {
    return new ConvOp(filters, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, bias, groups);
  }

  private static BatchNormOp norm() {
    return new BatchNormOp(1e-5, 0.1);
  }

  @Test
  void foldsABatchNormIntoTheConvolutionItAloneReads() {
    NetworkModel m = new ModelBuilder("p", "Net", Shape.image(2, 6, 6))
        .add("c1", conv(4, true, 1), Activation.IDENTITY, 0.01)
        .add("bn1", norm(), Activation.RELU, 0.01)
        .add("c2", conv(4, false, 1), Activation.IDENTITY, 0.01)
        .add("bn2", norm(), Activation.IDENTITY, 0.01)
        .add("sum", List.of("bn2", "bn1"), new AddOp(), Activation.RELU, 0.01)
        .loss(Loss.MSE).build();
    assertEquals(Map.of(0, 1, 2, 3), m.foldedNorms());
    assertTrue(m.fusesActivation(1), "BatchNorm with ReLU");
    assertFalse(m.fusesActivation(3), "BatchNorm without activation");
    assertTrue(m.fusesActivation(4), "Add with ReLU");
  }

  @Test
  void keepsApartWhatTheFoldWouldChange() {
    NetworkModel m = new ModelBuilder("p", "Net", Shape.image(2, 6, 6))
        .add("bn0", norm(), Activation.IDENTITY, 0.01)
        .add("act", conv(4, true, 1), Activation.RELU, 0.01)
        .add("bn1", norm(), Activation.IDENTITY, 0.01)
        .add("shared", conv(4, true, 1), Activation.IDENTITY, 0.01)
        .add("bn2", norm(), Activation.IDENTITY, 0.01)
        .add("sum", List.of("bn2", "shared"), new AddOp(), Activation.TANH, 0.01)
        .add("grouped", conv(4, true, 2), Activation.IDENTITY, 0.01)
        .add("bn3", norm(), Activation.GELU, 0.01)
        .loss(Loss.MSE).build();
    // bn0 reads the input; act has an activation; shared has a second reader; grouped has groups
    assertEquals(Map.of(), m.foldedNorms());
    assertFalse(m.fusesActivation(5), "Add with tanh");
    assertFalse(m.fusesActivation(7), "BatchNorm with GELU");
  }
}
