package dev.lamina.spark;

import dev.lamina.runtime.SeededRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.api.java.function.PairFlatMapFunction;
import scala.Tuple2;

/**
 * The shuffle that gives each partition its samples of an epoch: every sample is keyed by its
 * position in the epoch's order, sent to the partition that trains it ({@link BatchCut}) and
 * sorted there by position, and each partition's samples become one {@link Shard}.
 *
 * <p>The order is the local trainer's: a Fisher–Yates shuffle of {@code 0..size-1} driven by
 * {@code SeededRandom.stream(seed, epoch)}, sample i being the i-th of the training RDD (its
 * partitions in order). Each task of the keying stage draws the whole order once, which costs 4
 * bytes per sample of the data set on the executor.
 */
final class EpochLayout {
  private EpochLayout() {}

  /** Keys each (sample, index) by its position in the epoch's order; checks the sample. */
  static final class Keyer
      implements PairFlatMapFunction<Iterator<Tuple2<Sample, Long>>, Integer, Sample> {
    private static final long serialVersionUID = 1L;
    private final long seed;
    private final int epoch;
    private final boolean shuffle;
    private final int size;
    private final int inputSize;
    private final int classes;

    Keyer(long seed, int epoch, boolean shuffle, int size, int inputSize, int classes) {
      this.seed = seed;
      this.epoch = epoch;
      this.shuffle = shuffle;
      this.size = size;
      this.inputSize = inputSize;
      this.classes = classes;
    }

    @Override
    public Iterator<Tuple2<Integer, Sample>> call(Iterator<Tuple2<Sample, Long>> samples) {
      int[] position = positions(seed, epoch, shuffle, size);
      List<Tuple2<Integer, Sample>> out = new ArrayList<>();
      while (samples.hasNext()) {
        Tuple2<Sample, Long> s = samples.next();
        int index = (int) (long) s._2();
        check(s._1(), index, inputSize, classes);
        out.add(new Tuple2<>(position[index], s._1()));
      }
      return out.iterator();
    }
  }

  /** {@code position[i]}: where sample i comes in epoch {@code epoch}'s order. */
  static int[] positions(long seed, int epoch, boolean shuffle, int size) {
    int[] order = new int[size];
    for (int i = 0; i < size; i++) {
      order[i] = i;
    }
    if (shuffle) {
      SeededRandom random = new SeededRandom(0);
      random.reseed(seed, epoch);
      random.shuffle(order, size);
    }
    int[] position = new int[size];
    for (int i = 0; i < size; i++) {
      position[order[i]] = i;
    }
    return position;
  }

  /** Checks sample {@code index} of the training RDD against the network. */
  static void check(Sample s, int index, int inputSize, int classes) {
    if (s == null || s.features() == null) {
      throw new IllegalArgumentException("sample " + index + " of the training RDD is null or"
          + " has no features");
    }
    if (s.features().length != inputSize) {
      throw new IllegalArgumentException("sample " + index + " of the training RDD has "
          + s.features().length + " values; the network's input has " + inputSize);
    }
    if (s.label() < 0 || s.label() >= classes) {
      throw new IllegalArgumentException("sample " + index + " of the training RDD has label "
          + s.label() + ", outside 0.." + (classes - 1));
    }
  }

  /** Sends the sample at a position to the partition that trains it. */
  static final class UnitPartitioner extends Partitioner {
    private static final long serialVersionUID = 1L;
    private final BatchCut cut;
    private final int size;

    UnitPartitioner(BatchCut cut, int size) {
      this.cut = cut;
      this.size = size;
    }

    @Override
    public int numPartitions() {
      return cut.partitions;
    }

    @Override
    public int getPartition(Object key) {
      return cut.partitionOf((Integer) key, size);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof UnitPartitioner && ((UnitPartitioner) o).size == size
          && ((UnitPartitioner) o).cut.batchSize == cut.batchSize
          && ((UnitPartitioner) o).cut.partitions == cut.partitions
          && ((UnitPartitioner) o).cut.handOut == cut.handOut
          && ((UnitPartitioner) o).cut.passSamples == cut.passSamples;
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(new int[] {size, cut.batchSize, cut.partitions, cut.passSamples});
    }
  }

  /** Turns a partition's samples, sorted by position, into its {@link Shard}. */
  static final class ShardBuilder
      implements Function2<Integer, Iterator<Tuple2<Integer, Sample>>, Iterator<Shard>> {
    private static final long serialVersionUID = 1L;
    private final BatchCut cut;
    private final int size;
    private final int inputSize;

    ShardBuilder(BatchCut cut, int size, int inputSize) {
      this.cut = cut;
      this.size = size;
      this.inputSize = inputSize;
    }

    @Override
    public Iterator<Shard> call(Integer partition, Iterator<Tuple2<Integer, Sample>> samples) {
      int steps = (size + cut.batchSize - 1) / cut.batchSize;
      int[] perStep = new int[steps];
      float[] features = new float[Math.max(16, inputSize) * 16];
      int[] labels = new int[16];
      int count = 0;
      int last = -1;
      while (samples.hasNext()) {
        Tuple2<Integer, Sample> s = samples.next();
        int position = s._1();
        if (position <= last) {
          throw new IllegalStateException("samples of partition " + partition
              + " are not sorted by position: " + position + " after " + last);
        }
        last = position;
        if (count == labels.length) {
          labels = Arrays.copyOf(labels, count * 2);
          features = Arrays.copyOf(features, count * 2 * inputSize);
        }
        System.arraycopy(s._2().features(), 0, features, count * inputSize, inputSize);
        labels[count++] = s._2().label();
        perStep[position / cut.batchSize]++;
      }
      int[] stepStart = new int[steps + 1];
      for (int s = 0; s < steps; s++) {
        stepStart[s + 1] = stepStart[s] + perStep[s];
      }
      Shard shard = new Shard(partition, Arrays.copyOf(features, count * inputSize),
          Arrays.copyOf(labels, count), stepStart);
      return List.of(shard).iterator();
    }
  }
}
