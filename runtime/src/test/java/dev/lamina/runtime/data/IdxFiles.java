package dev.lamina.runtime.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.GZIPOutputStream;

/** Builds IDX files byte by byte for tests, independently of the reader. */
final class IdxFiles {
  private IdxFiles() {}

  /** An IDX file: big-endian magic, dimensions, then the body as given. */
  static byte[] idx(int magic, int[] dims, byte[] body) {
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + body.length);
    b.putInt(magic);
    for (int d : dims) {
      b.putInt(d);
    }
    b.put(body);
    return b.array();
  }

  static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    }
    return out.toByteArray();
  }

  /** Pseudo-random pixels: incompressible, so gzip stores them in stored blocks. */
  static byte[] pixels(int n) {
    byte[] b = new byte[n];
    long x = 12345;
    for (int i = 0; i < n; i++) {
      x = x * 6364136223846793005L + 1442695040888963407L;
      b[i] = (byte) (x >>> 56);
    }
    return b;
  }

  /** Smooth pixels with a little noise: compressible, so gzip uses Huffman-coded blocks. */
  static byte[] smoothPixels(int n) {
    byte[] b = pixels(n);
    for (int i = 0; i < n; i++) {
      b[i] = (byte) ((i % 28) * 9 + (b[i] & 3));
    }
    return b;
  }
}
