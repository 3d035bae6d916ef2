package dev.lamina.samples;

import dev.lamina.runtime.FloatNetwork;
import dev.lamina.runtime.NetworkSummary;
import dev.lamina.runtime.Optimizer;
import dev.lamina.runtime.data.Augmentation;
import dev.lamina.runtime.data.Dataset;
import dev.lamina.runtime.optim.LearningRateSchedule;
import dev.lamina.runtime.optim.Optimizers;
import dev.lamina.runtime.train.EpochResult;
import dev.lamina.runtime.train.Trainer;
import dev.lamina.runtime.train.TrainingListener;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code train}: trains a model on Fashion-MNIST, an image folder or a CSV file; saves the
 * checkpoint (with the training state), a chart and the confusion matrix.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Train a model on Fashion-MNIST, on an image folder (--data-dir) or on a CSV file"
        + " (--csv); save the checkpoint, a PNG chart of loss and accuracy per epoch and the"
        + " confusion matrix as a PNG.")
final class TrainCommand implements Callable<Integer> {
  /** The optimizers offered. */
  enum OptimizerKind {
    sgd, momentum, adam
  }

  /** The learning-rate schedules offered. */
  enum ScheduleKind {
    constant, step, cosine
  }

  @Spec CommandSpec spec;

  @Option(names = "--model", paramLabel = "MODEL", defaultValue = "LeNet5",
      description = "Model to train: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).",
      completionCandidates = ModelNames.class)
  String model;

  @Option(names = "--epochs", paramLabel = "N", defaultValue = "12",
      description = "Epochs (default: ${DEFAULT-VALUE}).")
  int epochs;

  @Option(names = "--batch", paramLabel = "B", defaultValue = "64",
      description = "Mini-batch size (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--optimizer", paramLabel = "NAME", defaultValue = "adam",
      description = "sgd, momentum (0.9) or adam (default: ${DEFAULT-VALUE}).")
  OptimizerKind optimizer;

  @Option(names = "--lr", paramLabel = "X",
      description = "Initial learning rate (default: 0.002 for adam, 0.05 for momentum, 0.1 for"
          + " sgd).")
  Float lr;

  @Option(names = "--schedule", paramLabel = "NAME", defaultValue = "cosine",
      description = "Learning-rate schedule: constant, step (x0.1 every third of the epochs) or"
          + " cosine (down to 1%% of --lr) (default: ${DEFAULT-VALUE}).")
  ScheduleKind schedule;

