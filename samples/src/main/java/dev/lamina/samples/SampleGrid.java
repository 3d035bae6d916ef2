package dev.lamina.samples;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Generated images as one PNG: a grid of tiles, white gaps between them. */
final class SampleGrid {
  /** Pixels between tiles and around the grid. */
  static final int GAP = 2;
  /** Each image pixel is drawn as a SCALE × SCALE block. */
  static final int SCALE = 2;

  private SampleGrid() {}

  /**
   * A {@code rows × cols} grid of the first {@code rows·cols} images of {@code side × side}
   * gray pixels at {@code images[0..]}, values in [-1, 1] (-1 black, 1 white; clamped outside).
   */
  static BufferedImage image(float[] images, int side, int rows, int cols) {
    int tile = side * SCALE;
    int width = GAP + cols * (tile + GAP);
    int height = GAP + rows * (tile + GAP);
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
    var raster = image.getRaster();
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        raster.setSample(x, y, 0, 255);
      }
    }
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        int base = (r * cols + c) * side * side;
        int x0 = GAP + c * (tile + GAP);
        int y0 = GAP + r * (tile + GAP);
        for (int py = 0; py < tile; py++) {
          for (int px = 0; px < tile; px++) {
            float v = images[base + (py / SCALE) * side + px / SCALE];
            raster.setSample(x0 + px, y0 + py, 0, gray(v));
          }
        }
      }
    }
    return image;
  }

  /** The gray level 0..255 of a value in [-1, 1]. */
  static int gray(float v) {
    double g = Math.round((Math.max(-1f, Math.min(1f, v)) + 1) * 127.5);
    return (int) g;
  }

  /** Writes the grid to {@code file} (atomically). */
  static void write(float[] images, int side, int rows, int cols, Path file) throws IOException {
    BufferedImage image = image(images, side, rows, cols);
    OutputFiles.writeAtomically(file, os -> ImageIO.write(image, "png", os));
  }
}
