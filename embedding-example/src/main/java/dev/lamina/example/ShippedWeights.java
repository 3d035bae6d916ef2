package dev.lamina.example;

import dev.lamina.runtime.FloatNetwork;
import dev.lamina.runtime.io.Checkpoints;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Loads a checkpoint shipped as a class-path resource next to this class. */
final class ShippedWeights {
  private ShippedWeights() {}

  /**
   * Loads resource {@code name} into {@code net}; the checksums and the network fingerprint are
   * checked as for any checkpoint.
   */
  static void load(FloatNetwork net, String name) {
    try (InputStream in = ShippedWeights.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("this jar lacks its checkpoint resource " + name);
      }
      Checkpoints.load(net, in, name);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot load the shipped checkpoint " + name, e);
    }
  }
}
