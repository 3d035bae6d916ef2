package dev.lamina.runtime.io;

/**
 * The header of a checkpoint: which network wrote it, in which precision. Immutable and
 * thread-safe.
 *
 * @param formatVersion the file format version
 * @param precisionBytes 4 for {@code float} parameters, 8 for {@code double}
 * @param parameterCount number of parameters stored
 * @param fingerprint the network's {@code summary().fingerprint()}
 * @param networkName the network's qualified name
 * @param structure the network's {@code summary().structure()} line
 */
public record CheckpointInfo(int formatVersion, int precisionBytes, int parameterCount,
    String fingerprint, String networkName, String structure) {

  /** {@code float32} or {@code float64}. */
  public String precisionName() {
    return precisionBytes == 4 ? "float32" : "float64";
  }

  @Override
  public String toString() {
    return networkName + " (fingerprint " + fingerprint + "), " + parameterCount + " "
        + precisionName() + " parameters, format " + formatVersion + ": " + structure;
  }
}
