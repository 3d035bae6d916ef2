package dev.lamina.samples.bench;

import dev.lamina.runtime.FloatNetwork;
import dev.lamina.runtime.FloatWorkspace;
import dev.lamina.runtime.LayerSummary;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;

/**
 * Times each layer's passes of a generated network separately, on one thread.
 *
 * <p>The generated workspace has no public per-layer entry points today, so this reaches its
 * private per-layer methods by naming convention, through reflection (method handles; the call
 * overhead is a few nanoseconds against microseconds of work):
 *
 * <ul>
 *   <li>forward: {@code <layer>Forward(float[] x, int xOff, int batch)} then, if present, {@code
 *       <layer>Activate(float[] z, int batch)} on its {@code <layer>Pre} field; {@code x} is the
 *       previous layer's {@code <prev>Out} field (the network input for the first layer);
 *   <li>backward: {@code <layer>ActivateBackward(int)}, {@code <layer>BackwardParams(float[] x,
 *       int xOff, int batch)} and {@code <layer>BackwardData(float[] dx, int batch)} with {@code
 *       dx} the previous layer's {@code <prev>Delta} field (none for the first layer: training does
 *       not compute the input gradient).
 * </ul>
 *
 * With {@code inference}, only the forward passes of an inference pass ({@code forward(…,
 * false)}), which runs first: a batch normalization the workspace folds into its convolution
 * ({@code <layer>Fold()}) is timed as that refresh, which every inference pass starts with,
 * instead of a forward pass it does not run; the convolution's forward pass is the folded one.
 *
 * <p>Buffers are filled by one real training pass first, so data-dependent branches (pooling, ReLU)
 * see real data. Accumulating passes run repeatedly on the same buffers (the values only grow;
 * timing is unaffected). Whatever the convention does not find is reported as not measurable.
 */
final class LayerTimer {
  /** One timed pass of one layer. */
  record Pass(String layer, String kind, String pass, long multiplyAdds, double micros,
      double gflops) {}

  /** Results, plus what could not be measured and why. */
  record Result(int batch, List<Pass> passes, List<String> notMeasured) {}

  private static final MethodType DATA_OFF_BATCH =
      MethodType.methodType(void.class, Object.class, float[].class, int.class, int.class);
  private static final MethodType BATCH = MethodType.methodType(void.class, Object.class, int.class);
  private static final MethodType NONE = MethodType.methodType(void.class, Object.class);
  private static final MethodType DATA_BATCH =
      MethodType.methodType(void.class, Object.class, float[].class, int.class);

  private LayerTimer() {}

