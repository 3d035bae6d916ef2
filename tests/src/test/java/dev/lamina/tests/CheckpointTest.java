package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.runtime.data.Dataset;
import dev.lamina.runtime.io.CheckpointException;
import dev.lamina.runtime.io.Checkpoints;
import dev.lamina.runtime.optim.Optimizers;
import dev.lamina.tests.nets.Lamina_BigMlp;
import dev.lamina.tests.nets.Lamina_LeNet5;
import dev.lamina.tests.nets.Lamina_LeNet5_F64;
import dev.lamina.tests.nets.Lamina_TinyMlp;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints of the real generated networks: round trip, wrong network, newer version, damage,
 * and a JVM killed while saving. */
class CheckpointTest {
  @TempDir Path dir;

  /** A LeNet-5 trained for a few steps, so its parameters are not the initial ones. */
  private static Lamina_LeNet5 trained() {
    Dataset d = FashionData.train(64);
    Lamina_LeNet5 net = new Lamina_LeNet5(5);
    net.setOptimizer(Optimizers.adam(1e-3f).build(net.summary()));
    for (int i = 0; i < 4; i++) {
      net.trainStep(java.util.Arrays.copyOfRange(d.features(), i * 16 * net.inputSize(),
          (i + 1) * 16 * net.inputSize()), java.util.Arrays.copyOfRange(d.labels(), i * 16,
          (i + 1) * 16), 16);
    }
    return net;
  }

  @Test
  void roundTripRestoresEveryParameterBitForBit() throws IOException {
    Lamina_LeNet5 net = trained();
    Path file = dir.resolve("lenet.ckpt");
    Checkpoints.save(net, file);
    Lamina_LeNet5 other = new Lamina_LeNet5(99);
    Checkpoints.load(other, file);
    assertArrayEquals(net.parameters(), other.parameters());
    float[] sample = FashionData.test(1).features();
    float[] a = new float[10];
    float[] b = new float[10];
    net.forward(sample, 1, a);
    other.forward(sample, 1, b);
    assertArrayEquals(a, b);
    // A float checkpoint loads into the double class of the same network, exactly.
    Lamina_LeNet5_F64 wide = new Lamina_LeNet5_F64(1);
    Checkpoints.load(wide, file);
    for (int i = 0; i < net.parameterCount(); i++) {
      assertEquals(net.parameters()[i], wide.parameters()[i], 0.0);
    }
  }

  @Test
  void anotherNetworksCheckpointNamesBothFingerprints() throws IOException {
    Path file = dir.resolve("mlp.ckpt");
    Lamina_TinyMlp mlp = new Lamina_TinyMlp(1);
    Checkpoints.save(mlp, file);
    Lamina_LeNet5 net = new Lamina_LeNet5(1);
    float[] before = net.parameters().clone();
    CheckpointException e = assertThrows(CheckpointException.class,
        () -> Checkpoints.load(net, file));
    assertEquals(CheckpointException.Kind.WRONG_NETWORK, e.kind());
    assertTrue(e.getMessage().contains(mlp.summary().fingerprint()), e.getMessage());
    assertTrue(e.getMessage().contains(net.summary().fingerprint()), e.getMessage());
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertArrayEquals(before, net.parameters(), "parameters changed by a failed load");
  }

  @Test
  void newerFormatVersionIsRefusedWithBothVersionNumbers() throws IOException {
    Path file = dir.resolve("lenet.ckpt");
    Lamina_LeNet5 net = new Lamina_LeNet5(1);
    Checkpoints.save(net, file);
    byte[] b = Files.readAllBytes(file);
    int newer = Checkpoints.FORMAT_VERSION + 1;
    ByteBuffer.wrap(b).putInt(8, newer);
    // A genuine newer file has a consistent header: fix the prefix checksum too.
    CRC32 crc = new CRC32();
    crc.update(b, 0, 16);
    ByteBuffer.wrap(b).putInt(16, (int) crc.getValue());
    Files.write(file, b);
    CheckpointException e = assertThrows(CheckpointException.class,
        () -> Checkpoints.load(new Lamina_LeNet5(2), file));
    assertEquals(CheckpointException.Kind.UNSUPPORTED_VERSION, e.kind());
    assertTrue(e.getMessage().contains("version " + newer), e.getMessage());
    assertTrue(e.getMessage().contains("version " + Checkpoints.FORMAT_VERSION), e.getMessage());
  }

