package dev.lamina.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.runtime.FloatNetwork;
import dev.lamina.runtime.data.Dataset;
import dev.lamina.runtime.train.Trainer;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The app's commands run in-process through picocli, with captured output. One short training run
 * on the bundled subset feeds the eval and predict tests.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AppTest {
  @TempDir static Path dir;
  static Path checkpoint;
  static Path chart;
  static Run trained;

  /** A command's exit status and what it printed. */
  record Run(int status, String out, String err) {
    String all() {
      return out + err;
    }
  }

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var cl = App.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int status = cl.execute(args);
    return new Run(status, out.toString(), err.toString());
  }

  /** One line on stderr, a non-zero status, no stack trace. */
  static void assertOneLineError(Run r, String expectedPart) {
    assertNotEquals(0, r.status(), r.all());
    String err = r.err().strip();
    assertFalse(err.contains("\n"), "more than one line on stderr:\n" + err);
    assertFalse(err.contains("\tat ") || err.contains("Exception"), "stack trace or raw"
        + " exception:\n" + err);
    assertTrue(err.toLowerCase().contains(expectedPart.toLowerCase()),
        "expected '" + expectedPart + "' in: " + err);
  }

  @BeforeAll
  static void train() {
    checkpoint = dir.resolve("lenet5.ckpt");
    chart = dir.resolve("lenet5.png");
    trained = run("train", "--model", "LeNet5", "--epochs", "1", "--threads", "2",
        "--data", dir.resolve("no-such-folder").toString(), "--out", checkpoint.toString());
  }

  @Test
  @Order(1)
  void trainFallsBackToTheBundledSubsetAndWritesCheckpointAndChart() throws Exception {
    assertEquals(0, trained.status(), trained.all());
    assertTrue(trained.err().contains("apt-get install dataset-fashion-mnist"), trained.err());
    assertEquals(1, trained.err().strip().lines().count(), "the hint is one line: "
        + trained.err());
    assertTrue(trained.out().contains("epoch 1/1"), trained.out());
    assertTrue(trained.out().contains("test accuracy"), trained.out());
    assertTrue(Files.size(checkpoint) > 61_706 * 4, "checkpoint holds the parameters");
    BufferedImage png = ImageIO.read(chart.toFile());
    assertNotNull(png, "chart is a PNG");
    assertTrue(png.getWidth() > 100 && png.getHeight() > 100);
  }

  @Test
  @Order(2)
  void evalPrintsAccuracyPerClassAndConfusionMatrix() {
    Run r = run("eval", "--weights", checkpoint.toString(), "--data",
        dir.resolve("no-such-folder").toString());
    assertEquals(0, r.status(), r.all());
    assertTrue(r.out().contains("accuracy"), r.out());
    assertTrue(r.out().contains("of 500)"), r.out());
    assertTrue(r.out().contains("Ankle boot"), r.out());
    assertTrue(r.out().contains("T-shirt/top"), r.out());
    assertTrue(r.out().contains("confusion matrix"), r.out());
  }

  /**
   * {@code eval --tta} counts what the runtime trainer's evaluation with mirror images (checked
   * against its definition in the runtime's tests) counts on the same 500 images, and {@code train
   * --tta} with a validation split reports the test and validation accuracies with and without.
   */
  @Test
  @Order(2)
  void ttaEvaluatesEachImageWithItsMirror() throws Exception {
    Path noData = dir.resolve("no-such-folder");
    Run r = run("eval", "--weights", checkpoint.toString(), "--data", noData.toString(), "--tta");
    assertEquals(0, r.status(), r.all());
    assertTrue(r.out().contains("(500 images), each with its mirror image"), r.out());
    FloatNetwork net = Weights.load(checkpoint, "LeNet5").network();
    Dataset test = FashionData.bundled().split().test();
    long correct;
    try (Trainer t = Trainer.builder(net, TrainCommand.optimizer(
        TrainCommand.OptimizerKind.sgd, 0.1f, net.summary())).build()) {
      correct = t.evaluate(test, true).confusion().correct();
    }
    assertTrue(r.out().contains(String.format(java.util.Locale.ROOT, "(%d of 500)", correct)),
        correct + " correct expected: " + r.out());

    Run t = run("train", "--model", "LeNet5", "--epochs", "1", "--threads", "2", "--data",
        noData.toString(), "--validation", "0.2", "--tta", "--out",
        dir.resolve("tta.ckpt").toString());
    assertEquals(0, t.status(), t.all());
    assertTrue(t.out().contains("evaluation with mirror images (--tta)"), t.out());
    assertTrue(t.out().lines().anyMatch(l -> l.matches("done in .*: test accuracy [0-9.]+% with"
        + " --tta \\([0-9.]+% without\\); validation accuracy [0-9.]+% with --tta, [0-9.]+%"
        + " without")), t.out());
  }

  @Test
  @Order(3)
  void predictFromTest() {
    Run r = run("predict", "--weights", checkpoint.toString(), "--from-test", "3", "--data",
        dir.resolve("no-such-folder").toString());
    assertEquals(0, r.status(), r.all());
    // The first three test images are an ankle boot, a pullover and a trouser.
    assertTrue(r.out().contains("test image 0 (true: Ankle boot)"), r.out());
    assertTrue(r.out().contains("test image 2 (true: Trouser)"), r.out());
    assertEquals(3, r.out().lines().filter(l -> l.startsWith("  1. ")).count(), r.out());
    assertTrue(r.out().contains("%"), r.out());
  }

  @Test
  @Order(4)
  void predictOnAPngWithLightBackgroundInvertsIt() throws Exception {
    // A dark trouser-like shape on white paper.
    BufferedImage img = new BufferedImage(90, 120, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, 90, 120);
    g.setColor(new Color(30, 30, 60));
    g.fillRect(25, 5, 40, 20);
    g.fillRect(25, 5, 17, 110);
    g.fillRect(48, 5, 17, 110);
    g.dispose();
    Path png = dir.resolve("trouser.png");
    ImageIO.write(img, "png", png.toFile());
    Run r = run("predict", "--weights", checkpoint.toString(), png.toString());
    assertEquals(0, r.status(), r.all());
    assertTrue(r.out().contains("trouser.png"), r.out());
    assertTrue(r.out().contains("inverted"), r.out());
    assertEquals(3, r.out().lines().filter(l -> l.matches("  [123]\\. .*%")).count(), r.out());
  }

  @Test
  void summaryShowsTheCompilersFigures() {
    Run r = run("summary", "lenet5");
    assertEquals(0, r.status(), r.all());
    assertTrue(r.out().contains("61,706"), r.out());
    assertTrue(r.out().contains("6x28x28"), r.out());
    assertTrue(r.out().contains("16x10x10"), r.out());
    // the memory columns and lines: 61,706 parameters as float, and the per-sample figures
    assertTrue(r.out().contains("train B/sample"), r.out());
    assertTrue(r.out().contains("parameters: 61,706 values, 246,824 bytes as float, 493,648 as"
        + " double"), r.out());
    assertTrue(r.out().contains("64,712"), r.out());
    assertTrue(r.out().contains("97,128"), r.out());
  }

  @Test
  void summaryOfABatch() {
    Run r = run("summary", "lenet5", "--batch", "64");
    assertEquals(0, r.status(), r.all());
    assertTrue(r.out().matches("(?s).*\nbatch 64: inference [0-9,]+ bytes, training [0-9,]+"
        + " bytes \\(float workspace\\)\\R"), r.out());
    assertOneLineError(run("summary", "lenet5", "--batch", "0"), "--batch must be at least 1");
  }

  @Test
  void unknownModel() {
    Run r = run("summary", "AlexNet");
    assertOneLineError(r, "unknown model 'AlexNet'");
    assertTrue(r.err().contains("LeNet5") && r.err().contains("Mlp"), r.err());
  }

  @Test
  void unknownModelForTrain() {
    assertOneLineError(run("train", "--model", "ResNet", "--epochs", "1"), "valid models");
  }

  @Test
  void missingWeightsFile() {
    assertOneLineError(run("eval", "--weights", dir.resolve("missing.ckpt").toString()),
        "missing.ckpt");
  }

  @Test
  @Order(5)
  void checkpointOfAnotherModel() {
    Run r = run("eval", "--weights", checkpoint.toString(), "--model", "Mlp", "--data",
        dir.resolve("no-such-folder").toString());
    assertOneLineError(r, "LeNet5");
  }

  @Test
  void notACheckpoint() throws Exception {
    Path junk = dir.resolve("junk.ckpt");
    Files.writeString(junk, "hello");
    assertOneLineError(run("eval", "--weights", junk.toString()), "junk.ckpt");
  }

  @Test
  void badOptionValue() {
    assertOneLineError(run("train", "--epochs", "many"), "--epochs");
    assertOneLineError(run("train", "--optimizer", "rmsprop"), "--optimizer");
    assertOneLineError(run("train", "--epochs", "0"), "--epochs");
    assertOneLineError(run("train", "--lr", "-1"), "--lr");
    assertOneLineError(run("train", "--spark-average", "8"), "needs --spark-master");
    assertOneLineError(run("train", "--spark-master", "local[2]", "--spark-average", "0"),
        "K >= 1");
  }

  @Test
  void unknownOptionAndMissingArguments() {
    assertOneLineError(run("train", "--epoch", "3"), "--epoch");
    assertOneLineError(run("predict", "--weights", "x.ckpt"), "IMAGE");
    assertOneLineError(run("summary"), "MODEL");
  }

  @Test
  void imageThatIsNotAnImage() throws Exception {
    Path txt = dir.resolve("notes.png");
    Files.writeString(txt, "not an image");
    assertOneLineError(run("predict", "--weights", "any.ckpt", txt.toString()), "notes.png");
  }

  @Test
  void helpTextsFormatCleanly() {
    for (String cmd : new String[] {"train", "eval", "predict", "summary"}) {
      Run r = run(cmd, "--help");
      assertEquals(0, r.status(), r.all());
      assertTrue(r.out().startsWith("Usage: lamina " + cmd), r.out());
      assertEquals("", r.err(), cmd + " --help warned");
    }
    // '%' must be escaped in picocli descriptions; unescaped ones print raw with a warning.
    assertTrue(run("train", "--help").out().replaceAll("\\s+", " ").contains("1% of --lr"));
  }

  @Test
  void modelsByQualifiedName() {
    Run r = run("summary", "dev.lamina.samples.Mlp");
    assertEquals(0, r.status(), r.all());
    assertTrue(r.out().contains("79,510"), r.out());
    assertOneLineError(run("summary", "com.example.Nothing"), "unknown model");
  }
}
