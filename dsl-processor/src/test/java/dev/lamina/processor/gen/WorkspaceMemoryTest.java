package dev.lamina.processor.gen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.dsl.Activation;
import dev.lamina.dsl.Loss;
import dev.lamina.dsl.Recurrent.Cell;
import dev.lamina.dsl.Recurrent.Returns;
import dev.lamina.processor.model.NetworkModel;
import dev.lamina.processor.model.RecurrentOp;
import dev.lamina.processor.model.Shape;
import dev.lamina.runtime.FloatNetwork;
import dev.lamina.runtime.FloatWorkspace;
import dev.lamina.runtime.NetworkSummary;
import dev.lamina.testsupport.AllocatedBytes;
import java.lang.reflect.Array;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The memory figures of generated summaries against real workspaces: all the bytes a workspace
 * holds for a batch, and the arrays an inference pass writes, which must all be among the forward
 * pass's buffers the summary counts.
 */
class WorkspaceMemoryTest {
  private static final float SENTINEL = 7.77e-33f;
  private static final int INT_SENTINEL = Integer.MIN_VALUE + 7;

  @Test
  void summariesCountWhatWorkspacesHold() {
    int checked = 0;
    // a stacked bidirectional GRU under a per-step Affine: every step's gates and states
    NetworkModel recurrent = Models.builder("Tagger", Shape.sequence(6, 5))
        .add("r", new RecurrentOp(Cell.GRU, 8, 2, true, true, Returns.SEQUENCE),
            Activation.IDENTITY, 0)
        .add("out", Models.affine(4), Activation.IDENTITY, 0)
        .loss(Loss.SOFTMAX_CROSS_ENTROPY).build();
    for (NetworkModel model : List.of(Models.lenetModern(), Models.lenetClassic(), Models.mlp(),
        recurrent)) {
      FloatNetwork net = Compiled.of(model).floatNetwork(1);
      NetworkSummary s = net.summary();
      for (int batch : new int[] {1, 5}) {
        FloatWorkspace ws = net.newWorkspace(batch);
        assertEquals(s.trainingBytes(batch), AllocatedBytes.total(ws, net.parameters()),
            model.declaredName() + " batch " + batch);
        long written = inferenceWrites(net, ws, batch);
        assertTrue(written > 0 && written <= s.inferenceBytes(batch),
            model.declaredName() + ": an inference pass wrote " + written + " bytes, the summary"
                + " counts " + s.inferenceBytes(batch));
        System.out.printf("%s batch %d: inference pass wrote %d of %d bytes%n",
            model.declaredName(), batch, written, s.inferenceBytes(batch));
        checked++;
      }
    }
    assertEquals(8, checked);
  }

  /** Bytes of the arrays an inference pass over {@code batch} samples writes to. */
  private static long inferenceWrites(FloatNetwork net, FloatWorkspace ws, int batch) {
    List<AllocatedBytes.Held> arrays = AllocatedBytes.arrays(ws, net.parameters());
    for (AllocatedBytes.Held h : arrays) {
      fill(h.array());
    }
    float[] input = new float[batch * net.inputSize()];
    SplittableRandom random = new SplittableRandom(3);
    for (int i = 0; i < input.length; i++) {
      input[i] = (float) random.nextDouble();
    }
    ws.forward(input, 0, batch, false);
    long written = 0;
    for (AllocatedBytes.Held h : arrays) {
      if (changed(h.array())) {
        written += h.bytes();
      }
    }
    return written;
  }

  private static void fill(Object array) {
    if (array instanceof float[] f) {
      java.util.Arrays.fill(f, SENTINEL);
    } else if (array instanceof int[] i) {
      java.util.Arrays.fill(i, INT_SENTINEL);
    }
  }

  private static boolean changed(Object array) {
    for (int i = 0; i < Array.getLength(array); i++) {
      Object v = Array.get(array, i);
      if (!(v.equals(SENTINEL) || v.equals(INT_SENTINEL))) {
        return true;
      }
    }
    return false;
  }
}
