package dev.lamina.runtime.data;

import dev.lamina.runtime.SeededRandom;
import java.util.Arrays;

/**
 * Random changes to training images, applied on the fly to each batch ({@link
 * dev.lamina.runtime.train.Trainer.Builder#augmentation}), never to evaluation. For each sample of
 * shape {@code C×H×W}, in this order, each step drawing from the given random stream:
 *
 * <ol>
 *   <li><b>horizontal flip</b> with probability ½ ({@link Builder#flip});
 *   <li><b>random crop after padding</b> by p ({@link Builder#crop}): the image padded with p zeros
 *       on every side and an {@code H×W} window cut at a random offset, that is, shifted by
 *       {@code dx, dy} uniform in {@code [-p, p]} with zeros filling in (as torchvision's {@code
 *       RandomCrop(size, padding=p)});
 *   <li><b>random translation</b> by up to t pixels ({@link Builder#translate}): shifted by {@code
 *       dx, dy} uniform in {@code [-t, t]}, the edge pixels repeated into what was uncovered (so a
 *       background that is not zero stays background);
 *   <li><b>random erasing</b> with probability q ({@link Builder#erase}; Zhong et al., "Random
 *       Erasing Data Augmentation", 2017, as torchvision's {@code RandomErasing} with its
 *       defaults): a rectangle of area {@code s·H·W}, s uniform in [0.02, 0.33], aspect ratio
 *       {@code h/w} log-uniform in [0.3, 3.3], sides rounded to whole pixels, at a uniform
 *       position, set to 0 in every channel; a draw whose rectangle does not fit is retried, at
 *       most ten times, then the image is left whole.
 * </ol>
 *
 * <p>The same stream state gives the same images: the trainer reseeds the stream from its seed,
 * the epoch and the batch, so augmentation is deterministic per epoch and a resumed run sees the
 * same images. {@link #apply} allocates nothing after its first call for a sample size. Not
 * thread-safe (it keeps a scratch plane).
 */
public final class Augmentation {
  private final boolean flip;
  private final int padding;
  private final int translation;
  private final double erasing;
  private float[] scratch = new float[0];

  /** Range of the erased area's fraction of the image, and of its aspect ratio h/w. */
  private static final double MIN_AREA = 0.02;
  private static final double MAX_AREA = 0.33;
  private static final double MIN_RATIO = 0.3;
  private static final double MAX_RATIO = 3.3;
  private static final int ERASE_ATTEMPTS = 10;

  private Augmentation(Builder b) {
    this.flip = b.flip;
    this.padding = b.padding;
    this.translation = b.translation;
    this.erasing = b.erasing;
  }

  /** A builder; with no step chosen the augmentation changes nothing. */
  public static Builder builder() {
    return new Builder();
  }

  /** Whether images are flipped horizontally at random. */
  public boolean flips() {
    return flip;
  }

  /** The padding of the random crop (0: none). */
  public int padding() {
    return padding;
  }

  /** The largest random translation (0: none). */
  public int translation() {
    return translation;
  }

  /** The probability of random erasing (0: none). */
  public double erasing() {
    return erasing;
  }

  /**
   * Changes samples {@code 0..count-1} of {@code samples} (each {@code C×H×W} floats, one after
   * another) in place, drawing from {@code random}.
   */
  public void apply(float[] samples, int count, int channels, int height, int width,
      SeededRandom random) {
    int plane = height * width;
    if (scratch.length < plane) {
      scratch = new float[plane];
    }
    int size = channels * plane;
    for (int i = 0; i < count; i++) {
      boolean mirror = flip && random.nextInt(2) == 1;
      int cx = padding > 0 ? random.nextInt(2 * padding + 1) - padding : 0;
      int cy = padding > 0 ? random.nextInt(2 * padding + 1) - padding : 0;
      int tx = translation > 0 ? random.nextInt(2 * translation + 1) - translation : 0;
      int ty = translation > 0 ? random.nextInt(2 * translation + 1) - translation : 0;
      for (int c = 0; c < channels; c++) {
        int base = i * size + c * plane;
        if (mirror) {
          mirror(samples, base, height, width);
        }
        if (cx != 0 || cy != 0) {
          shift(samples, base, height, width, cx, cy, false);
        }
        if (tx != 0 || ty != 0) {
          shift(samples, base, height, width, tx, ty, true);
        }
      }
      if (erasing > 0 && random.nextDouble() < erasing) {
        erase(samples, i * size, channels, height, width, random);
      }
    }
  }

