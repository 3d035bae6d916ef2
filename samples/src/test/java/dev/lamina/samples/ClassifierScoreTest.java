package dev.lamina.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The classifier score against a naive computation in the test: one image at a time through the
 * classifier, pixels mapped from [-1, 1] to [0, 1], softmax and arg max written out here.
 */
class ClassifierScoreTest {
  @Test
  void meanTopProbabilityAndClassCountsMatchANaiveComputation() {
    // A random Mlp: its classes vary from image to image.
    Lamina_Mlp classifier = new Lamina_Mlp(3);
    SplittableRandom r = new SplittableRandom(4);
    int n = 257; // not a multiple of the score's chunk of 100
    float[] images = new float[n * 784];
    for (int i = 0; i < images.length; i++) {
      images[i] = (float) (2 * r.nextDouble() - 1);
    }
    double topSum = 0;
    int[] counts = new int[10];
    float[] one = new float[784];
    float[] logits = new float[10];
    for (int i = 0; i < n; i++) {
      for (int p = 0; p < 784; p++) {
        one[p] = (images[i * 784 + p] + 1) / 2;
      }
      classifier.forward(one, 1, logits);
      double max = Double.NEGATIVE_INFINITY;
      int arg = -1;
      double z = 0;
      for (int k = 0; k < 10; k++) {
        z += Math.exp(logits[k]);
        if (logits[k] > max) {
          max = logits[k];
          arg = k;
        }
      }
      topSum += Math.exp(max) / z;
      counts[arg]++;
    }
    ClassifierScore s = ClassifierScore.of(classifier, images, n);
    assertEquals(n, s.images());
    assertArrayEquals(counts, s.classCounts());
    assertEquals(topSum / n, s.meanTopProbability(), 1e-6);
    int present = 0;
    for (int c : counts) {
      present += c >= 0.03 * n ? 1 : 0;
    }
    assertEquals(present, s.classesPresent());
    assertTrue(present >= 2, "a random classifier spreads the images: " + s.describe());
  }

  @Test
  void aClassIsPresentFromThreePercentOfTheImages() {
    int[] counts = {30, 29, 941, 0, 0, 0, 0, 0, 0, 0};
    ClassifierScore s = new ClassifierScore(1000, 0.9, counts);
    assertEquals(2, s.classesPresent());
    assertEquals("mean top-class probability 0.900, 2 of 10 classes with >= 3% of the images",
        s.describe());
  }
}