  static Result measure(FloatNetwork net, float[] inputs, int[] labels, int batch, int runs,
      double runSeconds, double warmupSeconds, boolean inference) throws Throwable {
    FloatWorkspace ws = net.newWorkspace(batch);
    ws.zeroGradients();
    ws.lossAndGradients(inputs, 0, labels, 0, batch, 1f / batch);
    if (inference) {
      ws.forward(inputs, 0, batch, false);
    }
    Class<?> c = ws.getClass();
    List<LayerSummary> layers = net.summary().layers();
    List<Pass> passes = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (int li = 0; li < layers.size(); li++) {
      LayerSummary l = layers.get(li);
      String name = member(l.name());
      String from = source(l, li == 0 ? null : layers.get(li - 1));
      float[] x = from == null ? inputs : floatField(c, ws, from + "Out");
      float[] dx = from == null ? null : floatField(c, ws, from + "Delta");
      MethodHandle fwd = handle(c, name + "Forward", DATA_OFF_BATCH, float[].class, int.class,
          int.class);
      MethodHandle act = handle(c, name + "Activate", DATA_BATCH, float[].class, int.class);
      float[] pre = floatField(c, ws, name + "Pre");
      MethodHandle fold = inference ? handle(c, name + "Fold", NONE) : null;
      if (fold != null) {
        double us = time(() -> {
          fold.invokeExact((Object) ws);
        }, runs, runSeconds, warmupSeconds);
        passes.add(pass(l, "fold refresh", 0, us));
      } else if (fwd == null || x == null) {
        missing.add(name + " forward: no " + name + "Forward(float[], int, int) or input buffer"
            + (from == null ? "" : " " + from + "Out"));
      } else {
        double us = time(() -> {
          fwd.invokeExact((Object) ws, x, 0, batch);
          if (act != null && pre != null) {
            act.invokeExact((Object) ws, pre, batch);
          }
        }, runs, runSeconds, warmupSeconds);
        passes.add(pass(l, "forward", l.multiplyAdds() * batch, us));
      }
      if (inference) {
        continue;
      }
      MethodHandle actBack = handle(c, name + "ActivateBackward", BATCH, int.class);
      MethodHandle params = handle(c, name + "BackwardParams", DATA_OFF_BATCH, float[].class,
          int.class, int.class);
      MethodHandle data = handle(c, name + "BackwardData", DATA_BATCH, float[].class, int.class);
      if (actBack != null) {
        double us = time(() -> {
          actBack.invokeExact((Object) ws, batch);
        }, runs, runSeconds,
            warmupSeconds);
        passes.add(pass(l, "activation backward", 0, us));
      }
      if (params != null && x != null) {
        double us = time(() -> {
          params.invokeExact((Object) ws, x, 0, batch);
        }, runs, runSeconds,
            warmupSeconds);
        passes.add(pass(l, "weight gradient", l.multiplyAdds() * batch, us));
      } else if (l.parameters() > 0) {
        missing.add(name + " weight gradient: no " + name + "BackwardParams(float[], int, int)");
      }
      if (from != null) {
        if (data != null && dx != null) {
          double us = time(() -> {
            data.invokeExact((Object) ws, dx, batch);
          }, runs, runSeconds,
              warmupSeconds);
          passes.add(pass(l, "input gradient", l.multiplyAdds() * batch, us));
        } else {
          missing.add(name + " input gradient: no " + name + "BackwardData(float[], int) or buffer "
              + from + "Delta");
        }
      }
    }
    if (passes.isEmpty()) {
      missing.add(0, "per-layer timing needs per-layer methods in " + c.getName()
          + "; none found (overall figures only)");
    }
    return new Result(batch, passes, missing);
  }

  /** The workspace's member name of a layer: {@code res1.conv1} is {@code res1_conv1}. */
  private static String member(String layer) {
    return layer.replace('.', '_');
  }

  /**
   * The member name of the layer {@code l} reads: the one its description names after
   * {@code <-}, else {@code previous}; null for the network input.
   */
  private static String source(LayerSummary l, LayerSummary previous) {
    String d = l.description();
    int arrow = d.indexOf("<- ");
    if (arrow >= 0) {
      String from = d.substring(arrow + 3).split("[ |]")[0];
      return from.equals("input") ? null : member(from);
    }
    return previous == null ? null : member(previous.name());
  }

  private static Pass pass(LayerSummary l, String which, long macs, double micros) {
    double gflops = macs > 0 ? 2.0 * macs / (micros * 1e3) : Double.NaN;
    return new Pass(l.name(), l.kind(), which, macs, micros, gflops);
  }

  /** Median microseconds per call. */
  static double time(Timing.Body body, int runs, double runSeconds, double warmupSeconds)
      throws Throwable {
    return Stats.median(Timing.secondsPerCall(body, runs, runSeconds, warmupSeconds)) * 1e6;
  }

  private static MethodHandle handle(Class<?> c, String name, MethodType erased,
      Class<?>... params) {
    try {
      Method m = c.getDeclaredMethod(name, params);
      m.setAccessible(true);
      return MethodHandles.lookup().unreflect(m).asType(erased);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  private static float[] floatField(Class<?> c, Object target, String name) {
    try {
      Field f = c.getDeclaredField(name);
      f.setAccessible(true);
      return f.get(target) instanceof float[] a ? a : null;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }
}