  @Option(names = "--threads", paramLabel = "T",
      description = "Threads for data-parallel training (default: all processors).")
  Integer threads;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "1",
      description = "Seed for initialization and shuffling (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--data", paramLabel = "DIR", defaultValue = FashionData.DEFAULT_FOLDER,
      description = "Fashion-MNIST folder (default: ${DEFAULT-VALUE}; the bundled subset if"
          + " missing).")
  Path data;

  @Option(names = "--data-dir", paramLabel = "DIR",
      description = "Train on your own images instead: DIR/<class>/*.png|jpg, classes in sorted"
          + " order, converted to the model's input shape.")
  Path dataDir;

  @Option(names = "--resize",
      description = "With --data-dir: stretch images of another size to the model's input size"
          + " (area averaging) instead of refusing them.")
  boolean resize;

  @Option(names = "--skip-unreadable",
      description = "With --data-dir: skip unreadable images (each named, then counted) instead"
          + " of stopping at the first.")
  boolean skipUnreadable;

  @Option(names = "--max-pixels", paramLabel = "N", defaultValue = "16777216",
      description = "With --data-dir: refuse images whose header declares more pixels (default:"
          + " ${DEFAULT-VALUE}, 4096x4096).")
  long maxPixels;

  @Option(names = "--csv", paramLabel = "FILE",
      description = "Train on a CSV file instead: numeric feature columns and a label column.")
  Path csv;

  @Option(names = "--label", paramLabel = "COL",
      description = "With --csv: the label column, by header name or 0-based index (default: the"
          + " last column).")
  String label;

  @Option(names = "--validation", paramLabel = "F",
      description = "Hold out this fraction of the training data (seeded) as a validation set,"
          + " evaluated after each epoch (default: none for Fashion-MNIST, 0.2 for your own"
          + " data).")
  Double validation;

  @Option(names = "--patience", paramLabel = "N", defaultValue = "0",
      description = "Early stopping: stop after N epochs without a lower validation loss and keep"
          + " the best epoch (default: ${DEFAULT-VALUE}, off; needs a validation set).")
  int patience;

  @Option(names = "--flip", description = "Augmentation: flip training images horizontally at"
      + " random.")
  boolean flip;

  @Option(names = "--crop", paramLabel = "P", defaultValue = "0",
      description = "Augmentation: random crop after padding by P pixels (default:"
          + " ${DEFAULT-VALUE}, none).")
  int crop;

  @Option(names = "--translate", paramLabel = "T", defaultValue = "0",
      description = "Augmentation: random translation by up to T pixels, edges repeated (default:"
          + " ${DEFAULT-VALUE}, none).")
  int translate;

  @Option(names = "--erase", paramLabel = "Q", defaultValue = "0",
      description = "Augmentation: random erasing, with probability Q per image, of a rectangle"
          + " of 2%% to 33%% of the image (set to 0; as torchvision's RandomErasing) (default:"
          + " ${DEFAULT-VALUE}, none).")
  double erase;

  @Option(names = "--tta", description = "Test-time augmentation: every evaluation (each epoch's"
      + " and the final one) classifies an image by the mean of its own and its mirror image's"
      + " class probabilities; the final line also gives the accuracy without.")
  boolean tta;

  @Option(names = "--normalize",
      description = "With --data-dir: normalize each channel by the training set's mean and"
          + " standard deviation (printed and kept in the run file), the validation set with"
          + " the same.")
  boolean normalize;

  @Option(names = "--stop-after", paramLabel = "N",
      description = "Stop after epoch N of the run, leaving it to continue with --resume (the"
          + " schedule still spans --epochs).")
  Integer stopAfter;

  @Option(names = "--resume",
      description = "Continue the run whose checkpoint (--out) and run file (<checkpoint>.run)"
          + " 'train' wrote after its last epoch, with the same options: the result has the"
          + " bits of a run that never stopped.")
  boolean resume;

  @Option(names = "--spark-master", paramLabel = "URL",
      description = "Train on the Apache Spark cluster at URL (spark://HOST:PORT, or local[N] in"
          + " this JVM); needs Spark's jars on the class path (see the README). --threads sets"
          + " the partitions (default: the cluster's cores).")
  String sparkMaster;

  @Option(names = "--spark-average", paramLabel = "K",
      description = "With --spark-master: average the parameters every K local steps instead"
          + " of synchronous SGD.")
  Integer sparkAverage;

  @Option(names = "--out", paramLabel = "FILE",
      description = "Checkpoint to write (default: <model>.ckpt in the working directory).")
  Path out;

  @Option(names = "--chart", paramLabel = "FILE",
      description = "PNG chart of loss and accuracy per epoch (default: next to the checkpoint,"
          + " with extension .png).")
  Path chart;

  @Option(names = "--confusion", paramLabel = "FILE",
      description = "PNG of the final confusion matrix (default: next to the checkpoint, named"
          + " <checkpoint>-confusion.png).")
  Path confusion;

  private void validate() {
    var cl = spec.commandLine();
    if (epochs < 1) {
      throw new ParameterException(cl, "--epochs must be at least 1, got " + epochs);
    }
    if (batch < 1) {
      throw new ParameterException(cl, "--batch must be at least 1, got " + batch);
    }
    if (lr != null && !(lr > 0 && Float.isFinite(lr))) {
      throw new ParameterException(cl, "--lr must be a positive number, got " + lr);
    }
    if (threads != null && threads < 1) {
      throw new ParameterException(cl, "--threads must be at least 1, got " + threads);
    }
    if (dataDir != null && csv != null) {
      throw new ParameterException(cl, "--data-dir and --csv are two sources; give one");
    }
    if (label != null && csv == null) {
      throw new ParameterException(cl, "--label names a column of --csv; no --csv given");
    }
    if (validation != null && !(validation > 0 && validation < 1)) {
      throw new ParameterException(cl, "--validation must be a fraction in (0, 1), got "
          + validation);
    }
    if (!(erase >= 0 && erase <= 1)) {
      throw new ParameterException(cl, "--erase must be a probability in [0, 1], got " + erase);
    }
    if (patience < 0 || crop < 0 || translate < 0 || maxPixels < 1) {
      throw new ParameterException(cl, "--patience, --crop and --translate must be at least 0"
          + " and --max-pixels at least 1");
    }
    if (patience > 0 && validation == null && dataDir == null && csv == null) {
      throw new ParameterException(cl, "--patience watches the validation loss; add"
          + " --validation F (never stop on the test set)");
    }
    if (sparkAverage != null && (sparkMaster == null || sparkAverage < 1)) {
      throw new ParameterException(cl, "--spark-average takes K >= 1 and needs --spark-master");
    }
    if (normalize && dataDir == null) {
      throw new ParameterException(cl, "--normalize works on an image folder; it needs"
          + " --data-dir");
    }
    if (stopAfter != null && (stopAfter < 1 || stopAfter > epochs)) {
      throw new ParameterException(cl, "--stop-after must be in 1.." + epochs + " (--epochs),"
          + " got " + stopAfter);
    }
    if (sparkMaster != null && (resume || stopAfter != null)) {
      throw new ParameterException(cl, "--resume and --stop-after work on the local trainer;"
          + " with --spark-master, SparkTrainer's epoch checkpoints resume a run");
    }
  }

  @Override
  public Integer call() throws Exception {
    validate();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Models.Entry entry = Models.get(model);
    Path checkpoint = this.out != null ? this.out
        : Path.of(entry.name().toLowerCase(Locale.ROOT) + ".ckpt");
    Path chartFile = chart != null ? chart : siblingPng(checkpoint);
    int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
    float rate = lr != null ? lr : switch (optimizer) {
      case adam -> 2e-3f;
      case momentum -> 0.05f;
      case sgd -> 0.1f;
    };

    Path confusionFile = confusion != null ? confusion : sibling(checkpoint, "-confusion.png");
    OutputFiles.checkWritable(checkpoint, "checkpoint");
    OutputFiles.checkWritable(chartFile, "chart");
    OutputFiles.checkWritable(confusionFile, "confusion matrix");
    FloatNetwork net = entry.create(seed);
    double held = validation == null ? 0 : validation;
    TrainingData loaded = dataDir != null
        ? TrainingData.imageFolder(dataDir, net.summary().inputShape(), resize, skipUnreadable,
            maxPixels, held, seed, err)
        : csv != null ? TrainingData.csv(csv, label, net.inputSize(), held, seed)
        : TrainingData.fashion(data, held, seed, err);
    double[][] stats = normalize ? loaded.train().channelStatistics() : null;
    TrainingData d = stats == null ? loaded : loaded.normalized(stats[0], stats[1]);
    String normalization = stats == null ? "" : TrainingData.describe(stats);
    if (stats != null) {
      out.println("normalized per channel by the training set's " + normalization);
    }
    if (net.inputSize() != d.train().sampleSize()) {
      throw new AppException("model " + entry.name() + " takes " + net.inputSize()
          + " inputs per sample, the data has " + d.train().sampleSize());
    }
    if (d.classes().size() > net.outputSize()) {
      throw new AppException("the data has " + d.classes().size() + " classes, model "
          + entry.name() + " outputs " + net.outputSize() + " scores");
    }
    boolean augment = flip || crop > 0 || translate > 0 || erase > 0;
    if (augment && d.train().sampleShape().length != 3) {
      throw new AppException("--flip, --crop, --translate and --erase change images; "
          + d.source()
          + " holds samples of " + d.train().sampleSize() + " values");
    }
    if (tta && d.train().sampleShape().length != 3) {
      throw new AppException("--tta evaluates mirror images; " + d.source() + " holds samples of "
          + d.train().sampleSize() + " values");
    }
    Optimizer opt = optimizer(optimizer, rate, net.summary());
    LearningRateSchedule sched = switch (schedule) {
      case constant -> LearningRateSchedule.constant(rate);
      case step -> LearningRateSchedule.stepDecay(rate, Math.max(1, epochs / 3), 0.1f);
      case cosine -> LearningRateSchedule.cosine(rate, rate / 100, epochs);
    };
    out.printf(Locale.ROOT, "training %s (%,d parameters) on %s (%,d train / %,d %s samples)%n",
        entry.name(), net.summary().totalParameters(), d.source(), d.train().size(),
        d.evaluated().size(), d.evaluatedName());
    out.printf(Locale.ROOT, "%d epoch%s, batch %d, %s lr %s with %s schedule, %d thread%s, seed"
        + " %d%s%s%n", epochs, epochs == 1 ? "" : "s", batch, optimizer, rate, schedule, t,
        t == 1 ? "" : "s", seed, augment ? String.format(Locale.ROOT, ", augmentation:%s%s%s%s",
            flip ? " flip" : "", crop > 0 ? " crop " + crop : "",
            translate > 0 ? " translate " + translate : "", erase > 0 ? " erase " + erase : "")
            : "",
        (patience > 0 ? ", early stopping after " + patience + " epochs without improvement"
            : "") + (tta ? ", evaluation with mirror images (--tta)" : ""));
    out.flush();

    List<Charts.EpochPoint> points = new ArrayList<>();
    boolean terminal = System.console() != null;
    long started = System.nanoTime();
    Dataset train = d.train();
    Progress[] progress = new Progress[1];
    TrainingListener listener = new TrainingListener() {
      @Override
      public void onBatch(int epoch, int b, int batches, double imagesPerSecond, double loss) {
        if (b == 1) {
          progress[0] = Progress.create(terminal, out);
          progress[0].start(epoch, epochs, train.size());
        }
        progress[0].update(Math.min((long) b * batch, train.size()), loss);
      }

      @Override
      public void onEpoch(EpochResult r) {
        if (progress[0] != null) {
          progress[0].close();
        }
        out.printf(Locale.ROOT, "epoch %d/%d  train loss %.4f  train accuracy %.2f%%  %s loss"
            + " %.4f  %s accuracy %.2f%%  %.1f s (%,.0f img/s)%n", r.epoch(), epochs,
            r.trainLoss(), 100 * r.trainAccuracy(), d.evaluatedName(), r.test().loss(),
            d.evaluatedName(), 100 * r.testAccuracy(), r.seconds(), r.imagesPerSecond());
        out.flush();
        points.add(new Charts.EpochPoint(r.epoch(), r.trainLoss(), r.trainAccuracy(),
            r.testAccuracy()));
      }
    };
    Trainer.Builder builder = Trainer.builder(net, opt).batchSize(batch)
        .threads(Math.min(t, batch)).seed(seed).schedule(sched).listener(listener)
        .mirrorEvaluation(tta);
    if (augment) {
      builder.augmentation(Augmentation.builder().flip(flip).crop(crop).translate(translate)
          .erase(erase).build());
    }
    Dataset finalSet = d.test() != null ? d.test() : d.validation();
    String finalName = d.test() != null ? "test" : "validation";
    dev.lamina.runtime.train.Evaluation result;
    // With --tta: the final set's accuracy without the mirror images, and the validation set's
    // with and without when both a validation and a test set exist (to choose --tta on).
    String withoutTta = "";
    if (sparkMaster != null) {
      if (augment || patience > 0) {
        throw new AppException("--spark-master trains without augmentation and early stopping;"
            + " leave out --flip, --crop, --translate, --erase and --patience");
      }
      float[] trained = trainOnSpark(new SparkTraining.Job(sparkMaster, threads != null ? t : 0,
          sparkAverage != null ? sparkAverage : 0, entry.name(), seed, batch, optimizer, rate,
          sched, train, d.evaluated(), epochs), listener::onEpoch);
      System.arraycopy(trained, 0, net.parameters(), 0, trained.length);
      try (Trainer trainer = Trainer.builder(net, opt).batchSize(batch).mirrorEvaluation(tta)
          .build()) {
        result = trainer.evaluate(finalSet);
        withoutTta = withoutTta(trainer, finalSet, d);
      }
      Weights.save(net, checkpoint);
    } else {
      Map<String, String> settings = settings(entry, d, Math.min(t, batch), rate, normalization);
      try (Trainer trainer = builder.build()) {
        RunFile run = runLocally(trainer, entry, train, d, checkpoint, settings, points, out);
        if (!run.finished()) {
          out.printf(Locale.ROOT, "stopped after epoch %d of %d: continue with --resume%n",
              run.epochsDone(), epochs);
          out.println("checkpoint: " + checkpoint);
          out.flush();
          return 0;
        }
        result = trainer.evaluate(finalSet);
        withoutTta = withoutTta(trainer, finalSet, d);
      }
    }
    double total = (System.nanoTime() - started) / 1e9;
    List<String> names = classNames(d.classes(), net.outputSize());
    Charts.writeTrainingChart(entry.name() + " on " + d.source(), points, d.evaluatedName(),
        chartFile);
    Charts.writeConfusionChart(entry.name() + ": " + finalName + " set", result.confusion(),
        names, confusionFile);
    out.printf(Locale.ROOT, "done in %s: %s accuracy %.2f%%%s%n",
        Progress.clock(java.time.Duration.ofSeconds(Math.round(total))), finalName,
        100 * result.accuracy(), withoutTta);
    out.println();
    out.println(result.confusion().renderPrecisionRecall(names));
    out.println();
    out.println("checkpoint: " + checkpoint);
    out.println("chart:      " + chartFile);
    out.println("confusion:  " + confusionFile);
    out.flush();
    return 0;
  }

  /**
   * The epochs of the run on the local trainer: from the first, or with {@code --resume} from
   * where the checkpoint and the run file left it; after each epoch the checkpoint (parameters and
   * training state) and the run file are written, and with early stopping the best epoch's
   * parameters. Stops at {@code --stop-after}, after the last epoch, or early; once the run is
   * over the network holds the parameters to keep (the best epoch's with early stopping), and so
   * does the checkpoint.
   */
  private RunFile runLocally(Trainer trainer, Models.Entry entry, Dataset train, TrainingData d,
      Path checkpoint, Map<String, String> settings, List<Charts.EpochPoint> points,
      PrintWriter out) throws IOException {
    FloatNetwork net = trainer.network();
    Path runFile = RunFile.of(checkpoint);
    Path bestFile = RunFile.best(checkpoint);
    RunFile run = new RunFile(settings, 0, false, 0, Double.POSITIVE_INFINITY, 0, List.of());
    if (resume) {
      run = RunFile.read(runFile);
      run.checkSettings(settings, runFile);
      if (run.finished()) {
        throw new AppException("--resume: the run in " + runFile + " is over (" + run.epochsDone()
            + " epochs" + (run.epochsDone() < epochs ? ", stopped early" : "") + ")");
      }
      int done = trainer.resume(checkpoint);
      if (done != run.epochsDone()) {
        throw new AppException("--resume: " + checkpoint + " holds epoch " + done + " but "
            + runFile + " says " + run.epochsDone() + "; they are not of one run");
      }
      points.addAll(run.points());
      out.printf(Locale.ROOT, "resuming after epoch %d%n", done);
    }
    float[] best = null;
    if (run.bestEpoch() > 0) {
      best = Weights.load(bestFile, entry.name()).network().parameters();
    }
    int last = stopAfter != null ? stopAfter : epochs;
    int bestEpoch = run.bestEpoch();
    double bestLoss = run.bestLoss();
    int sinceBest = run.sinceBest();
    boolean stopped = false;
    int e = run.epochsDone();
    while (e < last && !stopped) {
      EpochResult r = trainer.trainEpoch(train, d.evaluated(), e);
      e++;
      if (patience > 0) {
        if (r.test().loss() < bestLoss) {
          bestLoss = r.test().loss();
          bestEpoch = e;
          sinceBest = 0;
          best = net.parameters().clone();
          Weights.save(net, bestFile);
        } else {
          stopped = ++sinceBest >= patience;
        }
      }
      boolean over = stopped || e == epochs;
      if (over && best != null && bestEpoch != e) {
        System.arraycopy(best, 0, net.parameters(), 0, best.length);
      }
      trainer.saveCheckpoint(checkpoint, e);
      run = new RunFile(settings, e, over, bestEpoch, bestLoss, sinceBest, List.copyOf(points));
      run.write(runFile);
    }
    if (stopped) {
      out.printf(Locale.ROOT, "stopped early after epoch %d: no lower %s loss in %d epochs;"
          + " keeping epoch %d%n", e, d.evaluatedName(), patience, bestEpoch);
    }
    return run;
  }

  /**
   * With {@code --tta}, what the final line adds: the final set's accuracy without the mirror
   * images and, when the run held out a validation set beside the test set, the validation
   * accuracy with and without them. Empty without {@code --tta}.
   */
  private String withoutTta(Trainer trainer, Dataset finalSet, TrainingData d) {
    if (!tta) {
      return "";
    }
    String s = String.format(Locale.ROOT, " with --tta (%.2f%% without)",
        100 * trainer.evaluate(finalSet, false).accuracy());
    if (d.test() != null && d.validation() != null) {
      s += String.format(Locale.ROOT, "; validation accuracy %.2f%% with --tta, %.2f%% without",
          100 * trainer.evaluate(d.validation(), true).accuracy(),
          100 * trainer.evaluate(d.validation(), false).accuracy());
    }
    return s;
  }

  /** The options that fix the run, as the run file keeps them. */
  private Map<String, String> settings(Models.Entry entry, TrainingData d, int threadCount,
      float rate, String normalization) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("--model", entry.name());
    m.put("data", d.source() + " (" + d.train().size() + " train / " + d.evaluated().size()
        + " " + d.evaluatedName() + ")");
    m.put("--epochs", Integer.toString(epochs));
    m.put("--batch", Integer.toString(batch));
    m.put("--optimizer", optimizer.name());
    m.put("--lr", Float.toString(rate));
    m.put("--schedule", schedule.name());
    m.put("--threads", Integer.toString(threadCount));
    m.put("--seed", Long.toString(seed));
    m.put("--patience", Integer.toString(patience));
    m.put("augmentation", "flip " + flip + ", crop " + crop + ", translate " + translate
        + (erase > 0 ? ", erase " + erase : ""));
    m.put("--normalize", normalization.isEmpty() ? "off" : normalization);
    if (tta) {
      // Only when given, so that run files written before the option still resume.
      m.put("--tta", "true");
    }
    return m;
  }

  /** Runs {@code job} with {@link SparkTraining}, which needs Spark's jars on the class path. */
  private static float[] trainOnSpark(SparkTraining.Job job,
      java.util.function.Consumer<EpochResult> onEpoch) {
    try {
      Class.forName("org.apache.spark.SparkConf");
    } catch (ClassNotFoundException e) {
      throw new AppException("--spark-master needs Spark's jars on the class path: run the app"
          + " as java -cp \"lamina-samples.jar:$SPARK_HOME/jars/*\" dev.lamina.samples.App train"
          + " --spark-master URL (see the README)");
    }
    return SparkTraining.train(job, null, onEpoch);
  }

  /** The optimizer {@code kind} with learning rate {@code rate}. */
  static Optimizer optimizer(OptimizerKind kind, float rate, NetworkSummary summary) {
    return switch (kind) {
      case adam -> Optimizers.adam(rate).build(summary);
      case momentum -> Optimizers.sgd(rate).momentum(0.9f).build(summary);
      case sgd -> Optimizers.sgd(rate).build(summary);
    };
  }

  /** The data's class names, then {@code class k} for outputs the data has no class for. */
  static List<String> classNames(List<String> data, int outputs) {
    List<String> names = new ArrayList<>(data);
    for (int k = names.size(); k < outputs; k++) {
      names.add("class " + k);
    }
    return names;
  }

  static Path sibling(Path file, String suffix) {
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String base = dot > 0 ? name.substring(0, dot) : name;
    return file.resolveSibling(base + suffix);
  }

  static Path siblingPng(Path file) {
    return sibling(file, ".png");
  }
}
