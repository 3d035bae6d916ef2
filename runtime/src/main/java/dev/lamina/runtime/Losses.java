package dev.lamina.runtime;

import dev.lamina.dsl.Loss;

/**
 * The losses, each computing the loss of a batch and its gradient with respect to the network's
 * output in one pass. Every method returns the loss <em>summed</em> over the batch's samples and
 * writes {@code gradScale · dℓ_n/dy} for each sample n (pass {@code gradScale = 1/N} for the mean).
 * Allocation-free and thread-safe (stateless).
 *
 * <ul>
 *   <li>{@link Loss#SOFTMAX_CROSS_ENTROPY}: {@code ℓ_n = logsumexp(y_n) - y_n[label]}, gradient
 *       {@code softmax(y_n) - onehot(label)}. The maximum is subtracted before exponentiating, so
 *       logits of any size stay finite.
 *   <li>{@link Loss#MSE}: {@code ℓ_n = Σ_d (y - t)² / D}, gradient {@code 2(y - t)/D} (summed over
 *       the batch and scaled by 1/N this is PyTorch's {@code MSELoss}, the mean over N·D).
 *   <li>{@link Loss#HALF_SQUARED_ERROR}: {@code ℓ_n = ½ Σ_d (y - t)²}, gradient {@code y - t}.
 *   <li>{@link Loss#BCE_WITH_LOGITS}: {@code ℓ_n = Σ_d (max(y, 0) - y·t + log1p(e^-|y|)) / D},
 *       gradient {@code (sigmoid(y) - t)/D} (PyTorch's {@code BCEWithLogitsLoss}, the mean over
 *       N·D after the 1/N scale); no exponential of a positive number, so logits of any size stay
 *       finite.
 * </ul>
 */
public final class Losses {
  private Losses() {}

  /** Class-label losses (softmax cross-entropy). */
  public static float forwardBackward(Loss loss, float[] out, int batch, int classes, int[] labels,
      int labelOffset, float[] grad, float gradScale) {
    requireLoss(loss, Loss.SOFTMAX_CROSS_ENTROPY, "integer class labels");
    double total = 0;
    for (int n = 0; n < batch; n++) {
      int base = n * classes;
      int label = labels[labelOffset + n];
      if (label < 0 || label >= classes) {
        throw new IllegalArgumentException(
            "label " + label + " of sample " + n + " is outside 0.." + (classes - 1));
      }
      float max = out[base];
      for (int k = 1; k < classes; k++) {
        max = Math.max(max, out[base + k]);
      }
      // one exp per logit, kept in grad until the sum is known; the label's in double
      double sum = 0;
      double eLabel = 0;
      for (int k = 0; k < classes; k++) {
        double e = Math.exp(out[base + k] - max);
        sum += e;
        grad[base + k] = (float) e;
        if (k == label) {
          eLabel = e;
        }
      }
      total += Math.log(sum) - (out[base + label] - max);
      double scale = gradScale / sum;
      for (int k = 0; k < classes; k++) {
        grad[base + k] = (float) (grad[base + k] * scale);
      }
      grad[base + label] = (float) ((eLabel / sum - 1) * gradScale);
    }
    return (float) total;
  }

  /**
   * Losses against {@code batch * size} targets (MSE, half squared error, binary cross-entropy on
   * logits).
   */
  public static float forwardBackward(Loss loss, float[] out, int batch, int size, float[] targets,
      int targetOffset, float[] grad, float gradScale) {
    requireTargets(loss);
    double total = 0;
    int count = batch * size;
    if (loss == Loss.BCE_WITH_LOGITS) {
      double perElement = 1.0 / size;
      for (int i = 0; i < count; i++) {
        double y = out[i];
        double t = targets[targetOffset + i];
        total += perElement * bce(y, t);
        grad[i] = (float) (perElement * gradScale * (sigmoid(y) - t));
      }
      return (float) total;
    }
    boolean mse = loss == Loss.MSE;
    double perElement = mse ? 1.0 / size : 0.5;
    double gradFactor = (mse ? 2.0 / size : 1.0) * gradScale;
    for (int i = 0; i < count; i++) {
      double d = (double) out[i] - targets[targetOffset + i];
      total += perElement * d * d;
      grad[i] = (float) (gradFactor * d);
    }
    return (float) total;
  }

  /** {@code max(y, 0) - y·t + log(1 + e^-|y|)}: BCE of sigmoid(y) against t, stable for any y. */
  static double bce(double y, double t) {
    return Math.max(y, 0) - y * t + Math.log1p(Math.exp(-Math.abs(y)));
  }

  /** {@code 1 / (1 + e^-y)} without overflow for any y. */
  static double sigmoid(double y) {
    if (y >= 0) {
      return 1 / (1 + Math.exp(-y));
    }
    double e = Math.exp(y);
    return e / (1 + e);
  }

  private static void requireTargets(Loss loss) {
    if (loss != Loss.MSE && loss != Loss.HALF_SQUARED_ERROR && loss != Loss.BCE_WITH_LOGITS) {
      throw new IllegalArgumentException("targets need loss MSE, HALF_SQUARED_ERROR or"
          + " BCE_WITH_LOGITS; this network's loss is " + loss);
    }
  }

  /** Double-precision softmax cross-entropy; see the class comment. */
  public static double forwardBackward(Loss loss, double[] out, int batch, int classes,
      int[] labels, int labelOffset, double[] grad, double gradScale) {
    requireLoss(loss, Loss.SOFTMAX_CROSS_ENTROPY, "integer class labels");
    double total = 0;
    for (int n = 0; n < batch; n++) {
      int base = n * classes;
      int label = labels[labelOffset + n];
      if (label < 0 || label >= classes) {
        throw new IllegalArgumentException(
            "label " + label + " of sample " + n + " is outside 0.." + (classes - 1));
      }
      double max = out[base];
      for (int k = 1; k < classes; k++) {
        max = Math.max(max, out[base + k]);
      }
      // one exp per logit, kept in grad until the sum is known
      double sum = 0;
      for (int k = 0; k < classes; k++) {
        double e = Math.exp(out[base + k] - max);
        sum += e;
        grad[base + k] = e;
      }
      total += Math.log(sum) - (out[base + label] - max);
      for (int k = 0; k < classes; k++) {
        grad[base + k] = (grad[base + k] / sum - (k == label ? 1 : 0)) * gradScale;
      }
    }
    return total;
  }

  /** Double-precision losses against targets; see the class comment. */
  public static double forwardBackward(Loss loss, double[] out, int batch, int size,
      double[] targets, int targetOffset, double[] grad, double gradScale) {
    requireTargets(loss);
    double total = 0;
    int count = batch * size;
    if (loss == Loss.BCE_WITH_LOGITS) {
      double perElement = 1.0 / size;
      for (int i = 0; i < count; i++) {
        double t = targets[targetOffset + i];
        total += perElement * bce(out[i], t);
        grad[i] = perElement * gradScale * (sigmoid(out[i]) - t);
      }
      return total;
    }
    boolean mse = loss == Loss.MSE;
    double perElement = mse ? 1.0 / size : 0.5;
    double gradFactor = (mse ? 2.0 / size : 1.0) * gradScale;
    for (int i = 0; i < count; i++) {
      double d = out[i] - targets[targetOffset + i];
      total += perElement * d * d;
      grad[i] = gradFactor * d;
    }
    return total;
  }

  private static void requireLoss(Loss actual, Loss expected, String what) {
    if (actual != expected) {
      throw new IllegalArgumentException(
          what + " need loss " + expected + "; this network's loss is " + actual);
    }
  }
}
