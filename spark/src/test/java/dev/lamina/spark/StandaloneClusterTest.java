package dev.lamina.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.runtime.data.Dataset;
import dev.lamina.runtime.optim.Optimizers;
import dev.lamina.runtime.train.EpochResult;
import dev.lamina.runtime.train.Trainer;
import dev.lamina.spark.nets.Lamina_SmallConv;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real standalone cluster on the loopback interface: a master and two workers of one core
 * each, started here as separate JVMs from the test's class path, each worker launching one
 * executor process. Synchronous training on it gives the local trainer's bits; everything is
 * stopped at the end, and the whole test is bounded in time.
 */
class StandaloneClusterTest {
  private static final String LOOPBACK = "127.0.0.1";
  private final List<Process> daemons = new ArrayList<>();

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void trainsOnAMasterAndTwoWorkersWithTheLocalTrainersBits(@TempDir Path dir) throws Exception {
    Dataset data = TestData.images(200, 3);
    OptimizerFactory adam = s -> Optimizers.adam(0.01f).build(s);
    Lamina_SmallConv reference = new Lamina_SmallConv(7);
    double expectedLoss;
    try (Trainer t = Trainer.builder(reference, adam.create(reference.summary())).threads(2)
        .batchSize(16).passSamples(4).seed(5).build()) {
      expectedLoss = t.fit(data, null, 1).get(0).trainLoss();
    }

    // No Spark distribution: the launcher only needs $SPARK_HOME/jars to exist; the daemons and
    // the executors take their classes from this test's class path.
    Path home = dir.resolve("spark-home");
    Files.createDirectories(home.resolve("jars"));
    String classPath = System.getProperty("java.class.path");
    int masterPort = freePort();
    String master = "spark://" + LOOPBACK + ":" + masterPort;
    JavaSparkContext sc = null;
    try {
      start(dir, home, classPath, "master", "org.apache.spark.deploy.master.Master",
          "--host", LOOPBACK, "--port", String.valueOf(masterPort),
          "--webui-port", String.valueOf(freePort()));
      for (int w = 1; w <= 2; w++) {
        Path work = Files.createDirectories(dir.resolve("work" + w));
        start(dir, home, classPath, "worker" + w, "org.apache.spark.deploy.worker.Worker",
            "--host", LOOPBACK, "--cores", "1", "--memory", "768m",
            "--webui-port", String.valueOf(freePort()), "--work-dir", work.toString(), master);
      }
      sc = new JavaSparkContext(TestData.conf(master, "StandaloneClusterTest")
          .set("spark.executor.extraClassPath", classPath)
          .set("spark.executor.extraJavaOptions", SparkJvm.optionsLine())
          .set("spark.executor.memory", "512m")
          .set("spark.executor.cores", "1")
          .set("spark.cores.max", "2"));
      awaitExecutors(sc, 2, dir);

      try (SparkTrainer st = SparkTrainer.builder(sc, () -> new Lamina_SmallConv(7), adam)
          .partitions(2).batchSize(16).passSamples(4).seed(5).build()) {
        List<EpochResult> r = st.fit(SparkTrainer.samples(sc, data, 2), null, 1);
        assertEquals(1, r.size());
        float[] expected = reference.parameters();
        float[] actual = st.network().parameters();
        for (int i = 0; i < expected.length; i++) {
          assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]),
              "parameter " + i);
        }
        assertEquals(expectedLoss, r.get(0).trainLoss());
      }
      // The executors are processes of their own, not this JVM: two tasks that each hold a core
      // for a while run on both.
      Set<Long> pids = new HashSet<>(sc.parallelize(List.of(1, 2), 2).map(x -> {
        Thread.sleep(1000);
        return ProcessHandle.current().pid();
      }).collect());
      assertEquals(2, pids.size(), "executor processes " + pids);
      assertFalse(pids.contains(ProcessHandle.current().pid()));
    } finally {
      if (sc != null) {
        sc.stop();
      }
      stopAll();
    }
  }

  private void start(Path dir, Path home, String classPath, String name, String mainClass,
      String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(SparkJvm.options());
    command.add("-Xmx256m");
    command.add("-cp");
    command.add(classPath);
    command.add(mainClass);
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve(name + ".log").toFile());
    pb.environment().put("SPARK_HOME", home.toString());
    pb.environment().put("SPARK_SCALA_VERSION", "2.13");
    pb.environment().put("SPARK_LOCAL_IP", LOOPBACK);
    pb.environment().put("SPARK_LOG_DIR", dir.toString());
    daemons.add(pb.start());
  }

  /**
   * Waits until {@code count} executors have registered with the driver: a few seconds on a
   * quiet 2-core machine, a minute when other builds load it.
   */
  private static void awaitExecutors(JavaSparkContext sc, int count, Path dir)
      throws InterruptedException, IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (sc.sc().getExecutorIds().size() < count) {
      if (System.nanoTime() > deadline) {
        StringBuilder logs = new StringBuilder();
        for (File f : dir.toFile().listFiles((d, n) -> n.endsWith(".log"))) {
          String text = Files.readString(f.toPath(), StandardCharsets.UTF_8);
          logs.append("\n--- ").append(f.getName()).append('\n')
              .append(text.substring(Math.max(0, text.length() - 3000)));
        }
        throw new AssertionError("only " + sc.sc().getExecutorIds().size() + " of " + count
            + " executors registered in 180 s" + logs);
      }
      Thread.sleep(200);
    }
  }

  /** Stops the workers, then the master, and any process they left (their executors). */
  private void stopAll() throws InterruptedException {
    for (int i = daemons.size() - 1; i >= 0; i--) {
      Process p = daemons.get(i);
      List<ProcessHandle> children = p.descendants().toList();
      p.destroy();
      if (!p.waitFor(15, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      for (ProcessHandle c : children) {
        c.destroyForcibly();
      }
    }
    for (Process p : daemons) {
      assertTrue(!p.isAlive(), "a daemon survived: " + p.pid());
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
      return s.getLocalPort();
    }
  }
}
