package dev.lamina.samples;

import dev.lamina.runtime.FloatNetwork;
import dev.lamina.runtime.FloatWorkspace;
import dev.lamina.runtime.Losses;
import dev.lamina.runtime.Optimizer;
import dev.lamina.runtime.data.Dataset;
import dev.lamina.runtime.data.MiniBatches;
import dev.lamina.runtime.optim.LearningRateSchedule;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Data-parallel mini-batch training: each batch is split over {@code threads} workspaces, their
 * gradients are summed, and the optimizer takes one step.
 */
final class Training implements AutoCloseable {
  /** Mean loss and accuracy on the training batches of one epoch. */
  record EpochResult(double loss, double accuracy) {}

  /** Called after each batch with the images done so far and the running mean loss. */
  interface Listener {
    void update(long images, double loss);
  }

  private final FloatNetwork net;
  private final Optimizer optimizer;
  private final LearningRateSchedule schedule;
  private final MiniBatches batches;
  private final FloatWorkspace[] workspaces;
  private final ExecutorService pool;
  private final int classes;

  Training(FloatNetwork net, Optimizer optimizer, LearningRateSchedule schedule, Dataset train,
      int batch, int threads, long seed) {
    this.net = net;
    this.optimizer = optimizer;
    this.schedule = schedule;
    this.batches = new MiniBatches(train, batch, seed, true);
    int t = Math.max(1, Math.min(threads, batch));
    this.workspaces = new FloatWorkspace[t];
    int slice = (batch + t - 1) / t;
    for (int i = 0; i < t; i++) {
      workspaces[i] = net.newWorkspace(slice);
    }
    this.pool = t > 1 ? Executors.newFixedThreadPool(t - 1, r -> {
      Thread th = new Thread(r, "lamina-train");
      th.setDaemon(true);
      return th;
    }) : null;
    this.classes = net.outputSize();
  }

  EpochResult epoch(int epoch, Listener listener) {
    batches.startEpoch(epoch);
    int count = batches.batchesPerEpoch();
    double lossSum = 0;
    long correct = 0;
    long seen = 0;
    float[] params = net.parameters();
    for (int b = 0; b < count; b++) {
      int n = batches.load(b);
      float[] in = batches.inputs();
      int[] labels = batches.labels();
      optimizer.setLearningRate(schedule.learningRate(epoch, b, count));
      float scale = 1f / n;
      int t = Math.min(workspaces.length, n);
      int slice = (n + t - 1) / t;
      List<Future<double[]>> futures = new ArrayList<>();
      double[][] parts = new double[t][];
      for (int i = 1; i < t; i++) {
        int from = i * slice;
        int len = Math.min(slice, n - from);
        FloatWorkspace ws = workspaces[i];
        if (len <= 0) {
          parts[i] = new double[2];
          continue;
        }
        futures.add(pool.submit(() -> slice(ws, in, labels, from, len, scale)));
      }
      parts[0] = slice(workspaces[0], in, labels, 0, Math.min(slice, n), scale);
      try {
        int k = 0;
        for (int i = 1; i < t; i++) {
          if (parts[i] == null) {
            parts[i] = futures.get(k++).get();
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AppException("interrupted");
      } catch (ExecutionException e) {
        throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e);
      }
      float[] g = workspaces[0].gradients();
      for (int i = 1; i < t; i++) {
        float[] gi = workspaces[i].gradients();
        for (int j = 0; j < g.length; j++) {
          g[j] += gi[j];
        }
      }
      double batchLoss = 0;
      for (double[] p : parts) {
        batchLoss += p[0];
        correct += (long) p[1];
      }
      if (!Double.isFinite(batchLoss)) {
        throw new AppException("training diverged: the loss became " + batchLoss + " in epoch "
            + (epoch + 1) + ", batch " + (b + 1) + "; try a smaller --lr");
      }
      optimizer.step(params, g);
      lossSum += batchLoss;
      seen += n;
      if (listener != null) {
        listener.update(seen, lossSum / seen);
      }
    }
    return new EpochResult(lossSum / seen, (double) correct / seen);
  }

  /** Loss (summed) and correct count of one slice; gradients accumulate in the workspace. */
  private double[] slice(FloatWorkspace ws, float[] in, int[] labels, int from, int len,
      float scale) {
    ws.zeroGradients();
    int size = net.inputSize();
    // FloatWorkspace.lossAndGradients, with the accuracy read off the scores on the way.
    float[] out = ws.forward(in, from * size, len, true);
    long correct = 0;
    for (int i = 0; i < len; i++) {
      if (Evaluation.argmax(out, i * classes, classes) == labels[from + i]) {
        correct++;
      }
    }
    float[] grad = ws.outputGradientBuffer();
    float loss = Losses.forwardBackward(net.summary().loss(), out, len, classes, labels, from,
        grad, scale);
    ws.backward(grad, 0, len);
    return new double[] {loss, correct};
  }

  @Override
  public void close() {
    if (pool != null) {
      pool.shutdownNow();
    }
  }
}
