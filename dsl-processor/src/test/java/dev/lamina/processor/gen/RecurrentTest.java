package dev.lamina.processor.gen;

import static dev.lamina.processor.gen.Models.affine;
import static dev.lamina.processor.gen.Models.builder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.dsl.Activation;
import dev.lamina.dsl.Loss;
import dev.lamina.dsl.Recurrent.Cell;
import dev.lamina.dsl.Recurrent.Returns;
import dev.lamina.processor.model.ModelBuilder;
import dev.lamina.processor.model.NetworkModel;
import dev.lamina.processor.model.RecurrentOp;
import dev.lamina.processor.model.Shape;
import dev.lamina.runtime.DoubleNetwork;
import dev.lamina.runtime.DoubleWorkspace;
import dev.lamina.runtime.ParameterTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Recurrent layers: gradient checks in double precision ({@link GradientChecker}, with the float
 * twin) for every cell, stacked and bidirectional, both return modes, with and without bias,
 * through a loss on the last step and on every step; and MGU, which has no PyTorch module,
 * against a naive implementation written here from the equations of Zhou et al. 2016. (RNN, LSTM
 * and GRU are held to PyTorch's vectors in {@link TorchConformanceTest}.)
 */
class RecurrentTest {
  private static final Shape SEQ = Shape.sequence(4, 3);

  private static RecurrentOp rec(Cell cell, int units, int layers, boolean bidirectional,
      boolean bias, Returns returns) {
    return new RecurrentOp(cell, units, layers, bidirectional, bias, returns);
  }

  static Stream<Arguments> networks() {
    List<Arguments> cases = new ArrayList<>();
    for (Cell cell : Cell.values()) {
      // ReLU cells have kinks: a few values within 2h of one are skipped, never hidden
      double skips = cell == Cell.RNN_RELU ? 0.05 : 0;
      String c = cell.name();
      cases.add(Arguments.of(Named.of(c + " sequence", builder("R_" + c + "_seq", SEQ)
          .add("r", rec(cell, 3, 1, false, true, Returns.SEQUENCE), Activation.IDENTITY, 0)
          .build()), skips));
      cases.add(Arguments.of(Named.of(c + " last, no bias", builder("R_" + c + "_last", SEQ)
          .add("r", rec(cell, 3, 1, false, false, Returns.LAST), Activation.IDENTITY, 0)
          .build()), skips));
      cases.add(Arguments.of(Named.of(c + " 2 layers bidirectional sequence",
          builder("R_" + c + "_bi2", SEQ)
              .add("r", rec(cell, 2, 2, true, true, Returns.SEQUENCE), Activation.IDENTITY, 0)
              .build()), skips));
      cases.add(Arguments.of(Named.of(c + " 2 layers bidirectional last, loss on the last step",
          builder("R_" + c + "_bi2last", SEQ)
              .add("r", rec(cell, 3, 2, true, true, Returns.LAST), Activation.IDENTITY, 0)
              .add("out", affine(4), Activation.IDENTITY, 0)
              .loss(Loss.SOFTMAX_CROSS_ENTROPY).build()), skips));
      cases.add(Arguments.of(Named.of(c + " loss on every step",
          builder("R_" + c + "_perstep", SEQ)
              .add("r", rec(cell, 3, 1, false, true, Returns.SEQUENCE), Activation.IDENTITY, 0)
              .add("out", affine(5), Activation.IDENTITY, 0)
              .loss(Loss.SOFTMAX_CROSS_ENTROPY).build()), skips));
    }
    cases.add(Arguments.of(Named.of("LSTM bidirectional, MSE on every step",
        builder("R_lstm_mse", SEQ)
            .add("r", rec(Cell.LSTM, 3, 1, true, false, Returns.SEQUENCE), Activation.IDENTITY,
                0)
            .add("out", affine(2), Activation.TANH, 0)
            .loss(Loss.MSE).build()), 0.0));
    cases.add(Arguments.of(Named.of("GRU over GRU: two recurrent layers in a row",
        builder("R_gru_gru", SEQ)
            .add("a", rec(Cell.GRU, 3, 1, false, true, Returns.SEQUENCE), Activation.IDENTITY, 0)
            .add("b", rec(Cell.GRU, 2, 1, true, true, Returns.LAST), Activation.IDENTITY, 0)
            .add("out", affine(3), Activation.IDENTITY, 0)
            .loss(Loss.SOFTMAX_CROSS_ENTROPY).build()), 0.0));
    return cases.stream();
  }

  @ParameterizedTest
  @MethodSource("networks")
  void gradients(NetworkModel model, double maxSkipped) {
    new GradientChecker(model, 3, 5).run(300).assertPassed(maxSkipped);
  }

  // ------------------------------------------------------------------ MGU against a naive one

  /** One direction of one MGU layer over a [T][in] sequence, from the paper's equations. */
  private static double[][] naiveMgu(double[][] x, double[][] wih, double[][] whh, double[] bih,
      double[] bhh, int h, boolean reverse) {
    int steps = x.length;
    double[][] out = new double[steps][h];
    double[] prev = new double[h];
    for (int s = 0; s < steps; s++) {
      int t = reverse ? steps - 1 - s : s;
      double[] f = new double[h];
      for (int j = 0; j < h; j++) {
        // f = σ(W_f x + U_f h + b_f), b_f = b_if + b_hf
        double v = bih[j] + bhh[j];
        for (int i = 0; i < x[t].length; i++) {
          v += wih[j][i] * x[t][i];
        }
        for (int m = 0; m < h; m++) {
          v += whh[j][m] * prev[m];
        }
        f[j] = 1 / (1 + Math.exp(-v));
      }
      double[] next = new double[h];
      for (int j = 0; j < h; j++) {
        // h̃ = tanh(W_h x + U_h (f ⊙ h) + b_h); h_t = (1 - f) ⊙ h_(t-1) + f ⊙ h̃
        double v = bih[h + j] + bhh[h + j];
        for (int i = 0; i < x[t].length; i++) {
          v += wih[h + j][i] * x[t][i];
        }
        for (int m = 0; m < h; m++) {
          v += whh[h + j][m] * f[m] * prev[m];
        }
        next[j] = (1 - f[j]) * prev[j] + f[j] * Math.tanh(v);
      }
      out[t] = next;
      prev = next;
    }
    return out;
  }

  /** A tensor of the network as rows. */
  private static double[][] rows(DoubleNetwork net, String name, int rows) {
    ParameterTensor t = net.summary().parameterTensors().stream()
        .filter(p -> p.name().equals(name)).findFirst().orElseThrow();
    int cols = t.size() / rows;
    double[][] m = new double[rows][cols];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(net.parameters(), t.offset() + r * cols, m[r], 0, cols);
    }
    return m;
  }

  private static double[] vector(DoubleNetwork net, String name) {
    return rows(net, name, 1)[0];
  }

  @Test
  void mguMatchesTheEquationsOfTheMinimalGatedUnit() {
    int steps = 5;
    int features = 3;
    int h = 4;
    int batch = 2;
    NetworkModel m = new ModelBuilder("p", "MguNaive", Shape.sequence(steps, features))
        .precisions(Models.BOTH)
        .add("r", rec(Cell.MGU, h, 2, true, true, Returns.SEQUENCE), Activation.IDENTITY, 0)
        .build();
    DoubleNetwork net = Compiled.of(m).doubleNetwork(3);
    SplittableRandom random = new SplittableRandom(17);
    double[] p = net.parameters();
    for (int i = 0; i < p.length; i++) {
      p[i] = 2 * random.nextDouble() - 1;
    }
    double[] x = new double[batch * steps * features];
    for (int i = 0; i < x.length; i++) {
      x[i] = 2 * random.nextDouble() - 1;
    }
    DoubleWorkspace ws = net.newWorkspace(batch);
    double[] got = ws.forward(x, 0, batch, false);
    int compared = 0;
    for (int n = 0; n < batch; n++) {
      double[][] seq = new double[steps][features];
      for (int t = 0; t < steps; t++) {
        System.arraycopy(x, (n * steps + t) * features, seq[t], 0, features);
      }
      for (int k = 0; k < 2; k++) {
        double[][] next = new double[steps][2 * h];
        for (int dir = 0; dir < 2; dir++) {
          String s = RecurrentOp.suffix(k, dir);
          double[][] out = naiveMgu(seq, rows(net, "weight_ih" + s, 2 * h),
              rows(net, "weight_hh" + s, 2 * h), vector(net, "bias_ih" + s),
              vector(net, "bias_hh" + s), h, dir == 1);
          for (int t = 0; t < steps; t++) {
            System.arraycopy(out[t], 0, next[t], dir * h, h);
          }
        }
        seq = next;
      }
      for (int t = 0; t < steps; t++) {
        for (int j = 0; j < 2 * h; j++) {
          double e = seq[t][j];
          double a = got[(n * steps + t) * 2 * h + j];
          assertEquals(e, a, 1e-12 * Math.max(1, Math.abs(e)),
              "sample " + n + " step " + t + " value " + j);
          compared++;
        }
      }
    }
    assertEquals(batch * steps * 2 * h, compared);
    // the layer's view lists every one of its 16 tensors, PyTorch's names, in storage order
    List<String> names = net.layers().get(0).parameters().stream()
        .map(v -> v.name()).toList();
    assertEquals(16, names.size(), names.toString());
    assertEquals(List.of("r.weight_ih_l0", "r.weight_hh_l0", "r.bias_ih_l0", "r.bias_hh_l0"),
        names.subList(0, 4));
    assertEquals("r.bias_hh_l1_reverse", names.get(15));
  }

  /**
   * PyTorch's initialization: every tensor, biases included, uniform in [-1/√H, 1/√H]. Each of
   * these tensors has at least 64 values, so its largest magnitude is above 0.9/√H and its mean
   * magnitude within 0.1/√H of 0.5/√H (about five standard deviations) unless the spread is
   * wrong.
   */
  @Test
  void parametersStartUniformWithinTheReciprocalSquareRootOfTheHiddenSize() {
    int h = 16;
    NetworkModel m = new ModelBuilder("p", "RecInit", Shape.sequence(4, 3))
        .precisions(Models.BOTH)
        .add("r", rec(Cell.LSTM, h, 2, true, true, Returns.LAST), Activation.IDENTITY, 0)
        .build();
    DoubleNetwork net = Compiled.of(m).doubleNetwork(5);
    double a = 1 / Math.sqrt(h);
    int tensors = 0;
    for (ParameterTensor t : net.summary().parameterTensors()) {
      double largest = 0;
      double sum = 0;
      for (int i = 0; i < t.size(); i++) {
        double v = Math.abs(net.parameters()[t.offset() + i]);
        largest = Math.max(largest, v);
        sum += v;
      }
      String what = t.qualifiedName();
      assertTrue(largest <= a && largest > 0.9 * a, what + ": largest " + largest);
      assertEquals(0.5 * a, sum / t.size(), 0.1 * a, what + ": mean magnitude");
      tensors++;
    }
    assertEquals(16, tensors);
  }
}
