package dev.lamina.samples;

import dev.lamina.runtime.data.Dataset;
import dev.lamina.runtime.optim.LearningRateSchedule;
import dev.lamina.runtime.train.EpochResult;
import dev.lamina.runtime.train.TrainingListener;
import dev.lamina.spark.NetworkFactory;
import dev.lamina.spark.OptimizerFactory;
import dev.lamina.spark.Sample;
import dev.lamina.spark.SparkJvm;
import dev.lamina.spark.SparkTrainer;
import java.io.File;
import java.net.URISyntaxException;
import java.util.function.Consumer;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * {@code train --spark-master URL}: the main job on a Spark cluster with {@link SparkTrainer}.
 * Loaded only with that option, so the app needs Spark's jars only then. The executors get the
 * app's own jar ({@code spark.jars}), which holds the networks and the runtime.
 */
final class SparkTraining {
  private SparkTraining() {}

  /**
   * What the cluster trains: the model, how, and on what; {@code partitions} 0 for the cluster's
   * default parallelism, {@code averaging} 0 for synchronous SGD.
   */
  record Job(String master, int partitions, int averaging, String model, long seed, int batch,
      TrainCommand.OptimizerKind optimizer, float rate, LearningRateSchedule schedule,
      Dataset train, Dataset test, int epochs) {}

  /**
   * Trains {@code job.epochs()} epochs, passing each result to {@code onEpoch}; returns the
   * trained parameters.
   */
  static float[] train(Job job, TrainingListener listener, Consumer<EpochResult> onEpoch) {
    SparkConf conf = new SparkConf().setMaster(job.master()).setAppName("lamina train "
        + job.model());
    conf.setIfMissing("spark.executor.extraJavaOptions", SparkJvm.optionsLine());
    conf.setIfMissing("spark.ui.showConsoleProgress", "false");
    String jar = ownJar();
    if (jar != null && !job.master().startsWith("local")) {
      conf.setIfMissing("spark.jars", jar);
    }
    String model = job.model();
    long seed = job.seed();
    NetworkFactory network = () -> Models.get(model).create(seed);
    TrainCommand.OptimizerKind kind = job.optimizer();
    float rate = job.rate();
    OptimizerFactory optimizer = s -> TrainCommand.optimizer(kind, rate, s);
    try (JavaSparkContext sc = new JavaSparkContext(conf)) {
      sc.setLogLevel("WARN");
      SparkTrainer.Builder b = SparkTrainer.builder(sc, network, optimizer)
          .partitions(job.partitions()).batchSize(job.batch()).seed(seed)
          .schedule(job.schedule()).listener(listener);
      if (job.averaging() > 0) {
        b.averaging(job.averaging());
      }
      try (SparkTrainer trainer = b.build()) {
        JavaRDD<Sample> train = SparkTrainer.samples(sc, job.train(),
            trainer.partitions()).cache();
        for (int e = 0; e < job.epochs(); e++) {
          onEpoch.accept(trainer.trainEpoch(train, job.test(), e));
        }
        return trainer.network().parameters().clone();
      }
    }
  }

  /** The jar this class was loaded from, or {@code null} when it comes from a directory. */
  private static String ownJar() {
    try {
      File f = new File(SparkTraining.class.getProtectionDomain().getCodeSource().getLocation()
          .toURI());
      return f.isFile() ? f.getAbsolutePath() : null;
    } catch (URISyntaxException | SecurityException e) {
      return null;
    }
  }
}
