package dev.lamina.samples.bench;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.lamina.runtime.FloatNetwork;
import dev.lamina.runtime.FloatWorkspace;
import dev.lamina.runtime.LayerSummary;
import dev.lamina.runtime.NetworkSummary;
import dev.lamina.runtime.Optimizer;
import dev.lamina.runtime.data.Dataset;
import dev.lamina.runtime.optim.LearningRateSchedule;
import dev.lamina.runtime.optim.Optimizers;
import dev.lamina.runtime.train.EpochResult;
import dev.lamina.runtime.train.Trainer;
import dev.lamina.samples.FashionData;
import dev.lamina.samples.Lamina_LeNet5;
import dev.lamina.samples.zoo.Lamina_SmallResNet;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.LongFunction;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bench}: the LeNet-5 figures of issue #5, measured on Lamina's generated network, on a
 * naive Java baseline, and against the machine's measured FP32 multiply-add peak; compared with
 * the PyTorch peer ({@code samples/bench/lenet_torch.py}) when given its JSON lines.
 *
 * <p>Every throughput is the median of {@code --runs} timed runs of at least {@code --run-seconds}
 * each, after {@code --warmup-seconds} of warm-up, exactly as the PyTorch script measures. GFLOP/s
 * count a multiply-add as 2 operations; multiply-adds come from the compile-time summary.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Benchmark LeNet-5: training and inference throughput, latency, per-layer"
        + " GFLOP/s against the measured FP32 peak, allocation per step, annotation-processing"
        + " time, a naive Java baseline and the app's default training job; ratios against"
        + " PyTorch with --torch-json."})
public final class BenchCommand implements Callable<Integer> {
  /** Sections that can be selected with --sections. */
  static final List<String> SECTIONS =
      List.of("peak", "train", "latency", "infer", "layers", "naive", "apt", "main");

  @Spec CommandSpec spec;

  @Option(names = "--quick", description = "Smoke run of about a minute: short runs, batches 1 and"
      + " 64, a one-epoch main job on 6,000 images.")
  boolean quick;

  @Option(names = "--sections", paramLabel = "LIST", split = ",",
      description = "Sections to run (default: all): ${COMPLETION-CANDIDATES}.",
      completionCandidates = SectionNames.class)
  List<String> sections;

  @Option(names = "--data", paramLabel = "DIR", defaultValue = FashionData.DEFAULT_FOLDER,
      description = "Fashion-MNIST folder (default: ${DEFAULT-VALUE}; the bundled subset if"
          + " missing).")
  Path data;

  @Option(names = "--threads", paramLabel = "LIST", split = ",", defaultValue = "1,2",
      description = "Thread counts (default: ${DEFAULT-VALUE}).")
  List<Integer> threads;

  @Option(names = "--batches", paramLabel = "LIST", split = ",", defaultValue = "1,32,64,256",
      description = "Training batch sizes (default: ${DEFAULT-VALUE}).")
  List<Integer> batches;

  @Option(names = "--infer-batch", paramLabel = "B", defaultValue = "64",
      description = "Batch of the inference throughput (default: ${DEFAULT-VALUE}).")
  int inferBatch;

  @Option(names = "--layer-batch", paramLabel = "B", defaultValue = "64",
      description = "Batch of the per-layer timing (default: ${DEFAULT-VALUE}).")
  int layerBatch;

  @Option(names = "--layer-network", paramLabel = "NAME", defaultValue = "LeNet5",
      description = "Network of the per-layer section: LeNet5 or SmallResNet (default:"
          + " ${DEFAULT-VALUE}).")
  String layerNetwork;

  @Option(names = "--layer-inference", description = "Per-layer section: the forward passes of "
      + "an inference pass only (batch norm folded into its convolution timed as the refresh).")
  boolean layerInference;

  @Option(names = "--runs", paramLabel = "N", defaultValue = "5",
      description = "Timed runs per figure; the median is reported (default: ${DEFAULT-VALUE}).")
  int runs;

  @Option(names = "--run-seconds", paramLabel = "S", defaultValue = "2",
      description = "Minimum length of one timed run (default: ${DEFAULT-VALUE}).")
  double runSeconds;

  @Option(names = "--warmup-seconds", paramLabel = "S", defaultValue = "2",
      description = "Warm-up before each figure (default: ${DEFAULT-VALUE}).")
  double warmupSeconds;

