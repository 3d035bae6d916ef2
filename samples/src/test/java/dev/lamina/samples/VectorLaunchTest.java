package dev.lamina.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The app starts itself again with the Vector API exactly when the JVM has it unasked. */
class VectorLaunchTest {
  private static final String[] ARGS = {"train", "--epochs", "1"};

  private static VectorLaunch.Jvm jvm(int feature, boolean loaded, boolean installed,
      String kernels, String relaunch, String env) {
    return new VectorLaunch.Jvm(feature, loaded, installed, Optional.of("/jdk/bin/java"),
        List.of("-Xmx1g", "-Dx=y"), "app.jar", kernels, relaunch, env);
  }

  @Test
  void jdk21WithTheModuleInstalledButNotLoadedRunsAgainWithIt() {
    assertEquals(Optional.of(List.of("/jdk/bin/java", "-Xmx1g", "-Dx=y",
            "--add-modules=jdk.incubator.vector", "-Dlamina.relaunch=false", "-cp", "app.jar",
            "dev.lamina.samples.App", "train", "--epochs", "1")),
        VectorLaunch.command(jvm(21, false, true, null, null, null), App.class.getName(), ARGS));
    assertTrue(VectorLaunch.command(jvm(25, false, true, "vector", "true", "true"),
        App.class.getName(), ARGS).isPresent());
  }

  @Test
  void otherwiseTheAppRunsInThisJvm() {
    String main = App.class.getName();
    for (VectorLaunch.Jvm j : List.of(
        jvm(17, false, true, null, null, null),           // JDK 17: the plain loops are faster
        jvm(20, false, true, null, null, null),
        jvm(21, true, true, null, null, null),            // already loaded
        jvm(21, false, false, null, null, null),          // a JVM without the module
        jvm(21, false, true, "plain", null, null),        // the plain loops asked for
        jvm(21, false, true, null, "false", null),        // the relaunched JVM, or the user
        jvm(21, false, true, null, null, "false"),
        new VectorLaunch.Jvm(21, false, true, Optional.empty(), List.of(), "app.jar", null, null,
            null),
        new VectorLaunch.Jvm(21, false, true, Optional.of("java"), List.of(), "", null, null,
            null))) {
      assertEquals(Optional.empty(), VectorLaunch.command(j, main, ARGS), j.toString());
    }
  }
}
