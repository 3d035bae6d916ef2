package dev.lamina.samples.bench;

import dev.lamina.runtime.FloatNetwork;
import dev.lamina.runtime.FloatWorkspace;
import dev.lamina.runtime.optim.Optimizers;
import dev.lamina.samples.Lamina_RowGru;
import dev.lamina.samples.Lamina_RowLstm;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Lamina's side of the recurrent benchmark against PyTorch's {@code nn.LSTM} and {@code nn.GRU}
 * ({@code samples/bench/seq_bench.py} runs it in turn with PyTorch): the sample networks {@code
 * RowLstm} and {@code RowGru} (28 steps of 28 features, 96 units, last step into an affine layer
 * of 10, softmax cross-entropy), on one thread. Prints one JSON object per line:
 *
 * <ul>
 *   <li>{@code train}: training steps per second at each batch size (forward, loss, backward
 *       through time, plain SGD update at learning rate 0.01), on fixed random inputs;
 *   <li>{@code latency}: seconds per single-sequence inference (forward and arg-max).
 * </ul>
 *
 * <p>Usage: {@code SeqBench [--cells lstm,gru] [--batches 1,64] [--seconds S] [--warmup S]}.
 */
public final class SeqBench {
  private SeqBench() {}

  public static void main(String[] args) throws Throwable {
    String[] cells = {"lstm", "gru"};
    int[] batches = {1, 64};
    double seconds = 2;
    double warmup = 3;
    for (int i = 0; i < args.length; i += 2) {
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("option " + args[i] + " needs a value");
      }
      switch (args[i]) {
        case "--cells" -> cells = args[i + 1].split(",");
        case "--batches" -> batches = java.util.Arrays.stream(args[i + 1].split(","))
            .mapToInt(Integer::parseInt).toArray();
        case "--seconds" -> seconds = Double.parseDouble(args[i + 1]);
        case "--warmup" -> warmup = Double.parseDouble(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]
            + "; options: --cells, --batches, --seconds, --warmup");
      }
    }
    for (String cell : cells) {
      for (int batch : batches) {
        FloatNetwork net = network(cell);
        net.setOptimizer(Optimizers.sgd(0.01f).build(net.summary()));
        float[] x = random(batch * net.inputSize(), 1);
        int[] y = new SplittableRandom(2).ints(batch, 0, 10).toArray();
        double s = Timing.secondsPerCall(() -> net.trainStep(x, y, batch), 1, seconds, warmup)[0];
        print(cell, "train", batch, 1 / s);
      }
      FloatNetwork net = network(cell);
      FloatWorkspace ws = net.newWorkspace(1);
      float[] x = random(net.inputSize(), 3);
      int[] sink = new int[1];
      double s = Timing.secondsPerCall(() -> {
        float[] out = ws.forward(x, 0, 1, false);
        int best = 0;
        for (int k = 1; k < 10; k++) {
          best = out[k] > out[best] ? k : best;
        }
        sink[0] += best;
      }, 1, seconds, warmup)[0];
      print(cell, "latency", 1, s);
    }
  }

  private static FloatNetwork network(String cell) {
    return switch (cell) {
      case "lstm" -> new Lamina_RowLstm(1);
      case "gru" -> new Lamina_RowGru(1);
      default -> throw new IllegalArgumentException("cell " + cell + ": lstm or gru");
    };
  }

  private static float[] random(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (r.nextDouble() * 2 - 1);
    }
    return a;
  }

  private static void print(String cell, String what, int batch, double value) {
    System.out.printf(Locale.ROOT, "{\"side\": \"lamina\", \"cell\": \"%s\", \"what\": \"%s\","
        + " \"batch\": %d, \"value\": %.6g}%n", cell, what, batch, value);
    System.out.flush();
  }
}
