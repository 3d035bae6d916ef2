package dev.lamina.runtime;

/**
 * A network that describes its own structure: every class the processor generates implements it
 * beside {@link FloatNetwork} or {@link DoubleNetwork}.
 */
public interface StructuredNetwork {
  /** What the network computes, layer by layer. */
  NetworkStructure structure();
}
