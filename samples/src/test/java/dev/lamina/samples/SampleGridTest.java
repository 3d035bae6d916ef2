package dev.lamina.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

/** The grid of generated images: layout, gaps and the gray level of each value. */
class SampleGridTest {
  @Test
  void tilesSitInRowsWithWhiteGapsAndValuesMapToGrayLevels() {
    int side = 3;
    int rows = 2;
    int cols = 3;
    float[] images = new float[rows * cols * side * side];
    // Image k is flat at -1 + k/2.5 (k = 0..5: -1, -0.6, ..., 1), except pixel (1, 2) at 2.
    for (int k = 0; k < rows * cols; k++) {
      for (int p = 0; p < side * side; p++) {
        images[k * side * side + p] = (float) (-1 + k / 2.5);
      }
      images[k * side * side + side + 2] = 2;
    }
    BufferedImage g = SampleGrid.image(images, side, rows, cols);
    int tile = side * SampleGrid.SCALE;
    assertEquals(SampleGrid.GAP + cols * (tile + SampleGrid.GAP), g.getWidth());
    assertEquals(SampleGrid.GAP + rows * (tile + SampleGrid.GAP), g.getHeight());
    var raster = g.getRaster();
    for (int k = 0; k < rows * cols; k++) {
      int x0 = SampleGrid.GAP + (k % cols) * (tile + SampleGrid.GAP);
      int y0 = SampleGrid.GAP + (k / cols) * (tile + SampleGrid.GAP);
      int expected = (int) Math.round((k / 2.5) * 127.5);
      assertEquals(expected, raster.getSample(x0, y0, 0), "image " + k);
      assertEquals(expected, raster.getSample(x0 + tile - 1, y0 + tile - 1, 0), "image " + k);
      // Pixel (row 1, column 2) clamped to white, drawn SCALE x SCALE.
      assertEquals(255, raster.getSample(x0 + 2 * SampleGrid.SCALE, y0 + SampleGrid.SCALE, 0));
      assertEquals(255, raster.getSample(x0 - 1, y0, 0), "gap left of image " + k);
    }
    assertEquals(0, SampleGrid.gray(-1f));
    assertEquals(0, SampleGrid.gray(-7f));
    assertEquals(128, SampleGrid.gray(0f));
    assertEquals(255, SampleGrid.gray(1f));
  }
}
