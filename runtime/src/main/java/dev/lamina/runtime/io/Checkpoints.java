package dev.lamina.runtime.io;

import dev.lamina.runtime.DoubleNetwork;
import dev.lamina.runtime.FloatNetwork;
import dev.lamina.runtime.NetworkSummary;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.zip.CRC32;

/**
 * Saves and loads the parameters of a network.
 *
 * <p><b>Format</b> (version {@value #FORMAT_VERSION}, big-endian):
 *
 * <pre>
 *   0   8 bytes  magic "LAMINACK"
 *   8   u32      format version
 *   12  u32      header length H (up to and including the header checksum)
 *   16  u32      CRC-32 of bytes [0, 16)
 *   20  u8       bytes per parameter: 4 (float32) or 8 (float64)
 *   21  u32      parameter count P
 *   25  u64      file length L = H + P * bytes per parameter + 4
 *   33  string   the network's fingerprint   (string = u32 length + UTF-8 bytes)
 *       string   the network's qualified name
 *       string   the network's structure line
 *       u32      training state length S (0: none; from version 2 on)
 *   H-4 u32      CRC-32 of bytes [0, H-4)
 *   H   P values IEEE 754 bits in storage order
 *       S bytes  the {@link TrainingState}, if any
 *   L-4 u32      CRC-32 of bytes [0, L-4)
 * </pre>
 *
 * L = H + P * bytes per parameter + S + 4. Version 1 files (no S) are still read.
 * The first 20 bytes are the same in every version, so a newer file is recognized and refused with
 * both version numbers. The three checksums let loading tell a damaged file from a truncated one,
 * another network's checkpoint or a newer version: a flipped byte anywhere is reported as damage,
 * never as something else.
 *
 * <p><b>Saving</b> writes a temporary file in the target's folder, forces it to disk and renames it
 * over the target atomically (or, where the file system cannot, with a plain replacing move), so an
 * interrupted save leaves the previous checkpoint intact. <b>Loading</b> validates the whole file
 * before writing a single parameter. A float32 checkpoint loads into a {@code double} network of the
 * same structure and vice versa (values rounded to float).
 *
 * <p>Thread-safe (stateless), but saving reads and loading writes the live parameter array: do not
 * train the network at the same time.
 */
public final class Checkpoints {
  /** The format version this runtime writes and the newest it reads. */
  public static final int FORMAT_VERSION = 2;

  private static final byte[] MAGIC = "LAMINACK".getBytes(StandardCharsets.US_ASCII);
  private static final int PREFIX = 20;
  private static final int FIXED_HEADER = 33;

  private Checkpoints() {}

  /** Saves {@code network}'s parameters to {@code file} (replacing it atomically). */
  public static void save(FloatNetwork network, Path file) throws IOException {
    save(network, null, file);
  }

  /**
   * Saves {@code network}'s parameters and, unless it is {@code null}, the training state to
   * resume from ({@link #readTrainingState}), replacing {@code file} atomically.
   */
  public static void save(FloatNetwork network, TrainingState state, Path file)
      throws IOException {
    float[] p = network.parameters();
    int stateLength = state == null ? 0 : state.encodedLength();
    ByteBuffer buf = header(network.summary(), 4, p.length, stateLength);
    for (float v : p) {
      buf.putFloat(v);
    }
    if (state != null) {
      state.encode(buf);
    }
    writeAtomically(finish(buf), file);
  }

  /** Saves {@code network}'s parameters to {@code file} (replacing it atomically). */
  public static void save(DoubleNetwork network, Path file) throws IOException {
    double[] p = network.parameters();
    ByteBuffer buf = header(network.summary(), 8, p.length, 0);
    for (double v : p) {
      buf.putDouble(v);
    }
    writeAtomically(finish(buf), file);
  }

  /**
   * Loads {@code file} into {@code network}'s parameters; on any error the parameters are left
   * untouched.
   *
   * @throws CheckpointException if the file is not a valid checkpoint of this network
   */
  public static CheckpointInfo load(FloatNetwork network, Path file) throws IOException {
    return load(network, file, Files.readAllBytes(file));
  }

  /**
   * Loads a checkpoint from a stream, for example a class-path resource shipped in an app's jar
   * ({@code getResourceAsStream}); {@code name} identifies it in error messages. The stream is read
   * to its end but not closed. On any error the parameters are left untouched.
   *
   * @throws CheckpointException if the data is not a valid checkpoint of this network
   */
  public static CheckpointInfo load(FloatNetwork network, InputStream in, String name)
      throws IOException {
    return load(network, Path.of(name), in.readAllBytes());
  }

