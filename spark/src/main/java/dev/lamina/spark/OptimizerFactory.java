package dev.lamina.spark;

import dev.lamina.runtime.NetworkSummary;
import dev.lamina.runtime.Optimizer;
import java.io.Serializable;

/**
 * Makes the optimizer, for example {@code s -> Optimizers.adam(1e-3f).build(s)}: once on the
 * driver for synchronous training, and once per partition and averaging round on the executors
 * for parameter averaging. Serializable, so that Spark ships it to the executors.
 */
@FunctionalInterface
public interface OptimizerFactory extends Serializable {
  /** A new optimizer, in its initial state, for a network with this summary. */
  Optimizer create(NetworkSummary summary);
}
