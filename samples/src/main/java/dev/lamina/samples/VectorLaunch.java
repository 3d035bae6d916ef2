package dev.lamina.samples;

import java.lang.management.ManagementFactory;
import java.lang.module.ModuleFinder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Starts the app again with the Vector API when the JVM has it but was not asked for it, so that
 * {@code java -jar lamina-samples.jar ...} on JDK 21 or later runs the runtime's Vector API
 * kernels without the user typing {@code --add-modules jdk.incubator.vector}.
 *
 * <p>An incubator module is resolved only when named at launch (a jar's manifest cannot name it),
 * so the app starts a second JVM: the same {@code java}, the same JVM options, the module added,
 * standard input, output and error inherited; the first JVM waits and exits with its status. Not
 * done on JDK 17 to 20 (where the runtime does not use the incubating API), when the JVM lacks the
 * module, when {@code -Dlamina.kernels=plain} asks for the plain loops, or when
 * {@code -Dlamina.relaunch=false} or the environment variable {@code LAMINA_RELAUNCH=false} says
 * not to.
 */
final class VectorLaunch {
  static final String MODULE = "jdk.incubator.vector";

  private VectorLaunch() {}

  /** What the decision reads of the running JVM. */
  record Jvm(int feature, boolean moduleLoaded, boolean moduleInstalled, Optional<String> java,
      List<String> options, String classPath, String kernels, String relaunch,
      String relaunchEnv) {
    static Jvm current() {
      return new Jvm(Runtime.version().feature(),
          ModuleLayer.boot().findModule(MODULE).isPresent(),
          ModuleFinder.ofSystem().find(MODULE).isPresent(),
          ProcessHandle.current().info().command(),
          ManagementFactory.getRuntimeMXBean().getInputArguments(),
          System.getProperty("java.class.path", ""), System.getProperty("lamina.kernels"),
          System.getProperty("lamina.relaunch"), System.getenv("LAMINA_RELAUNCH"));
    }
  }

  /**
   * The command that runs {@code mainClass} with {@code args} again with the Vector API, or empty
   * when this JVM should run the app itself.
   */
  static Optional<List<String>> command(Jvm jvm, String mainClass, String[] args) {
    if (jvm.feature() < 21 || jvm.moduleLoaded() || !jvm.moduleInstalled()
        || "plain".equals(jvm.kernels()) || "false".equals(jvm.relaunch())
        || "false".equals(jvm.relaunchEnv()) || jvm.java().isEmpty()
        || jvm.classPath().isEmpty()) {
      return Optional.empty();
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(jvm.java().get());
    cmd.addAll(jvm.options());
    cmd.add("--add-modules=" + MODULE);
    cmd.add("-Dlamina.relaunch=false");
    cmd.add("-cp");
    cmd.add(jvm.classPath());
    cmd.add(mainClass);
    cmd.addAll(List.of(args));
    return Optional.of(cmd);
  }

  /**
   * Runs the app in a JVM with the Vector API and returns its exit status, or returns -1 when this
   * JVM should run it (see the class comment). A JVM that cannot be started is reported on
   * standard error, and this JVM runs the app.
   */
  static int relaunch(String[] args) {
    Optional<List<String>> cmd = command(Jvm.current(), App.class.getName(), args);
    if (cmd.isEmpty()) {
      return -1;
    }
    ProcessBuilder pb = new ProcessBuilder(cmd.get()).inheritIO();
    // Its options are on the command line already (the JVM counts them among its arguments).
    pb.environment().remove("JDK_JAVA_OPTIONS");
    Process child;
    try {
      child = pb.start();
    } catch (java.io.IOException e) {
      System.err.println("lamina: could not start " + cmd.get().get(0) + " with the Vector API ("
          + e.getMessage() + "); running with the plain loops");
      return -1;
    }
    Thread stop = new Thread(child::destroy);
    Runtime.getRuntime().addShutdownHook(stop);
    while (true) {
      try {
        int status = child.waitFor();
        Runtime.getRuntime().removeShutdownHook(stop);
        return status;
      } catch (InterruptedException e) {
        child.destroy();
      }
    }
  }
}