  private static CheckpointInfo load(FloatNetwork network, Path file, byte[] bytes)
      throws IOException {
    Parsed c = parse(file, bytes);
    checkNetwork(file, c, network.summary(), network.parameterCount());
    float[] p = network.parameters();
    ByteBuffer data = c.data();
    for (int i = 0; i < p.length; i++) {
      p[i] = c.info.precisionBytes() == 4 ? data.getFloat() : (float) data.getDouble();
    }
    return c.info;
  }

  /**
   * Loads {@code file} into {@code network}'s parameters; on any error the parameters are left
   * untouched.
   *
   * @throws CheckpointException if the file is not a valid checkpoint of this network
   */
  public static CheckpointInfo load(DoubleNetwork network, Path file) throws IOException {
    return load(network, file, Files.readAllBytes(file));
  }

  /** The stream counterpart of {@link #load(DoubleNetwork, Path)}; see the float version. */
  public static CheckpointInfo load(DoubleNetwork network, InputStream in, String name)
      throws IOException {
    return load(network, Path.of(name), in.readAllBytes());
  }

  private static CheckpointInfo load(DoubleNetwork network, Path file, byte[] bytes)
      throws IOException {
    Parsed c = parse(file, bytes);
    checkNetwork(file, c, network.summary(), network.parameterCount());
    double[] p = network.parameters();
    ByteBuffer data = c.data();
    for (int i = 0; i < p.length; i++) {
      p[i] = c.info.precisionBytes() == 4 ? data.getFloat() : data.getDouble();
    }
    return c.info;
  }

  /** Validates {@code file} completely (all checksums) and returns its header. */
  public static CheckpointInfo read(Path file) throws IOException {
    return parse(file, Files.readAllBytes(file)).info;
  }

  /**
   * Validates {@code file} completely and returns the training state it holds, or {@code null}
   * for a checkpoint of parameters alone.
   */
  public static TrainingState readTrainingState(Path file) throws IOException {
    return readTrainingState(file, Files.readAllBytes(file));
  }

  /**
   * As {@link #readTrainingState(Path)} for a checkpoint read from a stream (to its end, not
   * closed); {@code name} identifies it in error messages.
   */
  public static TrainingState readTrainingState(InputStream in, String name) throws IOException {
    return readTrainingState(Path.of(name), in.readAllBytes());
  }

  private static TrainingState readTrainingState(Path file, byte[] bytes) throws IOException {
    Parsed c = parse(file, bytes);
    if (c.stateLength == 0) {
      return null;
    }
    ByteBuffer buf = ByteBuffer.wrap(c.bytes);
    buf.position(c.stateOffset());
    return TrainingState.decode(file, buf, c.stateLength);
  }

  // ---------------------------------------------------------------------------------- writing

  private static ByteBuffer header(NetworkSummary summary, int width, int count,
      int stateLength) {
    byte[] fingerprint = summary.fingerprint().getBytes(StandardCharsets.UTF_8);
    byte[] name = summary.networkName().getBytes(StandardCharsets.UTF_8);
    byte[] structure = summary.structure().getBytes(StandardCharsets.UTF_8);
    int headerLength = FIXED_HEADER + 16 + fingerprint.length + name.length + structure.length + 4;
    long length = headerLength + (long) count * width + stateLength + 4;
    if (length > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("a checkpoint of " + count + " parameters would exceed 2 GB");
    }
    ByteBuffer buf = ByteBuffer.allocate((int) length);
    buf.put(MAGIC).putInt(FORMAT_VERSION).putInt(headerLength);
    buf.putInt(crc(buf.array(), 0, 16));
    buf.put((byte) width).putInt(count).putLong(length);
    putString(buf, fingerprint);
    putString(buf, name);
    putString(buf, structure);
    buf.putInt(stateLength);
    buf.putInt(crc(buf.array(), 0, headerLength - 4));
    return buf;
  }

  private static byte[] finish(ByteBuffer buf) {
    buf.putInt(crc(buf.array(), 0, buf.capacity() - 4));
    return buf.array();
  }

  private static void putString(ByteBuffer buf, byte[] utf8) {
    buf.putInt(utf8.length).put(utf8);
  }

  private static void writeAtomically(byte[] bytes, Path file) throws IOException {
    Path target = file.toAbsolutePath();
    Path dir = target.getParent();
    // Not Files.createTempFile: its owner-only permissions would end up on the checkpoint.
    Path tmp = null;
    FileChannel ch = null;
    for (int attempt = 0; ch == null; attempt++) {
      tmp = dir.resolve("." + target.getFileName() + "." + Long.toHexString(System.nanoTime())
          + attempt + ".tmp");
      try {
        ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      } catch (FileAlreadyExistsException e) {
        if (attempt >= 100) {
          throw e;
        }
      }
    }
    FileChannel channel = ch;
    try {
      try (channel) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
          channel.write(b);
        }
        channel.force(true);
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
    forceDirectory(dir);
    removeStaleTemporaries(dir, target.getFileName().toString());
  }

