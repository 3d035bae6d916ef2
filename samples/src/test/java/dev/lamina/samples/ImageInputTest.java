package dev.lamina.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class ImageInputTest {
  private static BufferedImage picture(int w, int h, Color background, Color garment) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
    Graphics2D g = img.createGraphics();
    g.setColor(background);
    g.fillRect(0, 0, w, h);
    g.setColor(garment);
    g.fillRect(w / 4, h / 4, w / 2, h / 2);
    g.dispose();
    return img;
  }

  @Test
  void lightBackgroundIsInverted() {
    ImageInput.Converted c = ImageInput.convert(picture(280, 280, Color.WHITE, Color.BLACK));
    assertTrue(c.inverted());
    assertEquals(255, c.borderMean(), 1e-9);
    assertEquals(0, c.pixels()[0]);
    assertEquals(255, c.pixels()[14 * 28 + 14]);
  }

  @Test
  void darkBackgroundIsKept() {
    ImageInput.Converted c = ImageInput.convert(picture(56, 56, Color.BLACK, Color.WHITE));
    assertFalse(c.inverted());
    assertEquals(0, c.pixels()[0]);
    assertEquals(255, c.pixels()[14 * 28 + 14]);
    // 56 -> 28 halves: the garment covers rows and columns 7..20 exactly.
    assertEquals(255, c.pixels()[7 * 28 + 7]);
    assertEquals(0, c.pixels()[6 * 28 + 7]);
  }

  @Test
  void wideImagesKeepTheirAspectRatioAndArePaddedWithBackground() {
    ImageInput.Converted c = ImageInput.convert(picture(280, 140, Color.WHITE, Color.BLACK));
    assertEquals(28 * 28, c.pixels().length);
    // Top and bottom 7 rows are padding (background, inverted to 0).
    for (int x = 0; x < 28; x++) {
      assertEquals(0, c.pixels()[3 * 28 + x]);
    }
    assertEquals(255, c.pixels()[14 * 28 + 14]);
  }

  @Test
  void transparentPixelsCountAsWhitePaper() {
    BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_INT_ARGB);
    ImageInput.Converted c = ImageInput.convert(img);
    assertTrue(c.inverted());
    assertEquals(0, c.pixels()[100]);
  }

  @Test
  void areaAveragingMixesPartialPixels() {
    // A 56x56 checkerboard of 1-pixel squares averages to mid gray.
    BufferedImage img = new BufferedImage(56, 56, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 56; y++) {
      for (int x = 0; x < 56; x++) {
        img.setRGB(x, y, (x + y) % 2 == 0 ? 0xffffff : 0);
      }
    }
    ImageInput.Converted c = ImageInput.convert(img);
    assertEquals(128, c.pixels()[10 * 28 + 10], 1);
  }

  @Test
  void grayPngsKeepTheirExactLevels() throws Exception {
    // getRGB would brighten a gray image (linear gray to sRGB); the raster is read instead.
    BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
    for (int i = 0; i < 28 * 28; i++) {
      img.getRaster().setSample(i % 28, i / 28, 0, i % 200);
    }
    java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
    javax.imageio.ImageIO.write(img, "png", png);
    BufferedImage read = javax.imageio.ImageIO.read(
        new java.io.ByteArrayInputStream(png.toByteArray()));
    ImageInput.Converted c = ImageInput.convert(read);
    assertFalse(c.inverted());
    for (int i = 0; i < 28 * 28; i++) {
      assertEquals(i % 200, c.pixels()[i], "pixel " + i);
    }
  }
}
