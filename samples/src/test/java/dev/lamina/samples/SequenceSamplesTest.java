package dev.lamina.samples;

import static dev.lamina.samples.AppTest.assertOneLineError;
import static dev.lamina.samples.AppTest.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.runtime.data.Dataset;
import dev.lamina.runtime.data.FashionMnist;
import dev.lamina.samples.AppTest.Run;
import dev.lamina.samples.text.Alphabet;
import dev.lamina.samples.text.TextCorpus;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sequence samples: RowLstm / RowGru on Fashion-MNIST rows, and the character model. */
class SequenceSamplesTest {
  @TempDir Path dir;

  /**
   * The app feeds each image as 784 values; RowLstm reads them as {28, 28}, step t being values
   * [28t, 28t + 28). Checked against the IDX file's own row-major pixel order: step t of a sample
   * must be exactly row t of the image, scaled to [0, 1].
   */
  @Test
  void fashionPixelsFeedRowLstmOneImageRowPerStep() throws IOException {
    int images = 3;
    byte[] pixels = new byte[images * 28 * 28];
    new Random(5).nextBytes(pixels);
    byte[] labels = {1, 2, 3};
    for (String set : new String[] {"train", "t10k"}) {
      writeIdx(dir.resolve(set.equals("train") ? FashionMnist.TRAIN_IMAGES
          : FashionMnist.TEST_IMAGES), 0x803, new int[] {images, 28, 28}, pixels);
      writeIdx(dir.resolve(set.equals("train") ? FashionMnist.TRAIN_LABELS
          : FashionMnist.TEST_LABELS), 0x801, new int[] {images}, labels);
    }
    Dataset train = TrainingData.fashion(dir, 0, 1, new PrintWriter(new StringWriter())).train();
    assertArrayEquals(new int[] {28, 28}, Lamina_RowLstm.SUMMARY.inputShape());
    assertArrayEquals(new int[] {28, 28}, Lamina_RowGru.SUMMARY.inputShape());
    assertEquals(Lamina_RowLstm.SUMMARY.inputSize(), train.sampleSize());
    float[] sample = new float[train.sampleSize()];
    for (int i = 0; i < images; i++) {
      train.copySample(i, sample, 0);
      for (int step = 0; step < 28; step++) {
        for (int f = 0; f < 28; f++) {
          // Row `step`, column `f` of image i in the file.
          float pixel = (pixels[(i * 28 + step) * 28 + f] & 0xff) / 255f;
          assertEquals(pixel, sample[step * 28 + f], 1e-6f,
              "image " + i + ", step " + step + ", feature " + f);
        }
      }
    }
  }

  @Test
  void rowGruTrainsInTheApp() {
    Path ckpt = dir.resolve("rowgru.ckpt");
    Run r = run("train", "--model", "RowGru", "--epochs", "1", "--threads", "2", "--data",
        dir.resolve("no-such-folder").toString(), "--out", ckpt.toString());
    assertEquals(0, r.status(), r.all());
    assertTrue(r.out().contains("training RowGru (37,258 parameters)"), r.out());
    Matcher m = Pattern.compile("test accuracy (\\d+\\.\\d+)%").matcher(r.out());
    assertTrue(m.find(), r.out());
    // 2,000 training images, one epoch: well above chance (10%).
    assertTrue(Double.parseDouble(m.group(1)) > 40, r.out());
    Run e = run("eval", "--weights", ckpt.toString(), "--data",
        dir.resolve("no-such-folder").toString());
    assertEquals(0, e.status(), e.all());
  }

