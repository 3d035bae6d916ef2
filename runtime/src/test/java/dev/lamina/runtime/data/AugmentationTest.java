package dev.lamina.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.runtime.SeededRandom;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class AugmentationTest {
  private static final int C = 2;
  private static final int H = 5;
  private static final int W = 6;

  private static float[] images(int n) {
    float[] a = new float[n * C * H * W];
    for (int i = 0; i < a.length; i++) {
      a[i] = 1 + i;
    }
    return a;
  }

  @Test
  void theSameStreamGivesTheSameImagesAndAnotherStreamOthers() {
    Augmentation aug = Augmentation.builder().flip(true).crop(2).translate(1).build();
    float[] a = images(8);
    float[] b = images(8);
    float[] c = images(8);
    aug.apply(a, 8, C, H, W, SeededRandom.stream(5, 3));
    aug.apply(b, 8, C, H, W, SeededRandom.stream(5, 3));
    aug.apply(c, 8, C, H, W, SeededRandom.stream(5, 4));
    assertArrayEquals(a, b);
    assertFalse(Arrays.equals(a, c));
    assertFalse(Arrays.equals(a, images(8)));
  }

  @Test
  void nothingChosenChangesNothing() {
    float[] a = images(3);
    Augmentation.builder().build().apply(a, 3, C, H, W, new SeededRandom(1));
    assertArrayEquals(images(3), a);
  }

  /**
   * Each sample against a naive reference: the draws replayed from the same stream, the image
   * mirrored, padded with p zeros and cropped at the drawn offset, then shifted with the edges
   * repeated.
   */
  @Test
  void everySampleIsTheFlipCropAndTranslationOfItsDraws() {
    int n = 40;
    int p = 2;
    int t = 1;
    Augmentation aug = Augmentation.builder().flip(true).crop(p).translate(t).build();
    float[] out = images(n);
    aug.apply(out, n, C, H, W, new SeededRandom(11));
    float[] in = images(n);
    SeededRandom r = new SeededRandom(11);
    int flips = 0;
    for (int i = 0; i < n; i++) {
      boolean flip = r.nextInt(2) == 1;
      int ox = r.nextInt(2 * p + 1);
      int oy = r.nextInt(2 * p + 1);
      int tx = r.nextInt(2 * t + 1) - t;
      int ty = r.nextInt(2 * t + 1) - t;
      flips += flip ? 1 : 0;
      for (int c = 0; c < C; c++) {
        int base = (i * C + c) * H * W;
        float[][] padded = new float[H + 2 * p][W + 2 * p];
        for (int y = 0; y < H; y++) {
          for (int x = 0; x < W; x++) {
            padded[y + p][x + p] = in[base + y * W + (flip ? W - 1 - x : x)];
          }
        }
        float[][] cropped = new float[H][W];
        for (int y = 0; y < H; y++) {
          for (int x = 0; x < W; x++) {
            cropped[y][x] = padded[y + oy][x + ox];
          }
        }
        for (int y = 0; y < H; y++) {
          for (int x = 0; x < W; x++) {
            int sy = Math.max(0, Math.min(H - 1, y + ty));
            int sx = Math.max(0, Math.min(W - 1, x + tx));
            assertEquals(cropped[sy][sx], out[base + y * W + x],
                "sample " + i + " channel " + c + " at " + x + "," + y);
          }
        }
      }
    }
    assertEquals(true, flips > 5 && flips < 35, flips + " flips of " + n);
  }

  /**
   * Random erasing on 3×28×28 images of non-zero values: each erased image has zeros exactly on
   * one rectangle, the same in every channel, of 2% to 33% of the image (up to the rounding of its
   * sides) with an aspect ratio h/w in [0.3, 3.3] (likewise); every other value is unchanged. With
   * probability 1 every image is erased (on 28×28 every draw fits within ten attempts for all but
   * a few), with ½ about half.
   */
  @Test
  void erasingZeroesOneRectangleOfTheDrawnSizeInEveryChannel() {
    int n = 300;
    int c = 3;
    int side = 28;
    int plane = side * side;
    float[] in = new float[n * c * plane];
    for (int i = 0; i < in.length; i++) {
      in[i] = 1 + i % 977;
    }
    float[] out = in.clone();
    Augmentation.builder().erase(1).build().apply(out, n, c, side, side, new SeededRandom(3));
    int erased = 0;
    double smallest = 1;
    double largest = 0;
    for (int i = 0; i < n; i++) {
      int top = side;
      int left = side;
      int bottom = -1;
      int right = -1;
      for (int y = 0; y < side; y++) {
        for (int x = 0; x < side; x++) {
          if (out[i * c * plane + y * side + x] == 0) {
            top = Math.min(top, y);
            bottom = Math.max(bottom, y);
            left = Math.min(left, x);
            right = Math.max(right, x);
          }
        }
      }
      if (bottom < 0) {
        assertArrayEquals(Arrays.copyOfRange(in, i * c * plane, (i + 1) * c * plane),
            Arrays.copyOfRange(out, i * c * plane, (i + 1) * c * plane), "image " + i);
        continue;
      }
      erased++;
      int h = bottom - top + 1;
      int w = right - left + 1;
      for (int ch = 0; ch < c; ch++) {
        for (int y = 0; y < side; y++) {
          for (int x = 0; x < side; x++) {
            int q = (i * c + ch) * plane + y * side + x;
            boolean inside = y >= top && y <= bottom && x >= left && x <= right;
            assertEquals(inside ? 0f : in[q], out[q], "image " + i + " channel " + ch + " at "
                + x + "," + y);
          }
        }
      }
      // sides are rounded: allow half a pixel on each
      double area = (double) h * w / plane;
      smallest = Math.min(smallest, area);
      largest = Math.max(largest, area);
      assertTrue(area >= 0.02 * (1 - 1.0 / Math.min(h, w)) && area <= 0.33
          * Math.pow(1 + 1.0 / Math.min(h, w), 2), "image " + i + ": " + h + "x" + w);
      double ratio = (double) h / w;
      assertTrue(ratio >= 0.3 * (h - 0.5) / (h + 0.5) * (w - 0.5) / (w + 0.5)
          && ratio <= 3.3 * (h + 0.5) / (h - 0.5) * (w + 0.5) / (w - 0.5),
          "image " + i + ": aspect " + h + "/" + w);
    }
    assertTrue(erased >= n - 10, erased + " of " + n + " images erased");
    assertTrue(smallest < 0.06 && largest > 0.25, "areas from " + smallest + " to " + largest);
    float[] half = in.clone();
    Augmentation.builder().erase(0.5).build().apply(half, n, c, side, side, new SeededRandom(4));
    int halfErased = 0;
    for (int i = 0; i < n; i++) {
      if (!Arrays.equals(in, i * c * plane, (i + 1) * c * plane, half, i * c * plane,
          (i + 1) * c * plane)) {
        halfErased++;
      }
    }
    assertTrue(halfErased > 120 && halfErased < 180, halfErased + " of " + n + " erased at ½");
  }

  @Test
  void erasingProbabilityOutsideZeroToOneIsRefused() {
    for (double p : new double[] {-0.1, 1.5, Double.NaN}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Augmentation.builder().erase(p));
      assertTrue(e.getMessage().contains("erasing probability must be in [0, 1]"), e.getMessage());
    }
  }

  @Test
  void mirrorReversesEveryRowOfEveryChannel() {
    // Two samples of 2×2×3 after an offset of 1: value = 100·sample + 10·(channel·2 + row) + col.
    float[] from = new float[1 + 2 * 12];
    for (int i = 0; i < 2; i++) {
      for (int r = 0; r < 4; r++) {
        for (int c = 0; c < 3; c++) {
          from[1 + i * 12 + r * 3 + c] = 100 * i + 10 * r + c;
        }
      }
    }
    float[] into = new float[24];
    Augmentation.mirror(from, 1, into, 2, 2, 2, 3);
    for (int i = 0; i < 2; i++) {
      for (int r = 0; r < 4; r++) {
        for (int c = 0; c < 3; c++) {
          assertEquals(100 * i + 10 * r + (2 - c), into[i * 12 + r * 3 + c]);
        }
      }
    }
    assertThrows(IllegalArgumentException.class,
        () -> Augmentation.mirror(from, 2, into, 2, 2, 2, 3));
    assertThrows(IllegalArgumentException.class,
        () -> Augmentation.mirror(from, 0, new float[23], 2, 2, 2, 3));
    assertThrows(IllegalArgumentException.class,
        () -> Augmentation.mirror(from, 0, into, 1, 0, 2, 3));
  }
}
