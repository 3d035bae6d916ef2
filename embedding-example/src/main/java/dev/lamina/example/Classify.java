package dev.lamina.example;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * Classifies a picture of a garment with the network this app ships: {@code java -jar
 * lamina-embedding-example.jar [IMAGE.png]} (a built-in Fashion-MNIST test image without an
 * argument). Needs only this jar and the Lamina runtime jar.
 */
public final class Classify {
  /** The ten classes, by label. */
  public static final List<String> CLASSES = List.of("T-shirt/top", "Trouser", "Pullover",
      "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

  /** The built-in sample image. */
  public static final String SAMPLE = "images/test-000-ankle-boot.png";

  private final Lamina_Garments net;

  /** The network with the trained parameters shipped in this jar. */
  public Classify() {
    net = new Lamina_Garments();
    ShippedWeights.load(net, "garments.ckpt");
  }

  /** A prediction: the class and its probability. */
  public record Prediction(int label, String name, double probability) {}

  /** Classifies a 28×28 image given as gray levels 0..255 (light garment on black). */
  public Prediction classify(int[] pixels) {
    float[] in = new float[pixels.length];
    for (int i = 0; i < in.length; i++) {
      in[i] = pixels[i] / 255f; // scaled like the training data
    }
    float[] scores = new float[net.outputSize()];
    net.forward(in, 1, scores);
    int best = 0;
    double max = Double.NEGATIVE_INFINITY;
    for (int k = 0; k < scores.length; k++) {
      if (scores[k] > max) {
        max = scores[k];
        best = k;
      }
    }
    double sum = 0;
    for (float s : scores) {
      sum += Math.exp(s - max);
    }
    return new Prediction(best, CLASSES.get(best), 1 / sum);
  }

  /** Classifies a decoded image (converted with {@link #toPixels}). */
  public Prediction classify(BufferedImage image) {
    return classify(toPixels(image));
  }

  /**
   * 28×28 gray levels of any picture: the longer side scaled to 28 pixels by area averaging
   * (aspect ratio kept, centred), inverted when its border is light, since the network learnt light
   * garments on black.
   */
  public static int[] toPixels(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    double[] gray = new double[w * h];
    var raster = image.getRaster();
    var cm = image.getColorModel();
    // Gray images are read from the raster: getRGB would convert them to sRGB and brighten them.
    boolean plainGray = cm.getColorSpace().getType() == java.awt.color.ColorSpace.TYPE_GRAY
        && raster.getNumBands() == 1 && !(cm instanceof java.awt.image.IndexColorModel);
    double border = 0;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        double v = plainGray
            ? raster.getSampleDouble(x, y, 0) * 255 / ((1 << cm.getComponentSize(0)) - 1)
            : gray(image.getRGB(x, y));
        gray[y * w + x] = v;
        if (x == 0 || y == 0 || x == w - 1 || y == h - 1) {
          border += v;
        }
      }
    }
    border /= w * h - Math.max(0, w - 2) * Math.max(0, h - 2);
    boolean invert = border > 127.5;
    double background = invert ? 255 - border : border;
    int side = 28;
    double scale = (double) side / Math.max(w, h);
    double offX = (side - w * scale) / 2;
    double offY = (side - h * scale) / 2;
    int[] pixels = new int[side * side];
    for (int oy = 0; oy < side; oy++) {
      for (int ox = 0; ox < side; ox++) {
        // Mean over the source area this output pixel covers; outside the picture: background.
        double x0 = (ox - offX) / scale;
        double x1 = (ox + 1 - offX) / scale;
        double y0 = (oy - offY) / scale;
        double y1 = (oy + 1 - offY) / scale;
        double sum = 0;
        double covered = 0;
        for (int sy = (int) Math.max(0, Math.floor(y0)); sy < Math.min(h, Math.ceil(y1)); sy++) {
          double fy = Math.min(sy + 1, y1) - Math.max(sy, y0);
          for (int sx = (int) Math.max(0, Math.floor(x0)); sx < Math.min(w, Math.ceil(x1));
              sx++) {
            double f = fy * (Math.min(sx + 1, x1) - Math.max(sx, x0));
            if (f > 0) {
              double v = gray[sy * w + sx];
              sum += (invert ? 255 - v : v) * f;
              covered += f;
            }
          }
        }
        double area = (x1 - x0) * (y1 - y0);
        pixels[oy * side + ox] = (int) Math.round((sum + (area - covered) * background) / area);
      }
    }
    return pixels;
  }

  /** Luminance of an sRGB pixel; transparent areas count as white paper. */
  private static double gray(int argb) {
    double a = ((argb >>> 24) & 0xff) / 255.0;
    double lum = 0.299 * ((argb >> 16) & 0xff) + 0.587 * ((argb >> 8) & 0xff)
        + 0.114 * (argb & 0xff);
    return a * lum + (1 - a) * 255;
  }

  /** Reads a bundled resource image. */
  public static BufferedImage resourceImage(String name) {
    try (InputStream in = Classify.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalArgumentException("no resource " + name);
      }
      return ImageIO.read(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static void main(String[] args) throws IOException {
    System.setProperty("java.awt.headless", "true");
    if (args.length > 1) {
      System.err.println("usage: Classify [IMAGE]");
      System.exit(2);
    }
    BufferedImage image;
    String label;
    if (args.length == 0) {
      image = resourceImage(SAMPLE);
      label = "built-in sample " + SAMPLE;
    } else {
      Path file = Path.of(args[0]);
      if (!Files.isRegularFile(file)) {
        System.err.println("error: no such file: " + file);
        System.exit(1);
      }
      image = ImageIO.read(file.toFile());
      if (image == null) {
        System.err.println("error: not a PNG or JPEG image: " + file);
        System.exit(1);
      }
      label = file.toString();
    }
    Prediction p = new Classify().classify(image);
    System.out.printf(Locale.ROOT, "%s: %s (%.1f%%)%n", label, p.name(), 100 * p.probability());
  }
}
