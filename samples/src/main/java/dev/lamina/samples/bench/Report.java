package dev.lamina.samples.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Predicate;

/** The human tables of the benchmark: Lamina's figures, and the ratios against PyTorch. */
final class Report {
  private Report() {}

  static List<Map<String, Object>> readJsonLines(Path file) throws IOException {
    List<Map<String, Object>> list = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      line = line.strip();
      if (line.startsWith("{")) {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) Json.parse(line);
        list.add(m);
      }
    }
    return list;
  }

  // ---------------------------------------------------------------------------------------------
  // Lookup helpers over result records.

  static double num(Map<String, Object> r, String key) {
    Object v = r.get(key);
    return v instanceof Number n ? n.doubleValue() : Double.NaN;
  }

  static String str(Map<String, Object> r, String key) {
    Object v = r.get(key);
    return v == null ? "" : v.toString();
  }

  static Predicate<Map<String, Object>> is(String impl, String metric) {
    return r -> impl.equals(r.get("impl")) && metric.equals(r.get("metric"));
  }

  static Map<String, Object> find(List<Map<String, Object>> rs,
      Predicate<Map<String, Object>> p) {
    for (Map<String, Object> r : rs) {
      if (p.test(r)) {
        return r;
      }
    }
    return null;
  }

  static double value(List<Map<String, Object>> rs, String impl, String metric, String key,
      Integer batch, Integer threads) {
    Map<String, Object> r = find(rs, is(impl, metric).and(x -> matches(x, "batch", batch))
        .and(x -> matches(x, "threads", threads)));
    return r == null ? Double.NaN : num(r, key);
  }

  private static boolean matches(Map<String, Object> r, String key, Integer want) {
    return want == null || num(r, key) == want;
  }

  /** The best (largest or smallest) value of a metric over thread counts at one batch. */
  static double best(List<Map<String, Object>> rs, String impl, String metric, String key,
      Integer batch, boolean largest) {
    double best = Double.NaN;
    for (Map<String, Object> r : rs) {
      if (is(impl, metric).test(r) && matches(r, "batch", batch)) {
        double v = num(r, key);
        if (Double.isNaN(best) || (largest ? v > best : v < best)) {
          best = v;
        }
      }
    }
    return best;
  }

  static TreeSet<Integer> ints(List<Map<String, Object>> rs, String impl, String metric,
      String key) {
    TreeSet<Integer> s = new TreeSet<>();
    for (Map<String, Object> r : rs) {
      if (is(impl, metric).test(r) && r.get(key) instanceof Number n) {
        s.add(n.intValue());
      }
    }
    return s;
  }

  // ---------------------------------------------------------------------------------------------

  /** A fixed-width table. */
  static final class Table {
    final List<String[]> rows = new ArrayList<>();
    final String[] header;

    Table(String... header) {
      this.header = header;
    }

    void add(Object... cells) {
      String[] r = new String[header.length];
      for (int i = 0; i < r.length; i++) {
        r[i] = i < cells.length && cells[i] != null ? cells[i].toString() : "";
      }
      rows.add(r);
    }

    void print(PrintWriter out) {
      int[] w = new int[header.length];
      for (int i = 0; i < w.length; i++) {
        w[i] = header[i].length();
        for (String[] r : rows) {
          w[i] = Math.max(w[i], r[i].length());
        }
      }
      line(out, header, w);
      StringBuilder sep = new StringBuilder();
      for (int i = 0; i < w.length; i++) {
        sep.append("-".repeat(w[i])).append(i < w.length - 1 ? "  " : "");
      }
      out.println(sep);
      for (String[] r : rows) {
        line(out, r, w);
      }
    }

    private static void line(PrintWriter out, String[] cells, int[] w) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < cells.length; i++) {
        String c = cells[i];
        boolean left = i == 0;
        String pad = " ".repeat(w[i] - c.length());
        sb.append(left ? c + pad : pad + c).append(i < cells.length - 1 ? "  " : "");
      }
      out.println(sb.toString().stripTrailing());
    }
  }

  static String f0(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%,.0f", v);
  }

  static String f1(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%,.1f", v);
  }

  static String x2(double v) {
    return Double.isNaN(v) || Double.isInfinite(v) ? "-" : String.format(Locale.ROOT, "%.2fx", v);
  }

  static String pct(double v) {
    return Double.isNaN(v) || Double.isInfinite(v) ? "-"
        : String.format(Locale.ROOT, "%.0f%%", 100 * v);
  }

  static String check(double v, double target) {
    if (Double.isNaN(v)) {
      return "?";
    }
    return v >= target ? "yes" : "NO";
  }

  // ---------------------------------------------------------------------------------------------

  static void print(PrintWriter out, List<Map<String, Object>> rs, List<String> notes,
      String label) {
    out.println();
    out.println("== Lamina LeNet-5" + (label != null ? " [" + label + "]" : "") + " ==");
    Map<String, Object> env = find(rs, is("lamina", "environment"));
    if (env != null) {
      out.printf(Locale.ROOT, "Java %s, %s kernels, %s, %s logical CPUs, load average at start "
          + "%.2f%n", str(env, "java"), str(env, "kernels"), str(env, "cpu"),
          str(env, "logical_cpus"), num(env, "load_average"));
    }
    double peak1 = value(rs, "lamina", "peak", "value", null, 1);
    TreeSet<Integer> peakThreads = ints(rs, "lamina", "peak", "threads");
    if (!peakThreads.isEmpty()) {
      StringBuilder sb = new StringBuilder("Measured FP32 multiply-add peak:");
      for (int t : peakThreads) {
        sb.append(String.format(Locale.ROOT, " %.1f GFLOP/s on %d thread%s;",
            value(rs, "lamina", "peak", "value", null, t), t, t == 1 ? "" : "s"));
      }
      Map<String, Object> best = find(rs, is("lamina", "peak_gflops"));
      if (best != null) {
        sb.append(" best form ").append(str(best, "form"));
      }
      out.println(sb);
    }

    TreeSet<Integer> batches = ints(rs, "lamina", "train_ips", "batch");
    TreeSet<Integer> threads = ints(rs, "lamina", "train_ips", "threads");
    batches.addAll(ints(rs, "naive", "train_ips", "batch"));
    threads.addAll(ints(rs, "naive", "train_ips", "threads"));
    if (!batches.isEmpty()) {
      out.println();
      Table t = new Table("training", "threads", "Lamina img/s", "GFLOP/s", "of peak",
          "alloc B/step", "naive img/s", "Lamina/naive");
      for (int th : threads) {
        for (int b : batches) {
          double l = value(rs, "lamina", "train_ips", "value", b, th);
          double n = value(rs, "naive", "train_ips", "value", b, th);
          Map<String, Object> r = find(rs, is("lamina", "train_ips")
              .and(x -> num(x, "batch") == b && num(x, "threads") == th));
          t.add("batch " + b, th + (r != null && num(r, "effective_threads") != th
                  ? " (" + (int) num(r, "effective_threads") + ")" : ""), f0(l),
              r == null ? "-" : f1(num(r, "gflops")), r == null ? "-" : pct(num(r, "peak_fraction")),
              r == null || r.get("alloc_bytes_per_step") == null ? "-"
                  : f1(num(r, "alloc_bytes_per_step")), f0(n), x2(l / n));
        }
      }
      t.print(out);
      if (threads.contains(1) && threads.contains(2)) {
        // The target is judged on the runs taken in turn where there are any (see
        // BenchCommand.pairedScaling); the separate figures' ratio is shown beside them.
        Table s = new Table("data-parallel scaling", "1 thread", "2 threads", "ratio",
            "in turn", "target", "met");
        for (int b : batches) {
          double one = value(rs, "lamina", "train_ips", "value", b, 1);
          double two = value(rs, "lamina", "train_ips", "value", b, 2);
          double paired = value(rs, "lamina", "scaling_in_turn", "value", b, 2);
          double judged = Double.isNaN(paired) ? two / one : paired;
          boolean target = b >= 64;
          s.add("batch " + b, f0(one), f0(two), x2(two / one),
              Double.isNaN(paired) ? "-" : x2(paired), target ? ">= 1.70x" : "",
              target ? check(judged, 1.7) : "");
        }
        out.println();
        s.print(out);
      }
    }

    Table lat = new Table("inference", "threads", "Lamina", "naive", "Lamina/naive");
    for (Map<String, Object> r : rs) {
      if (is("lamina", "latency").test(r)) {
        Map<String, Object> n = find(rs, is("naive", "latency"));
        lat.add("single-image latency median (us)", "1", f1(num(r, "median_us")),
            n == null ? "-" : f1(num(n, "median_us")),
            n == null ? "-" : x2(num(n, "median_us") / num(r, "median_us")));
        lat.add("single-image latency p99 (us)", "1", f1(num(r, "p99_us")),
            n == null ? "-" : f1(num(n, "p99_us")), "");
      }
    }
    for (Map<String, Object> r : rs) {
      if (is("lamina", "infer_forward_ips").test(r)) {
        int b = (int) num(r, "batch");
        double n = value(rs, "naive", "infer_forward_ips", "value", b, 1);
        lat.add("batch-" + b + " images/s (workspace.forward)", "1", f0(num(r, "value")), f0(n),
            x2(num(r, "value") / n));
      }
    }
    for (Map<String, Object> r : rs) {
      if (is("lamina", "infer_ips").test(r)) {
        int b = (int) num(r, "batch");
        int th = (int) num(r, "threads");
        double n = value(rs, "naive", "infer_ips", "value", b, th);
        lat.add("batch-" + b + " images/s (Trainer.evaluate)", String.valueOf(th),
            f0(num(r, "value")), f0(n), x2(num(r, "value") / n));
      }
    }
    if (!lat.rows.isEmpty()) {
      out.println();
      lat.print(out);
    }

    List<Map<String, Object>> layers = rs.stream().filter(is("lamina", "layer")).toList();
    if (!layers.isEmpty()) {
      out.println();
      out.printf(Locale.ROOT, "Per layer, batch %d, 1 thread (peak %.1f GFLOP/s)%n",
          (int) num(layers.get(0), "batch"), peak1);
      Table t = new Table("layer", "pass", "us/batch", "GFLOP/s", "of peak", "target", "met");
      for (Map<String, Object> r : layers) {
        boolean conv = "Conv".equals(r.get("kind")) && "forward".equals(r.get("pass"));
        t.add(str(r, "layer") + " " + str(r, "kind"), str(r, "pass"), f1(num(r, "micros")),
            f1(num(r, "gflops")), pct(num(r, "peak_fraction")), conv ? ">= 30%" : "",
            conv ? check(num(r, "peak_fraction"), 0.30) : "");
      }
      t.print(out);
    }

    List<Map<String, Object>> apt = rs.stream().filter(is("lamina", "apt")).toList();
    if (!apt.isEmpty()) {
      out.println();
      Table t = new Table("annotation processing", "with (ms)", "without (ms)", "difference",
          "in processor", "cold with", "cold without", "generated");
      for (Map<String, Object> r : apt) {
        if (r.get("error") != null) {
          t.add(str(r, "network"), "not measured");
        } else {
          t.add(str(r, "network"), f1(num(r, "with_processor_ms")),
              f1(num(r, "without_processor_ms")), f1(num(r, "difference_ms")),
              f1(num(r, "inside_processor_ms")), f0(num(r, "cold_with_processor_ms")),
              f0(num(r, "cold_without_processor_ms")),
              f0(num(r, "generated_source_bytes")) + " B");
        }
      }
      t.print(out);
    }

    Map<String, Object> main = find(rs, is("lamina", "main_job"));
    if (main != null) {
      out.println();
      out.printf(Locale.ROOT, "Main job: %.1f s for %d epoch(s) of %,d images, batch %d, %s,"
              + " %d thread(s); final test accuracy %.2f%%%n", num(main, "seconds"),
          (int) num(main, "epochs"), (int) num(main, "train_images"), (int) num(main, "batch"),
          str(main, "optimizer"), (int) num(main, "threads"),
          100 * num(main, "final_test_accuracy"));
    }
    if (!notes.isEmpty()) {
      out.println();
      for (String n : notes) {
        out.println("note: " + n);
      }
    }
    out.flush();
  }

  /** The side-by-side table against the PyTorch peer: ratios above 1 favour Lamina. */
  static void printRatios(PrintWriter out, List<Map<String, Object>> rs,
      List<Map<String, Object>> torch, String label) {
    out.println();
    out.println("== Lamina vs PyTorch, same machine" + (label != null ? " [" + label + "]" : "")
        + " (ratio > 1: Lamina better) ==");
    Map<String, Object> env = find(torch, is("pytorch", "environment"));
    if (env != null) {
      Object blas = env.get("blas_loaded");
      out.printf(Locale.ROOT, "PyTorch %s, BLAS loaded: %s%n", str(env, "torch"),
          blas instanceof List<?> l && !l.isEmpty() ? String.join(", ", l.stream()
              .map(Object::toString).map(p -> p.substring(p.lastIndexOf('/') + 1)).toList())
              : "none found");
    }
    Table t = new Table("figure", "threads", "Lamina", "PyTorch", "ratio", "target", "met");
    TreeSet<Integer> batches = ints(rs, "lamina", "train_ips", "batch");
    TreeSet<Integer> threads = ints(rs, "lamina", "train_ips", "threads");
    for (int b : batches) {
      for (int th : threads) {
        double l = value(rs, "lamina", "train_ips", "value", b, th);
        double p = value(torch, "pytorch", "train_ips", "value", b, th);
        t.add("training img/s, batch " + b, th, f0(l), f0(p), x2(l / p), "", "");
      }
      double lBest = best(rs, "lamina", "train_ips", "value", b, true);
      double pBest = best(torch, "pytorch", "train_ips", "value", b, true);
      double target = b == 64 ? 1.5 : b == 1 ? 5.0 : Double.NaN;
      t.add("training img/s, batch " + b + ", best vs best", "best", f0(lBest), f0(pBest),
          x2(lBest / pBest), Double.isNaN(target) ? "" : ">= " + x2(target),
          Double.isNaN(target) ? "" : check(lBest / pBest, target));
    }
    double lLat = value(rs, "lamina", "latency", "median_us", null, null);
    double pLat = best(torch, "pytorch", "latency", "median_us", null, false);
    t.add("single-image latency median (us), PyTorch best", "1", f1(lLat), f1(pLat),
        x2(pLat / lLat), ">= 5.00x", check(pLat / lLat, 5.0));
    double lP99 = value(rs, "lamina", "latency", "p99_us", null, null);
    double pP99 = best(torch, "pytorch", "latency", "p99_us", null, false);
    t.add("single-image latency p99 (us), PyTorch best", "1", f1(lP99), f1(pP99),
        x2(pP99 / lP99), "", "");
    for (int th : ints(rs, "lamina", "infer_ips", "threads")) {
      Map<String, Object> r = find(rs, is("lamina", "infer_ips").and(x -> num(x, "threads") == th));
      int b = (int) num(r, "batch");
      double l = num(r, "value");
      double p = value(torch, "pytorch", "infer_ips", "value", b, th);
      boolean target = th == 2;
      double pBest = best(torch, "pytorch", "infer_ips", "value", b, true);
      t.add("inference img/s, batch " + b + (target ? " (vs PyTorch best)" : ""), th, f0(l),
          f0(target ? pBest : p), x2(l / (target ? pBest : p)), target ? ">= 1.50x" : "",
          target ? check(l / pBest, 1.5) : "");
    }
    Map<String, Object> lm = find(rs, is("lamina", "main_job"));
    Map<String, Object> pm = find(torch, is("pytorch", "main_job"));
    if (lm != null || pm != null) {
      double l = lm == null ? Double.NaN : num(lm, "seconds");
      double p = pm == null ? Double.NaN : num(pm, "seconds");
      String what = lm != null ? String.format(Locale.ROOT, "main job (s), %d epoch(s), %,d images",
          (int) num(lm, "epochs"), (int) num(lm, "train_images")) : "main job (s)";
      t.add(what, lm == null ? "" : String.valueOf((int) num(lm, "threads")), f1(l), f1(p),
          x2(p / l), "> 1.00x", Double.isNaN(p / l) ? "?" : p / l > 1 ? "yes" : "NO");
      if (lm != null && pm != null && (num(lm, "epochs") != num(pm, "epochs")
          || num(lm, "train_images") != num(pm, "train_images")
          || !Objects.equals(str(lm, "optimizer"), str(pm, "optimizer")))) {
        out.println("warning: the two main jobs differ in epochs, images or optimizer");
      }
    }
    t.print(out);
    out.flush();
  }
}
