package dev.lamina.samples;

import dev.lamina.runtime.FloatNetwork;
import java.util.Locale;

/**
 * Whether generated garments are garments, judged by a Fashion-MNIST classifier (in the spirit of
 * the Inception score of Salimans et al. 2016): the mean over the images of the classifier's
 * top-class probability (near 1 when each image looks clearly like one class), and how many
 * classes the images fall into (each image counted in its top class; a class is present when it
 * holds at least {@value #PRESENT_SHARE} of the images; a generator that draws one kind of garment
 * only has collapsed to it).
 *
 * @param images images scored
 * @param meanTopProbability mean over the images of the largest softmax probability
 * @param classCounts images per top class
 */
public record ClassifierScore(int images, double meanTopProbability, int[] classCounts) {
  /** Images a score is computed over, in the app. */
  public static final int IMAGES = 1000;
  /** Share of the images a class needs to count as present. */
  public static final double PRESENT_SHARE = 0.03;
  /** Images per forward pass of the classifier. */
  private static final int CHUNK = 100;

  /** Classes with at least {@link #PRESENT_SHARE} of the images. */
  public int classesPresent() {
    int present = 0;
    for (int c : classCounts) {
      if (c >= PRESENT_SHARE * images) {
        present++;
      }
    }
    return present;
  }

  /**
   * The score of {@code count} images at {@code images[0..]} with pixels in [-1, 1] (a tanh
   * generator's output), shown to {@code classifier} as [0, 1] pixels, as it was trained.
   */
  public static ClassifierScore of(FloatNetwork classifier, float[] images, int count) {
    int size = classifier.inputSize();
    int classes = classifier.outputSize();
    if (images.length < (long) count * size) {
      throw new IllegalArgumentException(count + " images of " + size + " values need "
          + (long) count * size + " values, got " + images.length);
    }
    float[] in = new float[CHUNK * size];
    float[] logits = new float[CHUNK * classes];
    int[] counts = new int[classes];
    double topSum = 0;
    for (int start = 0; start < count; start += CHUNK) {
      int n = Math.min(CHUNK, count - start);
      for (int i = 0; i < n * size; i++) {
        in[i] = (images[start * size + i] + 1) / 2;
      }
      classifier.forward(in, n, logits);
      for (int i = 0; i < n; i++) {
        double[] p = Softmax.of(logits, i * classes, classes);
        int top = Softmax.top(p, 1)[0];
        counts[top]++;
        topSum += p[top];
      }
    }
    return new ClassifierScore(count, count == 0 ? 0 : topSum / count, counts);
  }

  /** One line: the mean top-class probability and the classes present. */
  public String describe() {
    return String.format(Locale.ROOT, "mean top-class probability %.3f, %d of %d classes with"
        + " >= %.0f%% of the images", meanTopProbability, classesPresent(), classCounts.length,
        100 * PRESENT_SHARE);
  }
}
