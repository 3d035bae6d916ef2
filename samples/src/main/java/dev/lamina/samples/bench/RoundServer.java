package dev.lamina.samples.bench;

import dev.lamina.runtime.FloatNetwork;
import dev.lamina.runtime.FloatWorkspace;
import dev.lamina.runtime.data.Dataset;
import dev.lamina.runtime.kernel.Kernels;
import dev.lamina.runtime.optim.Optimizers;
import dev.lamina.runtime.train.Trainer;
import dev.lamina.samples.Lamina_LeNet5;
import dev.lamina.samples.zoo.Lamina_SmallResNet;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.LongFunction;

/**
 * Lamina's side of the peer benchmark ({@code samples/bench/peers.py}): a process that measures
 * one task per request, so that a driver can alternate rounds of Lamina and of its peers (PyTorch,
 * TorchScript, ONNX Runtime) over the same stretch of time. ONNX Runtime's side
 * ({@code samples/bench/OrtPeer.java}) is this server with its own {@link Tasks}.
 *
 * <p>Protocol, one line each way. The server first prints {@code ready <description>}. A request
 * is {@code <model> <task> <threads> <seconds>}; the answer is {@code ok <value>} or
 * {@code error <message>}; {@code quit} ends the process. Models: {@code LeNet5},
 * {@code SmallResNet}. Tasks (inputs uniform in [0, 1), labels uniform, both seeded):
 *
 * <ul>
 *   <li>{@code infer64}: images/s of batch-64 inference; on 1 thread the workspace's
 *       {@code forward}, on more the {@link Trainer#evaluate} of the product's data-parallel
 *       inference;
 *   <li>{@code latency}: the median microseconds of one {@code predict} (forward and arg-max);
 *   <li>{@code train64}, {@code train1}: images/s of {@link Trainer#trainBatch} at batch 64 or 1,
 *       plain SGD (learning rate 0.01).
 * </ul>
 *
 * <p>Each request runs the task for at least the given seconds; the driver's first request of a
 * task is its warm-up. A task's objects (networks, workspaces, trainers, sessions) are made at its
 * first request and kept, as a user's would be.
 */
public final class RoundServer {
  /** The batch of {@code infer64} and {@code train64}. */
  public static final int BATCH = 64;
  /** Samples in each side's seeded data. */
  public static final int SAMPLES = 1024;
  private static final double MIN_SECONDS = 0.001;

  /** A measured task: its value over at least the given seconds. */
  public interface Task {
    double measure(double seconds) throws Exception;
  }

  /** Makes the task a request names; an {@link IllegalArgumentException} says what is wrong. */
  public interface Tasks {
    Task make(String model, String task, int threads) throws Exception;
  }

  private final String description;
  private final Tasks factory;
  private final Map<String, Task> tasks = new HashMap<>();
  private final List<AutoCloseable> resources = new ArrayList<>();
  private static long sink;

  /** A server of Lamina's tasks. */
  public RoundServer() {
    this.description = "lamina java " + Runtime.version() + " kernels " + Kernels.BACKEND
        + " processors " + Runtime.getRuntime().availableProcessors();
    this.factory = this::lamina;
  }

  /** A server of other tasks, described by {@code description} in its first line. */
  public RoundServer(String description, Tasks factory) {
    this.description = description;
    this.factory = factory;
  }

  /** Runs Lamina's side on standard input and output. */
  public static void main(String[] args) throws IOException {
    new RoundServer().serve();
  }

