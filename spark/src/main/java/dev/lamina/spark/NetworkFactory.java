package dev.lamina.spark;

import dev.lamina.runtime.FloatNetwork;
import java.io.Serializable;

/**
 * Makes the network a {@link SparkTrainer} trains, on the driver and on every executor, for
 * example {@code () -> new Lamina_LeNet5(42)}. Every call must return the same generated class;
 * the trainer overwrites the parameters of the executors' copies with the driver's. Serializable,
 * so that Spark ships it to the executors: a lambda or method reference assigned to this type is.
 */
@FunctionalInterface
public interface NetworkFactory extends Serializable {
  /** A new network. */
  FloatNetwork create();
}