  /** How old a leftover temporary file must be before a later save removes it. */
  static final long STALE_TEMPORARY_MILLIS = 60_000;

  /**
   * Removes temporary files of earlier saves to the same checkpoint that were killed before their
   * rename (a crash leaves them behind). Only files older than {@link #STALE_TEMPORARY_MILLIS} go,
   * so a save still running in another process keeps its file. Best effort: failures are ignored.
   */
  private static void removeStaleTemporaries(Path dir, String name) {
    String prefix = "." + name + ".";
    long cutoff = System.currentTimeMillis() - STALE_TEMPORARY_MILLIS;
    try (var entries = Files.newDirectoryStream(dir, p -> {
      String f = p.getFileName().toString();
      return f.startsWith(prefix) && f.endsWith(".tmp");
    })) {
      for (Path p : entries) {
        try {
          if (Files.getLastModifiedTime(p).toMillis() < cutoff) {
            Files.deleteIfExists(p);
          }
        } catch (IOException e) {
          // Another save may have just removed or replaced it.
        }
      }
    } catch (IOException e) {
      // Listing the folder failed; the checkpoint itself is saved.
    }
  }

  /** Makes the rename durable where the platform allows opening a folder (not on Windows). */
  private static void forceDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Folders cannot be opened or synced on this platform; the rename itself is still atomic.
    }
  }

  // ---------------------------------------------------------------------------------- reading

  /** A fully validated checkpoint. */
  private record Parsed(CheckpointInfo info, byte[] bytes, int dataOffset, int stateLength) {
    ByteBuffer data() {
      return ByteBuffer.wrap(bytes, dataOffset, bytes.length - dataOffset);
    }

    int stateOffset() {
      return dataOffset + info.parameterCount() * info.precisionBytes();
    }
  }

  private static Parsed parse(Path file, byte[] b) throws CheckpointException {
    int length = b.length;
    int magicMatches = 0;
    for (int i = 0; i < MAGIC.length && i < length; i++) {
      magicMatches += b[i] == MAGIC[i] ? 1 : 0;
    }
    if (magicMatches < Math.min(length, MAGIC.length)) {
      if (magicMatches >= MAGIC.length - 2) {
        throw new CheckpointException(file, CheckpointException.Kind.CORRUPT, "the checkpoint"
            + " header is damaged: expected magic \"LAMINACK\" at byte 0, found " + hex(b, 0, 8));
      }
      throw new CheckpointException(file, CheckpointException.Kind.NOT_A_CHECKPOINT,
          "not a Lamina checkpoint: expected magic \"LAMINACK\" at byte 0, found "
              + hex(b, 0, Math.min(8, length)));
    }
    if (length < PREFIX) {
      throw truncated(file, length, PREFIX, "the fixed header");
    }
    ByteBuffer buf = ByteBuffer.wrap(b);
    int version = buf.getInt(8);
    int headerLength = buf.getInt(12);
    checkCrc(file, b, 0, 16, buf.getInt(16), "header");
    if (version > FORMAT_VERSION || version < 1) {
      throw new CheckpointException(file, CheckpointException.Kind.UNSUPPORTED_VERSION,
          "checkpoint format version " + version + (version > FORMAT_VERSION
              ? " is newer than this runtime reads (version " + FORMAT_VERSION
                  + "); upgrade Lamina to load it"
              : " is not a valid version (this runtime reads version " + FORMAT_VERSION + ")"));
    }
    if (headerLength < FIXED_HEADER + 16) {
      throw new CheckpointException(file, CheckpointException.Kind.CORRUPT,
          "header length " + headerLength + " is too small for format version " + version);
    }
    if (length < headerLength) {
      throw truncated(file, length, headerLength, "the header");
    }
    checkCrc(file, b, 0, headerLength - 4, buf.getInt(headerLength - 4), "header");
    int width = b[20];
    int count = buf.getInt(21);
    long declared = buf.getLong(25);
    buf.position(FIXED_HEADER);
    String fingerprint = getString(file, buf, headerLength - 4);
    String name = getString(file, buf, headerLength - 4);
    String structure = getString(file, buf, headerLength - 4);
    int stateLength = 0;
    if (version >= 2) {
      if (buf.position() + 4 > headerLength - 4) {
        throw new CheckpointException(file, CheckpointException.Kind.CORRUPT, "inconsistent"
            + " header: no room for the training state length at byte " + buf.position());
      }
      stateLength = buf.getInt();
    }
    if ((width != 4 && width != 8) || count < 0 || stateLength < 0
        || declared != headerLength + (long) count * width + stateLength + 4) {
      throw new CheckpointException(file, CheckpointException.Kind.CORRUPT, "inconsistent header: "
          + count + " parameters of " + width + " bytes and " + stateLength + " bytes of training"
          + " state after a header of " + headerLength + " bytes cannot make a file of "
          + declared + " bytes");
    }
    CheckpointInfo info =
        new CheckpointInfo(version, width, count, fingerprint, name, structure);
    if (length < declared) {
      throw truncated(file, length, declared, "the header (" + headerLength + " bytes), " + count
          + " " + info.precisionName() + " parameters" + (stateLength == 0 ? ""
              : ", " + stateLength + " bytes of training state,") + " and the 4-byte checksum");
    }
    if (length > declared) {
      throw new CheckpointException(file, CheckpointException.Kind.CORRUPT, "expected the file to"
          + " end at byte " + declared + " as its header says, found " + (length - declared)
          + " more bytes");
    }
    checkCrc(file, b, 0, length - 4, buf.getInt(length - 4), "file");
    return new Parsed(info, b, headerLength, stateLength);
  }

  private static void checkNetwork(Path file, Parsed c, NetworkSummary summary, int parameterCount)
      throws CheckpointException {
    CheckpointInfo info = c.info;
    String fingerprint = summary.fingerprint();
    if (!info.fingerprint().equals(fingerprint)) {
      throw new CheckpointException(file, CheckpointException.Kind.WRONG_NETWORK,
          "checkpoint of " + info.networkName() + " (fingerprint " + info.fingerprint()
              + ") cannot be loaded into " + summary.networkName() + " (fingerprint " + fingerprint
              + "): " + structureDifference(info.structure(), summary.structure()));
    }
    if (info.parameterCount() != parameterCount) {
      throw new CheckpointException(file, CheckpointException.Kind.WRONG_NETWORK,
          "checkpoint of " + info.networkName() + " holds " + info.parameterCount()
              + " parameters but " + summary.networkName() + " has " + parameterCount);
    }
  }

  /** Where two structure lines first differ, layer by layer. */
  static String structureDifference(String checkpoint, String network) {
    if (checkpoint.equals(network)) {
      return "the structures (" + network + ") are the same, so layer attributes or the parameter"
          + " layout differ";
    }
    String[] a = checkpoint.split(" -> ");
    String[] b = network.split(" -> ");
    for (int i = 0; i < Math.max(a.length, b.length); i++) {
      String x = i < a.length ? a[i] : "(nothing)";
      String y = i < b.length ? b[i] : "(nothing)";
      if (!x.equals(y)) {
        String where = i == 0 ? "name and input" : "layer " + i;
        return "the structures differ at " + where + ": checkpoint has '" + x + "', network has '"
            + y + "' (checkpoint: " + checkpoint + "; network: " + network + ")";
      }
    }
    return "the structures differ (checkpoint: " + checkpoint + "; network: " + network + ")";
  }

  private static String getString(Path file, ByteBuffer buf, int limit)
      throws CheckpointException {
    int at = buf.position();
    int n = at + 4 <= limit ? buf.getInt() : -1;
    if (n < 0 || buf.position() + (long) n > limit) {
      throw new CheckpointException(file, CheckpointException.Kind.CORRUPT,
          "inconsistent header: the string at byte " + at + " does not fit in the header");
    }
    String s = new String(buf.array(), buf.position(), n, StandardCharsets.UTF_8);
    buf.position(buf.position() + n);
    return s;
  }

  private static void checkCrc(Path file, byte[] b, int from, int to, int stored, String what)
      throws CheckpointException {
    int computed = crc(b, from, to);
    if (computed != stored) {
      throw new CheckpointException(file, CheckpointException.Kind.CORRUPT, String.format(
          Locale.ROOT, "%s checksum mismatch: CRC-32 of bytes %d..%d is 0x%08X but the file"
              + " stores 0x%08X: the %s is damaged (a bad copy or disk); restore it from a backup",
          what, from, to - 1, computed, stored, what.equals("file") ? "file" : "header"));
    }
  }

  private static CheckpointException truncated(Path file, long length, long expected,
      String what) {
    return new CheckpointException(file, CheckpointException.Kind.TRUNCATED, "truncated: the file"
        + " ends at byte " + length + " but " + expected + " bytes are needed for " + what);
  }

  private static int crc(byte[] b, int from, int to) {
    CRC32 crc = new CRC32();
    crc.update(b, from, to - from);
    return (int) crc.getValue();
  }

  private static String hex(byte[] b, int from, int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = from; i < from + n && i < b.length; i++) {
      sb.append(i > from ? " " : "").append(String.format(Locale.ROOT, "%02X", b[i] & 0xFF));
    }
    return sb.length() == 0 ? "an empty file" : sb.toString();
  }
}
