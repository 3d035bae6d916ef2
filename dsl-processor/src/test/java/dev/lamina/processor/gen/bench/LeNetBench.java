package dev.lamina.processor.gen.bench;

import dev.lamina.processor.kind.LayerKinds;
import com.palantir.javapoet.JavaFile;
import dev.lamina.dsl.Activation;
import dev.lamina.dsl.Loss;
import dev.lamina.dsl.PoolKind;
import dev.lamina.dsl.Precision;
import dev.lamina.processor.gen.NetworkGenerator;
import dev.lamina.processor.model.ModelBuilder;
import dev.lamina.processor.model.NetworkModel;
import dev.lamina.processor.model.Node;
import dev.lamina.processor.model.AffineOp;
import dev.lamina.processor.model.ConvOp;
import dev.lamina.processor.model.PoolOp;
import dev.lamina.processor.model.Shape;
import dev.lamina.runtime.FloatNetwork;
import dev.lamina.runtime.FloatWorkspace;
import dev.lamina.runtime.LayerSummary;
import dev.lamina.runtime.Optimizer;
import dev.lamina.runtime.train.Trainer;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;

/**
 * Throughput of the generated modern LeNet-5 (float): training steps at batch 64 and 1 (one and
 * two threads), inference at batch 64, single-image latency, and per-layer forward/backward times
 * at batch 64 (the generated private layer methods called by reflection). Not a test: run it as
 * a main on the test class path, e.g.
 *
 * <pre>
 * java -cp dsl-processor/target/test-classes:dsl-processor/target/classes:&lt;test class path&gt;
 *     dev.lamina.processor.gen.bench.LeNetBench [rounds] [seconds per figure]
 * </pre>
 *
 * <p>Each figure is the median of {@code rounds} timed windows. The machine may be shared:
 * compare variants by ratios measured in one process, and read the spread.
 *
 * <p>{@code -Dbench.dump=DIR} writes the generated source there; {@code -Dbench.only=layers}
 * (or {@code train}, {@code infer}) runs one group.
 */
public final class LeNetBench {
  private static final int IN = 784;

  private LeNetBench() {}

  static NetworkModel lenet() {
    return new ModelBuilder("p", "LeNet5", Shape.image(1, 28, 28))
        .add("c1", new ConvOp(6, 5, 5, 1, 1, 2, 2, 1, 1, true), Activation.RELU, 0)
        .add("s2", new PoolOp(PoolKind.MAX, 2, 2, 2, 2, 0, 0, true), Activation.IDENTITY, 0)
        .add("c3", new ConvOp(16, 5, 5, 1, 1, 0, 0, 1, 1, true), Activation.RELU, 0)
        .add("s4", new PoolOp(PoolKind.MAX, 2, 2, 2, 2, 0, 0, true), Activation.IDENTITY, 0)
        .add("f5", new AffineOp(120, true), Activation.RELU, 0)
        .add("f6", new AffineOp(84, true), Activation.RELU, 0)
        .add("out", new AffineOp(10, true), Activation.IDENTITY, 0)
        .loss(Loss.SOFTMAX_CROSS_ENTROPY)
        .precisions(EnumSet.of(Precision.FLOAT))
        .build();
  }

  /** Plain SGD, allocation-free. */
  static final class Sgd implements Optimizer {
    float lr;

    Sgd(float lr) {
      this.lr = lr;
    }

    @Override
    public void step(float[] parameters, float[] gradients) {
      float r = lr;
      for (int i = 0; i < parameters.length; i++) {
        parameters[i] -= r * gradients[i];
      }
    }

    @Override
    public float learningRate() {
      return lr;
    }

    @Override
    public void setLearningRate(float learningRate) {
      lr = learningRate;
    }
  }

  interface Job {
    /** Runs {@code reps} repetitions. */
    void run(int reps) throws Exception;
  }

  static double seconds = 1.0;
  static int rounds = 5;

