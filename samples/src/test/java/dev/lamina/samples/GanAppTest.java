package dev.lamina.samples;

import static dev.lamina.samples.AppTest.assertOneLineError;
import static dev.lamina.samples.AppTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gan-train} and {@code gan-sample}: one short run on the bundled subset (a few seconds of
 * one epoch) writes the checkpoints, the grid, the chart and a classifier it trains itself; the
 * grid drawn from the saved generator is the training's own.
 */
class GanAppTest {
  @TempDir static Path dir;
  static Path out;
  static Path classifier;
  static AppTest.Run trained;

  @BeforeAll
  static void train() {
    out = dir.resolve("gan");
    classifier = dir.resolve("lenet5.ckpt");
    trained = run("gan-train", "--epochs", "2", "--minutes", "0.03", "--batch", "16",
        "--ema", "0.9", "--threads", "2", "--data", dir.resolve("no-such-folder").toString(), "--out",
        out.toString(), "--classifier", classifier.toString());
  }

  /** Side of the 8x8 grid of 28x28 images. */
  private static int gridSide(int rows) {
    return SampleGrid.GAP + rows * (28 * SampleGrid.SCALE + SampleGrid.GAP);
  }

  @Test
  void trainWritesCheckpointsGridChartAndScore() throws Exception {
    assertEquals(0, trained.status(), trained.all());
    String o = trained.out();
    assertTrue(o.contains("no classifier at " + classifier + ": training LeNet5 for 3 epochs"),
        o);
    assertTrue(Files.isRegularFile(classifier), "the classifier is saved for the next run");
    assertTrue(o.contains("the classifier on the first "), o);
    assertTrue(o.contains("real test images (the ceiling of the score): mean top-class"), o);
    assertTrue(o.contains("beta1 0.5, generator average 0.9, 2 threads"), o);
    assertTrue(o.contains("epoch 1/2 (stopped after"), o);
    assertTrue(o.contains("score: mean top-class probability"), o);
    assertTrue(o.contains("of 10 classes with >= 3% of the images"), o);
    assertTrue(!o.contains("epoch 2/2"), "--minutes ends the run: " + o);
    for (String f : new String[] {"generator.ckpt", "discriminator.ckpt", "losses.png"}) {
      assertTrue(Files.size(out.resolve(f)) > 1000, f);
    }
    BufferedImage grid = ImageIO.read(out.resolve("samples-epoch-01.png").toFile());
    assertEquals(gridSide(8), grid.getWidth());
    assertEquals(gridSide(8), grid.getHeight());
  }

  @Test
  void sampleDrawsTheTrainingsGridFromTheCheckpoint() throws Exception {
    assertEquals(0, trained.status(), trained.all());
    Path png = dir.resolve("drawn.png");
    AppTest.Run r = run("gan-sample", "--generator", out.resolve("generator.ckpt").toString(),
        "--out", png.toString(), "--score", "--classifier", classifier.toString());
    assertEquals(0, r.status(), r.all());
    assertTrue(r.out().contains("score over 1,000 images: mean top-class probability"), r.out());
    assertTrue(r.out().contains("images per class: T-shirt/top "), r.out());
    BufferedImage drawn = ImageIO.read(png.toFile());
    BufferedImage saved = ImageIO.read(out.resolve("samples-epoch-01.png").toFile());
    for (int y = 0; y < drawn.getHeight(); y++) {
      for (int x = 0; x < drawn.getWidth(); x++) {
        assertEquals(saved.getRGB(x, y), drawn.getRGB(x, y), "pixel " + x + ", " + y);
      }
    }
    r = run("gan-sample", "--generator", out.resolve("generator.ckpt").toString(),
        "--out", png.toString(), "--rows", "3", "--seed", "5");
    assertEquals(0, r.status(), r.all());
    assertEquals(gridSide(3), ImageIO.read(png.toFile()).getWidth());
  }

  @Test
  void badInputIsOneLineNamingTheProblem() {
    Path png = dir.resolve("x.png");
    assertOneLineError(run("gan-sample", "--generator", dir.resolve("none.ckpt").toString(),
        "--out", png.toString()), "generator checkpoint not found: " + dir.resolve("none.ckpt"));
    assertEquals(0, trained.status(), trained.all());
    assertOneLineError(run("gan-sample", "--generator", classifier.toString(), "--out",
        png.toString()), classifier.toString());
    assertOneLineError(run("gan-sample", "--rows", "0"), "--rows must be in 1..64, got 0");
    assertOneLineError(run("gan-train", "--minutes", "-1"), "--minutes must be a positive"
        + " number, got -1.0");
    assertOneLineError(run("gan-train", "--lr", "NaN"), "--lr must be a positive number");
    assertOneLineError(run("gan-train", "--real-label", "0.5"), "--real-label must be above 0.5"
        + " and at most 1, got 0.5");
    assertOneLineError(run("gan-train", "--ema", "1"), "--ema must be at least 0 and below 1,"
        + " got 1.0");
    assertOneLineError(run("gan-train", "--score-every", "0"), "--score-every must be at least"
        + " 1, got 0");
  }
}
