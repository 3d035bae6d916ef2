package dev.lamina.processor.gen;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.dsl.Loss;
import dev.lamina.dsl.Precision;
import dev.lamina.processor.model.NetworkModel;
import dev.lamina.processor.model.Shape;
import dev.lamina.runtime.DoubleNetwork;
import dev.lamina.runtime.DoubleWorkspace;
import dev.lamina.runtime.FloatNetwork;
import dev.lamina.runtime.FloatWorkspace;
import dev.lamina.runtime.ParameterTensor;
import dev.lamina.runtime.kernel.Kernels;
import dev.lamina.testsupport.KernelsInUse;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Central-difference gradient check of a generated double-precision network, for the parameters
 * and for the input.
 *
 * <p>The scalar checked is the network's loss (mean over the batch) when it has one, otherwise
 * {@code L = Σ out·R} for a fixed random R so that every output matters. For each checked value θ
 * the numerical derivative is Richardson's extrapolation {@code (4·D(h/2) - D(h))/3} of central
 * differences {@code D(h) = (L(θ+h) - L(θ-h))/2h}, {@code h = 1e-4·max(1, |θ|)}: its truncation
 * error is O(h⁴), far below the tolerance. The analytic value a passes when {@code |a - n| ≤ 1e-6 ·
 * max(|a|, |n|, 1e-8) + ε}, where ε bounds the rounding error of the numerical derivative itself
 * (a few ulps of L divided by h, about 1e-10·|L|).
 *
 * <p>Kinks (ReLU at 0, a change of the max-pool winner) make a difference quotient meaningless
 * when one lies within 2h of θ. They are detected, not hidden: the same extrapolation from h/2 and
 * h/4 must agree with the one from h and h/2; where it does not, the value is counted as skipped,
 * and a test states how many skips it tolerates (zero for smooth networks).
 *
 * <p>The float twin (the model's {@code FLOAT} class, on whichever kernels this JVM uses: the
 * generated loops, or the Vector API kernels on JDK 21+) then runs the same pass on the same
 * values, and each of its gradients (every parameter tensor and the input) must be within {@value
 * #FLOAT_RELATIVE} of the largest magnitude of the checked double gradient of that tensor, or of
 * {@value #FLOAT_FLOOR} times the largest of all when that is more (a tensor whose gradient is
 * zero in exact arithmetic, such as a convolution's bias before batch normalization, gets float
 * rounding noise of the size of the gradients around it). Inputs and parameters are float values
 * from the start, so the two classes see the same numbers.
 *
 * <p>In the build's second test execution, on the Vector API kernels ({@link KernelsInUse}),
 * only the float twin is new: the double class runs the very code whose numerical check passed
 * in the first, so there the numerical differences are skipped ({@link #FLOAT_TWIN_ONLY}) and
 * the float gradients are held to the double class's analytic ones.
 */
final class GradientChecker {
  static final double RELATIVE = 1e-6;
  static final double FLOAT_RELATIVE = 1e-4;
  static final double FLOAT_FLOOR = 1e-2;
  static final boolean FLOAT_TWIN_ONLY =
      "vector".equals(System.getProperty(KernelsInUse.PROPERTY));

  private final DoubleNetwork net;
  private final FloatNetwork floatNet;
  private final NetworkModel model;
  private final int batch;
  private final double[] x;
  private final double[] r;
  private final int[] labels;
  private final double[] targets;
  private final DoubleWorkspace ws;
  private final SplittableRandom random;
  int checked;
  int skipped;
  double worst;
  String worstWhere = "";
  /** Float twin values compared, and the largest difference relative to its tensor. */
  int floatCompared;
  double floatWorst;
  private final List<String> failures = new ArrayList<>();
  private final List<String> floatFailures = new ArrayList<>();

  GradientChecker(NetworkModel model, int batch, long seed) {
    this.model = model;
    this.batch = batch;
    Compiled compiled = Compiled.of(model);
    this.net = compiled.doubleNetwork(seed);
    this.floatNet = model.precisions().contains(Precision.FLOAT)
        ? compiled.floatNetwork(seed) : null;
    this.random = new SplittableRandom(seed);
    randomizeParameters();
    int in = net.inputSize();
    int out = net.outputSize();
    x = uniform(batch * in, 1.0);
    r = uniform(batch * out, 1.0);
    // a sequence output {T, C} takes one label per step
    Shape outShape = model.output();
    int perSample = outShape.isSequence() ? outShape.steps() : 1;
    int classes = outShape.isSequence() ? outShape.features() : out;
    labels = new int[batch * perSample];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = random.nextInt(classes);
    }
    targets = uniform(batch * out, 1.0);
    ws = net.newWorkspace(batch);
    ws.setInputGradientEnabled(true);
  }

  /** Parameters with variance about 1/fanIn (weights) and small random biases. */
  private void randomizeParameters() {
    double[] p = net.parameters();
    for (ParameterTensor t : net.summary().parameterTensors()) {
      if (t.role() == ParameterTensor.Role.STATISTIC) {
        continue; // running statistics keep their initial values (mean 0, variance 1)
      }
      double a = t.role() == ParameterTensor.Role.WEIGHT ? Math.sqrt(3.0 / t.fanIn()) : 0.2;
      for (int i = 0; i < t.size(); i++) {
        p[t.offset() + i] = (float) ((2 * random.nextDouble() - 1) * a);
      }
    }
  }

  /** Float values (so that the float twin reads the same numbers) uniform in [-a, a]. */
  private double[] uniform(int n, double a) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) ((2 * random.nextDouble() - 1) * a);
    }
    return v;
  }

  /** The scalar being differentiated. */
  double loss() {
    reseed();
    Loss loss = model.loss();
    if (loss == Loss.NONE) {
      double[] out = ws.forward(x, 0, batch, true);
      double s = 0;
      for (int i = 0; i < r.length; i++) {
        s += out[i] * r[i];
      }
      return s;
    }
    // lossAndGradients also runs backward; the gradients it leaves behind are not used here.
    double sum = loss == Loss.SOFTMAX_CROSS_ENTROPY
        ? ws.lossAndGradients(x, 0, labels, 0, batch, 1.0 / batch)
        : ws.lossAndGradients(x, 0, targets, 0, batch, 1.0 / batch);
    return sum / batch;
  }

  /** Dropout masks must be the same in every evaluation of the loss: restart them each time. */
  private void reseed() {
    reseed(ws);
  }

  private static void reseed(Object ws) {
    try {
      ws.getClass().getMethod("reseed", long.class).invoke(ws, 12345L);
    } catch (NoSuchMethodException e) {
      // no dropout layer
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }

  /** Runs every check; {@code sample} caps the values checked per tensor (and for the input). */
  GradientChecker run(int sample) {
    ws.zeroGradients();
    if (model.loss() == Loss.NONE) {
      reseed();
      ws.forward(x, 0, batch, true);
      ws.backward(r, 0, batch);
    } else {
      loss();
    }
    double[] grad = ws.gradients().clone();
    double[] inputGrad = ws.inputGradient().clone();
    double[] p = net.parameters();
    for (ParameterTensor t : net.summary().parameterTensors()) {
      for (int i : indices(t.size(), FLOAT_TWIN_ONLY ? 0 : sample)) {
        compare(p, t.offset() + i, grad[t.offset() + i], t.qualifiedName() + "[" + i + "]");
      }
    }
    for (int i : indices(x.length, FLOAT_TWIN_ONLY ? 0 : sample)) {
      compare(x, i, inputGrad[i], "input[" + i + "]");
    }
    if (floatNet != null) {
      compareFloatTwin(grad, inputGrad);
    }
    return this;
  }

  /** The same pass in the float class; its gradients against the double ones, per tensor. */
  private void compareFloatTwin(double[] grad, double[] inputGrad) {
    float[] fp = floatNet.parameters();
    double[] p = net.parameters();
    for (int i = 0; i < fp.length; i++) {
      fp[i] = (float) p[i];
    }
    FloatWorkspace fw = floatNet.newWorkspace(batch);
    fw.setInputGradientEnabled(true);
    fw.zeroGradients();
    reseed(fw);
    float[] fx = floats(x);
    if (model.loss() == Loss.NONE) {
      fw.forward(fx, 0, batch, true);
      fw.backward(floats(r), 0, batch);
    } else if (model.loss() == Loss.SOFTMAX_CROSS_ENTROPY) {
      fw.lossAndGradients(fx, 0, labels, 0, batch, 1f / batch);
    } else {
      fw.lossAndGradients(fx, 0, floats(targets), 0, batch, 1f / batch);
    }
    float[] fg = fw.gradients();
    double floor = FLOAT_FLOOR * Math.max(largest(grad, 0, grad.length),
        largest(inputGrad, 0, x.length));
    for (ParameterTensor t : net.summary().parameterTensors()) {
      compareFloat(fg, grad, t.offset(), t.size(), floor, t.qualifiedName());
    }
    compareFloat(fw.inputGradient(), inputGrad, 0, x.length, floor, "input");
  }

  private static double largest(double[] v, int from, int size) {
    double max = 0;
    for (int i = from; i < from + size; i++) {
      max = Math.max(max, Math.abs(v[i]));
    }
    return max;
  }

  private void compareFloat(float[] got, double[] expected, int from, int size, double floor,
      String what) {
    double max = Math.max(largest(expected, from, size), floor);
    for (int i = from; i < from + size; i++) {
      floatCompared++;
      double diff = Math.abs(got[i] - expected[i]);
      if (max > 0) {
        floatWorst = Math.max(floatWorst, diff / max);
      }
      if (!(diff <= FLOAT_RELATIVE * max)) {
        floatFailures.add(what + "[" + (i - from) + "]: float " + got[i] + ", double "
            + expected[i] + " (scale " + max + ")");
      }
    }
  }

  private static float[] floats(double[] v) {
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      f[i] = (float) v[i];
    }
    return f;
  }

  private int[] indices(int size, int sample) {
    if (size <= sample) {
      int[] all = new int[size];
      for (int i = 0; i < size; i++) {
        all[i] = i;
      }
      return all;
    }
    int[] some = new int[sample];
    for (int i = 0; i < sample; i++) {
      some[i] = random.nextInt(size);
    }
    return some;
  }

  private void compare(double[] array, int index, double analytic, String where) {
    double theta = array[index];
    double h = 1e-4 * Math.max(1, Math.abs(theta));
    double[] d = new double[3];
    double scale = 0;
    for (int s = 0; s < 3; s++) {
      double step = h / (1 << s);
      array[index] = theta + step;
      double plus = loss();
      array[index] = theta - step;
      double minus = loss();
      d[s] = (plus - minus) / (2 * step);
      scale = Math.max(scale, Math.max(Math.abs(plus), Math.abs(minus)));
    }
    array[index] = theta;
    double numeric = (4 * d[1] - d[0]) / 3;
    double finer = (4 * d[2] - d[1]) / 3;
    double rounding = 64 * Math.ulp(scale) / h;
    double tolerance = RELATIVE * Math.max(Math.max(Math.abs(analytic), Math.abs(numeric)), 1e-8)
        + rounding;
    if (Math.abs(numeric - finer) > tolerance) {
      skipped++;
      return;
    }
    checked++;
    double err = Math.abs(analytic - numeric) - rounding;
    double rel = Math.max(0, err) / Math.max(Math.max(Math.abs(analytic), Math.abs(numeric)), 1e-8);
    if (rel > worst) {
      worst = rel;
      worstWhere = where;
    }
    if (Math.abs(analytic - numeric) > tolerance) {
      failures.add(where + ": analytic " + analytic + ", numeric " + numeric);
    }
  }

  /**
   * Asserts no failure, at most {@code maxSkippedFraction} of the values skipped at kinks, and
   * the float twin's gradients compared and within tolerance.
   */
  void assertPassed(double maxSkippedFraction) {
    assertTrue(failures.isEmpty(), () -> model.declaredName() + ": " + failures.size()
        + " gradients wrong, e.g.\n" + String.join("\n", failures.subList(0,
        Math.min(10, failures.size()))));
    assertTrue(floatFailures.isEmpty(), () -> model.declaredName() + ": " + floatFailures.size()
        + " float gradients (" + Kernels.BACKEND + " kernels) off the double ones, e.g.\n"
        + String.join("\n", floatFailures.subList(0, Math.min(10, floatFailures.size()))));
    assertTrue(floatNet == null || floatCompared > 0, "no float gradient compared");
    assertTrue(checked > 0 || (FLOAT_TWIN_ONLY && floatCompared > 0), "nothing checked");
    assertTrue(skipped <= maxSkippedFraction * (checked + skipped),
        () -> model.declaredName() + ": " + skipped + " of " + (checked + skipped)
            + " values skipped at kinks");
  }
}
