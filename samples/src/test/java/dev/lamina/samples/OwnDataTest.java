package dev.lamina.samples;

import static dev.lamina.samples.AppTest.assertOneLineError;
import static dev.lamina.samples.AppTest.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.samples.AppTest.Run;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train} on the user's own data (an image folder, a CSV file) and untrusted images. */
class OwnDataTest {
  @TempDir Path dir;

  /** A 28×28 grey picture, bright in the left half (class "left") or the right half. */
  private static BufferedImage half(boolean left, int seed) {
    BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < 28; y++) {
      for (int x = 0; x < 28; x++) {
        boolean lit = left == (x < 14);
        image.getRaster().setSample(x, y, 0, lit ? 200 + (seed * 7 + x + y) % 50 : 10);
      }
    }
    return image;
  }

  @Test
  void trainOnAnImageFolderPrintsPrecisionAndRecallAndDrawsTheConfusionMatrix()
      throws IOException {
    Path root = dir.resolve("pictures");
    for (String c : new String[] {"left", "right"}) {
      Files.createDirectories(root.resolve(c));
      for (int i = 0; i < 20; i++) {
        ImageIO.write(half(c.equals("left"), i), "png", root.resolve(c + "/" + i + ".png")
            .toFile());
      }
    }
    Path out = dir.resolve("own.ckpt");
    Run r = run("train", "--model", "LeNet5", "--data-dir", root.toString(), "--epochs", "4",
        "--batch", "5", "--threads", "1", "--validation", "0.25", "--crop", "1", "--out",
        out.toString());
    assertEquals(0, r.status(), r.all());
    assertTrue(r.out().contains("on " + root + " (30 train / 10 validation samples)"), r.out());
    assertTrue(r.out().contains("validation accuracy"), r.out());
    assertTrue(r.out().contains("precision  recall  support"), r.out());
    assertTrue(r.out().lines().anyMatch(l -> l.startsWith("0 left ")), r.out());
    assertTrue(r.out().lines().anyMatch(l -> l.startsWith("mean") && l.endsWith("10")), r.out());

    Path png = dir.resolve("own-confusion.png");
    BufferedImage picture = ImageIO.read(png.toFile());
    // Ten classes (LeNet5 outputs), so ten cells a side; the top-left cell is the share of
    // "left" pictures predicted "left", which training on so clear a difference makes most.
    assertTrue(picture.getHeight() > 10 * Charts.CELL, "ten rows of cells");
    assertTrue(r.out().contains("done in"), r.out());
    int left = picture.getWidth() - 20 - 10 * Charts.CELL;
    Color corner = new Color(picture.getRGB(left + 2, 70 + 2));
    Color empty = new Color(picture.getRGB(left + 2 + 5 * Charts.CELL, 70 + 2 + 5 * Charts.CELL));
    assertEquals(Color.WHITE, empty, "a class with no samples is white");
    assertTrue(corner.getRed() < 200, "the correct 'left' predictions shade their cell: "
        + corner);
  }

  /** Pictures bright (200 of 255) in the left or right half, dark (10) in the other. */
  private Path flatPictures() throws IOException {
    Path root = dir.resolve("flat");
    for (String c : new String[] {"left", "right"}) {
      Files.createDirectories(root.resolve(c));
      for (int i = 0; i < 12; i++) {
        BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 28; y++) {
          for (int x = 0; x < 28; x++) {
            boolean lit = c.equals("left") == (x < 14);
            image.getRaster().setSample(x, y, 0, lit ? 200 : 10);
          }
        }
        ImageIO.write(image, "png", root.resolve(c + "/" + i + ".png").toFile());
      }
    }
    return root;
  }

  private static String[] with(String[] common, String... more) {
    String[] all = java.util.Arrays.copyOf(common, common.length + more.length);
    System.arraycopy(more, 0, all, common.length, more.length);
    return all;
  }

  /** The lines "epoch N/M ... validation accuracy X%" of a run, without their times. */
  private static List<String> epochLines(Run r) {
    return r.out().lines().filter(l -> l.startsWith("epoch ") && l.contains("accuracy"))
        .map(l -> l.substring(0, l.lastIndexOf('%') + 1)).toList();
  }

  /**
   * A run stopped after epoch 2 and resumed ends with the bits of a run that never stopped: the
   * same checkpoint (parameters, Adam's moments, steps), run file and best epoch, with the cosine
   * schedule, two threads, a validation split, early stopping, augmentation (random erasing
   * included) and per-channel normalization (every picture has mean 105/255 and deviation
   * 95/255).
   */
  @Test
  void aResumedRunHasTheBitsOfOneThatNeverStopped() throws IOException {
    String[] common = {"train", "--model", "LeNet5", "--data-dir", flatPictures().toString(),
        "--epochs", "4", "--batch", "6", "--threads", "2", "--validation", "0.25", "--patience",
        "3", "--flip", "--crop", "2", "--erase", "0.5", "--normalize"};
    Path straight = dir.resolve("straight.ckpt");
    Run whole = run(with(common, "--out", straight.toString()));
    assertEquals(0, whole.status(), whole.all());
    assertTrue(whole.out().contains("normalized per channel by the training set's mean"
        + " [0.411765] and std [0.372549]"), whole.out());

    Path resumed = dir.resolve("resumed.ckpt");
    Run first = run(with(common, "--out", resumed.toString(), "--stop-after", "2"));
    assertEquals(0, first.status(), first.all());
    assertTrue(first.out().contains("stopped after epoch 2 of 4: continue with --resume"),
        first.out());
    Run rest = run(with(common, "--out", resumed.toString(), "--resume"));
    assertEquals(0, rest.status(), rest.all());
    assertTrue(rest.out().contains("resuming after epoch 2"), rest.out());

    List<String> expected = epochLines(whole);
    assertEquals(4, expected.size(), whole.out());
    assertEquals(expected.subList(0, 2), epochLines(first));
    assertEquals(expected.subList(2, 4), epochLines(rest));
    assertArrayEquals(Files.readAllBytes(straight), Files.readAllBytes(resumed));
    assertEquals(Files.readString(RunFile.of(straight)), Files.readString(RunFile.of(resumed)));
    assertArrayEquals(Files.readAllBytes(RunFile.best(straight)),
        Files.readAllBytes(RunFile.best(resumed)));

    assertOneLineError(run(with(common, "--out", resumed.toString(), "--resume")), "is over (4"
        + " epochs)");
    String[] otherBatch = common.clone();
    otherBatch[java.util.Arrays.asList(common).indexOf("--batch") + 1] = "4";
    assertOneLineError(run(with(otherBatch, "--out", resumed.toString(), "--resume")),
        "was trained with --batch 6, this command has 4");
    assertOneLineError(run(with(common, "--out", dir.resolve("none.ckpt").toString(),
        "--resume")), "none.run does not exist");
  }

  @Test
  void trainOnACsvFileWithTheLabelByName() throws IOException {
    StringBuilder csv = new StringBuilder();
    for (int k = 0; k < 784; k++) {
      csv.append("p").append(k).append(',');
    }
    csv.append("kind\n");
    for (int i = 0; i < 20; i++) {
      for (int k = 0; k < 784; k++) {
        csv.append(String.format(Locale.ROOT, "%.2f,", (k % 2 == i % 2) ? 0.9 : 0.1));
      }
      csv.append(i % 2 == 0 ? "even" : "odd").append('\n');
    }
    Path file = dir.resolve("table.csv");
    Files.writeString(file, csv);
    Run r = run("train", "--model", "Mlp", "--csv", file.toString(), "--label", "kind",
        "--epochs", "1", "--threads", "1", "--out", dir.resolve("table.ckpt").toString());
    assertEquals(0, r.status(), r.all());
    assertTrue(r.out().contains("(16 train / 4 validation samples)"), r.out());
    assertTrue(r.out().lines().anyMatch(l -> l.startsWith("1 odd ")), r.out());

    assertOneLineError(run("train", "--model", "Mlp", "--csv", file.toString(), "--label", "kind",
        "--tta", "--out", dir.resolve("tta.ckpt").toString()), "--tta evaluates mirror images; "
        + file + " holds samples of 784 values");

    Files.writeString(file, "p0,p1,kind\n1,2,a\n3,x,b\n");
    assertOneLineError(run("train", "--model", "Mlp", "--csv", file.toString(), "--label", "kind",
        "--out", dir.resolve("bad.ckpt").toString()), "line 3, column 2 (p1): expected a finite"
        + " number, found \"x\"");
  }

  /** A PNG header declaring 30,000 × 30,000 grey pixels and no image data. */
  private static byte[] declaredHuge() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
    byte[] type = "IHDR".getBytes(StandardCharsets.US_ASCII);
    byte[] data = ByteBuffer.allocate(13).putInt(30_000).putInt(30_000).put((byte) 8).array();
    out.writeBytes(ByteBuffer.allocate(4).putInt(13).array());
    out.writeBytes(type);
    out.writeBytes(data);
    CRC32 crc = new CRC32();
    crc.update(type);
    crc.update(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    return out.toByteArray();
  }

  @Test
  void predictRefusesAnImageDeclaringTooManyPixelsFromItsHeader() throws IOException {
    Path png = dir.resolve("huge.png");
    Files.write(png, declaredHuge());
    assertOneLineError(run("predict", "--weights", "any.ckpt", png.toString()),
        png + ": the PNG header declares 30,000 × 30,000 pixels (900,000,000), more than the limit"
            + " of 16,777,216 pixels; not decoded (raise the limit with --max-pixels to read it)");
  }

  @Test
  void evalAndPredictWithoutWeightsNameTheCheckpointTrainWrites() {
    assertOneLineError(run("eval", "--model", "SmallInception"), "no --weights given, and"
        + " smallinception.ckpt (what 'train --model SmallInception' writes here) does not exist");
    assertOneLineError(run("predict", "--model", "SmallInception", "--from-test", "1"),
        "smallinception.ckpt");
  }

  /**
   * {@code train} without {@code --out} writes {@code mlp.ckpt} in the working directory; {@code
   * eval} and {@code predict} then find it from {@code --model} alone. The files are removed.
   */
  @Test
  void evalAndPredictDefaultToTheCheckpointTrainWrote() throws IOException {
    Path ckpt = Path.of("mlp.ckpt");
    Path[] written = {ckpt, Path.of("mlp.png"), Path.of("mlp-confusion.png"),
        Path.of("mlp.run")};
    for (Path p : written) {
      Assumptions.assumeFalse(Files.exists(p), p.toAbsolutePath() + " exists; not replacing it");
    }
    try {
      String noData = dir.resolve("none").toString();
      Run trained = run("train", "--model", "Mlp", "--epochs", "1", "--data", noData);
      assertEquals(0, trained.status(), trained.all());
      Run eval = run("eval", "--model", "Mlp", "--data", noData);
      assertEquals(0, eval.status(), eval.all());
      assertTrue(eval.out().contains("model Mlp, weights mlp.ckpt"), eval.out());
      Run predict = run("predict", "--model", "Mlp", "--from-test", "2", "--data", noData);
      assertEquals(0, predict.status(), predict.all());
      assertTrue(predict.out().contains("of 2 correct"), predict.out());
    } finally {
      for (Path p : written) {
        Files.deleteIfExists(p);
      }
    }
  }

  @Test
  void ownDataOptionsAreChecked() {
    assertOneLineError(run("train", "--csv", "a.csv", "--data-dir", "d"), "give one");
    assertOneLineError(run("train", "--label", "x"), "no --csv given");
    assertOneLineError(run("train", "--patience", "2"), "--validation");
    assertOneLineError(run("train", "--validation", "1.5"), "--validation");
    assertOneLineError(run("train", "--erase", "1.5"), "--erase must be a probability in [0, 1],"
        + " got 1.5");
  }
}
