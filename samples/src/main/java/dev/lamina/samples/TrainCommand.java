package dev.lamina.samples;

import dev.lamina.runtime.FloatNetwork;
import dev.lamina.runtime.NetworkSummary;
import dev.lamina.runtime.Optimizer;
import dev.lamina.runtime.data.Dataset;
import dev.lamina.runtime.optim.LearningRateSchedule;
import dev.lamina.runtime.optim.Optimizers;
import dev.lamina.runtime.train.EpochResult;
import dev.lamina.runtime.train.Trainer;
import dev.lamina.runtime.train.TrainingListener;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code train}: trains a model on Fashion-MNIST, saves the checkpoint and a chart. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Train a model on Fashion-MNIST; save the checkpoint and a PNG chart of loss and"
        + " accuracy per epoch.")
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
    if (sparkAverage != null && (sparkMaster == null || sparkAverage < 1)) {
      throw new ParameterException(cl, "--spark-average takes K >= 1 and needs --spark-master");
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

    OutputFiles.checkWritable(checkpoint, "checkpoint");
    OutputFiles.checkWritable(chartFile, "chart");
    FashionData.Loaded d = FashionData.load(data, err);
    FloatNetwork net = entry.create(seed);
    if (net.inputSize() != d.split().train().sampleSize()) {
      throw new AppException("model " + entry.name() + " takes " + net.inputSize()
          + " inputs per sample, the data has " + d.split().train().sampleSize());
    }
    Optimizer opt = optimizer(optimizer, rate, net.summary());
    LearningRateSchedule sched = switch (schedule) {
      case constant -> LearningRateSchedule.constant(rate);
      case step -> LearningRateSchedule.stepDecay(rate, Math.max(1, epochs / 3), 0.1f);
      case cosine -> LearningRateSchedule.cosine(rate, rate / 100, epochs);
    };
    out.printf(Locale.ROOT, "training %s (%,d parameters) on %s (%,d train / %,d test images)%n",
        entry.name(), net.summary().totalParameters(), d.source(), d.split().train().size(),
        d.split().test().size());
    out.printf(Locale.ROOT, "%d epoch%s, batch %d, %s lr %s with %s schedule, %d thread%s, seed %d%n",
        epochs, epochs == 1 ? "" : "s", batch, optimizer, rate, schedule, t, t == 1 ? "" : "s",
        seed);
    out.flush();

    List<Charts.EpochPoint> points = new ArrayList<>();
    boolean terminal = System.console() != null;
    long started = System.nanoTime();
    Dataset train = d.split().train();
    Dataset test = d.split().test();
    Progress[] progress = new Progress[1];
    TrainingListener listener = (epoch, b, batches, imagesPerSecond, loss) ->
        progress[0].update(Math.min((long) b * batch, train.size()), loss);
    if (sparkMaster != null) {
      float[] trained = trainOnSpark(new SparkTraining.Job(sparkMaster, threads != null ? t : 0,
          sparkAverage != null ? sparkAverage : 0, entry.name(), seed, batch, optimizer, rate,
          sched, train, test, epochs), r -> {
            report(out, r, r.seconds(), epochs);
            points.add(new Charts.EpochPoint(r.epoch(), r.trainLoss(), r.trainAccuracy(),
                r.testAccuracy()));
          });
      System.arraycopy(trained, 0, net.parameters(), 0, trained.length);
    } else {
      try (Trainer trainer = Trainer.builder(net, opt).batchSize(batch).threads(Math.min(t, batch))
          .seed(seed).schedule(sched).listener(listener).build()) {
        for (int e = 0; e < epochs; e++) {
          long epochStart = System.nanoTime();
          EpochResult r;
          try (Progress p = Progress.create(terminal, out)) {
            progress[0] = p;
            p.start(e + 1, epochs, train.size());
            r = trainer.trainEpoch(train, test, e);
          }
          report(out, r, (System.nanoTime() - epochStart) / 1e9, epochs);
          points.add(new Charts.EpochPoint(e + 1, r.trainLoss(), r.trainAccuracy(),
              r.testAccuracy()));
        }
      }
    }
    double total = (System.nanoTime() - started) / 1e9;
    Weights.save(net, checkpoint);
    Charts.writeTrainingChart(entry.name() + " on Fashion-MNIST", points, chartFile);
    out.printf(Locale.ROOT, "done in %s: test accuracy %.2f%%%n",
        Progress.clock(java.time.Duration.ofSeconds(Math.round(total))),
        100 * points.get(points.size() - 1).testAccuracy());
    out.println("checkpoint: " + checkpoint);
    out.println("chart:      " + chartFile);
    out.flush();
    return 0;
  }

  private static void report(PrintWriter out, EpochResult r, double seconds, int epochs) {
    out.printf(Locale.ROOT, "epoch %d/%d  train loss %.4f  train accuracy %.2f%%  test"
        + " accuracy %.2f%%  %.1f s (%,.0f img/s)%n", r.epoch(), epochs, r.trainLoss(),
        100 * r.trainAccuracy(), 100 * r.testAccuracy(), seconds, r.imagesPerSecond());
    out.flush();
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

  static Path siblingPng(Path file) {
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String base = dot > 0 ? name.substring(0, dot) : name;
    return file.resolveSibling(base + ".png");
  }
}
