package dev.lamina.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

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
}
