package dev.lamina.runtime.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Labelled images from a folder with one sub-folder per class: {@code root/<class>/*.png} (also
 * {@code .jpg}, {@code .jpeg}, {@code .gif}, {@code .bmp}, any case). Classes are the sub-folders'
 * names in sorted order (class 0 first); files in each are read in sorted order; other files and
 * hidden entries are ignored.
 *
 * <p>Every image becomes a sample of the requested shape {@code C×H×W}: {@code C = 1} takes the
 * luminance ({@code 0.299 R + 0.587 G + 0.114 B}; grey images are read from their raster
 * directly), {@code C = 3} the red, green and blue planes (a grey image's value in all three).
 * Values are scaled to [0, 1]; transparent pixels are composited over black. An image of another
 * size is refused with a message naming it, unless {@link Builder#resize resizing} is on, in
 * which case it is stretched to {@code H×W} by area averaging (each output pixel is the mean of
 * the source area it covers). Every image is checked from its header before it is decoded
 * ({@link ImageFiles}).
 *
 * <pre>{@code
 * ImageFolder.Loaded data = ImageFolder.at(Path.of("pictures")).shape(1, 28, 28).resize(true)
 *     .load();
 * }</pre>
 */
public final class ImageFolder {
  private static final List<String> EXTENSIONS = List.of(".png", ".jpg", ".jpeg", ".gif", ".bmp");

  /**
   * What a folder held.
   *
   * @param dataset the samples, in class order and file order within a class
   * @param classes the class names (sub-folder names), index = label
   * @param skipped the files left out as unreadable, each with its reason (empty unless {@link
   *     Builder#skipUnreadable} is on)
   */
  public record Loaded(Dataset dataset, List<String> classes, List<String> skipped) {}

  private ImageFolder() {}

  /** A loader for the folder {@code root}. */
  public static Builder at(Path root) {
    return new Builder(root);
  }

  /** Settings of a load. Not thread-safe. */
  public static final class Builder {
    private final Path root;
    private int channels = 1;
    private int height = -1;
    private int width = -1;
    private boolean resize;
    private boolean skipUnreadable;
    private long maxPixels = ImageFiles.DEFAULT_MAX_PIXELS;

    private Builder(Path root) {
      this.root = root;
    }

    /** The sample shape: 1 (grey) or 3 (RGB) channels of {@code height × width} (required). */
    public Builder shape(int channels, int height, int width) {
      if (channels != 1 && channels != 3) {
        throw new IllegalArgumentException("images have 1 (grey) or 3 (RGB) channels, got "
            + channels);
      }
      if (height < 1 || width < 1) {
        throw new IllegalArgumentException("image size must be positive, got " + height + "×"
            + width);
      }
      this.channels = channels;
      this.height = height;
      this.width = width;
      return this;
    }

    /** Whether images of another size are stretched to the shape (default false: refused). */
    public Builder resize(boolean resize) {
      this.resize = resize;
      return this;
    }

    /**
     * Whether an unreadable image (corrupt, truncated, too large, not an image) is left out and
     * listed in {@link Loaded#skipped} rather than failing the load (default false).
     */
    public Builder skipUnreadable(boolean skip) {
      this.skipUnreadable = skip;
      return this;
    }

    /** Most pixels an image may declare (default {@link ImageFiles#DEFAULT_MAX_PIXELS}). */
    public Builder maxPixels(long maxPixels) {
      if (maxPixels < 1) {
        throw new IllegalArgumentException("the pixel limit must be >= 1, got " + maxPixels);
      }
      this.maxPixels = maxPixels;
      return this;
    }

    /**
     * Reads the folder.
     *
     * @throws DatasetFormatException naming the file or folder: no class folders, a class folder
     *     without images, an unreadable image (unless skipped), an image of another size (unless
     *     resized)
     * @throws IOException if a folder cannot be listed
     */
    public Loaded load() throws IOException {
      if (height < 1) {
        throw new IllegalStateException("call shape(channels, height, width) before load()");
      }
      if (!Files.isDirectory(root)) {
        throw new DatasetFormatException(root, -1, "not a folder (expected one sub-folder per"
            + " class holding its images)");
      }
      List<Path> classDirs = sorted(root, Files::isDirectory);
      if (classDirs.isEmpty()) {
        throw new DatasetFormatException(root, -1, "no class folders (expected"
            + " root/<class>/<image>.png)");
      }
      List<String> classes = new ArrayList<>();
      List<Path> files = new ArrayList<>();
      List<Integer> labels = new ArrayList<>();
      for (Path dir : classDirs) {
        List<Path> images = sorted(dir, ImageFolder::isImageFile);
        if (images.isEmpty()) {
          throw new DatasetFormatException(dir, -1, "class folder without images (expected files"
              + " ending in " + String.join(", ", EXTENSIONS) + ")");
        }
        for (Path f : images) {
          files.add(f);
          labels.add(classes.size());
        }
        classes.add(dir.getFileName().toString());
      }
      int sampleSize = channels * height * width;
      float[] features = new float[Math.multiplyExact(files.size(), sampleSize)];
      int[] label = new int[files.size()];
      List<String> skipped = new ArrayList<>();
      int n = 0;
      for (int i = 0; i < files.size(); i++) {
        Path f = files.get(i);
        try {
          BufferedImage image = ImageFiles.read(f, maxPixels);
          convert(f, image, features, n * sampleSize);
        } catch (DatasetFormatException e) {
          if (!skipUnreadable) {
            throw e;
          }
          skipped.add(e.getMessage());
          continue;
        }
        label[n++] = labels.get(i);
      }
      if (n == 0) {
        throw new DatasetFormatException(root, -1, "no readable image (" + skipped.size()
            + " skipped)");
      }
      Dataset dataset = new Dataset(Arrays.copyOf(features, n * sampleSize),
          Arrays.copyOf(label, n), new int[] {channels, height, width}, classes.size());
      return new Loaded(dataset, List.copyOf(classes), List.copyOf(skipped));
    }

    /** Writes {@code image} as one sample at {@code features[offset]}. */
    private void convert(Path file, BufferedImage image, float[] features, int offset)
        throws DatasetFormatException {
      int w = image.getWidth();
      int h = image.getHeight();
      if ((w != width || h != height) && !resize) {
        throw new DatasetFormatException(file, -1, "the image is " + w + "×" + h + " pixels,"
            + " expected " + width + "×" + height + " (width×height; turn resizing on to"
            + " stretch it)");
      }
      float[] planes = planes(image, channels);
      for (int c = 0; c < channels; c++) {
        resample(planes, c * w * h, w, h, features, offset + c * width * height, width, height);
      }
    }
  }

  private static boolean isImageFile(Path p) {
    String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
    return Files.isRegularFile(p) && EXTENSIONS.stream().anyMatch(name::endsWith);
  }

  private static List<Path> sorted(Path dir, java.util.function.Predicate<Path> keep)
      throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> !p.getFileName().toString().startsWith(".")).filter(keep).sorted()
          .toList();
    }
  }

  /**
   * The image's {@code channels} planes at its own size, values in [0, 1], transparent pixels
   * over black. Grey images are read from the raster: {@code getRGB} would convert them from a
   * linear grey colour space to sRGB and brighten them.
   */
  static float[] planes(BufferedImage image, int channels) {
    int w = image.getWidth();
    int h = image.getHeight();
    int plane = w * h;
    float[] out = new float[channels * plane];
    Raster raster = image.getRaster();
    ColorModel cm = image.getColorModel();
    boolean grey = cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY
        && !(cm instanceof IndexColorModel) && raster.getNumBands() == (cm.hasAlpha() ? 2 : 1);
    if (grey) {
      double max = (1L << cm.getComponentSize(0)) - 1;
      double maxAlpha = cm.hasAlpha() ? (1L << cm.getComponentSize(1)) - 1 : 1;
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          double a = cm.hasAlpha() ? raster.getSampleDouble(x, y, 1) / maxAlpha : 1;
          float v = (float) (a * raster.getSampleDouble(x, y, 0) / max);
          for (int c = 0; c < channels; c++) {
            out[c * plane + y * w + x] = v;
          }
        }
      }
      return out;
    }
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int argb = image.getRGB(x, y);
        double a = ((argb >>> 24) & 0xff) / 255.0;
        double r = ((argb >> 16) & 0xff) / 255.0 * a;
        double g = ((argb >> 8) & 0xff) / 255.0 * a;
        double b = (argb & 0xff) / 255.0 * a;
        int i = y * w + x;
        if (channels == 1) {
          out[i] = (float) (0.299 * r + 0.587 * g + 0.114 * b);
        } else {
          out[i] = (float) r;
          out[plane + i] = (float) g;
          out[2 * plane + i] = (float) b;
        }
      }
    }
    return out;
  }

  /**
   * Area-averaging resample of the {@code w×h} plane at {@code src[so]} to {@code ow×oh} at
   * {@code dst[d0]}: each output pixel is the mean of the source area it covers (a copy when the
   * sizes agree).
   */
  static void resample(float[] src, int so, int w, int h, float[] dst, int d0, int ow, int oh) {
    double sx = (double) w / ow;
    double sy = (double) h / oh;
    for (int oy = 0; oy < oh; oy++) {
      double y0 = oy * sy;
      double y1 = y0 + sy;
      for (int ox = 0; ox < ow; ox++) {
        double x0 = ox * sx;
        double x1 = x0 + sx;
        double sum = 0;
        for (int y = (int) y0; y < Math.min(h, Math.ceil(y1)); y++) {
          double fy = Math.min(y + 1, y1) - Math.max(y, y0);
          if (fy <= 0) {
            continue;
          }
          for (int x = (int) x0; x < Math.min(w, Math.ceil(x1)); x++) {
            double fx = Math.min(x + 1, x1) - Math.max(x, x0);
            if (fx > 0) {
              sum += src[so + y * w + x] * fx * fy;
            }
          }
        }
        dst[d0 + oy * ow + ox] = (float) (sum / (sx * sy));
      }
    }
  }
}
