package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.runtime.DoubleWorkspace;
import dev.lamina.runtime.FloatWorkspace;
import dev.lamina.runtime.NetworkSummary;
import dev.lamina.runtime.ParameterTensor;
import dev.lamina.runtime.SeededRandom;
import dev.lamina.tests.nets.Lamina_BnPair;
import dev.lamina.tests.nets.Lamina_BnPair_F64;
import dev.lamina.tests.nets.Lamina_DropInput;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The pending batch statistics of a workspace as plain numbers ({@code exportStatistics}) and
 * merged back from them ({@code mergeStatistics(double[], int)}): the layout against statistics
 * computed here, and merging exported arrays against merging the workspaces themselves, to the
 * bit, in both precisions.
 */
class ExportedStatisticsTest {
  private static final int SAMPLE = 18; // 2 channels of 3×3
  private static final int PLANE = 9;
  /** Passes of the three workspaces: {workspace, first sample, samples}; 10 samples in all. */
  private static final int[][] PASSES = {{0, 0, 1}, {0, 1, 2}, {1, 3, 4}, {2, 7, 3}};

  private static float[] inputs() {
    SeededRandom r = new SeededRandom(21);
    float[] x = new float[10 * SAMPLE];
    for (int i = 0; i < x.length; i++) {
      int c = (i % SAMPLE) / PLANE;
      x[i] = (float) (0.5 + 3 * c + (1 + c) * r.nextGaussian());
    }
    return x;
  }

  /** 1 + 2·C per batch-norm layer, from the summary's running means. */
  private static int expectedLength(NetworkSummary summary) {
    int length = 0;
    for (ParameterTensor t : summary.parameterTensors()) {
      if (t.name().equals("running_mean")) {
        length += 1 + 2 * t.size();
      }
    }
    return length;
  }

  /** Three deferred workspaces of {@code net} that ran {@link #PASSES}. */
  private static FloatWorkspace[] trained(Lamina_BnPair net, float[] x) {
    FloatWorkspace[] ws = new FloatWorkspace[3];
    for (int w = 0; w < 3; w++) {
      ws[w] = net.newWorkspace(4);
      ws[w].setDeferredStatistics(true);
    }
    for (int[] pass : PASSES) {
      ws[pass[0]].forward(x, pass[1] * SAMPLE, pass[2], true);
    }
    return ws;
  }

  private static double[] exported(FloatWorkspace ws) {
    double[] a = new double[ws.pendingStatisticsLength()];
    ws.exportStatistics(a, 0);
    return a;
  }

  private static long[] bits(double[] values) {
    return Arrays.stream(values).mapToLong(Double::doubleToRawLongBits).toArray();
  }

  @Test
  void layoutIsCountMeansAndSquaredDeviationsPerLayer() {
    Lamina_BnPair net = new Lamina_BnPair(3);
    FloatWorkspace ws = net.newWorkspace(4);
    assertEquals(14, expectedLength(net.summary()));
    assertEquals(14, ws.pendingStatisticsLength());
    ws.setDeferredStatistics(true);
    float[] x = inputs();
    ws.forward(x, 0, 1, true);
    ws.forward(x, SAMPLE, 2, true);
    double[] a = new double[20];
    Arrays.fill(a, -7);
    ws.exportStatistics(a, 3);
    for (int i : new int[] {0, 1, 2, 17, 18, 19}) {
      assertEquals(-7, a[i], "index " + i + " is outside the block");
    }
    // bn: 3 samples × 9 values per channel, mean and M2 computed here in double.
    assertEquals(27, a[3]);
    for (int c = 0; c < 2; c++) {
      double sum = 0;
      for (int n = 0; n < 3; n++) {
        for (int i = 0; i < PLANE; i++) {
          sum += x[n * SAMPLE + c * PLANE + i];
        }
      }
      double mean = sum / 27;
      double m2 = 0;
      for (int n = 0; n < 3; n++) {
        for (int i = 0; i < PLANE; i++) {
          double d = x[n * SAMPLE + c * PLANE + i] - mean;
          m2 += d * d;
        }
      }
      assertEquals(mean, a[4 + c], 1e-12 * Math.abs(mean), "mean of channel " + c);
      assertEquals(m2, a[6 + c], 1e-12 * m2, "M2 of channel " + c);
      assertTrue(m2 > 10, "the channel's values vary: " + m2);
    }
    // bn2: one value per feature per sample.
    assertEquals(3, a[8]);
    for (int c = 0; c < 4; c++) {
      assertTrue(a[13 + c] >= 0, "M2 " + a[13 + c]);
    }
    // Exporting leaves the statistics pending; committing clears them.
    double[] again = new double[20];
    Arrays.fill(again, -7);
    ws.exportStatistics(again, 3);
    assertArrayEquals(bits(a), bits(again));
    float[] before = net.parameters().clone();
    ws.commitStatistics();
    assertFalse(Arrays.equals(before, net.parameters()), "the commit moved nothing");
    assertArrayEquals(new double[14], exported(ws));
  }