  /** Entries of a tiny fortune file whose next character is always predictable. */
  private Path alphabetCorpus() throws IOException {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < 120; i++) {
      s.append("abcdefghijklmnopqrstuvwxyz\n%\n");
    }
    Path file = dir.resolve("alphabet");
    Files.writeString(file, s);
    return file;
  }

  @Test
  void charModelLearnsBelowTheUnigramBaselineAndSamplesWithATemperature() throws IOException {
    Path ckpt = dir.resolve("charlstm.ckpt");
    Run r = run("train-text", "--corpus", alphabetCorpus().toString(), "--steps", "80",
        "--batch", "8", "--lr", "0.01", "--eval-every", "40", "--out", ckpt.toString());
    assertEquals(0, r.status(), r.all());
    Matcher m = Pattern.compile("held-out loss (\\d+\\.\\d+) nats/char .* unigram baseline"
        + " (\\d+\\.\\d+)").matcher(r.out());
    assertTrue(m.find(), r.out());
    double held = Double.parseDouble(m.group(1));
    double unigram = Double.parseDouble(m.group(2));
    // 28 symbols almost equally frequent: the baseline is close to ln 28 = 3.33 nats.
    assertEquals(Math.log(28), unigram, 0.1, r.out());
    assertTrue(held < unigram / 3, "held-out " + held + " vs unigram " + unigram + "\n" + r.out());

    Run s = run("sample-text", "--weights", ckpt.toString(), "--prompt", "abcdefgh",
        "--temperature", "0.2", "--length", "12", "--seed", "3");
    assertEquals(0, s.status(), s.all());
    assertTrue(s.out().startsWith("abcdefghijklmnop"), s.out());
  }

  @Test
  void unigramBaselineIsTheHeldOutCrossEntropyUnderSmoothedTrainingFrequencies()
      throws IOException {
    // Ten entries: the tenth is held out.
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < 9; i++) {
      s.append("aab ").append("x".repeat(20)).append("\n%\n");
    }
    s.append("ab".repeat(25)).append('\n');
    Path file = dir.resolve("small");
    Files.writeString(file, s);
    TextCorpus c = TextCorpus.read(file);
    assertEquals("ab".repeat(25) + "\n%\n", decode(c.heldOut()));
    // Training text: 9 × "aab xxxxxxxxxxxxxxxxxxxx\n%\n" (27 characters each).
    double total = 9 * 27 + Alphabet.SIZE;
    double a = (9 * 2 + 1) / total;
    double b = (9 + 1) / total;
    double newline = (18 + 1) / total;
    double percent = (9 + 1) / total;
    double expected = -(25 * Math.log(a) + 25 * Math.log(b) + 2 * Math.log(newline)
        + Math.log(percent)) / 53;
    assertEquals(expected, c.unigramNats(), 1e-12);
  }

  @Test
  void badTextAndCheckpointsAreOneLineErrors() throws IOException {
    byte[] binary = new byte[4096];
    new Random(1).nextBytes(binary);
    Path noise = dir.resolve("noise");
    Files.write(noise, binary);
    assertOneLineError(run("train-text", "--corpus", noise.toString(), "--steps", "1"),
        noise + ": ");
    assertOneLineError(run("train-text", "--corpus", noise.toString(), "--steps", "1"),
        "not printable ascii");
    assertOneLineError(run("train-text", "--corpus", dir.resolve("missing").toString()),
        "not found");
    Path tiny = dir.resolve("tiny");
    Files.writeString(tiny, "one\n%\ntwo\n");
    assertOneLineError(run("train-text", "--corpus", tiny.toString()), "at least");
    assertOneLineError(run("sample-text", "--weights", dir.resolve("none.ckpt").toString()),
        "weights file not found");
    Path notCkpt = dir.resolve("text.ckpt");
    Files.writeString(notCkpt, "not a checkpoint");
    assertOneLineError(run("sample-text", "--weights", notCkpt.toString()), "text.ckpt");
    assertOneLineError(run("sample-text", "--temperature", "0"), "--temperature");
    assertOneLineError(run("sample-text", "--prompt", "caf\u00e9"), "U+00E9");
  }

  private static String decode(byte[] text) {
    StringBuilder s = new StringBuilder();
    for (byte b : text) {
      s.append(Alphabet.symbol(b));
    }
    return s.toString();
  }

  private static void writeIdx(Path file, int magic, int[] dims, byte[] data) throws IOException {
    try (OutputStream f = Files.newOutputStream(file);
        DataOutputStream out = new DataOutputStream(new GZIPOutputStream(f))) {
      out.writeInt(magic);
      for (int d : dims) {
        out.writeInt(d);
      }
      out.write(data);
    }
  }
}