  private static final java.lang.management.ThreadMXBean THREADS =
      java.lang.management.ManagementFactory.getThreadMXBean();
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean)
          java.lang.management.ManagementFactory.getOperatingSystemMXBean();

  /** Whether figures are CPU time (of this thread, or of the process) rather than wall time. */
  static String clock = System.getProperty("bench.clock", "thread");

  static long now(boolean process) {
    return switch (clock) {
      case "wall" -> System.nanoTime();
      default -> process ? OS.getProcessCpuTime() : THREADS.getCurrentThreadCpuTime();
    };
  }

  static double[] time(Job job) throws Exception {
    return time(job, false);
  }

  /**
   * Seconds per repetition in {@code rounds} windows of about {@link #seconds}, sorted. On a
   * shared machine CPU time (the default, {@code -Dbench.clock=wall} for wall time) is the
   * figure that stays stable: {@code process} counts every thread of the process (for the
   * two-thread trainer), otherwise only the calling thread.
   */
  static double[] time(Job job, boolean process) throws Exception {
    int reps = 1;
    long t0 = System.nanoTime();
    job.run(reps);
    while (System.nanoTime() - t0 < 300_000_000L) { // warm up and calibrate
      reps *= 2;
      long s = System.nanoTime();
      job.run(reps);
      if (System.nanoTime() - s > 150_000_000L) {
        break;
      }
    }
    long s = now(process);
    job.run(reps);
    double per = Math.max(1, now(process) - s) / 1e9 / reps;
    int n = Math.max(1, (int) (seconds / rounds / per));
    double[] r = new double[rounds];
    for (int i = 0; i < rounds; i++) {
      long a = now(process);
      job.run(n);
      r[i] = (now(process) - a) / 1e9 / n;
    }
    Arrays.sort(r);
    return r;
  }

  static double median(double[] r) {
    return r[r.length / 2];
  }

  static String spread(double[] r) {
    return String.format(Locale.ROOT, "±%.0f%%", 50 * (r[r.length - 1] - r[0]) / median(r));
  }

  public static void main(String[] args) throws Exception {
    if (args.length > 0) {
      rounds = Integer.parseInt(args[0]);
    }
    if (args.length > 1) {
      seconds = Double.parseDouble(args[1]);
    }
    String only = System.getProperty("bench.only", "");
    NetworkModel model = lenet();
    Class<?> cls = compile(model);
    FloatNetwork net = (FloatNetwork) cls.getConstructor(long.class).newInstance(1L);
    System.out.printf(Locale.ROOT, "%s %s, %d processors, clock %s, load average %.1f%n",
        System.getProperty("java.vm.name"), System.getProperty("java.version"),
        Runtime.getRuntime().availableProcessors(), clock, OS.getSystemLoadAverage());

    SplittableRandom r = new SplittableRandom(7);
    int nData = 64 * 16;
    float[] data = new float[nData * IN];
    for (int i = 0; i < data.length; i++) {
      data[i] = r.nextFloat();
    }
    int[] labels = new int[nData];
    for (int i = 0; i < nData; i++) {
      labels[i] = r.nextInt(10);
    }
    Sgd sgd = new Sgd(0.001f);
    net.setOptimizer(sgd);
    int[] cursor = {0};

    if (only.isEmpty() || only.equals("train")) {
      double[] t64 = time(reps -> {
        for (int i = 0; i < reps; i++) {
          net.trainStep(data, labels, 64);
        }
      });
      // Train on distinct batches with offsets through the workspace (trainStep reads offset 0).
      FloatWorkspace tw = net.newWorkspace(64);
      float[] p = net.parameters();
      double[] t64o = time(reps -> {
        for (int i = 0; i < reps; i++) {
          int b = (cursor[0]++ & 15) * 64;
          tw.zeroGradients();
          tw.lossAndGradients(data, b * IN, labels, b, 64, 1f / 64);
          sgd.step(p, tw.gradients());
        }
      });
      FloatWorkspace t1 = net.newWorkspace(1);
      double[] tb1 = time(reps -> {
        for (int i = 0; i < reps; i++) {
          int b = cursor[0]++ & (nData - 1);
          t1.zeroGradients();
          t1.lossAndGradients(data, b * IN, labels, b, 1, 1f);
          sgd.step(p, t1.gradients());
        }
      });
      double[] t2 = null;
      try (Trainer trainer = Trainer.builder(net, sgd).batchSize(64).threads(2).build()) {
        t2 = time(reps -> {
          for (int i = 0; i < reps; i++) {
            int b = (cursor[0]++ & 15) * 64;
            trainer.trainBatch(data, b * IN, labels, b, 64);
          }
        }, true);
      }
      System.out.printf(Locale.ROOT, "train  batch 64, 1 thread : %8.0f img/s %s (trainStep %8.0f)%n",
          64 / median(t64o), spread(t64o), 64 / median(t64));
      System.out.printf(Locale.ROOT, "train  batch 64, 2 threads: %8.0f img/s %s%s%n",
          64 / median(t2), spread(t2), clock.equals("wall") ? "" : " per CPU-second of the process");
      System.out.printf(Locale.ROOT, "train  batch  1, 1 thread : %8.0f img/s %s%n",
          1 / median(tb1), spread(tb1));
    }
    if (only.isEmpty() || only.equals("infer")) {
      FloatWorkspace iw = net.newWorkspace(64);
      double[] i64 = time(reps -> {
        for (int i = 0; i < reps; i++) {
          int b = (cursor[0]++ & 15) * 64;
          iw.forward(data, b * IN, 64, false);
        }
      });
      FloatWorkspace i1 = net.newWorkspace(1);
      double[] lat = time(reps -> {
        for (int i = 0; i < reps; i++) {
          int b = cursor[0]++ & (nData - 1);
          i1.forward(data, b * IN, 1, false);
        }
      });
      System.out.printf(Locale.ROOT, "infer  batch 64, 1 thread : %8.0f img/s %s%n",
          64 / median(i64), spread(i64));
      System.out.printf(Locale.ROOT, "infer  batch  1 latency   : %8.1f µs %s%n",
          median(lat) * 1e6, spread(lat));
    }
    if (only.isEmpty() || only.equals("layers")) {
      layers(model, net, data, labels);
    }
  }

  /** Per-layer times at batch 64, µs per image. */
  static void layers(NetworkModel model, FloatNetwork net, float[] data, int[] labels)
      throws Exception {
    int batch = 64;
    FloatWorkspace ws = net.newWorkspace(batch);
    ws.lossAndGradients(data, 0, labels, 0, batch, 1f / batch);
    Class<?> wc = ws.getClass();
    double total = 0;
    System.out.println("layer  part              µs/img   GFLOP/s");
    List<Node> nodes = model.nodes();
    for (int li = 0; li < nodes.size(); li++) {
      Node n = nodes.get(li);
      String name = n.name();
      String prevOut = li == 0 ? null : nodes.get(li - 1).name() + "Out";
      float[] x = prevOut == null ? data : (float[]) field(ws, prevOut);
      float[] dx = prevOut == null ? new float[batch * IN]
          : (float[]) field(ws, nodes.get(li - 1).name() + "Delta");
      LayerSummary s = net.summary().layer(name);
      for (String part : new String[] {"Forward", "Activate", "ActivateBackward",
          "BackwardParams", "BackwardData"}) {
        Method m = find(wc, name + part);
        if (m == null) {
          continue;
        }
        m.setAccessible(true);
        Object[] a = switch (m.getParameterCount()) {
          case 1 -> new Object[] {batch};
          case 2 -> new Object[] {part.equals("Activate") ? field(ws, name + "Pre") : dx,
              batch};
          default -> new Object[] {x, 0, batch};
        };
        double[] t = time(reps -> {
          for (int i = 0; i < reps; i++) {
            m.invoke(ws, a);
          }
        });
        double us = median(t) * 1e6 / batch;
        total += us;
        String gf = "";
        if (!part.startsWith("Activ") && s.multiplyAdds() > 0) {
          gf = String.format(Locale.ROOT, "%8.1f", 2.0 * s.multiplyAdds() / (us * 1e-6) / 1e9);
        }
        System.out.printf(Locale.ROOT, "%-6s %-16s %8.2f %s %s%n", name, part, us, gf, spread(t));
      }
    }
    System.out.printf(Locale.ROOT, "sum of parts          %8.2f µs/img%n", total);
  }

  static Object field(Object o, String name) throws Exception {
    var f = o.getClass().getDeclaredField(name);
    f.setAccessible(true);
    return f.get(o);
  }

  static Method find(Class<?> c, String name) {
    for (Method m : c.getDeclaredMethods()) {
      if (m.getName().equals(name)) {
        return m;
      }
    }
    return null;
  }

  /** Generates, compiles in memory and loads the float class. */
  static Class<?> compile(NetworkModel model) throws Exception {
    Map<String, String> sources = new LinkedHashMap<>();
    StringBuilder decl = new StringBuilder("package p;\npublic abstract class LeNet5 {\n");
    for (Node n : model.nodes()) {
      decl.append("  dev.lamina.dsl.Layer ").append(n.name()).append(";\n");
    }
    sources.put("p/LeNet5", decl.append("}\n").toString());
    for (JavaFile f : new NetworkGenerator(LayerKinds.STANDARD::emitterFor).generateAll(model)) {
      sources.put("p/" + f.typeSpec().name(), f.toString());
    }
    String dump = System.getProperty("bench.dump");
    if (dump != null) {
      for (Map.Entry<String, String> e : sources.entrySet()) {
        Path out = Path.of(dump, e.getKey() + ".java");
        Files.createDirectories(out.getParent());
        Files.writeString(out, e.getValue());
      }
    }
    Map<String, byte[]> classes = new LinkedHashMap<>();
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    JavaFileManager fm = new ForwardingJavaFileManager<>(
        javac.getStandardFileManager(null, null, null)) {
      @Override
      public JavaFileObject getJavaFileForOutput(Location location, String className,
          JavaFileObject.Kind kind, FileObject sibling) {
        return new SimpleJavaFileObject(URI.create("mem:///" + className.replace('.', '/')
            + kind.extension), kind) {
          @Override
          public OutputStream openOutputStream() {
            return new ByteArrayOutputStream() {
              @Override
              public void close() {
                classes.put(className, toByteArray());
              }
            };
          }
        };
      }
    };
    List<JavaFileObject> units = new ArrayList<>();
    for (Map.Entry<String, String> e : sources.entrySet()) {
      units.add(new SimpleJavaFileObject(URI.create("string:///" + e.getKey() + ".java"),
          JavaFileObject.Kind.SOURCE) {
        @Override
        public CharSequence getCharContent(boolean ignore) {
          return e.getValue();
        }
      });
    }
    if (!javac.getTask(null, fm, null, List.of("-classpath",
        System.getProperty("java.class.path"), "-proc:none", "--release", "17"), null, units)
        .call()) {
      throw new IllegalStateException("generated code does not compile");
    }
    ClassLoader loader = new ClassLoader(LeNetBench.class.getClassLoader()) {
      @Override
      protected Class<?> findClass(String name) throws ClassNotFoundException {
        byte[] b = classes.get(name);
        if (b == null) {
          throw new ClassNotFoundException(name);
        }
        return defineClass(name, b, 0, b.length);
      }
    };
    return loader.loadClass("p.Lamina_LeNet5");
  }
}
