package dev.lamina.samples;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import dev.lamina.runtime.data.DatasetFormatException;
import dev.lamina.runtime.data.ImageFiles;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Turns a PNG or JPEG file into a Fashion-MNIST-like 28×28 grayscale image: luminance, the longer
 * side scaled to 28 pixels by area averaging (aspect ratio kept, centred, padded with the
 * background), and light garments on a dark background. Pictures with a light background (the
 * mean of their border pixels above the middle gray) are inverted.
 */
public final class ImageInput {
  /** Side of the images the networks take. */
  public static final int SIDE = 28;

  /**
   * A converted image.
   *
   * @param pixels {@code SIDE * SIDE} gray levels 0..255, row-major, like the IDX files
   * @param inverted whether the picture had a light background and was inverted
   * @param borderMean mean gray level (0..255) of the original picture's border
   * @param width original width
   * @param height original height
   */
  public record Converted(int[] pixels, boolean inverted, double borderMean, int width,
      int height) {}

  private ImageInput() {}

  /**
   * Reads and converts an image file, checked from its header first ({@link ImageFiles}): a
   * missing, unreadable or unsupported file, or one declaring more than {@code maxPixels} pixels,
   * is an {@link AppException} naming the file and the reason.
   */
  public static Converted read(Path file, long maxPixels) {
    if (!Files.isRegularFile(file)) {
      throw new AppException("image not found: " + file);
    }
    BufferedImage image;
    try {
      image = ImageFiles.read(file, maxPixels);
    } catch (DatasetFormatException e) {
      throw new AppException("cannot read image " + withOption(e.getMessage()), e);
    }
    return convert(image);
  }

  /** A message of {@link ImageFiles} with the app's option for the pixel limit. */
  static String withOption(String message) {
    return message.replace("(raise the limit to read it)",
        "(raise the limit with --max-pixels to read it)");
  }

  /** Converts a decoded image. */
  public static Converted convert(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    double[] gray = luminance(image);
    double border = borderMean(gray, w, h);
    boolean invert = border > 127.5;
    if (invert) {
      for (int i = 0; i < gray.length; i++) {
        gray[i] = 255 - gray[i];
      }
    }
    double background = invert ? 255 - border : border;
    double[] small = fit(gray, w, h, background);
    int[] pixels = new int[SIDE * SIDE];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (int) Math.max(0, Math.min(255, Math.round(small[i])));
    }
    return new Converted(pixels, invert, border, w, h);
  }

  /**
   * Gray levels 0..255. Gray images are read from their raster: {@code getRGB} would convert them
   * from a linear gray colour space to sRGB and brighten them. Transparent areas count as white
   * paper.
   */
  static double[] luminance(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    double[] gray = new double[w * h];
    Raster raster = image.getRaster();
    ColorModel cm = image.getColorModel();
    boolean grayRaster = cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY
        && !(cm instanceof IndexColorModel)
        && raster.getNumBands() == (cm.hasAlpha() ? 2 : 1);
    if (grayRaster) {
      double max = (1L << cm.getComponentSize(0)) - 1;
      double maxAlpha = cm.hasAlpha() ? (1L << cm.getComponentSize(1)) - 1 : 1;
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          double v = raster.getSampleDouble(x, y, 0) * 255 / max;
          double a = cm.hasAlpha() ? raster.getSampleDouble(x, y, 1) / maxAlpha : 1;
          gray[y * w + x] = a * v + (1 - a) * 255;
        }
      }
      return gray;
    }
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int argb = image.getRGB(x, y);
        double a = ((argb >>> 24) & 0xff) / 255.0;
        double r = (argb >> 16) & 0xff;
        double g = (argb >> 8) & 0xff;
        double b = argb & 0xff;
        double lum = 0.299 * r + 0.587 * g + 0.114 * b;
        gray[y * w + x] = a * lum + (1 - a) * 255;
      }
    }
    return gray;
  }

  /** Mean of the outermost rows and columns. */
  static double borderMean(double[] gray, int w, int h) {
    double sum = 0;
    long n = 0;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        if (y == 0 || y == h - 1 || x == 0 || x == w - 1) {
          sum += gray[y * w + x];
          n++;
        }
      }
    }
    return sum / n;
  }

  /**
   * Scales the longer side to {@link #SIDE} with an exact area-averaging filter (every output pixel
   * is the mean of the source area it covers) and centres the result on the background level.
   */
  static double[] fit(double[] gray, int w, int h, double background) {
    double scale = (double) SIDE / Math.max(w, h);
    double outW = w * scale;
    double outH = h * scale;
    double offX = (SIDE - outW) / 2;
    double offY = (SIDE - outH) / 2;
    double[] out = new double[SIDE * SIDE];
    for (int oy = 0; oy < SIDE; oy++) {
      for (int ox = 0; ox < SIDE; ox++) {
        // The output pixel's square in source coordinates.
        double sx0 = (ox - offX) / scale;
        double sx1 = (ox + 1 - offX) / scale;
        double sy0 = (oy - offY) / scale;
        double sy1 = (oy + 1 - offY) / scale;
        double area = (sx1 - sx0) * (sy1 - sy0);
        double sum = 0;
        double covered = 0;
        for (int sy = (int) Math.floor(Math.max(0, sy0)); sy < Math.min(h, Math.ceil(sy1)); sy++) {
          double fy = Math.min(sy + 1, sy1) - Math.max(sy, sy0);
          if (fy <= 0) {
            continue;
          }
          for (int sx = (int) Math.floor(Math.max(0, sx0)); sx < Math.min(w, Math.ceil(sx1));
              sx++) {
            double fx = Math.min(sx + 1, sx1) - Math.max(sx, sx0);
            if (fx <= 0) {
              continue;
            }
            sum += gray[sy * w + sx] * fx * fy;
            covered += fx * fy;
          }
        }
        out[oy * SIDE + ox] = (sum + (area - covered) * background) / area;
      }
    }
    return out;
  }
}
