package dev.lamina.samples;

import dev.lamina.runtime.FloatNetwork;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;

/**
 * Checkpoints for the app: which network a file belongs to and its parameters.
 *
 * <p>Interim format until the runtime's checkpoints land: magic, network name, fingerprint,
 * parameter count, the floats (big-endian), a CRC-32 of everything before it.
 */
final class Weights {
  private static final int MAGIC = 0x4C414D31; // "LAM1"

  /** A loaded checkpoint: the model it belongs to and a network holding its parameters. */
  record Loaded(Models.Entry model, FloatNetwork network) {}

  private Weights() {}

  static void save(FloatNetwork net, Path file) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(MAGIC);
    out.writeUTF(net.summary().networkName());
    out.writeUTF(net.summary().fingerprint());
    float[] p = net.parameters();
    out.writeInt(p.length);
    for (float v : p) {
      out.writeFloat(v);
    }
    CRC32 crc = new CRC32();
    crc.update(bytes.toByteArray());
    out.writeLong(crc.getValue());
    OutputFiles.writeAtomically(file, os -> os.write(bytes.toByteArray()));
  }

  /**
   * Loads {@code file} into a new network of {@code modelName}, or of the model the checkpoint
   * was saved from when {@code modelName} is null.
   */
  static Loaded load(Path file, String modelName) throws IOException {
    Models.Entry wanted = modelName == null ? null : Models.get(modelName);
    if (!Files.isRegularFile(file)) {
      throw new AppException("weights file not found: " + file);
    }
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    try {
      if (bytes.length < 16 || in.getInt() != MAGIC) {
        throw new AppException(file + " is not a Lamina checkpoint");
      }
      CRC32 crc = new CRC32();
      crc.update(bytes, 0, bytes.length - 8);
      if (ByteBuffer.wrap(bytes, bytes.length - 8, 8).getLong() != crc.getValue()) {
        throw new AppException(file + " is damaged (checksum mismatch)");
      }
      String name = utf(in);
      String fingerprint = utf(in);
      Models.Entry entry = wanted != null ? wanted : Models.byFingerprint(fingerprint);
      if (entry == null) {
        throw new AppException(file + " is a checkpoint of " + name
            + ", which this app does not know; models: " + Models.names());
      }
      if (!entry.summary().fingerprint().equals(fingerprint)) {
        throw new AppException(file + " is a checkpoint of " + name + ", not of "
            + entry.summary().networkName() + " (structure fingerprints differ)");
      }
      FloatNetwork net = entry.create(0);
      float[] p = net.parameters();
      int n = in.getInt();
      if (n != p.length) {
        throw new AppException(file + " holds " + n + " parameters, " + entry.name() + " has "
            + p.length);
      }
      for (int i = 0; i < n; i++) {
        p[i] = in.getFloat();
      }
      return new Loaded(entry, net);
    } catch (BufferUnderflowException | IllegalArgumentException e) {
      throw new AppException(file + " is truncated or not a Lamina checkpoint", e);
    }
  }

  private static String utf(ByteBuffer in) {
    int len = in.getShort() & 0xffff;
    byte[] b = new byte[len];
    in.get(b);
    return new String(b, StandardCharsets.UTF_8);
  }
}
