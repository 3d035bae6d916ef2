package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.runtime.data.Dataset;
import dev.lamina.tests.nets.Lamina_LeNet5;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Eight threads predicting on one shared model for a few seconds give exactly (bit for bit) the
 * single-threaded results, through {@code predict} and through batched {@code forward}.
 */
class ConcurrencyTest {
  static final int THREADS = 8;
  static final int SAMPLES = 200;
  static final long MILLIS = 3000;

  @Test
  void eightThreadsOnOneModelGiveTheSingleThreadedResults() throws Exception {
    Dataset data = FashionData.test(SAMPLES);
    Lamina_LeNet5 net = new Lamina_LeNet5(21);
    int in = net.inputSize();
    int out = net.outputSize();
    float[][] samples = new float[SAMPLES][in];
    int[] expectedClass = new int[SAMPLES];
    int[][] expectedBits = new int[SAMPLES][out];
    float[] y = new float[out];
    for (int s = 0; s < SAMPLES; s++) {
      data.copySample(s, samples[s], 0);
      expectedClass[s] = net.predict(samples[s]);
      net.forward(samples[s], 1, y);
      for (int k = 0; k < out; k++) {
        expectedBits[s][k] = Float.floatToRawIntBits(y[k]);
      }
    }
    // Batched forward of all samples at once, single-threaded, must agree with one at a time.
    float[] all = new float[SAMPLES * out];
    net.forward(data.features(), SAMPLES, all);
    for (int s = 0; s < SAMPLES; s++) {
      for (int k = 0; k < out; k++) {
        assertEquals(expectedBits[s][k], Float.floatToRawIntBits(all[s * out + k]),
            "batched forward differs from single-sample forward at sample " + s);
      }
    }
    AtomicLong predictions = new AtomicLong();
    AtomicReference<String> mismatch = new AtomicReference<>();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    long end = System.nanoTime() + MILLIS * 1_000_000;
    for (int t = 0; t < THREADS; t++) {
      int id = t;
      Thread thread = new Thread(() -> {
        float[] mine = new float[out];
        float[] batchOut = new float[7 * out];
        float[] batchIn = new float[7 * in];
        try {
          start.await();
        } catch (InterruptedException e) {
          return;
        }
        long n = 0;
        for (int i = id; System.nanoTime() < end && mismatch.get() == null; i++) {
          int s = Math.floorMod(i * 31 + id, SAMPLES);
          if (net.predict(samples[s]) != expectedClass[s]) {
            mismatch.set("thread " + id + ": predict(sample " + s + ") differs");
          }
          if (i % 3 == 0) {
            net.forward(samples[s], 1, mine);
            for (int k = 0; k < out; k++) {
              if (Float.floatToRawIntBits(mine[k]) != expectedBits[s][k]) {
                mismatch.set("thread " + id + ": forward(sample " + s + ")[" + k + "] = " + mine[k]
                    + ", single-threaded " + Float.intBitsToFloat(expectedBits[s][k]));
              }
            }
          }
          if (i % 5 == 0) {
            // A batch of 7 consecutive samples (a different batch size grows the workspace).
            int first = Math.floorMod(s, SAMPLES - 7);
            for (int b = 0; b < 7; b++) {
              System.arraycopy(samples[first + b], 0, batchIn, b * in, in);
            }
            net.forward(batchIn, 7, batchOut);
            for (int b = 0; b < 7; b++) {
              for (int k = 0; k < out; k++) {
                if (Float.floatToRawIntBits(batchOut[b * out + k]) != expectedBits[first + b][k]) {
                  mismatch.set("thread " + id + ": batched forward of sample " + (first + b)
                      + " differs");
                }
              }
            }
          }
          n++;
        }
        predictions.addAndGet(n);
      }, "predictor-" + t);
      threads.add(thread);
      thread.start();
    }
    start.countDown();
    for (Thread t : threads) {
      t.join();
    }
    assertEquals(null, mismatch.get());
    System.out.println(predictions.get() + " predictions on " + THREADS + " threads in " + MILLIS
        + " ms, all identical to the single-threaded results");
    assertTrue(predictions.get() >= THREADS * 10, "too few predictions: " + predictions.get());
  }
}
