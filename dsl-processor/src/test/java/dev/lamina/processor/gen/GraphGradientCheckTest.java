package dev.lamina.processor.gen;

import static dev.lamina.processor.gen.Models.affine;
import static dev.lamina.processor.gen.Models.builder;
import static dev.lamina.processor.gen.Models.conv;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.lamina.dsl.Activation;
import dev.lamina.dsl.Loss;
import dev.lamina.dsl.PoolKind;
import dev.lamina.processor.model.NetworkModel;
import dev.lamina.processor.model.AddOp;
import dev.lamina.processor.model.BatchNormOp;
import dev.lamina.processor.model.ConcatOp;
import dev.lamina.processor.model.DropoutOp;
import dev.lamina.processor.model.GlobalAvgPoolOp;
import dev.lamina.processor.model.PoolOp;
import dev.lamina.processor.model.Shape;
import dev.lamina.runtime.DoubleNetwork;
import dev.lamina.runtime.DoubleWorkspace;
import dev.lamina.runtime.ParameterTensor;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Gradient checks in double precision (see {@link GradientChecker}) of graphs: layers read by
 * several others (their deltas must be summed), Add, Concat, and the layers that came with graphs:
 * BatchNorm (training mode), Dropout (fixed masks), GlobalAvgPool.
 */
class GraphGradientCheckTest {
  private static final Activation ID = Activation.IDENTITY;
  private static final BatchNormOp BN = new BatchNormOp(1e-5, 0.1);

  static Stream<Arguments> graphs() {
    return Stream.of(
        // y = conv2(relu(conv1(x))) + x, read twice: the input's gradient sums two paths.
        named("residual_identity", builder("R1", Shape.image(3, 6, 5))
            .add("c1", conv(3, 3, 1, 1), Activation.TANH, 0)
            .add("c2", conv(3, 3, 1, 1), ID, 0)
            .add("sum", List.of("c2", "input"), new AddOp(), Activation.TANH, 0)
            .add("out", affine(4), ID, 0)
            .loss(Loss.SOFTMAX_CROSS_ENTROPY).build()),
        // ResNet's downsampling block: 3x3 stride 2 against a 1x1 stride-2 projection.
        named("residual_projection", builder("R2", Shape.image(2, 7, 7))
            .add("stem", conv(3, 3, 1, 1), Activation.TANH, 0)
            .add("a", conv(4, 3, 2, 1), Activation.TANH, 0)
            .add("b", conv(4, 3, 1, 1), ID, 0)
            .add("proj", List.of("stem"), conv(4, 1, 2, 0), ID, 0)
            .add("sum", List.of("b", "proj"), new AddOp(), ID, 0)
            .add("gap", new GlobalAvgPoolOp(), ID, 0)
            .add("out", affine(3), ID, 0)
            .loss(Loss.SOFTMAX_CROSS_ENTROPY).build()),
        // The same with 9 filters: on the Vector API, both strided convolutions on im2col columns.
        named("residual_projection_columns", builder("R3", Shape.image(3, 9, 8))
            .add("stem", conv(4, 3, 1, 1), Activation.TANH, 0)
            .add("a", conv(9, 3, 2, 1), Activation.TANH, 0)
            .add("b", conv(9, 3, 1, 1), ID, 0)
            .add("proj", List.of("stem"), conv(9, 1, 2, 0), ID, 0)
            .add("sum", List.of("b", "proj"), new AddOp(), ID, 0)
            .add("gap", new GlobalAvgPoolOp(), ID, 0)
            .add("out", affine(3), ID, 0)
            .loss(Loss.SOFTMAX_CROSS_ENTROPY).build()),
        // Inception-style: four branches of one layer, concatenated; stem read four times.
        named("inception", builder("I1", Shape.image(2, 6, 6))
            .add("stem", conv(3, 3, 1, 1), Activation.TANH, 0)
            .add("b1", List.of("stem"), conv(2, 1, 1, 0), ID, 0)
            .add("b3", List.of("stem"), conv(2, 3, 1, 1), ID, 0)
            .add("b5", List.of("stem"), conv(1, 5, 1, 2), ID, 0)
            .add("bp", List.of("stem"), new PoolOp(PoolKind.AVG, 3, 3, 1, 1, 1, 1, true), ID, 0)
            .add("cat", List.of("b1", "b3", "b5", "bp"), new ConcatOp(), Activation.TANH, 0)
            .add("out", affine(3), ID, 0)
            .loss(Loss.MSE).build()),
        // Concat of the input with itself and Add of three, flat: repeated sources.
        named("flat_merges", builder("F1", Shape.flat(5))
            .add("h", affine(5), Activation.TANH, 0)
            .add("cat", List.of("input", "h", "input"), new ConcatOp(), ID, 0)
            .add("g", affine(5), ID, 0)
            .add("sum", List.of("g", "h", "input"), new AddOp(), Activation.SIGMOID, 0)
            .add("out", affine(3), ID, 0)
            .loss(Loss.HALF_SQUARED_ERROR).build()),
        // A dead end: its delta stays zero and nothing else changes.
        named("dead_end", builder("D1", Shape.flat(4))
            .add("h", affine(5), Activation.TANH, 0)
            .add("side", affine(2), ID, 0)
            .add("out", List.of("h"), affine(3), ID, 0)
            .loss(Loss.SOFTMAX_CROSS_ENTROPY).build()),
        named("batchnorm_image", builder("B1", Shape.image(2, 4, 3))
            .add("c", conv(3, 3, 1, 1), ID, 0)
            .add("bn", BN, Activation.TANH, 0)
            .add("out", affine(3), ID, 0)
            .loss(Loss.SOFTMAX_CROSS_ENTROPY).build()),
        named("batchnorm_flat_first", builder("B2", Shape.flat(6))
            .add("bn", BN, ID, 0)
            .add("out", affine(3), ID, 0)
            .loss(Loss.MSE).build()),
        named("dropout", builder("Dr", Shape.flat(6))
            .add("h", affine(8), Activation.TANH, 0)
            .add("drop", new DropoutOp(0.4, 3), ID, 0)
            .add("out", affine(3), ID, 0)
            .loss(Loss.SOFTMAX_CROSS_ENTROPY).build()),
        named("global_avg_pool", builder("Gap", Shape.image(3, 4, 5))
            .add("gap", new GlobalAvgPoolOp(), Activation.TANH, 0)
            .add("out", affine(2), ID, 0)
            .loss(Loss.MSE).build()));
  }

