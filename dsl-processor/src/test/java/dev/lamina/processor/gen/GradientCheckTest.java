package dev.lamina.processor.gen;

import static dev.lamina.processor.gen.Models.affine;
import static dev.lamina.processor.gen.Models.builder;

import dev.lamina.dsl.Activation;
import dev.lamina.dsl.Loss;
import dev.lamina.dsl.PoolKind;
import dev.lamina.processor.model.NetworkModel;
import dev.lamina.processor.model.AffineOp;
import dev.lamina.processor.model.ConvOp;
import dev.lamina.processor.model.PoolOp;
import dev.lamina.processor.model.Op;
import dev.lamina.processor.model.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Gradient checks in double precision (see {@link GradientChecker}) for every layer kind and
 * attribute combination, every activation, every loss, and whole networks; parameter gradients
 * and input gradients.
 */
class GradientCheckTest {

  private static ConvOp conv(int f, int kh, int kw, int sh, int sw, int ph, int pw, int dh,
      int dw, boolean bias) {
    return new ConvOp(f, kh, kw, sh, sw, ph, pw, dh, dw, bias);
  }

  private static PoolOp pool(PoolKind kind, int kh, int kw, int sh, int sw, int ph, int pw,
      boolean countPadding) {
    return new PoolOp(kind, kh, kw, sh, sw, ph, pw, countPadding);
  }

  /** Pooling with padding {top, left, bottom, right}, dilation and ceil mode. */
  private static PoolOp pool(PoolKind kind, int k, int s, int[] pad, int d, boolean ceil,
      boolean countPadding) {
    return new PoolOp(kind, k, k, s, s, pad[0], pad[1], pad[2], pad[3], d, d, ceil,
        countPadding);
  }

  private static int[] pads(int... tlbr) {
    return tlbr;
  }

  private static Arguments single(String name, Shape in, Op op, Activation a, double skips) {
    NetworkModel m = builder("G_" + name, in).add("l", op, a, 0.1).build();
    return Arguments.of(Named.of(name, m), skips);
  }

