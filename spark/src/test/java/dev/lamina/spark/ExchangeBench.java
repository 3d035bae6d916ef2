package dev.lamina.spark;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * A benchmark, not a test: the cost of exchanging P parameters and N gradients per step, without
 * computing, the two ways Spark offers. Broadcast: a job per step, the parameters broadcast, each
 * task returning a gradient-sized array to the driver (what SparkTrainer does). Barrier: one
 * barrier-mode job whose tasks, every step, exchange their arrays with {@code allGather} (which
 * takes strings, so the floats go as Base64) and sum them, each task holding the sum afterwards.
 * Prints the median milliseconds per step and the bytes the driver receives per step.
 *
 * <p>Arguments: master URL (default {@code local[2]}), P (default 61706, LeNet-5), steps
 * (default 200). For a standalone master give the test class path to the executors, as the
 * cluster test does.
 */
public final class ExchangeBench {
  private ExchangeBench() {}

  public static void main(String[] args) {
    String master = args.length > 0 ? args[0] : "local[2]";
    int p = args.length > 1 ? Integer.parseInt(args[1]) : 61_706;
    int steps = args.length > 2 ? Integer.parseInt(args[2]) : 200;
    var conf = TestData.conf(master, "ExchangeBench")
        .set("spark.executor.extraClassPath", System.getProperty("java.class.path"))
        .set("spark.executor.extraJavaOptions", SparkJvm.optionsLine())
        .set("spark.executor.cores", "1").set("spark.cores.max", "2");
    try (JavaSparkContext sc = new JavaSparkContext(conf)) {
      sc.setLogLevel("WARN");
      AtomicLong resultBytes = new AtomicLong();
      sc.sc().addSparkListener(new SparkListener() {
        @Override
        public void onTaskEnd(SparkListenerTaskEnd end) {
          if (end.taskMetrics() != null) {
            resultBytes.addAndGet(end.taskMetrics().resultSize());
          }
        }
      });
      JavaRDD<Integer> parts = sc.parallelize(List.of(0, 1), 2).cache();
      parts.count();
      float[] parameters = new float[p];
      Arrays.fill(parameters, 0.5f);
      double[] ms = new double[steps];
      resultBytes.set(0);
      for (int s = 0; s < steps; s++) {
        long t0 = System.nanoTime();
        Broadcast<float[]> b = sc.broadcast(parameters.clone());
        List<float[]> back = parts.map(i -> {
          float[] g = b.value().clone();
          g[0] += i;
          return g;
        }).collect();
        float[] sum = back.get(0);
        for (int i = 0; i < p; i++) {
          sum[i] += back.get(1)[i];
        }
        b.destroy();
        ms[s] = (System.nanoTime() - t0) / 1e6;
      }
      System.out.printf("broadcast: %s, P=%d: median %.2f ms per step, %d bytes to the driver per"
          + " step (task results), %d bytes of parameters out%n", master, p, median(ms),
          resultBytes.get() / steps, 4L * p);

      resultBytes.set(0);
      long t0 = System.nanoTime();
      // The barrier API is Scala only: a serializable Scala function over Scala iterators.
      scala.Function1<scala.collection.Iterator<Integer>, scala.collection.Iterator<double[]>> f =
          (scala.Function1<scala.collection.Iterator<Integer>, scala.collection.Iterator<double[]>>
              & java.io.Serializable) it -> {
        BarrierTaskContext context = BarrierTaskContext.get();
        float[] g = parameters.clone();
        double[] own = new double[steps];
        long sent = 0;
        for (int s = 0; s < steps; s++) {
          long a = System.nanoTime();
          ByteBuffer buf = ByteBuffer.allocate(4 * p);
          buf.asFloatBuffer().put(g);
          String message = Base64.getEncoder().encodeToString(buf.array());
          sent += message.length();
          String[] all = context.allGather(message);
          float[] sum = new float[p];
          for (String m : all) {
            float[] other = new float[p];
            ByteBuffer.wrap(Base64.getDecoder().decode(m)).asFloatBuffer().get(other);
            for (int i = 0; i < p; i++) {
              sum[i] += other[i];
            }
          }
          own[s] = (System.nanoTime() - a) / 1e6;
        }
        List<double[]> out = new ArrayList<>();
        out.add(new double[] {median(own), sent / (double) steps});
        return scala.jdk.javaapi.CollectionConverters.asScala(out.iterator());
      };
      double[][] times = (double[][]) parts.rdd().barrier()
          .mapPartitions(f, false, scala.reflect.ClassTag$.MODULE$.apply(double[].class))
          .collect();
      double total = (System.nanoTime() - t0) / 1e6;
      System.out.printf("barrier allGather: %s, P=%d: median %.2f ms per step in the tasks"
          + " (%.2f ms per step with the job), %.0f bytes sent per task per step (Base64),"
          + " each task receiving all%n", master, p, times[0][0], total / steps,
          times[0][1]);
    }
  }

  static double median(double[] v) {
    double[] c = v.clone();
    Arrays.sort(c);
    return c[c.length / 2];
  }
}