  @Option(names = "--jit-warmup-seconds", paramLabel = "S", defaultValue = "10",
      description = "Training steps at batches 1 and 64 before any measurement, so that C2 has"
          + " compiled the generated methods (default: ${DEFAULT-VALUE}).")
  double jitWarmupSeconds;

  @Option(names = "--latency-iterations", paramLabel = "N", defaultValue = "20000",
      description = "Timed single-image predictions (default: ${DEFAULT-VALUE}).")
  int latencyIterations;

  @Option(names = "--alloc-steps", paramLabel = "N", defaultValue = "200",
      description = "Training steps over which allocation is measured (default: ${DEFAULT-VALUE}).")
  int allocSteps;

  @Option(names = "--apt-runs", paramLabel = "N", defaultValue = "5",
      description = "Compilations per annotation-processing figure (default: ${DEFAULT-VALUE}).")
  int aptRuns;

  @Option(names = "--processor-path", paramLabel = "PATH",
      description = "Class path of the annotation processor and its dependencies, if it is not on"
          + " the benchmark's class path (run.sh passes it).")
  String processorPath;

  @Option(names = "--main-epochs", paramLabel = "N", defaultValue = "12",
      description = "Main job: epochs (the app's default: ${DEFAULT-VALUE}).")
  int mainEpochs;

  @Option(names = "--main-batch", paramLabel = "B", defaultValue = "64",
      description = "Main job: batch (default: ${DEFAULT-VALUE}).")
  int mainBatch;

  @Option(names = "--main-optimizer", paramLabel = "NAME", defaultValue = "adam",
      description = "Main job: adam, momentum or sgd (default: ${DEFAULT-VALUE}).")
  String mainOptimizer;

  @Option(names = "--main-lr", paramLabel = "X",
      description = "Main job: learning rate (default as the app: adam 0.001, momentum 0.05, sgd"
          + " 0.1).")
  Float mainLr;

  @Option(names = "--main-threads", paramLabel = "T",
      description = "Main job: threads (default: all processors, as the app).")
  Integer mainThreads;