  static Arguments named(String name, NetworkModel m) {
    return Arguments.of(Named.of(name, m));
  }

  @ParameterizedTest
  @MethodSource("graphs")
  void gradients(NetworkModel model) {
    new GradientChecker(model, 3, 5).run(300).assertPassed(0);
  }

  @Test
  void dropoutIsIdentityInInferenceAndSeededInTraining() {
    NetworkModel m = builder("Dr2", Shape.flat(50))
        .add("drop", new DropoutOp(0.5, 0), ID, 0).build();
    DoubleNetwork net = Compiled.of(m).doubleNetwork(1);
    double[] x = new double[100];
    for (int i = 0; i < x.length; i++) {
      x[i] = i + 1;
    }
    DoubleWorkspace a = net.newWorkspace(2);
    assertArrayEquals(x, java.util.Arrays.copyOf(a.forward(x, 0, 2, false), 100));
    double[] first = a.forward(x, 0, 2, true).clone();
    double[] second = a.forward(x, 0, 2, true).clone();
    assertNotEquals(java.util.Arrays.toString(first), java.util.Arrays.toString(second));
    int kept = 0;
    for (int i = 0; i < 100; i++) {
      if (first[i] != 0) {
        kept++;
        assertEquals(2 * x[i], first[i]);
      }
    }
    assertEquals(50, kept, 15);
    // A fresh workspace draws the same masks.
    DoubleWorkspace b = net.newWorkspace(2);
    assertArrayEquals(first, b.forward(x, 0, 2, true));
  }

  @Test
  void batchNormUsesRunningStatisticsInInferenceAndUpdatesThemInTraining() {
    NetworkModel m = builder("Bn3", Shape.image(2, 2, 2)).add("bn", BN, ID, 0).build();
    DoubleNetwork net = Compiled.of(m).doubleNetwork(1);
    ParameterTensor mean = net.summary().parameterTensors().get(2);
    ParameterTensor var = net.summary().parameterTensors().get(3);
    assertEquals(ParameterTensor.Role.STATISTIC, mean.role());
    assertEquals(0, net.summary().parameterTensors().stream()
        .filter(t -> t.role() != ParameterTensor.Role.STATISTIC).mapToInt(ParameterTensor::size)
        .sum() - net.summary().totalParameters());
    double[] p = net.parameters();
    assertEquals(1.0, p[0]); // gamma
    assertEquals(1.0, p[var.offset()]);
    double[] x = {1, 2, 3, 4, 5, 6, 7, 8};
    DoubleWorkspace ws = net.newWorkspace(1);
    // Inference with mean 0, variance 1: identity up to eps.
    double[] y = ws.forward(x, 0, 1, false);
    assertEquals(4 / Math.sqrt(1 + 1e-5), y[3], 1e-12);
    ws.forward(x, 0, 1, true);
    assertEquals(0.1 * 2.5, p[mean.offset()], 1e-12); // channel 0: mean of 1..4
    assertEquals(0.9 + 0.1 * (5.0 / 3), p[var.offset()], 1e-12); // unbiased variance 5/3
  }
}
