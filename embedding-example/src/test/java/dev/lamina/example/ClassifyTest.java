package dev.lamina.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

/**
 * The shipped checkpoint loads and classifies the bundled images (the first test image of each
 * Fashion-MNIST class) correctly.
 */
class ClassifyTest {
  private static final String[][] IMAGES = {
      {"images/test-000-ankle-boot.png", "Ankle boot"},
      {"images/test-001-pullover.png", "Pullover"},
      {"images/test-002-trouser.png", "Trouser"},
      {"images/test-004-shirt.png", "Shirt"},
      {"images/test-006-coat.png", "Coat"},
      {"images/test-008-sandal.png", "Sandal"},
      {"images/test-009-sneaker.png", "Sneaker"},
      {"images/test-013-dress.png", "Dress"},
      {"images/test-018-bag.png", "Bag"},
      {"images/test-019-tshirt-top.png", "T-shirt/top"},
  };

  @Test
  void classifiesTheBundledTestImages() {
    Classify c = new Classify();
    for (String[] image : IMAGES) {
      Classify.Prediction p = c.classify(Classify.resourceImage(image[0]));
      assertEquals(image[1], p.name(), image[0]);
      assertTrue(p.probability() > 0.5, image[0] + ": " + p);
    }
  }

  @Test
  void lightBackgroundsAreInverted() {
    BufferedImage img = new BufferedImage(56, 56, BufferedImage.TYPE_INT_RGB);
    var g = img.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, 56, 56);
    g.setColor(Color.BLACK);
    g.fillRect(14, 14, 28, 28);
    g.dispose();
    int[] px = Classify.toPixels(img);
    assertEquals(0, px[0]);
    assertEquals(255, px[14 * 28 + 14]);
  }

  @Test
  void theShippedCheckpointMatchesThisNetwork() {
    // Loading checks the fingerprint: a checkpoint of another network would throw here.
    Classify c = new Classify();
    assertEquals("Ankle boot", c.classify(Classify.resourceImage(Classify.SAMPLE)).name());
  }
}
