package dev.lamina.spark;

import dev.lamina.runtime.SeededRandom;
import dev.lamina.runtime.data.Dataset;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/** Synthetic 3-class 8×8 images and a Spark context on the loopback interface for the tests. */
final class TestData {
  private TestData() {}

  /**
   * {@code n} images of 1×8×8: class c has a bright horizontal bar in rows {@code 2c..2c+1}
   * on Gaussian noise, so the classes can be learned but not at once.
   */
  static Dataset images(int n, long seed) {
    SeededRandom r = new SeededRandom(seed);
    float[] x = new float[n * 64];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      int c = r.nextInt(3);
      y[i] = c;
      for (int p = 0; p < 64; p++) {
        int row = p / 8;
        float bar = row / 2 == c + 1 ? 1f : 0f;
        x[i * 64 + p] = bar + (float) (0.8 * r.nextGaussian());
      }
    }
    return new Dataset(x, y, new int[] {1, 8, 8}, 3);
  }

  /** A context for {@code master}, bound to 127.0.0.1, quiet, without a web UI. */
  static SparkConf conf(String master, String name) {
    return new SparkConf().setMaster(master).setAppName(name)
        .set("spark.driver.host", "127.0.0.1")
        .set("spark.driver.bindAddress", "127.0.0.1")
        .set("spark.ui.enabled", "false")
        .set("spark.ui.showConsoleProgress", "false")
        .set("spark.shuffle.sort.bypassMergeThreshold", "200");
  }

  static JavaSparkContext local(String master, String name) {
    return new JavaSparkContext(conf(master, name));
  }
}
