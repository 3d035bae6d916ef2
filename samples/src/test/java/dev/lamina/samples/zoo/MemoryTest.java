package dev.lamina.samples.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.dsl.Precision;
import dev.lamina.runtime.FloatNetwork;
import dev.lamina.runtime.LayerMemory;
import dev.lamina.runtime.NetworkSummary;
import dev.lamina.samples.Lamina_LeNet5;
import dev.lamina.testsupport.AllocatedBytes;
import org.junit.jupiter.api.Test;

/**
 * The memory figures of LeNet-5's and ResNet-18's summaries against counts written here from
 * their layer shapes, and LeNet-5's against the arrays a real workspace holds.
 *
 * <p>What a generated workspace keeps per sample, layer by layer (4 bytes a value): the output; the
 * output before the activation when there is one (not for a batch normalization, or an add, with
 * ReLU: they apply it in their own loops, forward and backward, and keep none); the delta; a max pooling's argmax (an int per
 * output); a batch normalization's normalized input x̂ (one per output) and 1/σ (one per channel);
 * and for the last layer the loss gradient. A forward pass uses all of these but the deltas and
 * the loss gradient. What it keeps whatever the batch: the gradient array (4 bytes per stored
 * value: the parameters and the batch-norm running statistics), two doubles per channel of pending
 * batch-norm statistics, and the scratch rows of the convolution and dense kernels.
 */
class MemoryTest {
  /** Bytes of a float. */
  private static final int F = 4;

  /** Per-sample bytes of one layer: what a forward pass uses, and what training keeps. */
  private record PerSample(long inference, long training) {
    PerSample plus(PerSample o) {
      return new PerSample(inference + o.inference, training + o.training);
    }
  }

  /** A convolution or pooling without activation, or a global average pooling: out, delta. */
  private static PerSample plain(long size) {
    return new PerSample(F * size, F * 2 * size);
  }

  /** A layer with an activation: out, pre-activation, delta. */
  private static PerSample activated(long size) {
    return new PerSample(F * 2 * size, F * 3 * size);
  }

  /** Max pooling without activation: out, argmax, delta. */
  private static PerSample maxPool(long size) {
    return new PerSample(F * 2 * size, F * 3 * size);
  }

  /** Batch normalization of {@code channels}, ReLU or not: out, x̂, 1/σ per channel, delta. */
  private static PerSample batchNorm(long size, long channels) {
    long forward = 2 * size + channels;
    return new PerSample(F * forward, F * (forward + size));
  }

  @Test
  void leNet5FromItsShapes() {
    // c1 6x28x28 relu, s2 6x14x14 max, c3 16x10x10 relu, s4 16x5x5 max, f5 120 relu, f6 84
    // relu, out 10 (+ the loss gradient).
    PerSample expected = activated(6 * 28 * 28).plus(maxPool(6 * 14 * 14))
        .plus(activated(16 * 10 * 10)).plus(maxPool(16 * 5 * 5)).plus(activated(120))
        .plus(activated(84)).plus(plain(10)).plus(new PerSample(0, F * 10));
    assertEquals(64_712, expected.inference);
    assertEquals(97_128, expected.training);
    NetworkSummary s = Lamina_LeNet5.SUMMARY;
    LayerMemory m = s.memory();
    assertEquals(expected.inference, m.inferenceBytesPerSample());
    assertEquals(expected.training, m.trainingBytesPerSample());
    assertEquals(61_706, s.storedValues());
    assertEquals(246_824, s.parameterBytes(Precision.FLOAT));
    assertEquals(493_648, s.parameterBytes(Precision.DOUBLE));

    // A real workspace: what grows from one sample to two is the per-sample part.
    FloatNetwork net = new Lamina_LeNet5();
    long one = AllocatedBytes.total(net.newWorkspace(1), net.parameters());
    long two = AllocatedBytes.total(net.newWorkspace(2), net.parameters());
    assertEquals(expected.training, two - one);
    long fixed = one - expected.training;
    assertEquals(fixed, m.trainingFixedBytes());
    assertEquals(one, s.trainingBytes(1));
    assertEquals(fixed + 64 * expected.training,
        AllocatedBytes.total(net.newWorkspace(64), net.parameters()));
    // The gradients of the 61,706 parameters, and scratch beside them.
    assertTrue(fixed > 246_824, () -> "fixed " + fixed);
    assertTrue(m.inferenceFixedBytes() <= fixed - 246_824);
  }

  @Test
  void resNet18FromItsShapes() {
    // stem: conv1 64x112x112, bn1 relu, maxpool 64x56x56
    PerSample expected = plain(64 * 112 * 112).plus(batchNorm(64 * 112 * 112, 64))
        .plus(maxPool(64 * 56 * 56));
    long bnChannels = 64;
    int[][] stages = {{64, 56}, {128, 28}, {256, 14}, {512, 7}};
    for (int i = 0; i < stages.length; i++) {
      int c = stages[i][0];
      long size = (long) c * stages[i][1] * stages[i][1];
      // Basic: conv1, bn1 relu, conv2, bn2, add relu (out, delta); Down also downsample and
      // downsampleBn.
      PerSample basic = plain(size).plus(batchNorm(size, c)).plus(plain(size))
          .plus(batchNorm(size, c)).plus(plain(size));
      PerSample first = i == 0 ? basic
          : basic.plus(plain(size)).plus(batchNorm(size, c));
      expected = expected.plus(first).plus(basic);
      bnChannels += (i == 0 ? 2 : 3) * c + 2 * c;
    }
    // avgpool 512, fc 1000 (+ the loss gradient)
    expected = expected.plus(plain(512)).plus(plain(1000)).plus(new PerSample(0, F * 1000));
    assertEquals(4_800, bnChannels);

    NetworkSummary s = Lamina_ResNet18.SUMMARY;
    LayerMemory m = s.memory();
    assertEquals(expected.inference, m.inferenceBytesPerSample());
    assertEquals(expected.training, m.trainingBytesPerSample());
    long stored = 11_689_512 + 2 * bnChannels;
    assertEquals(stored, s.storedValues());
    assertEquals(F * stored, s.parameterBytes(Precision.FLOAT));
    assertEquals(8 * stored, s.parameterBytes(Precision.DOUBLE));
    // gradients and pending statistics, then the kernels' scratch
    assertTrue(m.trainingFixedBytes() > F * stored + 16 * bnChannels);
    assertEquals(m.trainingFixedBytes() + 32 * m.trainingBytesPerSample(), s.trainingBytes(32));
  }
}
