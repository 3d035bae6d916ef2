package dev.lamina.example;

import java.awt.Image;
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
    Checkpoints.loadResource(net, "garments.ckpt");
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
   * 28×28 gray levels of any picture: scaled down by area averaging (aspect ratio kept), inverted
   * when its border is light, since the network learnt light garments on black.
   */
  public static int[] toPixels(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    double border = 0;
    int count = 0;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        if (x == 0 || y == 0 || x == w - 1 || y == h - 1) {
          border += gray(image.getRGB(x, y));
          count++;
        }
      }
    }
    boolean invert = border / count > 127.5;
    int side = 28;
    int sw = Math.max(1, Math.round((float) w * side / Math.max(w, h)));
    int sh = Math.max(1, Math.round((float) h * side / Math.max(w, h)));
    BufferedImage small = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
    var g = small.createGraphics();
    g.setColor(invert ? java.awt.Color.WHITE : java.awt.Color.BLACK);
    g.fillRect(0, 0, side, side);
    Image scaled = w == sw && h == sh ? image
        : image.getScaledInstance(sw, sh, Image.SCALE_AREA_AVERAGING);
    g.drawImage(scaled, (side - sw) / 2, (side - sh) / 2, null);
    g.dispose();
    int[] pixels = new int[side * side];
    for (int i = 0; i < pixels.length; i++) {
      int v = (int) Math.round(gray(small.getRGB(i % side, i / side)));
      pixels[i] = invert ? 255 - v : v;
    }
    return pixels;
  }

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