  @Test
  void oneFlippedByteAnywhereIsAChecksumError() throws IOException {
    Path good = dir.resolve("good.ckpt");
    Lamina_LeNet5 net = new Lamina_LeNet5(1);
    Checkpoints.save(net, good);
    byte[] original = Files.readAllBytes(good);
    // Every byte of the header (the first 512) and the last 8, and 300 random others.
    List<Integer> positions = new ArrayList<>();
    for (int i = 0; i < Math.min(512, original.length); i++) {
      positions.add(i);
    }
    for (int i = original.length - 8; i < original.length; i++) {
      positions.add(i);
    }
    Random random = new Random(6);
    for (int i = 0; i < 300; i++) {
      positions.add(random.nextInt(original.length));
    }
    Lamina_LeNet5 target = new Lamina_LeNet5(2);
    float[] before = target.parameters().clone();
    Path bad = dir.resolve("bad.ckpt");
    for (int pos : positions) {
      byte[] b = original.clone();
      b[pos] ^= (byte) (1 + random.nextInt(255));
      Files.write(bad, b);
      CheckpointException e = assertThrows(CheckpointException.class,
          () -> Checkpoints.load(target, bad), "flipped byte " + pos + " was not noticed");
      assertEquals(CheckpointException.Kind.CORRUPT, e.kind(),
          "byte " + pos + ": " + e.getMessage());
      assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
    }
    assertArrayEquals(before, target.parameters(), "parameters changed by a failed load");
  }

  /**
   * A child JVM saves a 6.5 MB checkpoint in a loop and is killed ({@code destroyForcibly}, i.e.
   * SIGKILL) at a random moment, several times over the same file: every time, the file loads and
   * holds one complete save, the last one reported or the one after it.
   */
  @Test
  void jvmKilledWhileSavingLeavesThePreviousCheckpointLoadable() throws Exception {
    Path file = dir.resolve("big.ckpt");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classpath = System.getProperty("java.class.path");
    Random random = new Random(12);
    int next = 1;
    int killsDuringRun = 0;
    for (int round = 0; round < 6; round++) {
      Process p = new ProcessBuilder(java, "-Xmx256m", "-cp", classpath,
          CheckpointSaver.class.getName(), file.toString(), Integer.toString(next))
          .redirectErrorStream(true).start();
      AtomicInteger lastSaved = new AtomicInteger(-1);
      StringBuilder output = new StringBuilder();
      Thread reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(
            new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
          for (String line; (line = r.readLine()) != null; ) {
            if (line.startsWith("saved ")) {
              lastSaved.set(Integer.parseInt(line.substring(6)));
            } else {
              synchronized (output) {
                output.append(line).append('\n');
              }
            }
          }
        } catch (IOException ignored) {
          // the process was killed
        }
      });
      reader.start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (lastSaved.get() < next && p.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertTrue(lastSaved.get() >= next, "the saver did not save: " + output);
      Thread.sleep(random.nextInt(400));
      int reported = lastSaved.get();
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
      reader.join(10_000);
      if (lastSaved.get() > reported) {
        reported = lastSaved.get();
      }
      Lamina_BigMlp net = new Lamina_BigMlp(2);
      Checkpoints.load(net, file); // must not throw
      float[] params = net.parameters();
      float v = params[0];
      for (int i = 0; i < params.length; i++) {
        if (params[i] != v) {
          throw new AssertionError("round " + round + ": a mix of two saves: parameter 0 is " + v
              + ", parameter " + i + " is " + params[i]);
        }
      }
      assertTrue(v == reported || v == reported + 1, "round " + round + ": the file holds save "
          + v + " but the last save reported was " + reported);
      if (v > next) {
        killsDuringRun++;
      }
      next = (int) v + 1;
    }
    assertTrue(killsDuringRun >= 3, "too few rounds killed a running save loop: "
        + killsDuringRun);
    try (Stream<Path> s = Files.list(dir)) {
      System.out.println("files left after 6 kills: " + s.map(f -> f.getFileName().toString())
          .toList());
    }
  }
}
