package dev.lamina.samples;

import dev.lamina.runtime.Optimizer;
import dev.lamina.runtime.optim.LearningRateSchedule;
import dev.lamina.runtime.optim.Optimizers;
import dev.lamina.samples.text.CharLstm;
import dev.lamina.samples.text.CharModel;
import dev.lamina.samples.text.Lamina_CharLstm;
import dev.lamina.samples.text.TextCorpus;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code train-text}: trains the character-level {@link CharLstm} on fortune-file text with a loss
 * at every step, and reports the held-out loss per character beside the unigram baseline.
 */
@Command(name = "train-text", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Train the character-level LSTM (CharLstm) on text in fortune-file format"
        + " (entries separated by lines of %%), predicting every next character; one entry in"
        + " ten is held out. Prints the held-out loss per character beside the unigram baseline"
        + " and saves the checkpoint that sample-text reads.")
final class TrainTextCommand implements Callable<Integer> {
  /** Where Debian's {@code fortunes} package puts its files. */
  static final String DEFAULT_CORPUS = "/usr/share/games/fortunes";

  @Spec CommandSpec spec;

  @Option(names = "--corpus", paramLabel = "PATH", defaultValue = DEFAULT_CORPUS,
      description = "A fortune file, or a folder of them (default: ${DEFAULT-VALUE}, Debian"
          + " package fortunes).")
  Path corpus;

  @Option(names = "--steps", paramLabel = "N", defaultValue = "2000",
      description = "Updates (default: ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--batch", paramLabel = "B", defaultValue = "32",
      description = "Windows of " + CharLstm.STEPS + " characters per update (default:"
          + " ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--lr", paramLabel = "X", defaultValue = "0.003",
      description = "Adam's initial learning rate, cosine-decayed to 1%% of it (default:"
          + " ${DEFAULT-VALUE}).")
  float lr;

  @Option(names = "--clip", paramLabel = "X", defaultValue = "5",
      description = "Rescale the gradient to this global L2 norm when larger; 0: never"
          + " (default: ${DEFAULT-VALUE}).")
  float clip;

  @Option(names = "--eval-every", paramLabel = "N", defaultValue = "250",
      description = "Report the loss on the first " + TrainTextCommand.EVAL_CHARS + " held-out"
          + " characters every N updates (default: ${DEFAULT-VALUE}).")
  int evalEvery;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "1",
      description = "Seed for initialization and the windows drawn (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--out", paramLabel = "FILE", defaultValue = "charlstm.ckpt",
      description = "Checkpoint to write (default: ${DEFAULT-VALUE}).")
  Path out;

  /** Held-out characters evaluated during training; the final figure uses all of them. */
  static final int EVAL_CHARS = 32 * 1024;

  @Override
  public Integer call() throws Exception {
    var cl = spec.commandLine();
    if (steps < 1 || batch < 1 || evalEvery < 1) {
      throw new ParameterException(cl, "--steps, --batch and --eval-every must be at least 1");
    }
    if (!(lr > 0 && Float.isFinite(lr)) || !(clip >= 0 && Float.isFinite(clip))) {
      throw new ParameterException(cl, "--lr must be a positive number and --clip at least 0");
    }
    PrintWriter o = cl.getOut();
    OutputFiles.checkWritable(out, "checkpoint");
    TextCorpus text = TextCorpus.read(corpus);
    double unigram = text.unigramNats();
    Lamina_CharLstm net = new Lamina_CharLstm(seed);
    CharModel model = new CharModel(net, batch);
    Optimizer opt = Optimizers.adam(lr).build(net.summary()).clipGradientNorm(clip);
    LearningRateSchedule schedule = LearningRateSchedule.cosine(lr, lr / 100, 1);
    byte[] probe = Arrays.copyOf(text.heldOut(), Math.min(EVAL_CHARS, text.heldOut().length));
    o.printf(Locale.ROOT, "training CharLstm (%,d parameters) on %s: %,d entries, %,d training"
        + " and %,d held-out characters%n", net.summary().totalParameters(), text.source(),
        text.entries(), text.train().length, text.heldOut().length);
    o.printf(Locale.ROOT, "%d updates of %d windows of %d characters, Adam lr %s cosine, clip"
        + " %s, seed %d%n", steps, batch, CharLstm.STEPS, lr, clip, seed);
    o.printf(Locale.ROOT, "unigram baseline on the held-out text: %.4f nats/char (%.3f bits)%n",
        unigram, bits(unigram));
    o.flush();
    SplittableRandom random = new SplittableRandom(seed);
    long started = System.nanoTime();
    double sum = 0;
    int since = 0;
    for (int s = 0; s < steps; s++) {
      opt.setLearningRate(schedule.learningRate(0, s, steps));
      float loss = model.step(text.train(), opt, random);
      if (!Float.isFinite(loss)) {
        throw new AppException("training diverged at update " + (s + 1) + " (loss " + loss
            + "); try a lower --lr or a --clip");
      }
      sum += loss;
      since++;
      if ((s + 1) % evalEvery == 0 || s + 1 == steps) {
        double held = model.loss(probe);
        double seconds = (System.nanoTime() - started) / 1e9;
        o.printf(Locale.ROOT, "update %d/%d  train %.4f  held-out (first %,d chars) %.4f"
            + " nats/char (%.3f bits)  %.0f s, %,.0f chars/s%n", s + 1, steps, sum / since,
            probe.length, held, bits(held), seconds,
            (double) (s + 1) * batch * CharLstm.STEPS / seconds);
        o.flush();
        sum = 0;
        since = 0;
      }
    }
    double held = model.loss(text.heldOut());
    double seconds = (System.nanoTime() - started) / 1e9;
    Weights.save(net, out);
    o.printf(Locale.ROOT, "done in %s: held-out loss %.4f nats/char (%.3f bits), unigram"
        + " baseline %.4f (%.3f bits)%n", Progress.clock(java.time.Duration.ofSeconds(
            Math.round(seconds))), held, bits(held), unigram, bits(unigram));
    o.println("checkpoint: " + out);
    o.flush();
    return 0;
  }

  private static double bits(double nats) {
    return nats / Math.log(2);
  }
}