  static Stream<Arguments> layers() {
    List<Arguments> cases = new ArrayList<>();
    Activation id = Activation.IDENTITY;
    // Convolutions.
    cases.add(single("conv3x3", Shape.image(2, 7, 6), conv(3, 3, 3, 1, 1, 0, 0, 1, 1, true), id, 0));
    cases.add(single("conv3x3_s2_p1", Shape.image(3, 9, 8), conv(4, 3, 3, 2, 2, 1, 1, 1, 1, true),
        id, 0));
    cases.add(single("conv3x3_d2_p2", Shape.image(2, 9, 9), conv(3, 3, 3, 1, 1, 2, 2, 2, 2, true),
        id, 0));
    cases.add(single("conv2x3_s2x1_p1x0", Shape.image(2, 8, 6),
        conv(3, 2, 3, 2, 1, 1, 0, 1, 1, true), id, 0));
    cases.add(single("conv3x2_p0x2_d2x1", Shape.image(2, 9, 7),
        conv(2, 3, 2, 1, 1, 0, 2, 2, 1, true), id, 0));
    cases.add(single("conv3x3_nobias_p1", Shape.image(2, 6, 5),
        conv(2, 3, 3, 1, 1, 1, 1, 1, 1, false), id, 0));
    cases.add(single("conv1x1", Shape.image(3, 4, 5), conv(4, 1, 1, 1, 1, 0, 0, 1, 1, true), id,
        0));
    cases.add(single("conv1x1_s2", Shape.image(4, 5, 5), conv(3, 1, 1, 2, 2, 0, 0, 1, 1, true), id,
        0));
    cases.add(single("conv5x5_s3_p3", Shape.image(2, 12, 9), conv(2, 5, 5, 3, 3, 3, 3, 1, 1, true),
        id, 0));
    cases.add(single("conv5x5_s2_d2_p3", Shape.image(3, 12, 11),
        conv(2, 5, 5, 2, 2, 3, 3, 2, 2, true), id, 0));
    // Kernels above the unroll limit take the looped path.
    cases.add(single("conv9x9_s2_p4_looped", Shape.image(2, 12, 11),
        conv(2, 9, 9, 2, 2, 4, 4, 1, 1, true), id, 0));
    cases.add(single("conv8x7_s1x2_p3x1_d2x1_looped", Shape.image(1, 19, 10),
        conv(2, 8, 7, 1, 2, 3, 1, 2, 1, false), id, 0));
    // Stride 1 with C·kh·kw >= ConvEmitter.COLS_MIN_ROW: gradients on patch rows (padded or not,
    // dilated, a row longer than the unrolled gather, fewer output positions than a tap group,
    // output channels not a multiple of the tap group).
    cases.add(single("conv5x5_rows", Shape.image(3, 9, 8), conv(4, 5, 5, 1, 1, 0, 0, 1, 1, true),
        id, 0));
    cases.add(single("conv5x5_p2_rows", Shape.image(3, 7, 7),
        conv(2, 5, 5, 1, 1, 2, 2, 1, 1, true), id, 0));
    cases.add(single("conv3x3_d2_p1x2_rows", Shape.image(8, 9, 10),
        conv(3, 3, 3, 1, 1, 1, 2, 2, 2, false), id, 0));
    cases.add(single("conv2x9_p0x4_rows", Shape.image(4, 5, 12),
        conv(3, 2, 9, 1, 1, 0, 4, 1, 1, true), id, 0));
    cases.add(single("conv3x3_k7_q4_rows", Shape.image(8, 4, 4),
        conv(7, 3, 3, 1, 1, 0, 0, 1, 1, true), id, 0));
    // 4 output positions, 9 channels: the input gradient's positions loop inside its kernel groups
    cases.add(single("conv3x3_k9_q4_rows", Shape.image(8, 4, 4),
        conv(9, 3, 3, 1, 1, 0, 0, 1, 1, true), id, 0));
    // Convolutions with activations (kinks possible for relu).
    cases.add(single("conv3x3_p1_relu", Shape.image(2, 6, 6), conv(3, 3, 3, 1, 1, 1, 1, 1, 1, true),
        Activation.RELU, 0.05));
    cases.add(single("conv3x3_tanh", Shape.image(2, 6, 6), conv(3, 3, 3, 1, 1, 0, 0, 1, 1, true),
        Activation.TANH, 0));
    // Pooling.
    cases.add(single("max2x2_s2", Shape.image(3, 6, 6), pool(PoolKind.MAX, 2, 2, 2, 2, 0, 0, true),
        id, 0.05));
    cases.add(single("max3x3_s2_p1", Shape.image(2, 7, 7), pool(PoolKind.MAX, 3, 3, 2, 2, 1, 1,
        true), id, 0.05));
    cases.add(single("max2x2_s1_overlap", Shape.image(1, 5, 6),
        pool(PoolKind.MAX, 2, 2, 1, 1, 0, 0, true), id, 0.05));
    cases.add(single("max3x3_s3", Shape.image(2, 9, 8), pool(PoolKind.MAX, 3, 3, 3, 3, 0, 0, true),
        id, 0.05));
    cases.add(single("max2x2_s2_p1", Shape.image(1, 5, 5), pool(PoolKind.MAX, 2, 2, 2, 2, 1, 1,
        true), id, 0.05));
    cases.add(single("max2x3_s1x2_p1x1", Shape.image(2, 6, 7),
        pool(PoolKind.MAX, 2, 3, 1, 2, 1, 1, true), id, 0.05));
    cases.add(single("avg2x2_s2", Shape.image(2, 6, 8), pool(PoolKind.AVG, 2, 2, 2, 2, 0, 0, true),
        id, 0));
    cases.add(single("avg3x3_s2_p1_incl", Shape.image(2, 7, 6),
        pool(PoolKind.AVG, 3, 3, 2, 2, 1, 1, true), id, 0));
    cases.add(single("avg3x3_s2_p1_excl", Shape.image(2, 7, 6),
        pool(PoolKind.AVG, 3, 3, 2, 2, 1, 1, false), id, 0));
    cases.add(single("avg3x3_s1_p1_excl", Shape.image(1, 5, 5),
        pool(PoolKind.AVG, 3, 3, 1, 1, 1, 1, false), id, 0));
    cases.add(single("avg2x3_s1x2_p1x1_excl", Shape.image(2, 5, 7),
        pool(PoolKind.AVG, 2, 3, 1, 2, 1, 1, false), id, 0));
    cases.add(single("subsample2x2", Shape.image(3, 8, 8),
        pool(PoolKind.SUBSAMPLE, 2, 2, 2, 2, 0, 0, true), id, 0));
    cases.add(single("subsample2x2_odd", Shape.image(2, 7, 5),
        pool(PoolKind.SUBSAMPLE, 2, 2, 2, 2, 0, 0, true), id, 0));
    cases.add(single("subsample3x2_s2x1_p1x0_sigmoid", Shape.image(2, 7, 5),
        pool(PoolKind.SUBSAMPLE, 3, 2, 2, 1, 1, 0, true), Activation.SIGMOID, 0));
    // Asymmetric padding (plain loops: the grid path pads both sides equally).
    cases.add(single("conv3x3_p0_1_2_1", Shape.image(2, 7, 6),
        new ConvOp(3, 3, 3, 1, 1, 0, 1, 2, 1, 1, 1, true), id, 0));
    cases.add(single("conv3x3_s2_d2_p1_0_2_3", Shape.image(2, 9, 8),
        new ConvOp(2, 3, 3, 2, 2, 1, 0, 2, 3, 2, 2, true), id, 0));
    cases.add(single("conv4x4_same_upper", Shape.image(2, 6, 6),
        new ConvOp(2, 4, 4, 1, 1, 1, 1, 2, 2, 1, 1, false), id, 0));
    // At least 8 filters, strided or asymmetrically padded: on the Vector API, im2col columns.
    cases.add(single("conv3x3_k9_s2_p1_columns", Shape.image(3, 9, 8),
        conv(9, 3, 3, 2, 2, 1, 1, 1, 1, true), id, 0));
    cases.add(single("conv1x1_k8_s2_columns", Shape.image(3, 7, 6),
        conv(8, 1, 1, 2, 2, 0, 0, 1, 1, false), id, 0));
    cases.add(single("conv3x3_k17_s2x1_d2_p1_0_2_3_columns", Shape.image(2, 9, 8),
        new ConvOp(17, 3, 3, 2, 1, 1, 0, 2, 3, 2, 2, true), id, 0));
    // Pooling: ceil mode, dilation, padding up to the window minus one, asymmetric padding.
    for (PoolKind kind : PoolKind.values()) {
      String k = kind.name().toLowerCase(java.util.Locale.ROOT);
      double skips = kind == PoolKind.MAX ? 0.05 : 0;
      boolean[] counts = kind == PoolKind.AVG ? new boolean[] {true, false} : new boolean[] {true};
      for (boolean incl : counts) {
        String n = k + (kind == PoolKind.AVG ? (incl ? "_incl" : "_excl") : "");
        cases.add(single(n + "3x3_s2_ceil", Shape.image(2, 6, 6),
            pool(kind, 3, 2, pads(0, 0, 0, 0), 1, true, incl), id, skips));
        cases.add(single(n + "3x3_s2_p1_ceil_overhang", Shape.image(2, 6, 7),
            pool(kind, 3, 2, pads(1, 1, 1, 1), 1, true, incl), id, skips));
        cases.add(single(n + "3x3_s3_p1_ceil_last_window_dropped", Shape.image(2, 5, 5),
            pool(kind, 3, 3, pads(1, 1, 1, 1), 1, true, incl), id, skips));
        cases.add(single(n + "2x2_d2_s1", Shape.image(2, 6, 5),
            pool(kind, 2, 1, pads(0, 0, 0, 0), 2, false, incl), id, skips));
        cases.add(single(n + "2x2_d2_s1_p1", Shape.image(2, 5, 6),
            pool(kind, 2, 1, pads(1, 1, 1, 1), 2, false, incl), id, skips));
        cases.add(single(n + "3x3_d2_s2_p2_ceil", Shape.image(1, 7, 8),
            pool(kind, 3, 2, pads(2, 2, 2, 2), 2, true, incl), id, skips));
        cases.add(single(n + "3x3_s1_p2", Shape.image(2, 5, 4),
            pool(kind, 3, 1, pads(2, 2, 2, 2), 1, false, incl), id, skips));
        cases.add(single(n + "2x2_s2_same_upper", Shape.image(2, 5, 5),
            pool(kind, 2, 2, pads(0, 0, 1, 1), 1, false, incl), id, skips));
        cases.add(single(n + "2x2_s1_same_lower", Shape.image(2, 5, 6),
            pool(kind, 2, 1, pads(1, 1, 0, 0), 1, false, incl), id, skips));
        cases.add(single(n + "3x3_s2_p0_1_2_1_d2_ceil", Shape.image(2, 8, 7),
            pool(kind, 3, 2, pads(0, 1, 2, 1), 2, true, incl), id, skips));
      }
    }
    // Affine.
    cases.add(single("affine_flat", Shape.flat(7), affine(5), id, 0));
    cases.add(single("affine_image", Shape.image(3, 4, 5), affine(7), id, 0));
    cases.add(single("affine_nobias", Shape.flat(6), new AffineOp(3, false), id, 0));
    // Every activation.
    for (Activation a : Activation.values()) {
      boolean kink = a == Activation.RELU || a == Activation.RELU6 || a == Activation.LEAKY_RELU
          || a == Activation.ELU;
      cases.add(single("affine_" + a.name().toLowerCase(java.util.Locale.ROOT), Shape.flat(6),
          affine(8), a, kink ? 0.05 : 0));
    }
    return cases.stream();
  }