  @Option(names = "--main-train-limit", paramLabel = "N", defaultValue = "0",
      description = "Main job: only the first N training images (default: all).")
  int mainTrainLimit;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "1",
      description = "Seed of initialization (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--json", paramLabel = "FILE",
      description = "Write the results as JSON lines to FILE ('-' for standard output).")
  String json;

  @Option(names = "--torch-json", paramLabel = "FILE",
      description = "JSON lines of samples/bench/lenet_torch.py: adds the ratio table.")
  Path torchJson;

  @Option(names = "--label", paramLabel = "TEXT",
      description = "A label for this run in the output (for example the JDK).")
  String label;

  private PrintWriter out;
  private PrintWriter jsonOut;
  private final List<Map<String, Object>> records = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private double peak1 = Double.NaN;
  private final Map<Integer, Double> peakByThreads = new HashMap<>();
  private volatile int sink;

  /** Runs the command on its own, without the app. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new BenchCommand()).execute(args));
  }

  /** Completion candidates of --sections. */
  static final class SectionNames extends ArrayList<String> {
    private static final long serialVersionUID = 1L;

    SectionNames() {
      super(SECTIONS);
    }
  }

  private void validate() {
    CommandLine cl = spec.commandLine();
    if (sections != null) {
      for (String s : sections) {
        if (!SECTIONS.contains(s)) {
          throw new ParameterException(cl, "unknown section '" + s + "'; valid: " + SECTIONS);
        }
      }
    }
    for (int t : threads) {
      if (t < 1) {
        throw new ParameterException(cl, "--threads must be at least 1, got " + t);
      }
    }
    for (int b : batches) {
      if (b < 1) {
        throw new ParameterException(cl, "--batches must be at least 1, got " + b);
      }
    }
    if (runs < 1 || runSeconds <= 0 || warmupSeconds < 0 || latencyIterations < 1
        || aptRuns < 1 || allocSteps < 1 || inferBatch < 1 || layerBatch < 1) {
      throw new ParameterException(cl, "runs, iterations, steps and batches must be at least 1,"
          + " --run-seconds positive");
    }
    if (!List.of("LeNet5", "SmallResNet").contains(layerNetwork)) {
      throw new ParameterException(cl, "--layer-network must be LeNet5 or SmallResNet, got '"
          + layerNetwork + "'");
    }
    if (!List.of("adam", "momentum", "sgd").contains(mainOptimizer)) {
      throw new ParameterException(cl, "--main-optimizer must be adam, momentum or sgd");
    }
  }

  private void applyQuick() {
    if (!quick) {
      return;
    }
    CommandLine.ParseResult pr = spec.commandLine().getParseResult();
    if (!pr.hasMatchedOption("--batches")) {
      batches = List.of(1, 64);
    }
    if (!pr.hasMatchedOption("--runs")) {
      runs = 3;
    }
    if (!pr.hasMatchedOption("--run-seconds")) {
      runSeconds = 0.25;
    }
    if (!pr.hasMatchedOption("--warmup-seconds")) {
      warmupSeconds = 0.25;
    }
    if (!pr.hasMatchedOption("--jit-warmup-seconds")) {
      jitWarmupSeconds = 1;
    }
    if (!pr.hasMatchedOption("--latency-iterations")) {
      latencyIterations = 2000;
    }
    if (!pr.hasMatchedOption("--alloc-steps")) {
      allocSteps = 30;
    }
    if (!pr.hasMatchedOption("--apt-runs")) {
      aptRuns = 2;
    }
    if (!pr.hasMatchedOption("--main-epochs")) {
      mainEpochs = 1;
    }
    if (!pr.hasMatchedOption("--main-train-limit")) {
      mainTrainLimit = 6000;
    }
  }

  private boolean on(String section) {
    return sections == null || sections.contains(section);
  }

  @Override
  public Integer call() throws Exception {
    validate();
    applyQuick();
    out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (json != null) {
      jsonOut = json.equals("-") ? out
          : new PrintWriter(Files.newBufferedWriter(Path.of(json), StandardCharsets.UTF_8));
    }
    try {
      environment();
      long t0 = System.nanoTime();
      FashionData.Loaded d = FashionData.load(data, err);
      emit(Json.obj().put("metric", "data_load").put("seconds", (System.nanoTime() - t0) / 1e9)
          .put("source", d.bundled() ? "bundled subset" : "Fashion-MNIST folder")
          .put("train_images", d.split().train().size())
          .put("test_images", d.split().test().size()));
      Dataset train = d.split().train();
      Dataset test = d.split().test();
      if (on("peak")) {
        peak();
      }
      if (on("train") || on("latency") || on("infer") || on("layers")) {
        jitWarmup(train);
      }
      if (on("train")) {
        training("lamina", Lamina_LeNet5::new, train, true);
        pairedScaling(train);
      }
      if (on("latency")) {
        latency("lamina", new Lamina_LeNet5(seed), test);
      }
      if (on("infer")) {
        inference("lamina", Lamina_LeNet5::new, test);
      }
      if (on("layers")) {
        layers(train);
      }
      if (on("naive")) {
        training("naive", NaiveLeNet5::new, train, false);
        latency("naive", new NaiveLeNet5(seed), test);
        inference("naive", NaiveLeNet5::new, test);
      }
      if (on("apt")) {
        apt();
      }
      if (on("main")) {
        mainJob(train, test);
      }
      Report.print(out, records, notes, label);
      if (torchJson != null) {
        Report.printRatios(out, records, Report.readJsonLines(torchJson), label);
      }
      out.flush();
      return 0;
    } finally {
      if (jsonOut != null) {
        jsonOut.flush();
        if (jsonOut != out) {
          jsonOut.close();
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------

  private void emit(Json.Obj o) {
    Json.Obj rec = Json.obj().put("impl", o.fields.getOrDefault("impl", "lamina"));
    if (label != null) {
      rec.put("label", label);
    }
    rec.fields.putAll(o.fields);
    records.add(rec.fields);
    if (jsonOut != null) {
      jsonOut.println(rec);
      jsonOut.flush();
    }
  }

  private void progress(String format, Object... args) {
    out.printf(Locale.ROOT, "  " + format + "%n", args);
    out.flush();
  }

  private void environment() {
    Json.Obj o = Json.obj().put("metric", "environment")
        .put("java", System.getProperty("java.version"))
        .put("vm", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"))
        .put("vendor", System.getProperty("java.vm.vendor"))
        .put("cpu", cpuModel())
        .put("logical_cpus", Runtime.getRuntime().availableProcessors())
        .put("load_average", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    try {
      HotSpotDiagnosticMXBean hs = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
      for (String flag : List.of("UseAVX", "MaxVectorSize", "UseSuperWord", "UseFMA")) {
        try {
          o.put(flag, hs.getVMOption(flag).getValue());
        } catch (IllegalArgumentException e) {
          // not a flag of this VM
        }
      }
    } catch (RuntimeException e) {
      // not HotSpot
    }
    o.put("kernels", dev.lamina.runtime.kernel.Kernels.BACKEND);
    o.put("multiply_adds_forward", Lamina_LeNet5.SUMMARY.totalMultiplyAdds());
    o.put("multiply_adds_training_step", trainingMultiplyAdds(Lamina_LeNet5.SUMMARY));
    emit(o);
    out.printf(Locale.ROOT, "Lamina bench: %s, Java %s (%s), %s convolution kernels, %d logical "
        + "CPUs, load average %.2f%n",
        Lamina_LeNet5.SUMMARY.networkName(), System.getProperty("java.version"),
        System.getProperty("java.vm.name"), dev.lamina.runtime.kernel.Kernels.BACKEND,
        Runtime.getRuntime().availableProcessors(),
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    if (ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()
        > 0.5 * Runtime.getRuntime().availableProcessors()) {
      notes.add("the machine was busy when the run started (load average above half the CPUs):"
          + " figures are noisy");
    }
  }

  private static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return System.getProperty("os.arch");
  }

  /**
   * Multiply-adds of one training step per sample: forward, weight gradients, and input gradients
   * of every layer but the first (training does not compute dL/d(input)).
   */
  static long trainingMultiplyAdds(NetworkSummary s) {
    long total = 3 * s.totalMultiplyAdds();
    for (LayerSummary l : s.layers()) {
      if (l.multiplyAdds() > 0) {
        return total - l.multiplyAdds();
      }
    }
    return total;
  }

  // ---------------------------------------------------------------------------------------------
  // Sections

  private void peak() {
    out.println("FP32 multiply-add peak (plain Java loops the JIT vectorizes)");
    int maxThreads = threads.stream().mapToInt(Integer::intValue).max().orElse(1);
    for (FmaPeak.Result r : FmaPeak.measure(runs, Math.max(0.2, runSeconds / 2), maxThreads)) {
      emit(Json.obj().put("metric", "peak_gflops").put("form", r.form()).put("threads", r.threads())
          .put("value", r.gflops()));
      progress("%-10s %d thread%s: %6.1f GFLOP/s", r.form(), r.threads(),
          r.threads() == 1 ? " " : "s", r.gflops());
      if (r.threads() == 1 && Double.isNaN(peak1)) {
        peak1 = r.gflops();
        peakByThreads.put(1, r.gflops());
      } else if (r.threads() > 1) {
        peakByThreads.put(r.threads(), r.gflops());
      }
    }
    emit(Json.obj().put("metric", "peak").put("threads", 1).put("value", peak1));
    for (var e : peakByThreads.entrySet()) {
      if (e.getKey() > 1) {
        emit(Json.obj().put("metric", "peak").put("threads", e.getKey()).put("value", e.getValue()));
        // T threads of a loop that touches no memory should reach T times one thread's rate.
        double scaling = e.getValue() / peak1;
        if (scaling < 0.9 * e.getKey()) {
          notes.add(String.format(Locale.ROOT, "the multiply-add peak scaled only %.2fx from 1 to"
              + " %d threads: the CPUs were not all available to this run (another tenant of the"
              + " host?), so multi-thread figures are low", scaling, e.getKey()));
        }
      }
    }
  }

  private double peak(int t) {
    Double p = peakByThreads.get(t);
    return p == null ? Double.NaN : p;
  }

  private void layers(Dataset train) throws Exception {
    out.printf(Locale.ROOT, "Per-layer passes of the generated %s, batch %d, 1 thread%s%n",
        layerNetwork, layerBatch, layerInference ? ", inference" : "");
    int b = Math.min(layerBatch, train.size());
    float[] x = Arrays.copyOf(train.features(), b * train.sampleSize());
    int[] y = Arrays.copyOf(train.labels(), b);
    LayerTimer.Result r;
    try {
      FloatNetwork net = layerNetwork.equals("SmallResNet") ? new Lamina_SmallResNet(seed)
          : new Lamina_LeNet5(seed);
      r = LayerTimer.measure(net, x, y, b, runs, runSeconds / 2, warmupSeconds / 2,
          layerInference);
    } catch (Throwable e) {
      notes.add("per-layer timing failed: " + e);
      return;
    }
    for (LayerTimer.Pass p : r.passes()) {
      emit(Json.obj().put("metric", "layer").put("layer", p.layer()).put("kind", p.kind())
          .put("pass", p.pass()).put("batch", b).put("threads", 1)
          .put("multiply_adds", p.multiplyAdds()).put("micros", p.micros())
          .put("gflops", p.gflops()).put("peak_fraction", p.gflops() / peak1));
      progress("%-11s %-9s %-20s %9.1f us %s", p.layer(), p.kind(), p.pass(), p.micros(),
          Double.isNaN(p.gflops()) ? "" : String.format(Locale.ROOT, "%6.1f GFLOP/s  %4.0f%% of"
              + " peak", p.gflops(), 100 * p.gflops() / peak1));
    }
    for (String m : r.notMeasured()) {
      notes.add("not measured: " + m);
      emit(Json.obj().put("metric", "not_measured").put("what", m));
    }
  }

  private void training(String impl, LongFunction<FloatNetwork> factory, Dataset train,
      boolean allocation) {
    out.printf(Locale.ROOT, "Training images/s (%s, plain SGD, Trainer data-parallel)%n", impl);
    long macs = trainingMultiplyAdds(Lamina_LeNet5.SUMMARY);
    for (int t : threads) {
      for (int b : batches) {
        FloatNetwork net = factory.apply(seed);
        Optimizer opt = Optimizers.sgd(0.01f).build(net.summary());
        int effective = Math.min(t, b);
        try (Trainer tr = Trainer.builder(net, opt).batchSize(b).threads(effective).seed(seed)
            .build()) {
          Timing.Body step = trainingStep(tr, train, b);
          double[] perStep = timedRuns(step);
          double[] rates = Arrays.stream(perStep).map(s -> b / s).toArray();
          double ips = Stats.median(rates);
          double gflops = 2.0 * macs * ips / 1e9;
          Json.Obj o = Json.obj().put("impl", impl).put("metric", "train_ips").put("batch", b)
              .put("threads", t).put("effective_threads", effective).put("value", ips)
              .put("runs", rates).put("gflops", gflops)
              .put("peak_fraction", gflops / peak(effective));
          String allocText = "";
          if (allocation) {
            double bytes = allocatedPerStep(step);
            o.put("alloc_bytes_per_step", bytes);
            allocText = String.format(Locale.ROOT, ", %.1f bytes allocated/step", bytes);
          }
          emit(o);
          progress("batch %3d, %d thread%s: %,9.0f images/s  %5.1f GFLOP/s%s", b, t,
              t == 1 ? " " : "s", ips, gflops, allocText);
        } catch (Throwable e) {
          throw new IllegalStateException("training " + impl + " at batch " + b + ": " + e, e);
        }
      }
    }
  }

  /** One training step of {@code b} samples per call, walking through the training set. */
  private static Timing.Body trainingStep(Trainer tr, Dataset train, int b) {
    float[] x = train.features();
    int[] y = train.labels();
    int in = train.sampleSize();
    int limit = (train.size() / b) * b;
    int[] pos = {0};
    return () -> {
      if (pos[0] + b > limit) {
        pos[0] = 0;
      }
      tr.trainBatch(x, pos[0] * in, y, pos[0], b);
      pos[0] += b;
    };
  }

  /**
   * Data-parallel scaling from 1 to T threads (the largest of --threads) at each batch of at
   * least 64, from runs taken in turn: one run on 1 thread, one on T threads, and so on, each
   * pair's ratio measured over the same stretch of time; the median of the pairs' ratios is the
   * speed-up. The separate figures above are minutes apart, long enough for a shared host's
   * speed to change in between.
   */
  private void pairedScaling(Dataset train) {
    int most = threads.stream().mapToInt(Integer::intValue).max().orElse(1);
    if (most < 2 || !threads.contains(1)) {
      return;
    }
    out.printf(Locale.ROOT, "Data-parallel scaling, 1 and %d threads in turn (lamina)%n", most);
    for (int b : batches) {
      if (b < 64 || b < most) {
        continue;
      }
      FloatNetwork one = new Lamina_LeNet5(seed);
      FloatNetwork many = new Lamina_LeNet5(seed);
      try (Trainer t1 = Trainer.builder(one, Optimizers.sgd(0.01f).build(one.summary()))
              .batchSize(b).threads(1).seed(seed).build();
          Trainer tn = Trainer.builder(many, Optimizers.sgd(0.01f).build(many.summary()))
              .batchSize(b).threads(most).seed(seed).build()) {
        double[][] perStep = Timing.secondsPerCallInTurn(trainingStep(t1, train, b),
            trainingStep(tn, train, b), runs, runSeconds, warmupSeconds);
        double[] ratios = new double[runs];
        for (int r = 0; r < runs; r++) {
          ratios[r] = perStep[0][r] / perStep[1][r];
        }
        double[] rate1 = Arrays.stream(perStep[0]).map(s -> b / s).toArray();
        double[] rateN = Arrays.stream(perStep[1]).map(s -> b / s).toArray();
        double speedUp = Stats.median(ratios);
        emit(Json.obj().put("impl", "lamina").put("metric", "scaling_in_turn").put("batch", b)
            .put("threads", most).put("value", speedUp).put("ratios", ratios)
            .put("ips_1", Stats.median(rate1)).put("ips_n", Stats.median(rateN)));
        progress("batch %3d: %,9.0f and %,9.0f images/s, speed-up %.2fx (median of %d pairs)",
            b, Stats.median(rate1), Stats.median(rateN), speedUp, runs);
      } catch (Throwable e) {
        throw new IllegalStateException("paired scaling at batch " + b + ": " + e, e);
      }
    }
  }

  /**
   * Trains the generated network at batches 1 and 64 for a while, and predicts, before anything
   * is measured: the generated methods are large and loop long, so C2 compiles them late.
   */
  private void jitWarmup(Dataset train) {
    if (jitWarmupSeconds <= 0) {
      return;
    }
    out.printf(Locale.ROOT, "JIT warm-up: %.0f s of training and prediction%n", jitWarmupSeconds);
    out.flush();
    FloatNetwork net = new Lamina_LeNet5(seed);
    float[] x = train.features();
    int[] y = train.labels();
    int in = train.sampleSize();
    float[] sample = Arrays.copyOf(x, in);
    long share = (long) (jitWarmupSeconds / 3 * 1e9);
    for (int b : new int[] {1, 64}) {
      int limit = (Math.min(train.size(), 4096) / b) * b;
      if (limit == 0) {
        continue;
      }
      try (Trainer tr = Trainer.builder(net, Optimizers.sgd(0.01f).build(net.summary()))
          .batchSize(b).threads(1).seed(seed).build()) {
        long end = System.nanoTime() + share;
        for (int pos = 0; System.nanoTime() < end; pos = pos + b >= limit ? 0 : pos + b) {
          tr.trainBatch(x, pos * in, y, pos, b);
        }
      }
    }
    long end = System.nanoTime() + share;
    while (System.nanoTime() < end) {
      sink += net.predict(sample);
    }
  }

  /** Bytes allocated per training step, summed over the calling thread and trainer workers. */
  private double allocatedPerStep(Timing.Body step) throws Throwable {
    var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    if (!mx.isThreadAllocatedMemorySupported()) {
      return Double.NaN;
    }
    mx.setThreadAllocatedMemoryEnabled(true);
    Set<Long> idSet = new LinkedHashSet<>();
    idSet.add(Thread.currentThread().getId());
    for (Thread th : Thread.getAllStackTraces().keySet()) {
      if (th.isAlive() && th.getName().startsWith("lamina-trainer-")) {
        idSet.add(th.getId());
      }
    }
    long[] ids = idSet.stream().mapToLong(Long::longValue).toArray();
    for (int i = 0; i < 20; i++) {
      step.run();
    }
    // What reading the counters allocates by itself (their result arrays), to subtract.
    long overhead = Math.max(0, allocatedDuring(mx, ids, null, 0));
    // Steady state: the lowest of three rounds (an early round may still run code the JIT has
    // not yet compiled with escape analysis).
    long best = Long.MAX_VALUE;
    for (int round = 0; round < 3; round++) {
      best = Math.min(best, allocatedDuring(mx, ids, step, allocSteps) - overhead);
    }
    return Math.max(0, (double) best / allocSteps);
  }

  private static long allocatedDuring(com.sun.management.ThreadMXBean mx, long[] ids,
      Timing.Body step, int steps) throws Throwable {
    long[] before = mx.getThreadAllocatedBytes(ids);
    for (int i = 0; i < steps; i++) {
      step.run();
    }
    long[] after = mx.getThreadAllocatedBytes(ids);
    long total = 0;
    for (int i = 0; i < ids.length; i++) {
      if (before[i] >= 0 && after[i] >= 0) {
        total += after[i] - before[i];
      }
    }
    return total;
  }

  /** Seconds per call of {@code body}: warm-up, then {@code runs} runs. */
  private double[] timedRuns(Timing.Body body) throws Throwable {
    return Timing.secondsPerCall(body, runs, runSeconds, warmupSeconds);
  }

  private void latency(String impl, FloatNetwork net, Dataset test) {
    int n = Math.min(256, test.size());
    float[][] samples = new float[n][test.sampleSize()];
    for (int i = 0; i < n; i++) {
      test.copySample(i, samples[i], 0);
    }
    long end = System.nanoTime() + (long) (warmupSeconds * 1e9);
    int acc = 0;
    for (int i = 0; System.nanoTime() < end; i++) {
      acc += net.predict(samples[i % n]);
    }
    long[] times = new long[latencyIterations];
    for (int k = 0; k < times.length; k++) {
      float[] s = samples[k % n];
      long t0 = System.nanoTime();
      acc += net.predict(s);
      times[k] = System.nanoTime() - t0;
    }
    sink = acc;
    Arrays.sort(times);
    double median = Stats.median(times) / 1e3;
    double p99 = Stats.percentile(times, 99) / 1e3;
    emit(Json.obj().put("impl", impl).put("metric", "latency").put("threads", 1)
        .put("median_us", median).put("p99_us", p99)
        .put("mean_us", Arrays.stream(times).average().orElse(Double.NaN) / 1e3)
        .put("iterations", times.length));
    out.printf(Locale.ROOT, "Single-image latency (%s, predict): median %.1f us, p99 %.1f us%n",
        impl, median, p99);
  }

  private void inference(String impl, LongFunction<FloatNetwork> factory, Dataset test) {
    out.printf(Locale.ROOT, "Inference images/s at batch %d (%s)%n", inferBatch, impl);
    long macs = Lamina_LeNet5.SUMMARY.totalMultiplyAdds();
    int b = Math.min(inferBatch, test.size());
    int count = Math.max(1, Math.min(16, test.size() / b));
    Dataset[] chunks = new Dataset[count];
    for (int i = 0; i < count; i++) {
      chunks[i] = test.subset(i * b, b);
    }
    try {
      // One thread, straight through a workspace: the network's own inference path.
      FloatNetwork net = factory.apply(seed);
      FloatWorkspace ws = net.newWorkspace(b);
      int[] k = {0};
      double[] perCall = timedRuns(() -> {
        Dataset c = chunks[k[0]++ % count];
        ws.forward(c.features(), 0, b, false);
      });
      double ips = Stats.median(Arrays.stream(perCall).map(s -> b / s).toArray());
      emit(Json.obj().put("impl", impl).put("metric", "infer_forward_ips").put("batch", b)
          .put("threads", 1).put("value", ips).put("gflops", 2.0 * macs * ips / 1e9));
      progress("workspace.forward, 1 thread : %,9.0f images/s", ips);
      // T threads: the Trainer's data-parallel evaluation (each thread a share of the batch).
      for (int t : threads) {
        int effective = Math.min(t, b);
        try (Trainer tr = Trainer.builder(net, Optimizers.sgd(0.01f).build(net.summary()))
            .batchSize(b).threads(effective).build()) {
          double[] per = timedRuns(() -> sink += (int) tr.evaluate(chunks[k[0]++ % count]).loss());
          double[] rates = Arrays.stream(per).map(s -> b / s).toArray();
          double v = Stats.median(rates);
          double gflops = 2.0 * macs * v / 1e9;
          emit(Json.obj().put("impl", impl).put("metric", "infer_ips").put("batch", b)
              .put("threads", t).put("effective_threads", effective).put("value", v)
              .put("runs", rates).put("gflops", gflops)
              .put("peak_fraction", gflops / peak(effective)));
          progress("Trainer.evaluate, %d thread%s: %,9.0f images/s", t, t == 1 ? " " : "s", v);
        }
      }
    } catch (Throwable e) {
      throw new IllegalStateException("inference " + impl + ": " + e, e);
    }
  }

  private void apt() throws Exception {
    out.println("Annotation processing (javax.tools.JavaCompiler in-process)");
    Class<?> processor = ProcessorTiming.processorClass(processorPath);
    String cp = System.getProperty("java.class.path");
    for (String[] decl : List.of(new String[] {"LeNet5", ProcessorTiming.LENET5},
        new String[] {"Vgg16", ProcessorTiming.VGG16})) {
      ProcessorTiming.Result r = ProcessorTiming.measure(decl[0], decl[1], processor, cp, aptRuns);
      if (r.error() != null) {
        notes.add("annotation processing of " + decl[0] + " not measured: " + r.error());
        emit(Json.obj().put("metric", "apt").put("network", decl[0]).put("error", r.error()));
        progress("%-7s not measured: %s", decl[0], r.error());
        continue;
      }
      emit(Json.obj().put("metric", "apt").put("network", decl[0]).put("runs", r.runs())
          .put("with_processor_ms", r.withMs()).put("without_processor_ms", r.withoutMs())
          .put("difference_ms", r.withMs() - r.withoutMs())
          .put("inside_processor_ms", r.processorMs())
          .put("cold_with_processor_ms", r.coldWithMs())
          .put("cold_without_processor_ms", r.coldWithoutMs())
          .put("generated_source_bytes", r.generatedSourceBytes()));
      progress("%-7s javac %7.1f ms with the processor, %6.1f ms without (+%.1f ms; %.1f ms"
              + " inside the processor); cold: %.0f / %.0f ms; %,d bytes generated", decl[0],
          r.withMs(), r.withoutMs(), r.withMs() - r.withoutMs(), r.processorMs(), r.coldWithMs(),
          r.coldWithoutMs(), r.generatedSourceBytes());
    }
  }

  private void mainJob(Dataset train, Dataset test) {
    int t = mainThreads != null ? mainThreads : Runtime.getRuntime().availableProcessors();
    float rate = mainLr != null ? mainLr : switch (mainOptimizer) {
      case "adam" -> 1e-3f;
      case "momentum" -> 0.05f;
      default -> 0.1f;
    };
    Dataset tr = mainTrainLimit > 0 && mainTrainLimit < train.size()
        ? train.subset(0, mainTrainLimit) : train;
    out.printf(Locale.ROOT, "Main job: the app's default train (%d epoch%s, batch %d, %s lr %s,"
            + " cosine, %d thread%s) on %,d images, test evaluation every epoch%n", mainEpochs,
        mainEpochs == 1 ? "" : "s", mainBatch, mainOptimizer, rate, t, t == 1 ? "" : "s",
        tr.size());
    long start = System.nanoTime();
    FloatNetwork net = new Lamina_LeNet5(seed);
    Optimizer opt = switch (mainOptimizer) {
      case "adam" -> Optimizers.adam(rate).build(net.summary());
      case "momentum" -> Optimizers.sgd(rate).momentum(0.9f).build(net.summary());
      default -> Optimizers.sgd(rate).build(net.summary());
    };
    LearningRateSchedule sched = LearningRateSchedule.cosine(rate, rate / 100, mainEpochs);
    List<Object> epochs = new ArrayList<>();
    double accuracy = Double.NaN;
    try (Trainer trainer = Trainer.builder(net, opt).batchSize(mainBatch)
        .threads(Math.min(t, mainBatch)).seed(seed).schedule(sched).build()) {
      for (int e = 0; e < mainEpochs; e++) {
        long e0 = System.nanoTime();
        EpochResult r = trainer.trainEpoch(tr, test, e);
        double s = (System.nanoTime() - e0) / 1e9;
        accuracy = r.testAccuracy();
        epochs.add(Json.obj().put("epoch", e + 1).put("train_loss", r.trainLoss())
            .put("train_accuracy", r.trainAccuracy()).put("test_accuracy", r.testAccuracy())
            .put("seconds", s).put("train_images_per_s", r.imagesPerSecond()));
        progress("epoch %d/%d: loss %.4f, test accuracy %.2f%%, %.1f s", e + 1, mainEpochs,
            r.trainLoss(), 100 * r.testAccuracy(), s);
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    emit(Json.obj().put("metric", "main_job").put("seconds", seconds).put("epochs", mainEpochs)
        .put("batch", mainBatch).put("optimizer", mainOptimizer).put("lr", rate)
        .put("schedule", "cosine").put("threads", t).put("train_images", tr.size())
        .put("test_images", test.size()).put("final_test_accuracy", accuracy)
        .put("per_epoch", epochs));
  }
}