  /**
   * Three workspaces merged into the first in the order 0, 1, 2, against their exported arrays
   * merged in that order into a fourth workspace: the same pending statistics to the bit, and
   * after the commit the same running statistics. The arrays merged in the order 2, 1, 0 give
   * other bits, so the comparison sees the order.
   */
  @Test
  void mergingExportedArraysGivesTheBitsOfMergingTheWorkspaces() {
    float[] x = inputs();
    Lamina_BnPair direct = new Lamina_BnPair(3);
    FloatWorkspace[] a = trained(direct, x);
    Lamina_BnPair viaArrays = new Lamina_BnPair(3);
    FloatWorkspace[] b = trained(viaArrays, x);
    double[][] e = {exported(b[0]), exported(b[1]), exported(b[2])};
    a[0].mergeStatistics(a[1]);
    a[0].mergeStatistics(a[2]);
    FloatWorkspace d = viaArrays.newWorkspace(1);
    d.setDeferredStatistics(true);
    for (double[] part : e) {
      d.mergeStatistics(part, 0);
    }
    double[] merged = exported(a[0]);
    assertEquals(10 * PLANE, merged[0]);
    assertEquals(10, merged[5]);
    assertArrayEquals(bits(merged), bits(exported(d)));
    // The first workspace keeps its own and merges the others' arrays: the same bits too.
    b[0].mergeStatistics(e[1], 0);
    b[0].mergeStatistics(e[2], 0);
    assertArrayEquals(bits(merged), bits(exported(b[0])));

    FloatWorkspace reversed = new Lamina_BnPair(3).newWorkspace(1);
    reversed.setDeferredStatistics(true);
    for (int w = 2; w >= 0; w--) {
      reversed.mergeStatistics(e[w], 0);
    }
    assertFalse(Arrays.equals(bits(merged), bits(exported(reversed))),
        "the merge order must change some bits for this test to see it");

    a[0].commitStatistics();
    d.commitStatistics();
    assertArrayEquals(DataParallelTest.bits(direct.parameters()),
        DataParallelTest.bits(viaArrays.parameters()));
  }

  @Test
  void doubleWorkspacesMergeExportedArraysToTheBitToo() {
    float[] xf = inputs();
    double[] x = new double[xf.length];
    for (int i = 0; i < x.length; i++) {
      x[i] = xf[i];
    }
    Lamina_BnPair_F64 direct = new Lamina_BnPair_F64(3);
    Lamina_BnPair_F64 viaArrays = new Lamina_BnPair_F64(3);
    DoubleWorkspace[] a = new DoubleWorkspace[3];
    DoubleWorkspace[] b = new DoubleWorkspace[3];
    for (int w = 0; w < 3; w++) {
      a[w] = direct.newWorkspace(4);
      b[w] = viaArrays.newWorkspace(4);
      a[w].setDeferredStatistics(true);
      b[w].setDeferredStatistics(true);
    }
    for (int[] pass : PASSES) {
      a[pass[0]].forward(x, pass[1] * SAMPLE, pass[2], true);
      b[pass[0]].forward(x, pass[1] * SAMPLE, pass[2], true);
    }
    assertEquals(14, b[0].pendingStatisticsLength());
    DoubleWorkspace d = viaArrays.newWorkspace(1);
    d.setDeferredStatistics(true);
    double[] all = new double[3 * 14 + 1];
    for (int w = 0; w < 3; w++) {
      b[w].exportStatistics(all, 1 + 14 * w);
    }
    for (int w = 0; w < 3; w++) {
      d.mergeStatistics(all, 1 + 14 * w);
    }
    a[0].mergeStatistics(a[1]);
    a[0].mergeStatistics(a[2]);
    double[] expected = new double[14];
    double[] actual = new double[14];
    a[0].exportStatistics(expected, 0);
    d.exportStatistics(actual, 0);
    assertEquals(10 * PLANE, expected[0]);
    assertArrayEquals(bits(expected), bits(actual));
    a[0].commitStatistics();
    d.commitStatistics();
    assertArrayEquals(bits(direct.parameters()), bits(viaArrays.parameters()));
  }

  @Test
  void badArraysAreRefusedBeforeAnythingIsMerged() {
    FloatWorkspace ws = new Lamina_BnPair(3).newWorkspace(4);
    ws.setDeferredStatistics(true);
    ws.forward(inputs(), 0, 2, true);
    double[] before = exported(ws);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ws.mergeStatistics(new double[16], 3));
    assertEquals("pending statistics take 14 doubles from offset 3; the array has 16",
        e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ws.mergeStatistics(new double[14], -1));
    assertThrows(IllegalArgumentException.class, () -> ws.exportStatistics(new double[13], 0));
    double[] good = before.clone();
    for (double count : new double[] {2.5, -1, Double.NaN, 0x1p60}) {
      double[] bad = good.clone();
      bad[5] = count; // bn2's count; bn's block before it is valid
      e = assertThrows(IllegalArgumentException.class, () -> ws.mergeStatistics(bad, 0));
      assertEquals("bn2: the count of exported statistics at index 5 is " + count
          + "; expected a whole number in 0..2^53", e.getMessage());
    }
    assertArrayEquals(bits(before), bits(exported(ws)), "a refused array merged something");
  }

  @Test
  void aNetworkWithoutRunningStatisticsExportsNothing() {
    FloatWorkspace ws = new Lamina_DropInput(1).newWorkspace(2);
    assertEquals(0, expectedLength(new Lamina_DropInput(1).summary()));
    assertEquals(0, ws.pendingStatisticsLength());
    double[] a = {1, 2};
    ws.exportStatistics(a, 0);
    ws.mergeStatistics(a, 0);
    assertArrayEquals(new double[] {1, 2}, a);
  }
}
