package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The JDK 21+ on which tests run the Vector API kernels in a child JVM: {@code
 * -Dlamina.vectorJvm=<java executable>} if given, else the newest JDK 21+ installed beside the one
 * running the tests.
 */
public final class VectorJvm {
  private VectorJvm() {}

  /**
   * Runs {@code main} with {@code args} on the JDK 21+ with the Vector API module and this JVM's
   * class path, the JVM options {@code options} first, and returns what it printed once it has
   * exited with status 0; skips the calling test when there is no such JDK.
   */
  public static String run(List<String> options, Class<?> main, String... args)
      throws IOException, InterruptedException {
    Optional<Path> java = find();
    assumeTrue(java.isPresent(), "no JDK 21+ found beside " + System.getProperty("java.home")
        + " (set -Dlamina.vectorJvm): the Vector API kernels are not tested");
    List<String> command = new ArrayList<>(List.of(java.get().toString(), "-Xmx1g",
        "--add-modules", "jdk.incubator.vector"));
    command.addAll(options);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), "timed out: " + output);
    assertEquals(0, p.exitValue(), java.get() + ":\n" + output);
    return output;
  }

  /** The JDK 21+ to run the vector checks on, if any. */
  public static Optional<Path> find() throws IOException {
    String given = System.getProperty("lamina.vectorJvm");
    if (given != null && !given.isBlank()) {
      return Optional.of(Path.of(given));
    }
    Path home = Path.of(System.getProperty("java.home"));
    Path dir = home.getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      return Optional.empty();
    }
    List<Path> found = new ArrayList<>();
    try (Stream<Path> jdks = Files.list(dir)) {
      jdks.filter(j -> Files.isExecutable(j.resolve("bin/java")) && feature(j) >= 21)
          .forEach(found::add);
    }
    return found.stream().max((a, b) -> Integer.compare(feature(a), feature(b)))
        .map(j -> j.resolve("bin/java"));
  }

  /** The feature release of the JDK at {@code home}, from its {@code release} file, or 0. */
  private static int feature(Path home) {
    try {
      for (String line : Files.readAllLines(home.resolve("release"))) {
        if (line.startsWith("JAVA_VERSION=")) {
          String v = line.substring("JAVA_VERSION=".length()).replace("\"", "");
          int end = 0;
          while (end < v.length() && Character.isDigit(v.charAt(end))) {
            end++;
          }
          return end == 0 ? 0 : Integer.parseInt(v.substring(0, end));
        }
      }
    } catch (IOException | RuntimeException e) {
      return 0;
    }
    return 0;
  }
}
