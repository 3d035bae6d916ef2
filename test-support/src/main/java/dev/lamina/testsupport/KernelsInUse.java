package dev.lamina.testsupport;

import dev.lamina.runtime.kernel.Kernels;

/**
 * The check that a test JVM runs the kernels it is meant to. The build runs the conformance
 * suites, the gradient checks and the fuzzer twice: once as they come (JDK 17: the generated
 * loops) and once more on a JDK 21+ with {@code --add-modules jdk.incubator.vector}, where the
 * system property {@value #PROPERTY} is {@code vector}. Without the check, a second execution
 * that silently fell back to the plain loops (a missing module, a failed self-check) would pass
 * the same suites again and prove nothing.
 */
public final class KernelsInUse {
  /** The system property that names the kernels the execution must use: vector or plain. */
  public static final String PROPERTY = "lamina.test.kernels";

  private KernelsInUse() {}

  /**
   * The kernels this JVM must use: the property's value when set; otherwise the rule {@link
   * Kernels} documents, {@code vector} on JDK 21+ with the incubating module and without {@code
   * -Dlamina.kernels=plain}, else {@code plain}.
   */
  public static String expected() {
    String given = System.getProperty(PROPERTY);
    if (given != null) {
      return given;
    }
    boolean vector = Runtime.version().feature() >= 21
        && ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
        && !"plain".equals(System.getProperty("lamina.kernels"));
    return vector ? "vector" : "plain";
  }

  /** Fails unless {@link Kernels#BACKEND} is {@link #expected()}, saying which JVM this is. */
  public static void check() {
    String expected = expected();
    if (!expected.equals("vector") && !expected.equals("plain")) {
      throw new IllegalArgumentException(PROPERTY + " = " + expected
          + ": expected vector or plain");
    }
    if (!Kernels.BACKEND.equals(expected)) {
      throw new AssertionError("kernels in use: " + Kernels.BACKEND + ", expected " + expected
          + " (Java " + Runtime.version() + " at " + System.getProperty("java.home")
          + ", jdk.incubator.vector " + (ModuleLayer.boot().findModule("jdk.incubator.vector")
          .isPresent() ? "present" : "absent") + ", -Dlamina.kernels="
          + System.getProperty("lamina.kernels") + ")");
    }
  }
}
