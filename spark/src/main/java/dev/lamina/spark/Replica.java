package dev.lamina.spark;

import dev.lamina.runtime.FloatNetwork;
import dev.lamina.runtime.FloatWorkspace;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An executor's copy of the network with a workspace, kept between the tasks of a trainer so
 * that a step does not build the network again. Tasks that run at once in one executor take one
 * copy each. A copy holds nothing a task relies on: every task first overwrites the parameters
 * (running statistics included), discards pending batch statistics and zeroes the gradients, so
 * a task retried on another executor computes the same.
 */
final class Replica {
  /** Trainers whose copies are kept, least recently used first; older ones are dropped. */
  private static final int TRAINERS_KEPT = 4;
  private static final Map<String, Deque<Replica>> POOLS =
      new LinkedHashMap<>(8, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Deque<Replica>> eldest) {
          return size() > TRAINERS_KEPT;
        }
      };

  final FloatNetwork network;
  final FloatWorkspace workspace;

  private Replica(FloatNetwork network, int maxBatch) {
    this.network = network;
    this.workspace = network.newWorkspace(maxBatch);
    workspace.setDeferredStatistics(true); // batch statistics go to the driver
  }

  /**
   * A copy for trainer {@code trainerId}, made with {@code factory} if none is free, whose
   * parameters are set to {@code parameters}.
   */
  static Replica take(String trainerId, NetworkFactory factory, int maxBatch,
      float[] parameters) {
    Replica r;
    synchronized (POOLS) {
      Deque<Replica> pool = POOLS.get(trainerId);
      r = pool == null ? null : pool.poll();
    }
    if (r == null) {
      r = new Replica(factory.create(), maxBatch);
    }
    float[] own = r.network.parameters();
    if (own.length != parameters.length) {
      throw new IllegalStateException("the network factory made " + r.network.summary()
          .networkName() + " with " + own.length + " parameters on this executor, but the"
          + " driver's network has " + parameters.length + ": it must make the same network");
    }
    System.arraycopy(parameters, 0, own, 0, own.length);
    return r;
  }

  /** Returns a copy taken for {@code trainerId}. */
  static void give(String trainerId, Replica r) {
    synchronized (POOLS) {
      POOLS.computeIfAbsent(trainerId, k -> new ArrayDeque<>()).push(r);
    }
  }
}
