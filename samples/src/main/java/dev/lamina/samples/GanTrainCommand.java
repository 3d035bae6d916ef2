package dev.lamina.samples;

import dev.lamina.runtime.FloatNetwork;
import dev.lamina.runtime.SeededRandom;
import dev.lamina.runtime.data.Dataset;
import dev.lamina.runtime.data.MiniBatches;
import dev.lamina.runtime.gan.GanTrainer;
import dev.lamina.runtime.io.Checkpoints;
import dev.lamina.runtime.optim.LearningRateSchedule;
import dev.lamina.runtime.optim.Optimizers;
import dev.lamina.runtime.train.Trainer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code gan-train}: trains the {@link FashionGan} DCGAN on Fashion-MNIST; after each epoch writes
 * the checkpoints, a PNG grid of 8×8 samples from a fixed noise batch, the loss chart, and prints
 * the {@link ClassifierScore}.
 */
@Command(name = "gan-train", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Train the FashionGan DCGAN on Fashion-MNIST. Each epoch writes the generator's"
        + " and discriminator's checkpoints, a PNG grid of 8x8 samples from a fixed noise batch"
        + " and a chart of the losses and the classifier score into --out.")
final class GanTrainCommand implements Callable<Integer> {
  /** Seed of the fixed noise batch of the grids (the same for every run and epoch). */
  static final long GRID_SEED = 0x67726964L;
  /** Seed of the noise of the classifier score's images. */
  static final long SCORE_SEED = 0x73636F7265L;
  /** Epochs the classifier is trained when its checkpoint is missing. */
  static final int CLASSIFIER_EPOCHS = 3;

  @Spec CommandSpec spec;

  @Option(names = "--epochs", paramLabel = "N", defaultValue = "10",
      description = "Epochs (default: ${DEFAULT-VALUE}).")
  int epochs;

  @Option(names = "--minutes", paramLabel = "M",
      description = "Stop after M minutes of training, at the end of the step in progress, and"
          + " finish that epoch's outputs (default: no limit).")
  Double minutes;

  @Option(names = "--score-every", paramLabel = "S",
      description = "Also print the classifier score every S steps (counted over the whole run);"
          + " the time it takes is not counted in --minutes (default: at the end of each epoch"
          + " only).")
  Integer scoreEvery;

  @Option(names = "--batch", paramLabel = "B", defaultValue = "64",
      description = "Real and generated images per step (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--lr", paramLabel = "X", defaultValue = "2e-4",
      description = "Adam's learning rate for both networks, beta1 0.5 (default:"
          + " ${DEFAULT-VALUE}, the DCGAN paper's).")
  float lr;

  @Option(names = "--real-label", paramLabel = "R", defaultValue = "1",
      description = "The discriminator's target for real images; 0.9 is one-sided label"
          + " smoothing (default: ${DEFAULT-VALUE}).")
  float realLabel;

  @Option(names = "--ema", paramLabel = "D",
      description = "Keep an exponential moving average of the generator's parameters with decay"
          + " D (e.g. 0.999) and draw the grids, the score and generator.ckpt from it (default:"
          + " the last step's generator).")
  Float ema;