  /**
   * Draws a rectangle (up to {@link #ERASE_ATTEMPTS} times, until one fits) and sets it to zero in
   * every channel of the sample at {@code base}.
   */
  private static void erase(float[] a, int base, int channels, int height, int width,
      SeededRandom random) {
    int plane = height * width;
    for (int attempt = 0; attempt < ERASE_ATTEMPTS; attempt++) {
      double area = plane * (MIN_AREA + (MAX_AREA - MIN_AREA) * random.nextDouble());
      double logRatio = Math.log(MIN_RATIO)
          + (Math.log(MAX_RATIO) - Math.log(MIN_RATIO)) * random.nextDouble();
      double ratio = Math.exp(logRatio);
      int h = (int) Math.round(Math.sqrt(area * ratio));
      int w = (int) Math.round(Math.sqrt(area / ratio));
      if (h < 1 || w < 1 || h >= height || w >= width) {
        continue;
      }
      int top = random.nextInt(height - h + 1);
      int left = random.nextInt(width - w + 1);
      for (int c = 0; c < channels; c++) {
        for (int y = top; y < top + h; y++) {
          int row = base + c * plane + y * width;
          Arrays.fill(a, row + left, row + left + w, 0f);
        }
      }
      return;
    }
  }

  /**
   * Writes the horizontal mirror images of samples {@code 0..count-1} of {@code from} (each {@code
   * C×H×W} floats, one after another from {@code fromOffset}) to {@code into} from index 0: pixel
   * (c, y, x) of each mirror image is pixel (c, y, W-1-x) of its sample.
   *
   * @throws IllegalArgumentException if a dimension is below 1 or an array is too short
   */
  public static void mirror(float[] from, int fromOffset, float[] into, int count, int channels,
      int height, int width) {
    if (count < 0 || channels < 1 || height < 1 || width < 1) {
      throw new IllegalArgumentException("mirror of " + count + " samples of " + channels + "×"
          + height + "×" + width);
    }
    long values = (long) count * channels * height * width;
    if (fromOffset < 0 || fromOffset + values > from.length || values > into.length) {
      throw new IllegalArgumentException("mirror of " + values + " values from offset "
          + fromOffset + " of " + from.length + " into " + into.length);
    }
    int rows = count * channels * height;
    for (int r = 0; r < rows; r++) {
      int src = fromOffset + r * width;
      int dst = r * width;
      for (int x = 0; x < width; x++) {
        into[dst + x] = from[src + width - 1 - x];
      }
    }
  }

  private static void mirror(float[] a, int base, int height, int width) {
    for (int y = 0; y < height; y++) {
      int row = base + y * width;
      for (int l = 0, r = width - 1; l < r; l++, r--) {
        float t = a[row + l];
        a[row + l] = a[row + r];
        a[row + r] = t;
      }
    }
  }

  /**
   * Output pixel (y, x) becomes input pixel (y + dy, x + dx): zero outside the image, or the
   * nearest edge pixel when {@code clampEdges}.
   */
  private void shift(float[] a, int base, int height, int width, int dx, int dy,
      boolean clampEdges) {
    float[] s = scratch;
    System.arraycopy(a, base, s, 0, height * width);
    for (int y = 0; y < height; y++) {
      int sy = y + dy;
      boolean rowInside = sy >= 0 && sy < height;
      int cy = Math.max(0, Math.min(height - 1, sy));
      for (int x = 0; x < width; x++) {
        int sx = x + dx;
        float v;
        if (rowInside && sx >= 0 && sx < width) {
          v = s[sy * width + sx];
        } else if (clampEdges) {
          v = s[cy * width + Math.max(0, Math.min(width - 1, sx))];
        } else {
          v = 0f;
        }
        a[base + y * width + x] = v;
      }
    }
  }

  /** Settings of an {@link Augmentation}. */
  public static final class Builder {
    private boolean flip;
    private int padding;
    private int translation;
    private double erasing;

    private Builder() {}

    /** Flip each image horizontally with probability ½ (default false). */
    public Builder flip(boolean flip) {
      this.flip = flip;
      return this;
    }

    /** Random crop after padding by {@code padding} zeros on every side (default 0: none). */
    public Builder crop(int padding) {
      if (padding < 0) {
        throw new IllegalArgumentException("crop padding must be >= 0, got " + padding);
      }
      this.padding = padding;
      return this;
    }

    /** Random translation by up to {@code pixels}, edges repeated (default 0: none). */
    public Builder translate(int pixels) {
      if (pixels < 0) {
        throw new IllegalArgumentException("translation must be >= 0, got " + pixels);
      }
      this.translation = pixels;
      return this;
    }

    /**
     * Random erasing with probability {@code probability} per image (default 0: none): a
     * rectangle of 2% to 33% of the image set to zero, as described in the class comment.
     */
    public Builder erase(double probability) {
      if (!(probability >= 0 && probability <= 1)) {
        throw new IllegalArgumentException("erasing probability must be in [0, 1], got "
            + probability);
      }
      this.erasing = probability;
      return this;
    }

    /** The augmentation. */
    public Augmentation build() {
      return new Augmentation(this);
    }
  }
}
