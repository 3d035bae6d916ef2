package dev.lamina.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {
  @TempDir Path dir;

  private static final int N = 5;
  private static final int ROWS = 4;
  private static final int COLS = 3;

  private Path write(String name, byte[] content) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, content);
    return p;
  }

  private static byte[] images() {
    return IdxFiles.idx(0x803, new int[] {N, ROWS, COLS}, IdxFiles.pixels(N * ROWS * COLS));
  }

  private static byte[] labels(int n) {
    byte[] body = new byte[n];
    for (int i = 0; i < n; i++) {
      body[i] = (byte) (i % 3);
    }
    return IdxFiles.idx(0x801, new int[] {n}, body);
  }

  private static void assertMessage(DatasetFormatException e, String... parts) {
    for (String part : parts) {
      assertTrue(e.getMessage().contains(part), "'" + part + "' not in: " + e.getMessage());
    }
  }

  @Test
  void readsPlainAndGzipFiles() throws IOException {
    byte[] raw = images();
    for (Path p : new Path[] {write("img-idx3-ubyte", raw), write("img.gz", IdxFiles.gzip(raw))}) {
      IdxArray a = IdxReader.readImages(p, ROWS, COLS);
      assertArrayEquals(new int[] {N, ROWS, COLS}, a.dimensions());
      assertArrayEquals(IdxFiles.pixels(N * ROWS * COLS), a.data());
      assertEquals(ROWS * COLS, a.itemSize());
    }
    IdxArray l = IdxReader.readLabels(write("labels.gz", IdxFiles.gzip(labels(N))));
    assertEquals(N, l.count());
    assertEquals(2, l.get(2));
  }

  @Test
  void datasetScalesPixelsToUnitRange() throws IOException {
    byte[] body = new byte[N * ROWS * COLS];
    body[0] = (byte) 255;
    body[1] = (byte) 51;
    Path img = write("i.gz", IdxFiles.gzip(IdxFiles.idx(0x803, new int[] {N, ROWS, COLS}, body)));
    Path lab = write("l", labels(N));
    Dataset d = Dataset.fromIdx(img, lab, 3);
    assertEquals(N, d.size());
    assertArrayEquals(new int[] {1, ROWS, COLS}, d.sampleShape());
    assertEquals(1f, d.features()[0]);
    assertEquals(0.2f, d.features()[1], 1e-7);
    assertEquals(0f, d.features()[2]);
    assertEquals(1, d.label(4));
  }

  @Test
  void wrongMagicNamesFileOffsetAndBothValues() throws IOException {
    Path p = write("train-images-idx3-ubyte.gz", IdxFiles.gzip(labels(N)));
    DatasetFormatException e =
        assertThrows(DatasetFormatException.class, () -> IdxReader.readImages(p, -1, -1));
    assertMessage(e, "train-images-idx3-ubyte.gz: at byte 0: expected magic 0x00000803"
        + " (unsigned byte, 3 dimensions), found 0x00000801 (unsigned byte, 1 dimension)");
    assertEquals(0, e.offset());
    assertEquals(p, e.file());
  }

  @Test
  void wrongDimensionCount() throws IOException {
    Path p = write("two-d", IdxFiles.idx(0x802, new int[] {N, ROWS * COLS}, new byte[60]));
    DatasetFormatException e =
        assertThrows(DatasetFormatException.class, () -> IdxReader.readImages(p, -1, -1));
    assertMessage(e, "two-d: at byte 0", "expected magic 0x00000803", "found 0x00000802",
        "2 dimensions");
  }

  @Test
  void notAnIdxFile() throws IOException {
    Path p = write("photo.png", new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0, 0, 0});
    DatasetFormatException e =
        assertThrows(DatasetFormatException.class, () -> IdxReader.readLabels(p));
    assertMessage(e, "photo.png: at byte 0", "expected magic 0x00000801", "found 0x89504E47",
        "not an IDX file");
  }

  @Test
  void unexpectedImageSize() throws IOException {
    Path p = write("img", images());
    DatasetFormatException e =
        assertThrows(DatasetFormatException.class, () -> IdxReader.readImages(p, ROWS, 28));
    assertMessage(e, "img: at byte 12: expected 28 columns (dimension 3 of 3), found 3");
    assertEquals(12, e.offset());
  }

  @Test
  void labelCountMustMatchImageCount() throws IOException {
    Path img = write("images.gz", IdxFiles.gzip(images()));
    Path lab = write("labels.gz", IdxFiles.gzip(labels(N + 2)));
    DatasetFormatException e =
        assertThrows(DatasetFormatException.class, () -> Dataset.fromIdx(img, lab, 3));
    assertMessage(e, lab + ": at byte 4: expected 5 labels, one per image of " + img,
        "found 7 labels");
  }

  @Test
  void labelOutOfRange() throws IOException {
    Path img = write("images", images());
    Path lab = write("labels", labels(N));
    DatasetFormatException e =
        assertThrows(DatasetFormatException.class, () -> Dataset.fromIdx(img, lab, 2));
    assertMessage(e, "labels: at byte 10: expected a class label in 0..1 for item 2, found 2");
  }

  @Test
  void truncatedPlainBody() throws IOException {
    byte[] full = images();
    Path p = write("short", Arrays.copyOf(full, 16 + 50));
    DatasetFormatException e =
        assertThrows(DatasetFormatException.class, () -> IdxReader.readImages(p, -1, -1));
    assertMessage(e, "short: at byte 66: truncated: expected a body of 60 bytes (5 x 4 x 3) ending"
        + " at byte 76, found the end of the file after 50 bytes of body");
    assertEquals(66, e.offset());
  }

  @Test
  void truncatedHeader() throws IOException {
    Path p = write("hdr", Arrays.copyOf(images(), 10));
    DatasetFormatException e =
        assertThrows(DatasetFormatException.class, () -> IdxReader.readImages(p, -1, -1));
    assertMessage(e, "hdr: at byte 10: expected the size of dimension 2 of 3 (rows) (4 bytes from byte 8),"
        + " found the end of the file");
    Path empty = write("empty", new byte[0]);
    DatasetFormatException e2 =
        assertThrows(DatasetFormatException.class, () -> IdxReader.readImages(empty, -1, -1));
    assertMessage(e2, "empty: at byte 0: expected the magic number 0x00000803",
        "found the end of the file");
  }

  @Test
  void truncatedGzipStream() throws IOException {
    byte[] gz = IdxFiles.gzip(IdxFiles.idx(0x803, new int[] {50, 20, 20},
        IdxFiles.pixels(50 * 20 * 20)));
    Path p = write("cut.gz", Arrays.copyOf(gz, gz.length / 2));
    DatasetFormatException e =
        assertThrows(DatasetFormatException.class, () -> IdxReader.readImages(p, 20, 20));
    assertMessage(e, "cut.gz: at byte " + e.offset() + ": ", "gzip stream ends early");
    assertTrue(e.offset() > 16 && e.offset() < 16 + 20_000, "offset " + e.offset());
  }

  @Test
  void gzipWithoutItsTrailer() throws IOException {
    byte[] gz = IdxFiles.gzip(images());
    Path p = write("notrailer.gz", Arrays.copyOf(gz, gz.length - 8));
    DatasetFormatException e =
        assertThrows(DatasetFormatException.class, () -> IdxReader.readImages(p, -1, -1));
    assertMessage(e, "notrailer.gz: at byte 76: ", "gzip");
  }

  @Test
  void corruptGzipStream() throws IOException {
    assertCorruptionReported(IdxFiles.pixels(50 * 20 * 20), "stored");
    assertCorruptionReported(IdxFiles.smoothPixels(50 * 20 * 20), "huffman");
  }

  private void assertCorruptionReported(byte[] body, String kind) throws IOException {
    byte[] gz = IdxFiles.gzip(IdxFiles.idx(0x803, new int[] {50, 20, 20}, body));
    // Flip bytes in the header, throughout the deflate data, and in the CRC/size trailer.
    int[] positions = {2, 10, 40, gz.length / 3, gz.length / 2, gz.length - 20, gz.length - 6,
        gz.length - 2};
    for (int pos : positions) {
      byte[] bad = gz.clone();
      bad[pos] ^= (byte) 0x5A;
      Path p = write(kind + pos + ".gz", bad);
      DatasetFormatException e = assertThrows(DatasetFormatException.class,
          () -> IdxReader.readImages(p, 20, 20), "flip at " + pos);
      assertMessage(e, kind + pos + ".gz: at byte " + e.offset() + ": ");
      // A flip either breaks the deflate/gzip structure or changes the decompressed bytes, which
      // the header checks or the trailer's CRC-32 then catch.
      assertTrue(e.getMessage().contains("gzip") || e.getMessage().contains("expected"),
          e.getMessage());
    }
  }

  @Test
  void trailingDataIsReported() throws IOException {
    byte[] full = images();
    Path p = write("long", Arrays.copyOf(full, full.length + 3));
    DatasetFormatException e =
        assertThrows(DatasetFormatException.class, () -> IdxReader.readImages(p, -1, -1));
    assertMessage(e, "long: at byte 76: expected the end of the file after 76 bytes");
  }
}
