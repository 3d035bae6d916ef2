package dev.lamina.tests;

import dev.lamina.runtime.io.Checkpoints;
import dev.lamina.tests.nets.Lamina_BigMlp;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Run in a child JVM by {@link CheckpointTest}: saves a 6.5 MB checkpoint to {@code args[0]} over
 * and over, save {@code i} holding the value {@code i} in every parameter, and prints {@code saved
 * i} after each one, until it is killed.
 */
public final class CheckpointSaver {
  private CheckpointSaver() {}

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    int first = Integer.parseInt(args[1]);
    Lamina_BigMlp net = new Lamina_BigMlp(1);
    for (int i = first; ; i++) {
      Arrays.fill(net.parameters(), i);
      Checkpoints.save(net, file);
      System.out.println("saved " + i);
      System.out.flush();
    }
  }
}
