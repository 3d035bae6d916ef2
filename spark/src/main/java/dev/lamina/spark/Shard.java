package dev.lamina.spark;

import java.io.Serializable;

/**
 * What one partition trains on in one epoch: its samples of every step, in the epoch's order.
 * The samples of step s are {@code [stepStart[s], stepStart[s + 1])}: the partition's units of
 * that step's batch, one after another.
 */
final class Shard implements Serializable {
  private static final long serialVersionUID = 1L;

  final int partition;
  final float[] features;
  final int[] labels;
  final int[] stepStart;

  Shard(int partition, float[] features, int[] labels, int[] stepStart) {
    this.partition = partition;
    this.features = features;
    this.labels = labels;
    this.stepStart = stepStart;
  }
}
