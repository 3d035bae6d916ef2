package dev.lamina.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Checks the hand-written test networks' backward passes against numerical gradients. */
class TestNetworksTest {
  private static final int[] SIZES = {5, 4, 3};
  private static final int BATCH = 3;
  private static final int[] LABELS = {2, 0, 1};

  private static double[] inputs() {
    SeededRandom r = new SeededRandom(17);
    double[] x = new double[BATCH * SIZES[0]];
    for (int i = 0; i < x.length; i++) {
      x[i] = r.nextGaussian();
    }
    return x;
  }

  private static double loss(TestMlpDouble net, double[] x) {
    TestMlpDouble.Workspace ws = net.newWorkspace(BATCH);
    return ws.lossAndGradients(x, 0, LABELS, 0, BATCH, 1.0 / BATCH) / BATCH;
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void doubleBackwardMatchesCentralDifferences(boolean relu) {
    TestMlpDouble net = new TestMlpDouble("t.Mlp", relu, SIZES);
    Initializers.initialize(net, 4);
    double[] b = net.parameters();
    for (int i = 0; i < b.length; i++) {
      b[i] += 0.1 * Math.sin(i); // non-zero biases too
    }
    double[] x = inputs();
    TestMlpDouble.Workspace ws = net.newWorkspace(BATCH);
    ws.setInputGradientEnabled(true);
    ws.zeroGradients();
    ws.lossAndGradients(x, 0, LABELS, 0, BATCH, 1.0 / BATCH);
    double[] analytic = ws.gradients().clone();
    double[] inputGrad = ws.inputGradient().clone();
    double h = 1e-6;
    double[] p = net.parameters();
    for (int i = 0; i < p.length; i++) {
      double saved = p[i];
      p[i] = saved + h;
      double plus = loss(net, x);
      p[i] = saved - h;
      double minus = loss(net, x);
      p[i] = saved;
      assertEquals((plus - minus) / (2 * h), analytic[i], 1e-7, "parameter " + i);
    }
    for (int i = 0; i < x.length; i++) {
      double saved = x[i];
      x[i] = saved + h;
      double plus = loss(net, x);
      x[i] = saved - h;
      double minus = loss(net, x);
      x[i] = saved;
      // lossAndGradients scales by 1/BATCH, so dL/dx of the mean loss
      assertEquals((plus - minus) / (2 * h), inputGrad[i], 1e-7, "input " + i);
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void floatBackwardMatchesDoubleBackward(boolean relu) {
    TestMlpDouble ref = new TestMlpDouble("t.Mlp", relu, SIZES);
    TestMlp net = new TestMlp("t.Mlp", relu, SIZES);
    Initializers.initialize(ref, 4);
    Initializers.initialize(net, 4);
    double[] x = inputs();
    float[] xf = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      xf[i] = (float) x[i];
      x[i] = xf[i];
    }
    double[] rp = ref.parameters();
    for (int i = 0; i < rp.length; i++) {
      rp[i] = net.parameters()[i]; // identical starting point
    }
    TestMlpDouble.Workspace rws = ref.newWorkspace(BATCH);
    rws.zeroGradients();
    double expectedLoss = rws.lossAndGradients(x, 0, LABELS, 0, BATCH, 1.0 / BATCH);
    FloatWorkspace ws = net.newWorkspace(BATCH);
    ws.zeroGradients();
    float lossSum = ws.lossAndGradients(xf, 0, LABELS, 0, BATCH, 1f / BATCH);
    assertEquals(expectedLoss, lossSum, 1e-5);
    for (int i = 0; i < rp.length; i++) {
      assertEquals(rws.gradients()[i], ws.gradients()[i], 1e-5, "parameter " + i);
    }
  }
}
