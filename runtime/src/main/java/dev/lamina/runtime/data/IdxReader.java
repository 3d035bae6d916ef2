package dev.lamina.runtime.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files of unsigned bytes, the format of MNIST and Fashion-MNIST, plain or gzip-compressed
 * (recognized by the gzip magic bytes, whatever the file name).
 *
 * <p>Layout: a 4-byte big-endian magic {@code 0x0000 TT DD} (TT = 0x08 for unsigned bytes, DD = the
 * number of dimensions), DD big-endian 32-bit sizes, then the body of {@code product(sizes)} bytes
 * and nothing after it. Images are {@code 0x00000803} (N×rows×cols), labels {@code 0x00000801} (N).
 *
 * <p>Every check failure is a {@link DatasetFormatException} naming the file, the byte offset in the
 * (decompressed) data, and what was expected versus found. Corrupt or truncated gzip streams are
 * reported the same way, at the offset where the readable data ended.
 *
 * <p>Thread-safe (stateless).
 */
public final class IdxReader {
  /** Magic number of an IDX file of unsigned bytes with one dimension (labels). */
  public static final int MAGIC_LABELS = 0x00000801;
  /** Magic number of an IDX file of unsigned bytes with three dimensions (images). */
  public static final int MAGIC_IMAGES = 0x00000803;

  private static final int TYPE_UNSIGNED_BYTE = 0x08;

  private IdxReader() {}

  /**
   * Reads an image file ({@code 0x00000803}, N×rows×cols). {@code rows} and {@code cols} are the
   * expected sizes, or -1 to accept any.
   */
  public static IdxArray readImages(Path file, int rows, int cols) throws IOException {
    return read(file, 3, new int[] {-1, rows, cols}, new String[] {"images", "rows", "columns"});
  }

  /** Reads a label file ({@code 0x00000801}, N). */
  public static IdxArray readLabels(Path file) throws IOException {
    return read(file, 1, new int[] {-1}, new String[] {"labels"});
  }

  /**
   * Reads an IDX file of unsigned bytes with {@code dimensionCount} dimensions. {@code expected[i]}
   * is the required size of dimension i, or -1 for any; {@code names[i]} names it in messages.
   */
  public static IdxArray read(Path file, int dimensionCount, int[] expected, String[] names)
      throws IOException {
    if (expected.length != dimensionCount || names.length != dimensionCount) {
      throw new IllegalArgumentException("need one expected size and name per dimension");
    }
    try (Source in = Source.open(file)) {
      int expectedMagic = (TYPE_UNSIGNED_BYTE << 8) | dimensionCount;
      String expectedText = describeMagic(expectedMagic) + describeFound(expectedMagic);
      int magic = in.readInt("the magic number " + expectedText);
      if (magic != expectedMagic) {
        throw in.error(0, "expected magic " + expectedText + ", found " + describeMagic(magic)
            + describeFound(magic));
      }
      int[] dims = new int[dimensionCount];
      long body = 1;
      for (int d = 0; d < dimensionCount; d++) {
        long at = in.position();
        String what = "the size of dimension " + (d + 1) + " of " + dimensionCount + " ("
            + names[d] + ")";
        dims[d] = in.readInt(what);
        if (dims[d] < 0 || (dims[d] == 0 && d > 0)) {
          throw in.error(at, "expected " + what + " to be positive, found " + dims[d]);
        }
        if (expected[d] >= 0 && dims[d] != expected[d]) {
          throw in.error(at, "expected " + expected[d] + " " + names[d] + " (dimension " + (d + 1)
              + " of " + dimensionCount + "), found " + dims[d]);
        }
        body *= dims[d];
      }
      long headerLength = in.position();
      if (body > Integer.MAX_VALUE - 16) {
        throw in.error(4, "the body of " + body + " bytes (" + shape(dims)
            + ") is larger than a Java array can hold");
      }
      byte[] data = new byte[(int) body];
      in.readBody(data, headerLength, shape(dims));
      in.expectEnd(headerLength + body);
      return new IdxArray(file, dims, data);
    }
  }

  static String describeMagic(int magic) {
    return String.format(Locale.ROOT, "0x%08X", magic);
  }

