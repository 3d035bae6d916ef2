package dev.lamina.tests.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lamina.runtime.kernel.Kernels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The convolution kernels ({@link Kernels}) on both paths: {@link KernelChecks} in this JVM, and
 * again in a JDK 21+ JVM started with {@code --add-modules jdk.incubator.vector}, where the Vector
 * API kernels must be the ones in use. That JVM is {@code -Dlamina.vectorJvm=<java executable>}
 * if given, else the newest JDK 21+ installed beside the one running the tests; without one the
 * vector test is skipped (and says so).
 */
class KernelsTest {
  @Test
  void accumulateMatchesDirectSums() {
    KernelChecks.accumulateMatchesDirectSums();
  }

  @Test
  void accumulateLeavesOtherValuesAlone() {
    KernelChecks.accumulateLeavesOtherValuesAlone();
  }

  @Test
  void dotsMatchDirectSums() {
    KernelChecks.dotsMatchDirectSums();
  }

  @Test
  void dotsAreReproducible() {
    KernelChecks.dotsAreReproducible();
  }

  @Test
  void accumulateRowMatchesDirectSums() {
    KernelChecks.accumulateRowMatchesDirectSums();
  }

  @Test
  void accumulateWindowsMatchesDirectSums() {
    KernelChecks.accumulateWindowsMatchesDirectSums();
  }

  @Test
  void dotsWindowsMatchDirectSums() {
    KernelChecks.dotsWindowsMatchDirectSums();
  }

  @Test
  void outputDoesNotDependOnTheBatch() {
    KernelChecks.outputDoesNotDependOnTheBatch();
  }

  @Test
  void floatLeNetAgreesWithDoubleAtBatch64() {
    KernelChecks.floatLeNetAgreesWithDouble(64);
  }

  @Test
  void floatLeNetAgreesWithDoubleAtBatch7() {
    KernelChecks.floatLeNetAgreesWithDouble(7);
  }

  @Test
  void floatLeNetAgreesWithDoubleAtBatch2() {
    KernelChecks.floatLeNetAgreesWithDouble(2);
  }

  @Test
  void dotsWindowsOfManyRowsMatchDirectSums() {
    KernelChecks.dotsWindowsOfManyRowsMatchDirectSums();
  }

  @Test
  void outerWindowsMatchesDirectSums() {
    KernelChecks.outerWindowsMatchesDirectSums();
  }

  @Test
  void windowProductsMatchDirectSums() {
    KernelChecks.windowProductsMatchDirectSums();
  }

  @Test
  void maxPool2x2MatchesDirectMaxima() {
    KernelChecks.maxPool2x2MatchesDirectMaxima();
  }

  @Test
  void sumMatchesDirectSums() {
    KernelChecks.sumMatchesDirectSums();
  }

  @Test
  void addWindowProductsMatchesDirectSums() {
    KernelChecks.addWindowProductsMatchesDirectSums();
  }

  @Test
  void floatPatchConvsAgreeWithDouble() {
    KernelChecks.floatPatchConvsAgreeWithDouble(9);
  }

  @Test
  void rowDotsAndOuterMatchDirectSums() {
    KernelChecks.rowDotsAndOuterMatchDirectSums();
  }

  @Test
  void plainKernelsOnJdk17() {
    if (Runtime.version().feature() < 21) {
      assertEquals("plain", Kernels.BACKEND);
    }
  }

  @Test
  void everyCheckPassesOnTheVectorApi() throws Exception {
    Optional<Path> java = vectorJvm();
    assumeTrue(java.isPresent(), "no JDK 21+ found beside " + System.getProperty("java.home")
        + " (set -Dlamina.vectorJvm): the Vector API kernels are not tested");
    Process p = new ProcessBuilder(java.get().toString(), "-Xmx1g",
        "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
        KernelChecks.class.getName(), "vector")
        .redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), "timed out: " + output);
    assertEquals(0, p.exitValue(), java.get() + ":\n" + output);
    assertTrue(output.contains("kernel checks passed on the vector kernels"), output);
  }

  /** The JDK 21+ to run the vector checks on, if any. */
  static Optional<Path> vectorJvm() throws IOException {
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
