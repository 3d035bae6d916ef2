package dev.lamina.processor.gen;

import static dev.lamina.processor.gen.Models.builder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.dsl.Activation;
import dev.lamina.dsl.Loss;
import dev.lamina.processor.model.AffineOp;
import dev.lamina.processor.model.LrnOp;
import dev.lamina.processor.model.NetworkModel;
import dev.lamina.processor.model.Shape;
import dev.lamina.runtime.DoubleWorkspace;
import dev.lamina.runtime.FloatWorkspace;
import dev.lamina.runtime.LayerSummary;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Local response normalization: double-precision gradient checks, a naive implementation of the
 * formula written here, and its summary row. (PyTorch's vectors of it run in {@link
 * TorchConformanceTest}.)
 */
class LrnTest {
  static Stream<Arguments> configurations() {
    return Stream.of(
        Arguments.of(5, 1e-4, 0.75, 2.0), // AlexNet's constants
        Arguments.of(3, 0.5, 0.75, 1.0), // a strong normalization
        Arguments.of(1, 0.3, 0.5, 1.0), // only the channel itself
        Arguments.of(2, 0.4, 1.0, 0.5), // an even size: one channel before, none after
        Arguments.of(4, 0.7, 1.3, 1.5), // Math.pow, two before and one after
        Arguments.of(9, 0.2, 0.75, 1.0)); // a window wider than the 5 channels
  }

  private static NetworkModel network(String name, LrnOp op, boolean thenAffine) {
    var b = builder(name, Shape.image(5, 3, 4)).add("lrn", op, Activation.IDENTITY, 0);
    if (thenAffine) {
      b.add("out", new AffineOp(4, true), Activation.IDENTITY, 0).loss(Loss.MSE);
    }
    return b.build();
  }

  @ParameterizedTest
  @MethodSource("configurations")
  void gradientsMatchCentralDifferences(int size, double alpha, double beta, double k) {
    NetworkModel m = network("G_lrn" + size, new LrnOp(size, alpha, beta, k), true);
    new GradientChecker(m, 2, 13).run(400).assertPassed(0);
  }

  /** The formula, value by value, in double. */
  private static double[] naive(double[] x, int n, int c, int hw, LrnOp op) {
    double[] y = new double[x.length];
    for (int s = 0; s < n; s++) {
      for (int ch = 0; ch < c; ch++) {
        for (int i = 0; i < hw; i++) {
          double sum = 0;
          for (int q = ch - op.size() / 2; q <= ch + (op.size() - 1) / 2; q++) {
            if (q >= 0 && q < c) {
              double v = x[(s * c + q) * hw + i];
              sum += v * v;
            }
          }
          int at = (s * c + ch) * hw + i;
          y[at] = x[at] / Math.pow(op.k() + op.alpha() / op.size() * sum, op.beta());
        }
      }
    }
    return y;
  }

  @ParameterizedTest
  @MethodSource("configurations")
  void forwardMatchesTheFormulaInBothPrecisions(int size, double alpha, double beta, double k) {
    LrnOp op = new LrnOp(size, alpha, beta, k);
    Compiled compiled = Compiled.of(network("N_lrn" + size, op, false));
    SplittableRandom r = new SplittableRandom(size);
    int n = 3;
    double[] x = new double[n * 60];
    for (int i = 0; i < x.length; i++) {
      x[i] = r.nextDouble(-3, 3);
    }
    double[] want = naive(x, n, 5, 12, op);
    DoubleWorkspace dw = compiled.doubleNetwork(1).newWorkspace(n);
    double[] got = dw.forward(x, 0, n, false);
    float[] xf = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      xf[i] = (float) x[i];
    }
    FloatWorkspace fw = compiled.floatNetwork(1).newWorkspace(n);
    float[] gotF = fw.forward(xf, 0, n, false);
    for (int i = 0; i < want.length; i++) {
      assertEquals(want[i], got[i], 1e-12 * Math.max(1, Math.abs(want[i])), "double " + i);
      assertEquals(want[i], gotF[i], 1e-5 * Math.max(1, Math.abs(want[i])), "float " + i);
    }
  }

  @Test
  void summaryRowKeepsShapeAndReceptiveFieldAndHasNoParameters() {
    NetworkModel m = builder("S_lrn", Shape.image(1, 12, 12))
        .add("c1", Models.conv(6, 5, 1, 0), Activation.RELU, 0)
        .add("lrn", new LrnOp(5, 1e-4, 0.75, 2), Activation.IDENTITY, 0)
        .build();
    LayerSummary conv = m.nodes().get(0).summary();
    LayerSummary lrn = m.nodes().get(1).summary();
    assertEquals("LocalResponseNorm", lrn.kind());
    assertEquals("size 5 alpha 1.0E-4 beta 0.75 k 2.0", lrn.description());
    assertEquals(List.of(6, 8, 8), List.of(6, lrn.outputShape()[1], lrn.outputShape()[2]));
    assertEquals(6, lrn.outputShape()[0]);
    assertEquals(0, lrn.parameters());
    // Each of the 6·8·8 values reads the 5 values of its window (6 channels: all of size 5).
    assertEquals(6 * 8 * 8 * 5, lrn.connections());
    assertEquals(6 * 8 * 8 * 6, lrn.multiplyAdds());
    assertTrue(java.util.Arrays.equals(conv.receptiveField(), lrn.receptiveField()));
    assertTrue(java.util.Arrays.equals(conv.jump(), lrn.jump()));
    assertTrue(java.util.Arrays.equals(conv.start(), lrn.start()));
  }
}
