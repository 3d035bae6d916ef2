package dev.lamina.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class DatasetTest {
  private static Dataset ramp(int n) {
    float[] f = new float[n * 2];
    int[] l = new int[n];
    for (int i = 0; i < n; i++) {
      f[2 * i] = i;
      f[2 * i + 1] = -i;
      l[i] = i % 4;
    }
    return new Dataset(f, l, new int[] {2}, 4);
  }

  @Test
  void subsetCopiesTheRange() {
    Dataset d = ramp(10).subset(3, 4);
    assertEquals(4, d.size());
    assertArrayEquals(new float[] {3, -3, 4, -4, 5, -5, 6, -6}, d.features());
    assertArrayEquals(new int[] {3, 0, 1, 2}, d.labels());
    assertThrows(IndexOutOfBoundsException.class, () -> ramp(10).subset(8, 3));
  }

  @Test
  void normalization() {
    Dataset d = ramp(10);
    Dataset n = d.normalized(d.mean(), d.std());
    assertEquals(0, n.mean(), 1e-6);
    assertEquals(1, n.std(), 1e-6);
    // mean of {0..9, 0..-9} is 0; std = sqrt(mean of i^2) = sqrt(28.5)
    assertEquals(0, d.mean(), 1e-12);
    assertEquals(Math.sqrt(28.5), d.std(), 1e-9);
  }

  @Test
  void invalidLabelsAreRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Dataset(new float[4], new int[] {0, 5}, new int[] {2}, 3));
    assertTrue(e.getMessage().contains("label 5 of sample 1"), e.getMessage());
  }

  @Test
  void shuffledBatchesCoverEverySampleOncePerEpoch() {
    Dataset d = ramp(23);
    MiniBatches b = new MiniBatches(d, 5, 99, true);
    assertEquals(5, b.batchesPerEpoch());
    int[][] orders = new int[2][];
    for (int epoch = 0; epoch < 2; epoch++) {
      b.startEpoch(epoch);
      int[] seen = new int[23];
      int[] order = new int[23];
      int k = 0;
      for (int batch = 0; batch < b.batchesPerEpoch(); batch++) {
        int n = b.load(batch);
        assertEquals(batch < 4 ? 5 : 3, n);
        for (int i = 0; i < n; i++) {
          int index = (int) b.inputs()[2 * i];
          assertEquals(-index, b.inputs()[2 * i + 1]);
          assertEquals(index % 4, b.labels()[i]);
          seen[index]++;
          order[k++] = index;
        }
      }
      for (int s : seen) {
        assertEquals(1, s);
      }
      orders[epoch] = order;
    }
    assertFalse(Arrays.equals(orders[0], orders[1]), "each epoch has its own order");
    MiniBatches again = new MiniBatches(d, 5, 99, true);
    again.startEpoch(1);
    again.load(0);
    assertEquals(orders[1][0], (int) again.inputs()[0]);
  }

  @Test
  void batchesAllocateNothingInSteadyState() {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    MiniBatches b = new MiniBatches(ramp(1000), 32, 1, true);
    for (int e = 0; e < 50; e++) {
      b.startEpoch(e);
      for (int i = 0; i < b.batchesPerEpoch(); i++) {
        b.load(i);
      }
    }
    long before = threads.getCurrentThreadAllocatedBytes();
    for (int e = 0; e < 50; e++) {
      b.startEpoch(e);
      for (int i = 0; i < b.batchesPerEpoch(); i++) {
        b.load(i);
      }
    }
    long after = threads.getCurrentThreadAllocatedBytes();
    assertEquals(0, after - before, "bytes allocated by 50 epochs of batches");
  }

  @Test
  void realFashionMnistIfInstalled() throws IOException {
    // The folder can be overridden with -Dlamina.fashionMnist=<folder>.
    Path folder = Path.of(System.getProperty("lamina.fashionMnist",
        "/usr/share/datasets/fashion-mnist"));
    Assumptions.assumeTrue(Files.isRegularFile(folder.resolve(FashionMnist.TRAIN_IMAGES)),
        "Fashion-MNIST is not installed");
    FashionMnist.Split split = FashionMnist.load(folder);
    assertEquals(60_000, split.train().size());
    assertEquals(10_000, split.test().size());
    assertArrayEquals(new int[] {1, 28, 28}, split.train().sampleShape());
    int[] counts = new int[10];
    for (int label : split.train().labels()) {
      counts[label]++; // a label outside 0..9 would throw here
    }
    for (int c : counts) {
      assertEquals(6000, c, "Fashion-MNIST's training set is balanced");
    }
    for (int label : split.test().labels()) {
      assertTrue(label >= 0 && label < 10);
    }
    float min = Float.MAX_VALUE;
    float max = -Float.MAX_VALUE;
    for (float f : split.test().features()) {
      min = Math.min(min, f);
      max = Math.max(max, f);
    }
    assertEquals(0f, min);
    assertEquals(1f, max);
    FashionMnist.Split normalized = split.normalized();
    assertEquals(0, normalized.train().mean(), 1e-4);
    assertEquals(1, normalized.train().std(), 1e-4);
  }
}