  @Test
  void eluWithDefaultAlpha() {
    NetworkModel m = builder("G_elu1", Shape.image(2, 4, 5))
        .add("l", new ConvOp(3, 3, 3, 1, 1, 1, 1, 1, 1, true), Activation.ELU, 1.0).build();
    new GradientChecker(m, 2, 7).run(400).assertPassed(0.05);
  }

  @ParameterizedTest
  @MethodSource("layers")
  void singleLayer(NetworkModel model, double maxSkipped) {
    new GradientChecker(model, 2, 7).run(400).assertPassed(maxSkipped);
  }

  static Stream<Arguments> losses() {
    return Stream.of(Loss.SOFTMAX_CROSS_ENTROPY, Loss.MSE, Loss.HALF_SQUARED_ERROR)
        .map(loss -> Arguments.of(Named.of(loss.name(), builder("L_" + loss.name(), Shape.flat(6))
            .add("h", affine(5), Activation.TANH, 0)
            .add("out", affine(4), Activation.IDENTITY, 0)
            .loss(loss).build())));
  }

  @ParameterizedTest
  @MethodSource("losses")
  void throughEachLoss(NetworkModel model) {
    new GradientChecker(model, 3, 11).run(400).assertPassed(0);
  }

  @Test
  void modernLeNet5() {
    GradientChecker c = new GradientChecker(Models.lenetModern(), 2, 3).run(30);
    c.assertPassed(0.1);
  }

  @Test
  void classicLeNet5() {
    GradientChecker c = new GradientChecker(Models.lenetClassic(), 2, 5).run(30);
    c.assertPassed(0);
  }

  @Test
  void mlp784x100x10() {
    GradientChecker c = new GradientChecker(Models.mlp(), 3, 9).run(40);
    c.assertPassed(0.1);
  }
}
