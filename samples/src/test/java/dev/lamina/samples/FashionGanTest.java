package dev.lamina.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.dsl.Loss;
import dev.lamina.runtime.NetworkSummary;
import org.junit.jupiter.api.Test;

/** FashionGan's two networks against the DCGAN they declare, counted by hand. */
class FashionGanTest {
  @Test
  void theGeneratorTurnsNoiseIntoA28x28ImageInMinusOneToOne() {
    NetworkSummary s = Lamina_FashionGan_Generator.SUMMARY;
    assertArrayEquals(new int[] {FashionGan.NOISE}, s.inputShape());
    assertArrayEquals(new int[] {64, 7, 7}, s.layer("planes").outputShape());
    assertArrayEquals(new int[] {32, 14, 14}, s.layer("up1").outputShape());
    assertArrayEquals(new int[] {1, 28, 28}, s.outputShape());
    // affine 64 -> 3136 without bias; batch norm 64 and 32 (scale, shift); 64x32 and 32x1 4x4
    // transposed kernels, a bias on the last.
    assertEquals(64 * 3136 + 2 * 64 + 64 * 32 * 16 + 2 * 32 + 32 * 16 + 1,
        s.totalParameters());
    // Every (input pixel, kernel tap) pair whose output pixel lies inside the cropped output, per
    // channel pair.
    assertEquals((long) taps(7, 14) * taps(7, 14) * 64 * 32, s.layer("up1").multiplyAdds());
    assertEquals((long) taps(14, 28) * taps(14, 28) * 32, s.layer("up2").multiplyAdds());
    var g = new Lamina_FashionGan_Generator(1);
    float[] noise = GanTrainCommand.noise(2, 8);
    float[] images = new float[8 * 784];
    g.forward(noise, 8, images);
    for (float v : images) {
      assertTrue(v >= -1 && v <= 1, "tanh output " + v);
    }
  }

  /** Pairs (i, k) of one axis, kernel 4, stride 2, padding 1, with 0 <= 2i - 1 + k < out. */
  private static int taps(int in, int out) {
    int n = 0;
    for (int i = 0; i < in; i++) {
      for (int k = 0; k < 4; k++) {
        int o = 2 * i - 1 + k;
        n += o >= 0 && o < out ? 1 : 0;
      }
    }
    return n;
  }

  @Test
  void theDiscriminatorTurnsAnImageIntoOneLogit() {
    NetworkSummary s = Lamina_FashionGan_Discriminator.SUMMARY;
    assertArrayEquals(new int[] {1, 28, 28}, s.inputShape());
    assertArrayEquals(new int[] {32, 14, 14}, s.layer("c1").outputShape());
    assertArrayEquals(new int[] {64, 7, 7}, s.layer("c2").outputShape());
    assertArrayEquals(new int[] {1}, s.outputShape());
    assertEquals(Loss.BCE_WITH_LOGITS, s.loss());
    assertEquals(32 * 16 + 32 + 32 * 64 * 16 + 2 * 64 + 3136 + 1, s.totalParameters());
  }
}
