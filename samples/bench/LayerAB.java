import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * One layer's passes in two builds of the samples jar, alternated in one JVM: each jar in a class
 * loader of its own, the generated network built and trained for 5 s in each, then every pass
 * (forward, weight gradient, input gradient, and the layer's whole backward: its activation's
 * backward pass when it has one of its own, then both gradients) timed in 0.15 s windows, the two
 * builds in turn (the first one first in even rounds, last in odd ones), 9 rounds ({@code
 * -Drounds=N} for more). Prints, per pass, the median
 * microseconds of each build and the median of the per-round speed-ups (before's time over
 * after's) with their range: on a shared machine whose speed drifts, a round moves both alike.
 *
 * <pre>
 *   java [-Dnet=dev.lamina.samples.Lamina_LeNet5] samples/bench/LayerAB.java BEFORE.jar AFTER.jar \
 *       (layer:input:source | network) ...
 * </pre>
 *
 * {@code layer} is the workspace's member name of the layer ({@code res2_conv1}), {@code input}
 * the member whose {@code Out} buffer it reads and {@code source} the one whose {@code Delta} its
 * input gradient adds to (both {@code res1_out} for {@code res2_conv1}). The network is {@code
 * dev.lamina.samples.zoo.Lamina_SmallResNet} unless {@code -Dnet} names another; batch 64. {@code
 * input} as either names the network input (the first layer: {@code stem:input:input}), random
 * values in [0, 1) and a scratch array for its gradient.
 *
 * <p>The argument {@code network} instead times the whole network: inference at batch 64 and at
 * batch 1 ({@code forward(…, false)}) and a training step at batch 64 ({@code lossAndGradients}),
 * in 0.3 s windows after 5 s (or {@code -Dwarmup} seconds) of training and inference passes in
 * each build (with two builds' methods to compile, C2 may need more on a loaded machine); then,
 * when the after build folds batch normalization into convolutions, its refresh alone (every
 * {@code <layer>Fold()} method of the workspace: the work each inference pass starts with).
 */
public final class LayerAB {
  private static final int BATCH = 64;
  private static final int ROUNDS = Integer.getInteger("rounds", 9);
  private static final long WINDOW_NS = 150_000_000L;
  private static final String[] PASSES = {"forward", "weight gradient", "input gradient",
      "backward"};
  private static final String[] TASKS = {"inference, batch 64", "inference, batch 1",
      "training step, batch 64"};
  private static final int[] BATCHES = {64, 1, 64};

  /** One build's workspace and the three passes of one layer in it. */
  private static final class Build {
    private final Object ws;
    private final Method[] passes = new Method[3];
    /** {@code <layer>ActivateBackward(int)}, or null when the layer fuses its activation. */
    private final Method activateBackward;
    private final Object input;
    private final Object inputDelta;

    Build(Path jar, String network, String spec) throws Exception {
      String[] f = spec.split(":");
      if (f.length != 3) {
        throw new IllegalArgumentException("expected layer:input:source, got '" + spec + "'");
      }
      URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()},
          ClassLoader.getPlatformClassLoader());
      Class<?> nc = loader.loadClass(network);
      Object net = nc.getConstructor(long.class).newInstance(1L);
      int in = (int) nc.getMethod("inputSize").invoke(net);
      ws = nc.getMethod("newWorkspace", int.class).invoke(net, BATCH);
      float[] x = new float[BATCH * in];
      Random random = new Random(1);
      for (int i = 0; i < x.length; i++) {
        x[i] = random.nextFloat();
      }
      int[] y = new int[BATCH];
      Method train = null;
      Method zero = null;
      for (Method m : ws.getClass().getMethods()) {
        if (m.getName().equals("lossAndGradients") && m.getParameterCount() == 6
            && m.getParameterTypes()[2] == int[].class) {
          train = m;
        } else if (m.getName().equals("zeroGradients")) {
          zero = m;
        }
      }
      train.setAccessible(true);
      zero.setAccessible(true);
      long end = System.nanoTime() + 5_000_000_000L;
      while (System.nanoTime() < end) {
        zero.invoke(ws);
        train.invoke(ws, x, 0, y, 0, BATCH, 1f / BATCH);
      }
      Class<?> c = ws.getClass();
      input = f[1].equals("input") ? x : field(c, f[1] + "Out").get(ws);
      inputDelta = f[2].equals("input") ? new float[x.length] : field(c, f[2] + "Delta").get(ws);
      passes[0] = method(c, f[0] + "Forward", float[].class, int.class, int.class);
      passes[1] = method(c, f[0] + "BackwardParams", float[].class, int.class, int.class);
      passes[2] = method(c, f[0] + "BackwardData", float[].class, int.class);
      Method act;
      try {
        act = method(c, f[0] + "ActivateBackward", int.class);
      } catch (NoSuchMethodException e) {
        act = null;
      }
      activateBackward = act;
    }

    private static Field field(Class<?> c, String name) throws NoSuchFieldException {
      Field f = c.getDeclaredField(name);
      f.setAccessible(true);
      return f;
    }

    private static Method method(Class<?> c, String name, Class<?>... types)
        throws NoSuchMethodException {
      Method m = c.getDeclaredMethod(name, types);
      m.setAccessible(true);
      return m;
    }

    /** Microseconds per call of pass {@code k}, over at least {@code ns} nanoseconds. */
    double time(int k, long ns) throws Exception {
      long t0 = System.nanoTime();
      int n = 0;
      while (System.nanoTime() - t0 < ns) {
        if (k == 3) {
          if (activateBackward != null) {
            activateBackward.invoke(ws, BATCH);
          }
          passes[1].invoke(ws, input, 0, BATCH);
          passes[2].invoke(ws, inputDelta, BATCH);
        } else if (k == 2) {
          passes[2].invoke(ws, inputDelta, BATCH);
        } else {
          passes[k].invoke(ws, input, 0, BATCH);
        }
        n++;
      }
      return (System.nanoTime() - t0) / 1e3 / n;
    }
  }

  /** One build's whole network: inference at batch 64 and 1, a training step at batch 64. */
  private static final class Whole {
    private final Object ws;
    private final Method forward;
    private final Method train;
    private final Method zero;
    private final List<Method> folds = new ArrayList<>();
    private final float[] x;
    private final int[] y = new int[64];

    Whole(Path jar, String network) throws Exception {
      URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()},
          ClassLoader.getPlatformClassLoader());
      Class<?> nc = loader.loadClass(network);
      Object net = nc.getConstructor(long.class).newInstance(1L);
      int in = (int) nc.getMethod("inputSize").invoke(net);
      ws = nc.getMethod("newWorkspace", int.class).invoke(net, 64);
      x = new float[64 * in];
      Random random = new Random(1);
      for (int i = 0; i < x.length; i++) {
        x[i] = random.nextFloat();
      }
      for (int i = 0; i < y.length; i++) {
        y[i] = i % 10;
      }
      Method f = null;
      Method t = null;
      Method z = null;
      for (Method m : ws.getClass().getMethods()) {
        if (m.getName().equals("forward") && m.getParameterCount() == 4
            && m.getParameterTypes()[0] == float[].class) {
          f = m;
        } else if (m.getName().equals("lossAndGradients") && m.getParameterCount() == 6
            && m.getParameterTypes()[2] == int[].class) {
          t = m;
        } else if (m.getName().equals("zeroGradients")) {
          z = m;
        }
      }
      forward = f;
      train = t;
      zero = z;
      forward.setAccessible(true);
      train.setAccessible(true);
      zero.setAccessible(true);
      for (Method m : ws.getClass().getDeclaredMethods()) {
        if (m.getName().endsWith("Fold") && m.getParameterCount() == 0) {
          m.setAccessible(true);
          folds.add(m);
        }
      }
      long end = System.nanoTime() + (long) (Double.parseDouble(System.getProperty("warmup",
          "5")) * 1e9);
      while (System.nanoTime() < end) {
        pass(2);
        pass(0);
      }
    }

    void pass(int task) throws Exception {
      if (task == 2) {
        zero.invoke(ws);
        train.invoke(ws, x, 0, y, 0, 64, 1f / 64);
      } else {
        forward.invoke(ws, x, 0, BATCHES[task], false);
      }
    }

    /** Microseconds per pass of {@code task}, over at least {@code ns} nanoseconds. */
    double time(int task, long ns) throws Exception {
      long t0 = System.nanoTime();
      int n = 0;
      while (System.nanoTime() - t0 < ns) {
        pass(task);
        n++;
      }
      return (System.nanoTime() - t0) / 1e3 / n;
    }

    /** Microseconds per refresh of all folded layers, over at least {@code ns} nanoseconds. */
    double foldTime(long ns) throws Exception {
      long t0 = System.nanoTime();
      int n = 0;
      while (System.nanoTime() - t0 < ns) {
        for (Method m : folds) {
          m.invoke(ws);
        }
        n++;
      }
      return (System.nanoTime() - t0) / 1e3 / n;
    }
  }

  /** Times one pass of each build, {@code ns} nanoseconds at a time. */
  private interface Timer {
    double time(long ns) throws Exception;
  }

  /**
   * Alternates the two builds' {@code ROUNDS} windows (the first one first in even rounds, last in
   * odd ones) after a warm-up window each; returns {@code "before X us, after Y us, speed-up
   * R [lo-hi]"} with the medians and the range of the per-round speed-ups.
   */
  private static String compare(Timer before, Timer after, long window) throws Exception {
    before.time(2 * window);
    after.time(2 * window);
    List<Double> ratios = new ArrayList<>();
    List<Double> a = new ArrayList<>();
    List<Double> b = new ArrayList<>();
    for (int r = 0; r < ROUNDS; r++) {
      double ta;
      double tb;
      if (r % 2 == 0) {
        ta = before.time(window);
        tb = after.time(window);
      } else {
        tb = after.time(window);
        ta = before.time(window);
      }
      ratios.add(ta / tb);
      a.add(ta);
      b.add(tb);
    }
    Collections.sort(ratios);
    Collections.sort(a);
    Collections.sort(b);
    return String.format("before %.1f us, after %.1f us, speed-up %.2fx [%.2f-%.2f]",
        a.get(ROUNDS / 2), b.get(ROUNDS / 2), ratios.get(ROUNDS / 2), ratios.get(0),
        ratios.get(ROUNDS - 1));
  }

  private static String load() throws Exception {
    return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("usage: LayerAB BEFORE.jar AFTER.jar (layer:input:source | network) ...");
      System.exit(2);
    }
    String network = System.getProperty("net", "dev.lamina.samples.zoo.Lamina_SmallResNet");
    for (int li = 2; li < args.length; li++) {
      if (args[li].equals("network")) {
        Whole before = new Whole(Path.of(args[0]), network);
        Whole after = new Whole(Path.of(args[1]), network);
        String load0 = load();
        for (int k = 0; k < TASKS.length; k++) {
          int task = k;
          System.out.println(TASKS[k] + ": " + compare(ns -> before.time(task, ns),
              ns -> after.time(task, ns), 2 * WINDOW_NS));
        }
        if (!after.folds.isEmpty()) {
          List<Double> f = new ArrayList<>();
          for (int r = 0; r < ROUNDS; r++) {
            f.add(after.foldTime(2 * WINDOW_NS));
          }
          Collections.sort(f);
          System.out.printf("after: fold refresh of %d layers %.2f us per inference pass "
              + "(median of %d windows)%n", after.folds.size(), f.get(ROUNDS / 2), ROUNDS);
        }
        System.out.println("load average " + load0 + " before the rounds, " + load() + " after");
        continue;
      }
      Build before = new Build(Path.of(args[0]), network, args[li]);
      Build after = new Build(Path.of(args[1]), network, args[li]);
      StringBuilder line = new StringBuilder(args[li].split(":")[0]);
      for (int k = 0; k < PASSES.length; k++) {
        int pass = k;
        line.append(" | ").append(PASSES[k]).append(": ").append(compare(
            ns -> before.time(pass, ns), ns -> after.time(pass, ns), WINDOW_NS));
      }
      System.out.println(line + " (load average " + load() + ")");
    }
  }
}
