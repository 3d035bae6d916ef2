package dev.lamina.spark;

import dev.lamina.runtime.train.Trainer;
import java.io.Serializable;

/**
 * How a global batch is cut among N partitions: the same cut the local {@link Trainer} makes
 * among N threads, so that the gradients are the same sums in the same order.
 *
 * <p>A batch of n samples is cut into U <em>units</em> whose gradients are summed in unit order.
 * With fixed chunks U = N: unit t is samples {@code [n·t/N, n·(t+1)/N)}, run in passes of at most
 * {@link #passSamples} samples whose gradients add up in one buffer, as thread t of the trainer
 * does. When the trainer hands out passes (a batch of more than N passes, on a network that does
 * not couple its samples, whose pass buffers fit the trainer's limit), a unit is one pass: U is
 * the fewest passes of at most passSamples samples that is a multiple of N (at most n), unit u is
 * samples {@code [n·u/U, n·(u+1)/U)}, computed from zero. Partition t owns units {@code
 * [U·t/N, U·(t+1)/N)}, a contiguous run of samples (for fixed chunks: chunk t). A network that
 * couples the samples of a batch (batch normalization) runs each chunk in one pass, as the
 * trainer does, so that it normalizes over the whole chunk.
 */
final class BatchCut implements Serializable {
  private static final long serialVersionUID = 1L;

  final int batchSize;
  final int partitions;
  final int passSamples;
  final boolean handOut;

  /**
   * The cut of batches of {@code batchSize} among {@code partitions}, in passes of at most {@code
   * passSamples} unless the network {@code couples} the samples of a batch.
   */
  BatchCut(int batchSize, int partitions, int passSamples, int parameterCount, boolean couples) {
    this.batchSize = batchSize;
    this.partitions = partitions;
    int chunk = (batchSize + partitions - 1) / partitions;
    this.passSamples = couples ? chunk : Math.min(chunk, passSamples);
    this.handOut = partitions > 1 && batchSize > (long) partitions * this.passSamples && !couples
        && (long) units(batchSize, true) * parameterCount <= Trainer.PASS_BUFFER_LIMIT_FLOATS;
  }

  /** Units of a batch of {@code n} samples. */
  int units(int n) {
    return units(n, handOut);
  }

  private int units(int n, boolean passes) {
    if (!passes) {
      return partitions;
    }
    long perRound = (long) partitions * passSamples;
    return (int) Math.min(n, partitions * ((n + perRound - 1) / perRound));
  }

  /** First sample of unit {@code u} of {@code units} in a batch of {@code n}. */
  static int unitStart(int n, int u, int units) {
    return (int) ((long) n * u / units);
  }

  /** First unit partition {@code t} owns, of {@code units}. */
  int firstUnit(int t, int units) {
    return (int) ((long) units * t / partitions);
  }

  /** The unit that holds sample {@code j} of a batch of {@code n} cut into {@code units}. */
  static int unitOf(int j, int n, int units) {
    int u = (int) ((long) j * units / n);
    while (u + 1 < units && unitStart(n, u + 1, units) <= j) {
      u++;
    }
    while (u > 0 && unitStart(n, u, units) > j) {
      u--;
    }
    return u;
  }

  /** The partition that owns unit {@code u} of {@code units}. */
  int owner(int u, int units) {
    int t = (int) ((long) u * partitions / units);
    while (t + 1 < partitions && firstUnit(t + 1, units) <= u) {
      t++;
    }
    while (t > 0 && firstUnit(t, units) > u) {
      t--;
    }
    return t;
  }

  /** Samples of step {@code step} (0-based) of an epoch of {@code size} samples. */
  int stepSize(int step, long size) {
    return (int) Math.min(batchSize, size - (long) step * batchSize);
  }

  /** The partition that trains the sample at {@code position} of an epoch's order. */
  int partitionOf(long position, long size) {
    int step = (int) (position / batchSize);
    int j = (int) (position % batchSize);
    int n = stepSize(step, size);
    int units = units(n);
    return owner(unitOf(j, n, units), units);
  }
}