  @Option(names = "--threads", paramLabel = "T",
      description = "Threads for data-parallel training (default: all processors).")
  Integer threads;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "1",
      description = "Seed for initialization, shuffling and noise (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--data", paramLabel = "DIR", defaultValue = FashionData.DEFAULT_FOLDER,
      description = "Fashion-MNIST folder (default: ${DEFAULT-VALUE}; the bundled subset if"
          + " missing).")
  Path data;

  @Option(names = "--out", paramLabel = "DIR", defaultValue = "fashiongan",
      description = "Folder for generator.ckpt, discriminator.ckpt, samples-epoch-N.png and"
          + " losses.png (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--classifier", paramLabel = "FILE", defaultValue = "lenet5.ckpt",
      description = "LeNet5 checkpoint for the classifier score (default: ${DEFAULT-VALUE}, what"
          + " 'train' writes; trained for " + CLASSIFIER_EPOCHS + " epochs and saved there if"
          + " missing).")
  Path classifier;

  @Override
  public Integer call() throws Exception {
    var cl = spec.commandLine();
    if (epochs < 1 || batch < 1) {
      throw new ParameterException(cl, "--epochs and --batch must be at least 1");
    }
    if (!(lr > 0 && Float.isFinite(lr))) {
      throw new ParameterException(cl, "--lr must be a positive number, got " + lr);
    }
    if (!(realLabel > 0.5f && realLabel <= 1f)) {
      throw new ParameterException(cl, "--real-label must be above 0.5 and at most 1, got "
          + realLabel);
    }
    if (ema != null && !(ema >= 0f && ema < 1f)) {
      throw new ParameterException(cl, "--ema must be at least 0 and below 1, got " + ema);
    }
    if (threads != null && threads < 1) {
      throw new ParameterException(cl, "--threads must be at least 1, got " + threads);
    }
    if (scoreEvery != null && scoreEvery < 1) {
      throw new ParameterException(cl, "--score-every must be at least 1, got " + scoreEvery);
    }
    if (minutes != null && !(minutes > 0 && Double.isFinite(minutes))) {
      throw new ParameterException(cl, "--minutes must be a positive number, got " + minutes);
    }
    PrintWriter out = cl.getOut();
    PrintWriter err = cl.getErr();
    int t = Math.min(batch, threads != null ? threads
        : Runtime.getRuntime().availableProcessors());
    Path gFile = this.out.resolve("generator.ckpt");
    Path dFile = this.out.resolve("discriminator.ckpt");
    Path chartFile = this.out.resolve("losses.png");
    OutputFiles.checkWritable(gFile, "checkpoint");
    OutputFiles.checkWritable(dFile, "checkpoint");
    FashionData.Loaded loaded = FashionData.load(data, err);
    FloatNetwork scorer = classifier(classifier, loaded, t, seed, out);
    // Pixels from [0, 1] to the generator's [-1, 1].
    Dataset train = loaded.split().train().normalized(0.5, 0.5);
    if (train.size() < batch) {
      throw new AppException(loaded.source() + " has " + train.size() + " training images,"
          + " fewer than one batch of " + batch);
    }
    FloatNetwork g = new Lamina_FashionGan_Generator(seed);
    // What the grids, the score and the checkpoint show: the average, or the generator itself.
    FloatNetwork shown = ema == null ? g : new Lamina_FashionGan_Generator(seed);
    FloatNetwork d = new Lamina_FashionGan_Discriminator(SeededRandom.streamSeed(seed, 1));
    MiniBatches batches = new MiniBatches(train, batch, seed, true);
    int steps = train.size() / batch; // the last, partial batch is left out
    float[] gridNoise = noise(GRID_SEED, 64);
    float[] scoreNoise = noise(SCORE_SEED, ClassifierScore.IMAGES);
    out.printf(Locale.ROOT, "training FashionGan (generator %,d parameters, discriminator %,d) on"
        + " %s (%,d images)%n", g.summary().totalParameters(), d.summary().totalParameters(),
        loaded.source(), train.size());
    out.printf(Locale.ROOT, "%d epoch%s of %,d steps%s, batch %d, Adam lr %s beta1 0.5,%s %d"
        + " thread%s, seed %d%n", epochs, epochs == 1 ? "" : "s", steps,
        minutes != null ? String.format(Locale.ROOT, " (at most %s minutes)", minutes) : "",
        batch, lr, (realLabel == 1f ? "" : " real label " + realLabel + ",")
        + (ema == null ? "" : " generator average " + ema + ","), t,
        t == 1 ? "" : "s", seed);
    Dataset test = loaded.split().test();
    int realCount = Math.min(ClassifierScore.IMAGES, test.size());
    out.printf(Locale.ROOT, "the classifier on the first %,d real test images (the ceiling of"
        + " the score): %s%n", realCount, ClassifierScore.of(scorer,
            test.subset(0, realCount).normalized(0.5, 0.5).features(), realCount).describe());
    out.flush();
    List<Charts.GanPoint> points = new ArrayList<>();
    boolean terminal = System.console() != null;
    long started = System.nanoTime();
    long deadline = minutes == null ? Long.MAX_VALUE
        : started + (long) (minutes * 60e9);
    long scoring = 0; // nanoseconds spent on --score-every, added to the deadline
    boolean stopped = false;
    GanTrainer.Builder builder = GanTrainer.builder(g, d).batchSize(batch).threads(t).seed(seed)
        .realTarget(realLabel).generatorOptimizer(adam(lr)).discriminatorOptimizer(adam(lr));
    if (ema != null) {
      builder.generatorAverage(shown, ema);
    }
    try (GanTrainer trainer = builder.build()) {
      for (int e = 0; e < epochs && !stopped; e++) {
        batches.startEpoch(e);
        Progress progress = Progress.create(terminal, out);
        progress.start(e + 1, epochs, (long) steps * batch);
        double dSum = 0;
        double gSum = 0;
        int done = 0;
        long epochStart = System.nanoTime();
        for (int b = 0; b < steps; b++) {
          batches.load(b);
          trainer.step(batches.inputs(), 0);
          GanTrainer.StepResult r = trainer.lastStep();
          if (!Float.isFinite(r.discriminator()) || !Float.isFinite(r.generator())) {
            throw new AppException(String.format(Locale.ROOT, "training diverged at epoch %d,"
                + " step %d: D loss %s, G loss %s; try a lower --lr", e + 1, b + 1,
                r.discriminator(), r.generator()));
          }
          dSum += r.discriminator();
          gSum += r.generator();
          done++;
          progress.update((long) done * batch, dSum / done);
          long step = trainer.steps();
          if (scoreEvery != null && step % scoreEvery == 0) {
            long t0 = System.nanoTime();
            out.printf(Locale.ROOT, "step %,d (%.1f s of training): D loss %.4f  G loss %.4f"
                + "  score: %s%s%n", step, (t0 - started - scoring) / 1e9, r.discriminator(),
                r.generator(), score(shown, scorer, scoreNoise).describe(), shown == g ? ""
                    : "; the last step's generator: " + score(g, scorer, scoreNoise).describe());
            out.flush();
            scoring += System.nanoTime() - t0;
          }
          if (System.nanoTime() - scoring >= deadline) {
            stopped = true;
            break;
          }
        }
        progress.close();
        double seconds = (System.nanoTime() - epochStart) / 1e9;
        ClassifierScore score = score(shown, scorer, scoreNoise);
        Path grid = this.out.resolve(String.format(Locale.ROOT, "samples-epoch-%02d.png", e + 1));
        writeGrid(shown, gridNoise, grid);
        Checkpoints.save(shown, gFile);
        Checkpoints.save(d, dFile);
        points.add(new Charts.GanPoint(e + 1, dSum / done, gSum / done,
            score.meanTopProbability(), score.classesPresent()));
        Charts.writeGanChart("FashionGan on " + loaded.source(), points,
            score.classCounts().length, chartFile);
        out.printf(Locale.ROOT, "epoch %d/%d%s  D loss %.4f  G loss %.4f  score: %s  %.1f s"
            + " (%,.0f img/s)  %s%n", e + 1, epochs,
            stopped ? String.format(Locale.ROOT, " (stopped after %,d of %,d steps: --minutes)",
                done, steps) : "", dSum / done, gSum / done, score.describe(), seconds,
            done * batch / seconds, grid);
        out.flush();
      }
    }
    double total = (System.nanoTime() - started) / 1e9;
    out.printf(Locale.ROOT, "done in %s%n", Progress.clock(Duration.ofSeconds(Math.round(total))));
    out.println("generator:     " + gFile);
    out.println("discriminator: " + dFile);
    out.println("chart:         " + chartFile);
    out.flush();
    return 0;
  }

  /** The DCGAN paper's Adam with learning rate {@code lr}. */
  private static dev.lamina.runtime.Optimizer adam(float lr) {
    return Optimizers.adam(lr).betas(0.5f, 0.999f).build();
  }

  /** {@code count} noise vectors of {@link FashionGan#NOISE} standard normal values. */
  static float[] noise(long seed, int count) {
    SeededRandom r = new SeededRandom(seed);
    float[] z = new float[count * FashionGan.NOISE];
    for (int i = 0; i < z.length; i++) {
      z[i] = (float) r.nextGaussian();
    }
    return z;
  }

  /** The classifier score of the images {@code g} draws from {@code noise} (inference mode). */
  static ClassifierScore score(FloatNetwork g, FloatNetwork classifier, float[] noise) {
    int n = noise.length / g.inputSize();
    float[] images = new float[n * g.outputSize()];
    g.forward(noise, n, images);
    return ClassifierScore.of(classifier, images, n);
  }

  /** The 8×8 grid of the images {@code g} draws from {@code noise} (64 vectors) to {@code file}. */
  static void writeGrid(FloatNetwork g, float[] noise, Path file) throws IOException {
    float[] images = new float[64 * g.outputSize()];
    g.forward(noise, 64, images);
    SampleGrid.write(images, 28, 8, 8, file);
  }

  /**
   * The LeNet5 of {@code file}; when the file does not exist, a LeNet5 trained on {@code data}
   * for {@value #CLASSIFIER_EPOCHS} epochs, saved there.
   */
  static FloatNetwork classifier(Path file, FashionData.Loaded data, int threads, long seed,
      PrintWriter out) throws IOException {
    if (Files.exists(file)) {
      return Weights.load(file, "LeNet5").network();
    }
    OutputFiles.checkWritable(file, "classifier checkpoint");
    out.printf(Locale.ROOT, "no classifier at %s: training LeNet5 for %d epochs on %s%n", file,
        CLASSIFIER_EPOCHS, data.source());
    out.flush();
    FloatNetwork net = Models.get("LeNet5").create(seed);
    float rate = 2e-3f;
    var optimizer = Optimizers.adam(rate).build(net.summary());
    try (Trainer trainer = Trainer.builder(net, optimizer).batchSize(64).threads(threads)
        .seed(seed).schedule(LearningRateSchedule.cosine(rate, rate / 100, CLASSIFIER_EPOCHS))
        .build()) {
      trainer.fit(data.split().train(), null, CLASSIFIER_EPOCHS);
      out.printf(Locale.ROOT, "classifier: test accuracy %.2f%%, saved to %s%n",
          100 * trainer.evaluate(data.split().test()).accuracy(), file);
      trainer.saveCheckpoint(file, CLASSIFIER_EPOCHS);
    }
    out.flush();
    return net;
  }
}