  private static String describeFound(int magic) {
    if ((magic >>> 16) != 0) {
      return " (not an IDX file)";
    }
    int dims = magic & 0xFF;
    String type;
    switch ((magic >>> 8) & 0xFF) {
      case 0x08: type = "unsigned byte"; break;
      case 0x09: type = "signed byte"; break;
      case 0x0B: type = "short"; break;
      case 0x0C: type = "int"; break;
      case 0x0D: type = "float"; break;
      case 0x0E: type = "double"; break;
      default: return " (unknown IDX element type)";
    }
    return " (" + type + ", " + dims + (dims == 1 ? " dimension)" : " dimensions)");
  }

  private static String shape(int[] dims) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < dims.length; i++) {
      sb.append(i > 0 ? " x " : "").append(dims[i]);
    }
    return sb.toString();
  }

  /** The decompressed byte stream of a file with a position counter. */
  private static final class Source implements AutoCloseable {
    private final Path file;
    private final InputStream in;
    private final boolean gzip;
    private long position;

    private Source(Path file, InputStream in, boolean gzip) {
      this.file = file;
      this.in = in;
      this.gzip = gzip;
    }

    static Source open(Path file) throws IOException {
      BufferedInputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
      try {
        raw.mark(2);
        int b0 = raw.read();
        int b1 = raw.read();
        raw.reset();
        boolean gzip = b0 == 0x1F && b1 == 0x8B;
        if (!gzip) {
          return new Source(file, raw, false);
        }
        try {
          return new Source(file, new GZIPInputStream(raw, 1 << 16), true);
        } catch (EOFException | ZipException e) {
          throw new DatasetFormatException(file, 0,
              "corrupt gzip header (" + e.getMessage() + ")", e);
        }
      } catch (IOException | RuntimeException e) {
        raw.close();
        throw e;
      }
    }

    long position() {
      return position;
    }

    DatasetFormatException error(long offset, String detail) {
      return new DatasetFormatException(file, offset, detail);
    }

    int readInt(String what) throws IOException {
      byte[] b = new byte[4];
      long start = position;
      int n = read(b, 0, 4);
      if (n < 4) {
        throw error(position, "expected " + what + " (4 bytes from byte " + start
            + "), found the end of the " + (gzip ? "decompressed data" : "file"));
      }
      return ((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
    }

    void readBody(byte[] data, long headerLength, String shape) throws IOException {
      int n = read(data, 0, data.length);
      if (n < data.length) {
        throw error(position, "truncated: expected a body of " + data.length + " bytes ("
            + shape + ") ending at byte " + (headerLength + data.length) + ", found the end of the "
            + (gzip ? "decompressed data" : "file") + " after " + n + " bytes of body");
      }
    }

    void expectEnd(long length) throws IOException {
      int next = readByteChecked();
      if (next >= 0) {
        throw error(length, "expected the end of the " + (gzip ? "decompressed data" : "file")
            + " after " + length + " bytes as the header says, found more data");
      }
    }

    private int readByteChecked() throws IOException {
      try {
        return in.read();
      } catch (EOFException e) {
        throw error(position, "gzip stream ends early (truncated compressed file): " + e.getMessage(),
            e);
      } catch (ZipException e) {
        throw corrupt(e);
      }
    }

    /** Reads up to {@code len} bytes, fewer only at the end of the data. */
    private int read(byte[] b, int off, int len) throws IOException {
      int total = 0;
      while (total < len) {
        int n;
        try {
          n = in.read(b, off + total, len - total);
        } catch (EOFException e) {
          throw error(position, "gzip stream ends early (truncated compressed file): "
              + e.getMessage(), e);
        } catch (ZipException e) {
          throw corrupt(e);
        }
        if (n < 0) {
          break;
        }
        total += n;
        position += n;
      }
      return total;
    }

    private DatasetFormatException corrupt(ZipException e) {
      String detail = String.valueOf(e.getMessage()).contains("trailer")
          ? "corrupt gzip data: the decompressed bytes do not match the CRC-32 and length in the"
              + " gzip trailer (" + e.getMessage() + ")"
          : "corrupt gzip data (" + e.getMessage() + ")";
      return error(position, detail, e);
    }

    private DatasetFormatException error(long offset, String detail, Throwable cause) {
      return new DatasetFormatException(file, offset, detail, cause);
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
