package dev.lamina.processor.fuzz;

import dev.lamina.dsl.Loss;
import dev.lamina.runtime.DoubleNetwork;
import dev.lamina.runtime.DoubleWorkspace;
import dev.lamina.runtime.Losses;
import dev.lamina.runtime.ParameterTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A double-precision central-difference gradient check of one generated network, on a few random
 * parameters (at least one per tensor) and a few input values.
 *
 * <p>The scalar is the network's mean loss over a small batch, or {@code Σ out·R} for a fixed
 * random R when it has no loss. The numerical derivative is Richardson's extrapolation of central
 * differences, {@code (4·D(h/2) - D(h))/3}, computed twice (from h, h/2 and from h/2, h/4). The
 * analytic value passes when it is within a relative 1e-6 of it, plus a bound on the rounding error
 * of the difference quotient itself (from the loss's magnitude, at least 1 for softmax
 * cross-entropy, whose log-sum-exp rounds like a value of 1 however small the loss).
 *
 * <p>Layers that behave differently in training: the check runs either in training mode (batch
 * normalization with the batch's statistics, so every output depends on the whole batch, which
 * the loss over the batch accounts for; dropout masks made the same in every evaluation by
 * reseeding the workspace's generator before each) or in inference mode (running statistics as
 * constants, dropout the identity). Batch normalization's running statistics are not trained:
 * they are set to plausible values (mean in [-0.5, 0.5), variance in [0.5, 2)), not checked.
 *
 * <p>Kinks (ReLU at 0, a change of the max-pool winner) make a difference quotient meaningless near
 * them. A value is resampled (another random index of the same tensor, up to {@value #ATTEMPTS}
 * times) when the two extrapolations disagree, or when the analytic value matches a one-sided
 * derivative instead of the central one (θ sits on the kink itself). Values never checked because
 * every attempt hit a kink are counted, not failed.
 */
final class GradientCheck {
  static final double RELATIVE = 1e-6;
  static final int ATTEMPTS = 10;

  private final DoubleNetwork net;
  private final Loss loss;
  private final SplittableRandom random;
  private final int batch;
  private final double[] x;
  private final double[] r;
  private final int[] labels;
  private final double[] targets;
  private final DoubleWorkspace ws;
  private final boolean training;
  private final double[] scratch;
  private final java.lang.reflect.Method reseed;
  int checked;
  int kinks;
  int unchecked;
  double worst;
  final List<String> failures = new ArrayList<>();

  GradientCheck(DoubleNetwork net, SplittableRandom random) {
    this(net, random, true);
  }

  GradientCheck(DoubleNetwork net, SplittableRandom random, boolean training) {
    this.net = net;
    this.training = training;
    this.loss = net.summary().loss();
    this.random = random;
    this.batch = 1 + random.nextInt(3);
    randomizeParameters();
    x = uniform(batch * net.inputSize());
    r = uniform(batch * net.outputSize());
    targets = uniform(batch * net.outputSize());
    labels = new int[batch];
    for (int n = 0; n < batch; n++) {
      labels[n] = random.nextInt(net.outputSize());
    }
    ws = net.newWorkspace(batch);
    ws.setInputGradientEnabled(true);
    scratch = new double[batch * net.outputSize()];
    java.lang.reflect.Method m;
    try {
      m = ws.getClass().getMethod("reseed", long.class);
    } catch (NoSuchMethodException e) {
      m = null; // no dropout layer
    }
    reseed = m;
  }

  /** Dropout masks must be the same in every evaluation: restart them each time. */
  private void reseed() {
    if (reseed != null) {
      try {
        reseed.invoke(ws, 12345L);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** The loss of {@code out} (mean over the batch), its gradient (scaled) into {@code grad}. */
  private double loss(double[] out, double[] grad) {
    double sum = loss == Loss.SOFTMAX_CROSS_ENTROPY
        ? Losses.forwardBackward(loss, out, batch, net.outputSize(), labels, 0, grad, 1.0 / batch)
        : Losses.forwardBackward(loss, out, batch, net.outputSize(), targets, 0, grad,
            1.0 / batch);
    return sum / batch;
  }

  /** Weights with variance about 1/fanIn, biases small but never exactly zero. */
  private void randomizeParameters() {
    double[] p = net.parameters();
    for (ParameterTensor t : net.summary().parameterTensors()) {
      if (t.role() == ParameterTensor.Role.STATISTIC) {
        // Running statistics as after some training (inference mode normalizes with them).
        boolean variance = t.name().equals("running_var");
        for (int i = 0; i < t.size(); i++) {
          p[t.offset() + i] = variance ? 0.5 + 1.5 * random.nextDouble() : random.nextDouble() - 0.5;
        }
        continue;
      }
      double a = t.role() == ParameterTensor.Role.WEIGHT
          ? 1.5 * Math.sqrt(3.0 / Math.max(1, t.fanIn())) : 0.2;
      for (int i = 0; i < t.size(); i++) {
        p[t.offset() + i] = (2 * random.nextDouble() - 1) * a;
      }
    }
  }

  private double[] uniform(int n) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = 2 * random.nextDouble() - 1;
    }
    return v;
  }

  private double value() {
    reseed();
    if (!training) {
      double[] out = ws.forward(x, 0, batch, false);
      if (loss == Loss.NONE) {
        double s = 0;
        for (int i = 0; i < r.length; i++) {
          s += out[i] * r[i];
        }
        return s;
      }
      return loss(out, scratch);
    }
    if (loss == Loss.NONE) {
      double[] out = ws.forward(x, 0, batch, true);
      double s = 0;
      for (int i = 0; i < r.length; i++) {
        s += out[i] * r[i];
      }
      return s;
    }
    double sum = loss == Loss.SOFTMAX_CROSS_ENTROPY
        ? ws.lossAndGradients(x, 0, labels, 0, batch, 1.0 / batch)
        : ws.lossAndGradients(x, 0, targets, 0, batch, 1.0 / batch);
    return sum / batch;
  }

  /** Checks up to {@code perTensor} values of every tensor and {@code inputs} input values. */
  GradientCheck run(int perTensor, int inputs) {
    ws.zeroGradients();
    reseed();
    if (loss == Loss.NONE) {
      ws.forward(x, 0, batch, training);
      ws.backward(r, 0, batch);
    } else if (!training) {
      double[] out = ws.forward(x, 0, batch, false);
      double[] g = ws.outputGradientBuffer();
      loss(out, g);
      ws.backward(g, 0, batch);
    } else {
      value();
    }
    double[] grad = ws.gradients().clone();
    double[] inputGrad = ws.inputGradient().clone();
    double[] p = net.parameters();
    for (ParameterTensor t : net.summary().parameterTensors()) {
      if (t.role() == ParameterTensor.Role.STATISTIC) {
        continue;
      }
      for (int k = 0; k < Math.min(perTensor, t.size()); k++) {
        slot(p, t.offset(), t.size(), grad, t.qualifiedName());
      }
    }
    for (int k = 0; k < Math.min(inputs, x.length); k++) {
      slot(x, 0, x.length, inputGrad, "input");
    }
    return this;
  }

  /** One checked value of {@code array[from .. from+size)}, resampled past kinks. */
  private void slot(double[] array, int from, int size, double[] analytic, String what) {
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      int i = from + random.nextInt(size);
      Verdict v = compare(array, i, analytic[i]);
      if (v == Verdict.KINK) {
        kinks++;
        continue;
      }
      if (v == Verdict.FAIL) {
        failures.add(what + "[" + (i - from) + "]: analytic " + analytic[i] + ", numeric "
            + lastNumeric + " (batch " + batch + ", loss " + loss + ")");
      }
      checked++;
      return;
    }
    unchecked++;
  }

  private enum Verdict {
    PASS,
    FAIL,
    KINK
  }

  private double lastNumeric;

  private double at(double[] array, int index, double value) {
    double saved = array[index];
    array[index] = value;
    double l = value();
    array[index] = saved;
    return l;
  }

  private Verdict compare(double[] array, int index, double a) {
    double theta = array[index];
    double h = 1e-4 * Math.max(1, Math.abs(theta));
    double f0 = at(array, index, theta);
    double[] plus = new double[3];
    double[] minus = new double[3];
    double scale = Math.abs(f0);
    for (int s = 0; s < 3; s++) {
      double step = h / (1 << s);
      plus[s] = at(array, index, theta + step);
      minus[s] = at(array, index, theta - step);
      scale = Math.max(scale, Math.max(Math.abs(plus[s]), Math.abs(minus[s])));
    }
    double[] d = new double[3];
    for (int s = 0; s < 3; s++) {
      d[s] = (plus[s] - minus[s]) / (2 * (h / (1 << s)));
    }
    double coarse = (4 * d[1] - d[0]) / 3;
    double fine = (4 * d[2] - d[1]) / 3;
    lastNumeric = fine;
    // Softmax cross-entropy is log(Σ e^(z - max)) - (z_label - max): the log of a sum >= 1, so its
    // rounding error is about ulp(1) even when the loss itself is tiny (a confident network).
    if (loss == Loss.SOFTMAX_CROSS_ENTROPY) {
      scale = Math.max(scale, 1);
    }
    double rounding = 256 * Math.ulp(scale) / h;
    double tolerance = RELATIVE * Math.max(Math.max(Math.abs(a), Math.abs(fine)), 1e-8)
        + rounding;
    if (!Double.isFinite(f0) || Math.abs(coarse - fine) > tolerance) {
      return Verdict.KINK;
    }
    if (Math.abs(a - fine) <= tolerance) {
      return Verdict.PASS;
    }
    // θ on a kink: the analytic value is one of the one-sided derivatives (each extrapolated to
    // O(h²): 2·F(h/2) - F(h)).
    double right = 2 * (plus[1] - f0) / (h / 2) - (plus[0] - f0) / h;
    double left = 2 * (f0 - minus[1]) / (h / 2) - (f0 - minus[0]) / h;
    double loose = 1e-4 * Math.max(Math.max(Math.abs(a), Math.abs(fine)), 1e-8) + 4 * rounding;
    if (Math.abs(a - right) <= loose || Math.abs(a - left) <= loose) {
      return Verdict.KINK;
    }
    worst = Math.max(worst, Math.abs(a - fine) / Math.max(Math.abs(a), Math.abs(fine)));
    return Verdict.FAIL;
  }
}