  /** Answers requests from standard input on standard output until {@code quit}. */
  public void serve() throws IOException {
    serve(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)),
        new PrintStream(System.out, true, StandardCharsets.UTF_8));
  }

  /** Answers requests from {@code in} on {@code out} until {@code quit} or the end of input. */
  void serve(BufferedReader in, PrintStream out) throws IOException {
    out.println("ready " + description);
    for (String line; (line = in.readLine()) != null; ) {
      line = line.strip();
      if (line.equals("quit")) {
        break;
      }
      if (!line.isEmpty()) {
        out.println(answer(line));
      }
    }
    for (AutoCloseable r : resources) {
      try {
        r.close();
      } catch (Exception e) {
        out.println("error closing " + r + ": " + e);
      }
    }
    out.println("bye" + (sink == 42 ? " " : ""));
  }

  /** The answer line to one request line. */
  String answer(String line) {
    String[] f = line.split("\\s+");
    if (f.length != 4) {
      return "error expected '<model> <task> <threads> <seconds>', got '" + line + "'";
    }
    int threads;
    double seconds;
    try {
      threads = Integer.parseInt(f[2]);
      seconds = Double.parseDouble(f[3]);
    } catch (NumberFormatException e) {
      return "error threads and seconds must be numbers, got '" + f[2] + "' and '" + f[3] + "'";
    }
    if (threads < 1 || threads > 64) {
      return "error threads must be 1 to 64, got " + threads;
    }
    if (!(seconds >= MIN_SECONDS && seconds <= 600)) {
      return "error seconds must be " + MIN_SECONDS + " to 600, got " + f[3];
    }
    try {
      String key = f[0] + " " + f[1] + " " + threads;
      Task task = tasks.get(key);
      if (task == null) {
        task = factory.make(f[0], f[1], threads);
        tasks.put(key, task);
      }
      return String.format(Locale.ROOT, "ok %.6g", task.measure(seconds));
    } catch (Exception e) {
      return "error " + String.valueOf(e.getMessage()).replace('\n', ' ');
    }
  }

  /** Keeps {@code r} until the server ends, then closes it. */
  public <T extends AutoCloseable> T keep(T r) {
    resources.add(r);
    return r;
  }

  /** Seeded inputs uniform in [0, 1), the same on every Java side. */
  public static float[] inputs(int size) {
    SplittableRandom random = new SplittableRandom(7);
    float[] x = new float[size];
    for (int i = 0; i < size; i++) {
      x[i] = (float) random.nextDouble();
    }
    return x;
  }

  /** Images/s of {@code body}, which handles {@code batch} images a call, over {@code seconds}. */
  public static double throughput(double seconds, int batch, Call body) throws Exception {
    try {
      return batch / Timing.timedRun(body::run, seconds);
    } catch (Exception | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The median microseconds of one call of {@code call} (given the call's number) over calls
   * made for at least {@code seconds}.
   */
  public static double latency(double seconds, IntCall call) throws Exception {
    long budget = (long) (seconds * 1e9);
    long[] times = new long[1 << 16];
    int n = 0;
    long start = System.nanoTime();
    long now = start;
    while (now - start < budget || n == 0) {
      long t0 = System.nanoTime();
      sink += call.run(n);
      now = System.nanoTime();
      if (n == times.length) {
        times = Arrays.copyOf(times, n * 2);
      }
      times[n++] = now - t0;
    }
    long[] sorted = Arrays.copyOf(times, n);
    Arrays.sort(sorted);
    return sorted[(n - 1) / 2] / 1e3;
  }

  /** A call timed by {@link #throughput}. */
  public interface Call {
    void run() throws Exception;
  }

  /** A call timed by {@link #latency}; what it returns is kept from the JIT's dead-code removal. */
  public interface IntCall {
    int run(int n) throws Exception;
  }

  private Task lamina(String model, String task, int threads) {
    LongFunction<FloatNetwork> factory = switch (model) {
      case "LeNet5" -> Lamina_LeNet5::new;
      case "SmallResNet" -> Lamina_SmallResNet::new;
      default -> throw new IllegalArgumentException(
          "unknown model '" + model + "' (LeNet5, SmallResNet)");
    };
    if (task.equals("latency") && threads != 1) {
      throw new IllegalArgumentException("latency runs on 1 thread, got " + threads);
    }
    FloatNetwork net = factory.apply(1);
    Dataset data = data(net);
    return switch (task) {
      case "infer64" -> threads == 1 ? forward(net, data) : evaluate(net, data, threads);
      case "latency" -> latency(net, data);
      case "train64" -> train(net, data, BATCH, threads);
      case "train1" -> train(net, data, 1, threads);
      default -> throw new IllegalArgumentException(
          "unknown task '" + task + "' (infer64, latency, train64, train1)");
    };
  }

  /** {@link #inputs} and seeded labels uniform over the classes. */
  private static Dataset data(FloatNetwork net) {
    float[] x = inputs(SAMPLES * net.inputSize());
    SplittableRandom random = new SplittableRandom(8);
    int[] y = new int[SAMPLES];
    for (int i = 0; i < SAMPLES; i++) {
      y[i] = random.nextInt(net.outputSize());
    }
    return new Dataset(x, y, net.summary().inputShape(), net.outputSize());
  }

  private static Task forward(FloatNetwork net, Dataset data) {
    FloatWorkspace ws = net.newWorkspace(BATCH);
    float[] x = data.features();
    int in = data.sampleSize();
    int[] k = {0};
    return seconds -> throughput(seconds, BATCH, () -> {
      float[] z = ws.forward(x, (k[0]++ % (SAMPLES / BATCH)) * BATCH * in, BATCH, false);
      sink += Float.floatToRawIntBits(z[0]);
    });
  }

  private Task evaluate(FloatNetwork net, Dataset data, int threads) {
    Dataset[] chunks = new Dataset[SAMPLES / BATCH];
    for (int i = 0; i < chunks.length; i++) {
      chunks[i] = data.subset(i * BATCH, BATCH);
    }
    Trainer tr = keep(Trainer.builder(net, Optimizers.sgd(0.01f).build(net.summary()))
        .batchSize(BATCH).threads(threads).build());
    int[] k = {0};
    return seconds -> throughput(seconds, BATCH, () ->
        sink += Double.doubleToRawLongBits(tr.evaluate(chunks[k[0]++ % chunks.length]).loss()));
  }

  private Task train(FloatNetwork net, Dataset data, int batch, int threads) {
    Trainer tr = keep(Trainer.builder(net, Optimizers.sgd(0.01f).build(net.summary()))
        .batchSize(batch).threads(Math.min(threads, batch)).seed(1).build());
    float[] x = data.features();
    int[] y = data.labels();
    int in = data.sampleSize();
    int[] k = {0};
    return seconds -> throughput(seconds, batch, () -> {
      int s = (k[0]++ % (SAMPLES / batch)) * batch;
      sink += Float.floatToRawIntBits(tr.trainBatch(x, s * in, y, s, batch));
    });
  }

  private static Task latency(FloatNetwork net, Dataset data) {
    int in = data.sampleSize();
    float[][] samples = new float[64][];
    for (int i = 0; i < samples.length; i++) {
      samples[i] = Arrays.copyOfRange(data.features(), i * in, (i + 1) * in);
    }
    return seconds -> latency(seconds, n -> net.predict(samples[n & 63]));
  }
}
