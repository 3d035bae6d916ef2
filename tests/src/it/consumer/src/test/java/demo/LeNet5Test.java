package demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.runtime.data.Dataset;
import dev.lamina.runtime.optim.Optimizers;
import dev.lamina.runtime.train.EpochResult;
import dev.lamina.runtime.train.Trainer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The README's LeNet-5 in a project of its own: generated class, training and prediction. */
class LeNet5Test {
  private static final int SAMPLES = 10;
  private static final int PIXELS = 28 * 28;

  @Test
  void generatedClassHasLeNet5sParameters() throws IOException {
    // LeNet-5 with a padded first convolution: 156 + 2,416 + 48,120 + 10,164 + 850.
    assertEquals(61_706, new Lamina_LeNet5(42).parameterCount());
    String summaryResource = "/META-INF/lamina/demo.LeNet5.txt";
    try (InputStream in = LeNet5Test.class.getResourceAsStream(summaryResource)) {
      assertNotNull(in, "the processor's summary resource");
      String summary = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(summary.lines().anyMatch(l -> l.startsWith("total") && l.contains("61,706")),
          summary);
    }
  }

  @Test
  void trainingStepsLearnTenImagesAndPredictTheirLabels() {
    float[] images = randomImages(7);
    int[] labels = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    Lamina_LeNet5 net = new Lamina_LeNet5(42);
    net.setOptimizer(Optimizers.sgd(0.05f).momentum(0.9f).build(net.summary()));
    float first = net.trainStep(images, labels, SAMPLES);
    // Ten classes, nothing learnt yet: the mean cross-entropy is near ln 10 = 2.30.
    assertEquals(Math.log(10), first, 0.5);
    float last = first;
    for (int step = 1; step < 40; step++) {
      last = net.trainStep(images, labels, SAMPLES);
    }
    assertTrue(last < 0.1f * first, "loss after 40 steps " + last + ", first " + first);
    for (int i = 0; i < SAMPLES; i++) {
      assertEquals(labels[i],
          net.predict(Arrays.copyOfRange(images, i * PIXELS, (i + 1) * PIXELS)), "image " + i);
    }
  }

  @Test
  void trainerFitsTenImages() {
    int[] labels = {0, 3, 6, 9, 2, 5, 8, 1, 4, 7};
    Dataset data = new Dataset(randomImages(11), labels, new int[] {1, 28, 28}, 10);
    Lamina_LeNet5 net = new Lamina_LeNet5(42);
    try (Trainer trainer = Trainer.builder(net,
        Optimizers.sgd(0.05f).momentum(0.9f).build(net.summary()))
        .batchSize(SAMPLES).threads(2).seed(1).build()) {
      List<EpochResult> epochs = trainer.fit(data, data, 40);
      assertEquals(40, epochs.size());
      assertEquals(1.0, epochs.get(39).testAccuracy(), "accuracy on the ten images");
    }
  }

  /** Ten images of uniform noise in [0, 1). */
  private static float[] randomImages(long seed) {
    float[] images = new float[SAMPLES * PIXELS];
    Random random = new Random(seed);
    for (int i = 0; i < images.length; i++) {
      images[i] = random.nextFloat();
    }
    return images;
  }
}
