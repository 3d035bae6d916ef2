package dev.lamina.samples;

import dev.lamina.runtime.FloatNetwork;
import dev.lamina.runtime.io.Checkpoints;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code gan-sample}: draws a grid of garments with a generator checkpoint written by {@code
 * gan-train}, and optionally scores it.
 */
@Command(name = "gan-sample", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Draw a PNG grid of garments with a FashionGan generator checkpoint (what"
        + " gan-train writes); with --score, also the classifier score of 1,000 images.")
final class GanSampleCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--generator", paramLabel = "FILE", defaultValue = "fashiongan/generator.ckpt",
      description = "Generator checkpoint (default: ${DEFAULT-VALUE}).")
  Path generator;

  @Option(names = "--out", paramLabel = "FILE", defaultValue = "fashiongan-samples.png",
      description = "PNG to write (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--rows", paramLabel = "N", defaultValue = "8",
      description = "Rows and columns of the grid (default: ${DEFAULT-VALUE}).")
  int rows;

  @Option(names = "--seed", paramLabel = "S",
      description = "Seed of the noise (default: the fixed batch of gan-train's grids).")
  Long seed;

  @Option(names = "--score",
      description = "Also print the classifier score of 1,000 generated images.")
  boolean score;

  @Option(names = "--classifier", paramLabel = "FILE", defaultValue = "lenet5.ckpt",
      description = "With --score: the LeNet5 checkpoint (default: ${DEFAULT-VALUE}).")
  Path classifier;

  @Override
  public Integer call() throws Exception {
    if (rows < 1 || rows > 64) {
      throw new ParameterException(spec.commandLine(), "--rows must be in 1..64, got " + rows);
    }
    PrintWriter stdout = spec.commandLine().getOut();
    if (!Files.isRegularFile(generator)) {
      throw new AppException("generator checkpoint not found: " + generator
          + " (gan-train writes it; or pass --generator FILE)");
    }
    OutputFiles.checkWritable(out, "picture");
    FloatNetwork g = new Lamina_FashionGan_Generator(0);
    Checkpoints.load(g, generator);
    int n = rows * rows;
    float[] noise = GanTrainCommand.noise(seed != null ? seed : GanTrainCommand.GRID_SEED, n);
    float[] images = new float[n * g.outputSize()];
    g.forward(noise, n, images);
    SampleGrid.write(images, 28, rows, rows, out);
    stdout.println("samples: " + out);
    if (score) {
      if (!Files.isRegularFile(classifier)) {
        throw new AppException("classifier checkpoint not found: " + classifier
            + " ('train' writes lenet5.ckpt; or pass --classifier FILE)");
      }
      FloatNetwork c = Weights.load(classifier, "LeNet5").network();
      ClassifierScore s = GanTrainCommand.score(g, c,
          GanTrainCommand.noise(GanTrainCommand.SCORE_SEED, ClassifierScore.IMAGES));
      stdout.printf(Locale.ROOT, "score over %,d images: %s%n", s.images(), s.describe());
      stdout.print("images per class:");
      for (int k = 0; k < s.classCounts().length; k++) {
        stdout.printf(Locale.ROOT, " %s %d%s", FashionClasses.name(k), s.classCounts()[k],
            k + 1 < s.classCounts().length ? "," : "");
      }
      stdout.println();
    }
    stdout.flush();
    return 0;
  }
}
