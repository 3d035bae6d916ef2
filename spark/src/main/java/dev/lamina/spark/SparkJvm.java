package dev.lamina.spark;

import java.util.List;

/**
 * The JVM options Spark needs on JDK 17 and later, for the driver, the master and worker daemons
 * and the executors ({@code spark.executor.extraJavaOptions}): the {@code --add-opens} list
 * Spark's own launch scripts pass, without which Spark fails with {@code
 * InaccessibleObjectException} or cannot allocate its off-heap buffers.
 */
public final class SparkJvm {
  private static final List<String> OPTIONS = List.of(
      "-XX:+IgnoreUnrecognizedVMOptions",
      "--add-opens=java.base/java.lang=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
      "--add-opens=java.base/java.io=ALL-UNNAMED",
      "--add-opens=java.base/java.net=ALL-UNNAMED",
      "--add-opens=java.base/java.nio=ALL-UNNAMED",
      "--add-opens=java.base/java.util=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
      "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
      "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
      "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
      "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
      "-Djdk.reflect.useDirectMethodHandle=false",
      "-Dio.netty.tryReflectionSetAccessible=true");

  private SparkJvm() {}

  /** The options, one per element. */
  public static List<String> options() {
    return OPTIONS;
  }

  /** The options as one line, for {@code spark.executor.extraJavaOptions}. */
  public static String optionsLine() {
    return String.join(" ", OPTIONS);
  }
}
