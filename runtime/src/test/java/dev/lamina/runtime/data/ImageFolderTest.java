package dev.lamina.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderTest {
  @TempDir Path dir;

  /** A grey image whose pixel (x, y) is {@code (seed + 7x + 13y) mod 256}. */
  private static BufferedImage grey(int w, int h, int seed) {
    BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        image.getRaster().setSample(x, y, 0, level(x, y, seed));
      }
    }
    return image;
  }

  private static int level(int x, int y, int seed) {
    return (seed + 7 * x + 13 * y) & 0xFF;
  }

  private Path write(BufferedImage image, String folder, String name) throws IOException {
    Path f = dir.resolve("root").resolve(folder).resolve(name);
    Files.createDirectories(f.getParent());
    ImageIO.write(image, name.substring(name.lastIndexOf('.') + 1), f.toFile());
    return f;
  }

  @Test
  void classesAreTheSortedFoldersAndPixelsAreScaledToOne() throws IOException {
    write(grey(4, 3, 50), "shirt", "b.png");
    write(grey(4, 3, 10), "shirt", "a.png");
    write(grey(4, 3, 90), "boot", "x.png");
    Files.writeString(dir.resolve("root/boot/notes.txt"), "not an image");
    ImageFolder.Loaded data = ImageFolder.at(dir.resolve("root")).shape(1, 3, 4).load();
    assertEquals(List.of("boot", "shirt"), data.classes());
    Dataset d = data.dataset();
    assertEquals(3, d.size());
    assertArrayEquals(new int[] {0, 1, 1}, d.labels());
    assertArrayEquals(new int[] {1, 3, 4}, d.sampleShape());
    int[] seeds = {90, 10, 50}; // boot/x, shirt/a, shirt/b
    for (int i = 0; i < 3; i++) {
      for (int y = 0; y < 3; y++) {
        for (int x = 0; x < 4; x++) {
          assertEquals(level(x, y, seeds[i]) / 255f, d.features()[i * 12 + y * 4 + x], 1e-6,
              "sample " + i + " at " + x + "," + y);
        }
      }
    }
  }

  @Test
  void rgbImagesGiveThreePlanesOrTheirLuminance() throws IOException {
    BufferedImage image = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
    image.setRGB(0, 0, 0xFF8000);
    image.setRGB(1, 0, 0x0000FF);
    write(image, "c", "p.png");
    Dataset rgb = ImageFolder.at(dir.resolve("root")).shape(3, 1, 2).load().dataset();
    assertArrayEquals(new float[] {1, 0, 128 / 255f, 0, 0, 1}, rgb.features(), 1e-6f);
    Dataset luminance = ImageFolder.at(dir.resolve("root")).shape(1, 1, 2).load().dataset();
    assertArrayEquals(new float[] {(0.299f * 255 + 0.587f * 128) / 255, 0.114f},
        luminance.features(), 1e-5f);
  }

  @Test
  void anotherSizeIsRefusedUnlessResizedByAreaAveraging() throws IOException {
    Path f = write(grey(4, 4, 3), "a", "big.png");
    DatasetFormatException e = assertThrows(DatasetFormatException.class,
        () -> ImageFolder.at(dir.resolve("root")).shape(1, 2, 2).load());
    assertTrue(e.getMessage().startsWith(f + ": the image is 4×4 pixels, expected 2×2"),
        e.getMessage());
    Dataset d = ImageFolder.at(dir.resolve("root")).shape(1, 2, 2).resize(true).load().dataset();
    // Each output pixel is the mean of a 2×2 block of the source.
    float[] expected = new float[4];
    for (int oy = 0; oy < 2; oy++) {
      for (int ox = 0; ox < 2; ox++) {
        double sum = 0;
        for (int y = 2 * oy; y < 2 * oy + 2; y++) {
          for (int x = 2 * ox; x < 2 * ox + 2; x++) {
            sum += level(x, y, 3);
          }
        }
        expected[oy * 2 + ox] = (float) (sum / 4 / 255);
      }
    }
    assertArrayEquals(expected, d.features(), 1e-6f);
  }

  @Test
  void corruptAndTruncatedImagesNameTheFileOrAreSkippedWithACount() throws IOException {
    write(grey(4, 4, 1), "a", "good.png");
    Path junk = dir.resolve("root/a/junk.png");
    Files.write(junk, "this is no picture".getBytes(StandardCharsets.US_ASCII));
    DatasetFormatException e = assertThrows(DatasetFormatException.class,
        () -> ImageFolder.at(dir.resolve("root")).shape(1, 4, 4).load());
    assertTrue(e.getMessage().startsWith(junk + ": at byte 0: not an image"), e.getMessage());

    ByteArrayOutputStream png = new ByteArrayOutputStream();
    ImageIO.write(grey(64, 64, 5), "png", png);
    byte[] whole = png.toByteArray();
    Path cut = dir.resolve("root/a/cut.png");
    Files.write(cut, Arrays.copyOf(whole, whole.length / 2));
    e = assertThrows(DatasetFormatException.class, () -> ImageFiles.read(cut, 1 << 20));
    assertTrue(e.getMessage().startsWith(cut + ": the PNG image data is truncated or corrupt: "),
        e.getMessage());

    ImageFolder.Loaded loaded =
        ImageFolder.at(dir.resolve("root")).shape(1, 4, 4).skipUnreadable(true).load();
    assertEquals(1, loaded.dataset().size());
    assertEquals(2, loaded.skipped().size(), loaded.skipped().toString());
    assertTrue(loaded.skipped().get(0).startsWith(cut.toString()), loaded.skipped().toString());
    assertTrue(loaded.skipped().get(1).startsWith(junk.toString()), loaded.skipped().toString());
  }

  @Test
  void foldersWithoutClassesOrImagesAreNamed() throws IOException {
    Files.createDirectories(dir.resolve("root/empty"));
    DatasetFormatException e = assertThrows(DatasetFormatException.class,
        () -> ImageFolder.at(dir.resolve("root")).shape(1, 4, 4).load());
    assertTrue(e.getMessage().startsWith(dir.resolve("root/empty") + ": class folder without"
        + " images"), e.getMessage());
    e = assertThrows(DatasetFormatException.class,
        () -> ImageFolder.at(dir.resolve("nothing")).shape(1, 4, 4).load());
    assertTrue(e.getMessage().contains("not a folder"), e.getMessage());
  }

  /**
   * A PNG of a few kilobytes whose header declares 20,000 × 20,000 grey pixels (400 MB decoded):
   * a valid signature and IHDR, then an IDAT holding the first rows of zeros.
   */
  static byte[] bomb() {
    int side = 20_000;
    ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(side).putInt(side).put((byte) 8)
        .put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0);
    Deflater deflater = new Deflater(9);
    deflater.setInput(new byte[64 * (side + 1)]);
    deflater.finish();
    byte[] buffer = new byte[1 << 16];
    int n = deflater.deflate(buffer);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
    chunk(out, "IHDR", ihdr.array());
    chunk(out, "IDAT", Arrays.copyOf(buffer, n));
    chunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
    byte[] t = type.getBytes(StandardCharsets.US_ASCII);
    out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
    out.writeBytes(t);
    out.writeBytes(data);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }

  @Test
  void aDecompressionBombIsRefusedFromItsHeader() throws IOException {
    Path f = dir.resolve("bomb.png");
    Files.write(f, bomb());
    assertTrue(Files.size(f) < 10_000, "the bomb is small: " + Files.size(f) + " bytes");
    DatasetFormatException e = assertThrows(DatasetFormatException.class,
        () -> ImageFiles.read(f, ImageFiles.DEFAULT_MAX_PIXELS));
    assertEquals(f + ": the PNG header declares 20,000 × 20,000 pixels (400,000,000), more than"
        + " the limit of 16,777,216 pixels; not decoded (raise the limit to read it)",
        e.getMessage());
    assertArrayEquals(new int[] {20_000, 20_000}, ImageFiles.dimensions(f));
  }

  @Test
  void theBombAllocatesNothingLargeInASmallHeap() throws Exception {
    Path f = dir.resolve("bomb.png");
    Files.write(f, bomb());
    // The control: plain ImageIO runs out of a 64 MB heap on this file.
    assertTrue(probe("imageio", f).startsWith("OutOfMemoryError"), probe("imageio", f));
    assertEquals("refused " + f + ": the PNG header declares 20,000 × 20,000 pixels"
        + " (400,000,000), more than the limit of 16,777,216 pixels; not decoded (raise the limit"
        + " to read it)", probe("lamina", f));
  }

  /** What {@link BombProbe} printed reading {@code file} in a JVM of 64 MB. */
  private static String probe(String mode, Path file) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
        BombProbe.class.getName(), mode, file.toString()).redirectErrorStream(true).start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the probe finished");
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
  }

  @Test
  void channelStatisticsAndNormalizationPerChannel() {
    // Two samples of 2 channels × 2 values.
    float[] f = {1, 3, 10, 10, 5, 7, 20, 30};
    Dataset d = new Dataset(f, new int[] {0, 1}, new int[] {2, 1, 2}, 2);
    double[][] s = d.channelStatistics();
    assertArrayEquals(new double[] {4, 17.5}, s[0], 1e-12);
    double std0 = Math.sqrt((9 + 1 + 1 + 9) / 4.0);
    double std1 = Math.sqrt((7.5 * 7.5 * 2 + 2.5 * 2.5 + 12.5 * 12.5) / 4);
    assertArrayEquals(new double[] {std0, std1}, s[1], 1e-12);
    Dataset n = d.normalized(s[0], s[1]);
    assertEquals((float) ((3 - 4) / std0), n.features()[1], 1e-6);
    assertEquals((float) ((30 - 17.5) / std1), n.features()[7], 1e-6);
  }

  @Test
  void theValidationSplitIsSeededAndDisjoint() {
    int size = 50;
    float[] f = new float[size];
    int[] l = new int[size];
    for (int i = 0; i < size; i++) {
      f[i] = i;
      l[i] = i % 3;
    }
    Dataset d = new Dataset(f, l, new int[] {1}, 3);
    Dataset.Split a = d.split(0.2, 7);
    Dataset.Split b = d.split(0.2, 7);
    Dataset.Split c = d.split(0.2, 8);
    assertEquals(10, a.validation().size());
    assertEquals(40, a.train().size());
    assertArrayEquals(a.validation().features(), b.validation().features());
    assertTrue(!Arrays.equals(a.validation().features(), c.validation().features()));
    boolean[] seen = new boolean[size];
    for (Dataset part : List.of(a.train(), a.validation())) {
      float last = -1;
      for (int i = 0; i < part.size(); i++) {
        int v = (int) part.features()[i];
        assertTrue(v > last, "original order kept");
        last = v;
        assertTrue(!seen[v], "sample " + v + " in both parts");
        seen[v] = true;
        assertEquals(v % 3, part.label(i));
      }
    }
    assertThrows(IllegalArgumentException.class, () -> d.split(0.001, 1));
  }
}
