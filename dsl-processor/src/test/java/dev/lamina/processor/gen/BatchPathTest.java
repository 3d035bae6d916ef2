package dev.lamina.processor.gen;

import static dev.lamina.processor.gen.Models.affine;
import static dev.lamina.processor.gen.Models.builder;

import dev.lamina.dsl.Activation;
import dev.lamina.dsl.PoolKind;
import dev.lamina.processor.model.NetworkModel;
import dev.lamina.processor.model.AffineOp;
import dev.lamina.processor.model.ConvOp;
import dev.lamina.processor.model.PoolOp;
import dev.lamina.processor.model.Op;
import dev.lamina.processor.model.Shape;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The code paths taken only by larger batches (per-lane weight-gradient partial sums, batched
 * matrix products): gradient checks in double at batch 12, and the float twin against them on
 * this JVM's kernels (see {@link GradientChecker}). (Float against double at batch 64 is the
 * integration tests' {@code KernelsTest}.)
 */
class BatchPathTest {
  private static Arguments single(String name, Shape in, Op op, Activation a, double skips) {
    NetworkModel m = builder("B_" + name, in).add("l", op, a, 0.1).build();
    return Arguments.of(Named.of(name, m), skips);
  }

  private static ConvOp conv(int f, int k, int s, int p, int d, boolean bias) {
    return new ConvOp(f, k, k, s, s, p, p, d, d, bias);
  }

  static Stream<Arguments> layers() {
    Activation id = Activation.IDENTITY;
    return Stream.of(
        single("conv5x5_p2", Shape.image(2, 9, 8), conv(3, 5, 1, 2, 1, true), id, 0),
        single("conv5x5", Shape.image(3, 9, 9), conv(4, 5, 1, 0, 1, true), id, 0),
        single("conv3x3_d2_p2", Shape.image(2, 9, 9), conv(3, 3, 1, 2, 2, true), id, 0),
        single("conv3x3_p1_rows", Shape.image(8, 7, 6), conv(7, 3, 1, 1, 1, true), id, 0),
        // 9 filters: without the Vector API the forward pass on im2col columns, padded.
        single("conv3x3_p1_rows_columns", Shape.image(8, 7, 6), conv(9, 3, 1, 1, 1, false), id,
            0),
        single("conv3x3_nobias_p1", Shape.image(2, 6, 5), conv(2, 3, 1, 1, 1, false), id, 0),
        single("conv1x1", Shape.image(3, 4, 5), conv(4, 1, 1, 0, 1, true), id, 0),
        single("conv3x3_s2_p1", Shape.image(3, 9, 8), conv(4, 3, 2, 1, 1, true), id, 0),
        // 8 filters: the float twin on im2col columns in groups of 5 samples ((18 taps + 8
        // channels) x 441 positions per sample), the last group of 2; after a 1x1 convolution,
        // so that its input gradient runs too.
        Arguments.of(Named.of("conv3x3_s2_p1_columns",
            builder("B_columns", Shape.image(2, 42, 42))
                .add("pre", conv(2, 1, 1, 0, 1, true), Activation.TANH, 0)
                .add("l", conv(8, 3, 2, 1, 1, true), id, 0.1).build()), 0.0),
        single("max2x2_s2", Shape.image(3, 6, 6),
            new PoolOp(PoolKind.MAX, 2, 2, 2, 2, 0, 0, true), id, 0.05),
        single("max2x2_s2_odd", Shape.image(2, 7, 5),
            new PoolOp(PoolKind.MAX, 2, 2, 2, 2, 0, 0, true), id, 0.05),
        single("affine_flat", Shape.flat(23), affine(17), id, 0),
        single("affine_image", Shape.image(3, 4, 5), affine(7), Activation.TANH, 0),
        single("affine_nobias", Shape.flat(12), new AffineOp(3, false), id, 0));
  }

  @ParameterizedTest
  @MethodSource("layers")
  void gradientsAtBatch12(NetworkModel model, double maxSkipped) {
    new GradientChecker(model, 12, 17).run(400).assertPassed(maxSkipped);
  }

  @Test
  void modernLeNet5AtBatch12() {
    new GradientChecker(Models.lenetModern(), 12, 3).run(30).assertPassed(0.1);
  }
}
