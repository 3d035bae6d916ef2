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

  /** Regression losses (MSE, half squared error) against {@code batch * size} targets. */
  public static float forwardBackward(Loss loss, float[] out, int batch, int size, float[] targets,
      int targetOffset, float[] grad, float gradScale) {
    boolean mse = loss == Loss.MSE;
    if (!mse && loss != Loss.HALF_SQUARED_ERROR) {
      throw new IllegalArgumentException(
          "regression targets need loss MSE or HALF_SQUARED_ERROR; this network's loss is " + loss);
    }
    double total = 0;
    int count = batch * size;
    double perElement = mse ? 1.0 / size : 0.5;
    double gradFactor = (mse ? 2.0 / size : 1.0) * gradScale;
    for (int i = 0; i < count; i++) {
      double d = (double) out[i] - targets[targetOffset + i];
      total += perElement * d * d;
      grad[i] = (float) (gradFactor * d);
    }
    return (float) total;
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

  /** Double-precision regression losses; see the class comment. */
  public static double forwardBackward(Loss loss, double[] out, int batch, int size,
      double[] targets, int targetOffset, double[] grad, double gradScale) {
    boolean mse = loss == Loss.MSE;
    if (!mse && loss != Loss.HALF_SQUARED_ERROR) {
      throw new IllegalArgumentException(
          "regression targets need loss MSE or HALF_SQUARED_ERROR; this network's loss is " + loss);
    }
    double total = 0;
    int count = batch * size;
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
