package dev.lamina.runtime.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.runtime.Initializers;
import dev.lamina.runtime.TestMlp;
import dev.lamina.runtime.TestMlpDouble;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointsTest {
  @TempDir Path dir;

  private static TestMlp net(long seed) {
    TestMlp n = new TestMlp("demo.Small", 6, 5, 3);
    Initializers.initialize(n, seed);
    // Give the biases distinct values too, so every parameter is checked.
    float[] p = n.parameters();
    for (int i = 0; i < p.length; i++) {
      p[i] += 0.001f * i;
    }
    return n;
  }

  private static void assertBits(float[] expected, float[] actual) {
    assertEquals(expected.length, actual.length);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]),
          "parameter " + i);
    }
  }

  private static void assertMessage(Exception e, String... parts) {
    for (String part : parts) {
      assertTrue(e.getMessage().contains(part), "'" + part + "' not in: " + e.getMessage());
    }
  }

  @Test
  void roundTripIsBitIdentical() throws IOException {
    TestMlp a = net(1);
    a.parameters()[3] = Float.MIN_VALUE;
    a.parameters()[4] = -0f;
    Path f = dir.resolve("small.ckpt");
    Checkpoints.save(a, f);
    TestMlp b = net(2);
    CheckpointInfo info = Checkpoints.load(b, f);
    assertBits(a.parameters(), b.parameters());
    assertEquals("demo.Small", info.networkName());
    assertEquals(a.summary().fingerprint(), info.fingerprint());
    assertEquals(a.summary().structure(), info.structure());
    assertEquals(a.parameterCount(), info.parameterCount());
    assertEquals(4, info.precisionBytes());
    assertEquals(Checkpoints.FORMAT_VERSION, info.formatVersion());
  }

  @Test
  void doubleRoundTripAndCrossPrecision() throws IOException {
    TestMlpDouble d = new TestMlpDouble("demo.Small", 6, 5, 3);
    Initializers.initialize(d, 5);
    d.parameters()[0] = Math.PI;
    Path f = dir.resolve("double.ckpt");
    Checkpoints.save(d, f);
    TestMlpDouble d2 = new TestMlpDouble("demo.Small", 6, 5, 3);
    Checkpoints.load(d2, f);
    for (int i = 0; i < d.parameters().length; i++) {
      assertEquals(Double.doubleToRawLongBits(d.parameters()[i]),
          Double.doubleToRawLongBits(d2.parameters()[i]));
    }
    TestMlp f32 = net(9);
    assertEquals(8, Checkpoints.load(f32, f).precisionBytes());
    for (int i = 0; i < d.parameters().length; i++) {
      assertEquals((float) d.parameters()[i], f32.parameters()[i]);
    }
    Path g = dir.resolve("float.ckpt");
    Checkpoints.save(f32, g);
    Checkpoints.load(d2, g);
    for (int i = 0; i < d.parameters().length; i++) {
      assertEquals(f32.parameters()[i], d2.parameters()[i]); // float -> double is exact
    }
  }

  @Test
  void anotherNetworksCheckpointIsRejected() throws IOException {
    Path f = dir.resolve("small.ckpt");
    Checkpoints.save(net(1), f);
    TestMlp other = new TestMlp("demo.Wider", 6, 7, 3);
    float[] before = other.parameters().clone();
    CheckpointException e =
        assertThrows(CheckpointException.class, () -> Checkpoints.load(other, f));
    assertEquals(CheckpointException.Kind.WRONG_NETWORK, e.kind());
    assertMessage(e, f.toString(), "checkpoint of demo.Small (fingerprint "
        + net(1).summary().fingerprint() + ")", "into demo.Wider (fingerprint "
        + other.summary().fingerprint() + ")", "differ at name and input");
    assertBits(before, other.parameters());

    // Same name, one layer wider: the message points at the layer.
    TestMlp wider = new TestMlp("demo.Small", 6, 7, 3);
    CheckpointException e2 =
        assertThrows(CheckpointException.class, () -> Checkpoints.load(wider, f));
    assertMessage(e2, "differ at layer 1: checkpoint has 'fc1 Affine 5', network has"
        + " 'fc1 Affine 7'");

    // Same structure line, other activation: attributes differ.
    TestMlp relu = new TestMlp("demo.Small", true, 6, 5, 3);
    CheckpointException e3 =
        assertThrows(CheckpointException.class, () -> Checkpoints.load(relu, f));
    assertMessage(e3, "are the same, so layer attributes or the parameter layout differ");
  }

  @Test
  void truncatedFilesNameTheOffsetAndExpectedLength() throws IOException {
    Path f = dir.resolve("small.ckpt");
    TestMlp a = net(1);
    Checkpoints.save(a, f);
    byte[] full = Files.readAllBytes(f);
    int headerLength = ByteBuffer.wrap(full).getInt(12);
    for (int cut : new int[] {0, 5, 19, 30, headerLength - 1, headerLength + 7, full.length - 1}) {
      Path t = dir.resolve("cut" + cut + ".ckpt");
      Files.write(t, Arrays.copyOf(full, cut));
      TestMlp b = net(2);
      float[] before = b.parameters().clone();
      CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoints.load(b, t));
      assertEquals(CheckpointException.Kind.TRUNCATED, e.kind(), e.getMessage());
      assertMessage(e, t.toString(), "truncated: the file ends at byte " + cut + " but ");
      if (cut >= headerLength) {
        assertMessage(e, full.length + " bytes are needed for the header (" + headerLength
            + " bytes), " + a.parameterCount() + " float32 parameters and the 4-byte checksum");
      }
      assertBits(before, b.parameters());
    }
  }

  @Test
  void everyFlippedByteIsReportedAsDamage() throws IOException {
    Path f = dir.resolve("small.ckpt");
    Checkpoints.save(net(1), f);
    byte[] full = Files.readAllBytes(f);
    int headerLength = ByteBuffer.wrap(full).getInt(12);
    for (int pos = 0; pos < full.length; pos++) {
      for (int bit : new int[] {0x01, 0x80}) {
        byte[] bad = full.clone();
        bad[pos] ^= (byte) bit;
        Path t = dir.resolve("flip.ckpt");
        Files.write(t, bad);
        TestMlp b = net(2);
        float[] before = b.parameters().clone();
        CheckpointException e =
            assertThrows(CheckpointException.class, () -> Checkpoints.load(b, t), "byte " + pos);
        assertEquals(CheckpointException.Kind.CORRUPT, e.kind(), "byte " + pos + ": "
            + e.getMessage());
        assertMessage(e, t.toString());
        if (pos >= 8) {
          assertMessage(e, "checksum mismatch");
          assertMessage(e, pos < headerLength ? "the header is damaged" : "the file is damaged");
        } else {
          assertMessage(e, "header is damaged: expected magic \"LAMINACK\"");
        }
        assertBits(before, b.parameters());
      }
    }
  }

  @Test
  void otherFilesAreNotCheckpoints() throws IOException {
    Path zip = dir.resolve("model.zip");
    Files.write(zip, new byte[] {'P', 'K', 3, 4, 20, 0, 0, 0, 8, 0});
    CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoints.read(zip));
    assertEquals(CheckpointException.Kind.NOT_A_CHECKPOINT, e.kind());
    assertMessage(e, zip + ": not a Lamina checkpoint: expected magic \"LAMINACK\" at byte 0,"
        + " found 50 4B 03 04 14 00 00 00");
  }

  /** Rewrites the version field and recomputes all three checksums, as a newer writer would. */
  private static byte[] withVersion(byte[] file, int version) {
    ByteBuffer b = ByteBuffer.wrap(file.clone());
    int headerLength = b.getInt(12);
    b.putInt(8, version);
    b.putInt(16, crc(b.array(), 16));
    b.putInt(headerLength - 4, crc(b.array(), headerLength - 4));
    b.putInt(file.length - 4, crc(b.array(), file.length - 4));
    return b.array();
  }

  private static int crc(byte[] b, int length) {
    CRC32 c = new CRC32();
    c.update(b, 0, length);
    return (int) c.getValue();
  }

  @Test
  void newerVersionIsRefusedWithBothNumbers() throws IOException {
    Path f = dir.resolve("small.ckpt");
    Checkpoints.save(net(1), f);
    byte[] full = Files.readAllBytes(f);
    // The helper is right: rewriting version 1 keeps a loadable file.
    Files.write(f, withVersion(full, 1));
    Checkpoints.load(net(2), f);

    Path newer = dir.resolve("newer.ckpt");
    Files.write(newer, withVersion(full, 7));
    TestMlp b = net(2);
    float[] before = b.parameters().clone();
    CheckpointException e =
        assertThrows(CheckpointException.class, () -> Checkpoints.load(b, newer));
    assertEquals(CheckpointException.Kind.UNSUPPORTED_VERSION, e.kind());
    assertMessage(e, newer.toString(), "checkpoint format version 7 is newer than this runtime"
        + " reads (version 2)");
    assertBits(before, b.parameters());
  }

  @Test
  void savingOverAnExistingCheckpointReplacesItAndLeavesNoTemporaryFiles() throws IOException {
    Path f = dir.resolve("model.ckpt");
    Checkpoints.save(net(1), f);
    TestMlp second = net(2);
    Checkpoints.save(second, f);
    TestMlp loaded = net(3);
    Checkpoints.load(loaded, f);
    assertBits(second.parameters(), loaded.parameters());
    try (Stream<Path> files = Files.list(dir)) {
      List<String> names = files.map(p -> p.getFileName().toString()).collect(Collectors.toList());
      assertEquals(List.of("model.ckpt"), names);
    }
  }

  @Test
  void loadsFromAStreamAndNamesItInErrors() throws IOException {
    Path f = dir.resolve("model.ckpt");
    TestMlp saved = net(1);
    Checkpoints.save(saved, f);
    TestMlp loaded = net(2);
    try (var in = Files.newInputStream(f)) {
      Checkpoints.load(loaded, in, "weights/model.ckpt");
    }
    assertBits(saved.parameters(), loaded.parameters());
    byte[] cut = Arrays.copyOf(Files.readAllBytes(f), 100);
    CheckpointException e = assertThrows(CheckpointException.class,
        () -> Checkpoints.load(net(3), new java.io.ByteArrayInputStream(cut), "weights/model.ckpt"));
    assertMessage(e, "weights/model.ckpt", "truncated");
  }

  @Test
  void aLaterSaveRemovesStaleTemporariesOfKilledSavesButNotFreshOnes() throws IOException {
    Path f = dir.resolve("model.ckpt");
    Path stale = Files.write(dir.resolve(".model.ckpt.1a2b0.tmp"), new byte[] {1, 2, 3});
    Files.setLastModifiedTime(stale, java.nio.file.attribute.FileTime.fromMillis(
        System.currentTimeMillis() - Checkpoints.STALE_TEMPORARY_MILLIS - 1_000));
    Path fresh = Files.write(dir.resolve(".model.ckpt.3c4d0.tmp"), new byte[] {4});
    Path other = Files.write(dir.resolve(".other.ckpt.5e6f0.tmp"), new byte[] {5});
    Files.setLastModifiedTime(other, Files.getLastModifiedTime(stale));
    Checkpoints.save(net(1), f);
    assertTrue(Files.notExists(stale), "stale temporary of this checkpoint removed");
    assertTrue(Files.exists(fresh), "a temporary that may belong to a running save is kept");
    assertTrue(Files.exists(other), "another checkpoint's temporary is not touched");
  }

  @Test
  void failedRenameLeavesTargetAndNoTemporaryFiles() throws IOException {
    // The target is a non-empty folder: writing the temporary file succeeds, the rename fails.
    Path target = dir.resolve("model.ckpt");
    Files.createDirectory(target);
    Files.write(target.resolve("keep.txt"), new byte[] {1, 2, 3});
    assertThrows(IOException.class, () -> Checkpoints.save(net(1), target));
    assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(target.resolve("keep.txt")));
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of("model.ckpt"),
          files.map(p -> p.getFileName().toString()).collect(Collectors.toList()));
    }
  }

  @Test
  void savedFileGetsOrdinaryPermissions() throws IOException {
    Assumptions.assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
    Path plain = Files.write(dir.resolve("plain.bin"), new byte[] {1});
    Path f = dir.resolve("model.ckpt");
    Checkpoints.save(net(1), f);
    assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(f));
  }
}
