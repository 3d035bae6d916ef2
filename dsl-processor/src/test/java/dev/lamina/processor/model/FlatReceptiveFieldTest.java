package dev.lamina.processor.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.lamina.dsl.Activation;
import dev.lamina.dsl.Loss;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * In a flat network (input {D}, read as 1xD) an Affine unit mixes every feature, so its receptive
 * field is the whole input, also after element-wise layers or a concatenation of the input with
 * itself (a bug the compiler fuzzer found: the Affine kept the 1x1 field of the layer before it).
 */
class FlatReceptiveFieldTest {
  private static int[] rf(NetworkModel m, String layer) {
    return m.summary().layer(layer).receptiveField();
  }

  @Test
  void affineAfterBatchNormCoversTheFlatInput() {
    NetworkModel m = new ModelBuilder("p", "Net", Shape.flat(6))
        .add("bn", new BatchNormOp(1e-5, 0.1), Activation.IDENTITY, 0.01)
        .add("out", new AffineOp(3, true), Activation.IDENTITY, 0.01)
        .loss(Loss.MSE).build();
    assertArrayEquals(new int[] {1, 1}, rf(m, "bn"));
    assertArrayEquals(new int[] {1, 6}, rf(m, "out"));
  }

  @Test
  void affineAfterConcatOfTheInputWithItselfCoversTheInputOnce() {
    NetworkModel m = new ModelBuilder("p", "Net", Shape.flat(6))
        .add("both", List.of("input", "input"), new ConcatOp(), Activation.IDENTITY, 0.01)
        .add("out", new AffineOp(3, true), Activation.IDENTITY, 0.01)
        .loss(Loss.MSE).build();
    assertArrayEquals(new int[] {1, 6}, rf(m, "out"));
  }

  @Test
  void firstAffineOfAFlatNetworkCoversTheInput() {
    NetworkModel m = new ModelBuilder("p", "Net", Shape.flat(5))
        .add("h", new AffineOp(4, true), Activation.RELU, 0.01)
        .add("out", new AffineOp(2, true), Activation.IDENTITY, 0.01)
        .loss(Loss.MSE).build();
    assertArrayEquals(new int[] {1, 5}, rf(m, "h"));
    assertArrayEquals(new int[] {1, 5}, rf(m, "out"));
  }
}
