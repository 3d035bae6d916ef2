package dev.lamina.runtime.data;

import dev.lamina.runtime.SeededRandom;

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
 *       background that is not zero stays background).
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
  private float[] scratch = new float[0];

  private Augmentation(Builder b) {
    this.flip = b.flip;
    this.padding = b.padding;
    this.translation = b.translation;
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

    /** The augmentation. */
    public Augmentation build() {
      return new Augmentation(this);
    }
  }
}
