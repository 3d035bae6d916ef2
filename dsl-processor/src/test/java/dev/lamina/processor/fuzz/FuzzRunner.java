package dev.lamina.processor.fuzz;

import static com.google.testing.compile.Compiler.javac;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import dev.lamina.processor.LaminaProcessor;
import dev.lamina.runtime.DoubleNetwork;
import dev.lamina.runtime.DoubleWorkspace;
import dev.lamina.runtime.FloatNetwork;
import dev.lamina.testsupport.AllocatedBytes;
import dev.lamina.runtime.LayerMemory;
import dev.lamina.runtime.FloatWorkspace;
import dev.lamina.runtime.LayerSummary;
import dev.lamina.runtime.NetworkSummary;
import dev.lamina.runtime.ParameterTensor;
import dev.lamina.runtime.kernel.Kernels;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;

/**
 * Compiles generated declarations in batches with compile-testing and judges each one.
 *
 * <p>An invalid declaration must end in clean compile errors: at least one error on the line the
 * generator broke, containing the expected text, and every diagnostic inside the network class,
 * starting with a member name, the class name or {@code input} (or a {@code [lamina:id]} warning
 * prefix), and never showing an exception or an internal error. A valid declaration must compile,
 * and then its generated classes are loaded from the compilation's class files: the summary must
 * predict the generator's own shapes, parameter count and receptive fields (per layer, block uses
 * expanded), the parameter array must hold those parameters and batch normalization's running
 * statistics, forward must fill exactly {@code batch · outputSize} values, the double-precision
 * gradient check (in training or in inference mode) must pass, and the float class must compute
 * the double class's outputs and gradients within float rounding, on this JVM's kernels. Messages
 * from inside a block use must start with {@code in use (Block ...): use.member:}.
 */
public final class FuzzRunner {
  /** Above these sizes a valid network is only compiled and its summary checked. */
  static final long MAX_RUN_PARAMETERS = 1_000_000;
  static final long MAX_RUN_ACTIVATIONS = 300_000;

  /** What can go wrong; every count must be 0. */
  enum Problem {
    /** A diagnostic shows an exception, a stack frame or "internal error in Lamina". */
    PROCESSOR_EXCEPTION,
    /** javac rejected a generated source. */
    GENERATED_SOURCE_ERROR,
    /** A diagnostic outside the network class, or not starting with a known name. */
    MISPLACED_DIAGNOSTIC,
    /** An invalid declaration without the expected error on the broken line. */
    MISSING_ERROR,
    /** A valid declaration rejected. */
    VALID_REJECTED,
    /** Summary or forward output disagrees with the generator's model. */
    SHAPE_MISMATCH,
    /** The generated network threw, or produced a non-finite value. */
    RUNTIME_FAILURE,
    /** An analytic gradient disagrees with the numerical one. */
    GRADIENT_FAILURE,
    /** The float and double classes disagree beyond float rounding. */
    PRECISION_MISMATCH,
    /** A summary's workspace bytes differ from what the class's workspace allocates. */
    MEMORY_MISMATCH
  }

  /** Results of a run. */
  static final class Report {
    int cases;
    int valid;
    int invalid;
    int compiledAndRun;
    int summaryOnly;
    int gradientValues;
    int kinks;
    int unchecked;
    double worstRelativeError;
    int errors;
    int warnings;
    final Map<String, Integer> mutations = new TreeMap<>();
    /** Layer kinds and graph structures of the valid declarations run with a gradient check. */
    final Map<String, Integer> features = new TreeMap<>();
    int inferenceChecks;
    /** Valid declarations whose summaries' workspace bytes were held to real workspaces. */
    int memoryChecks;
    /** Gradient values of float classes compared with their double twins. */
    int floatGradientValues;
    final Map<Problem, List<String>> problems = new EnumMap<>(Problem.class);

    synchronized void problem(Problem p, FuzzCase c, String detail) {
      problems.computeIfAbsent(p, k -> new ArrayList<>())
          .add(detail + "\n" + c.reproducer());
    }

    int count(Problem p) {
      return problems.getOrDefault(p, List.of()).size();
    }

    int totalProblems() {
      return problems.values().stream().mapToInt(List::size).sum();
    }

    synchronized void merge(Report o) {
      cases += o.cases;
      valid += o.valid;
      invalid += o.invalid;
      compiledAndRun += o.compiledAndRun;
      summaryOnly += o.summaryOnly;
      gradientValues += o.gradientValues;
      kinks += o.kinks;
      unchecked += o.unchecked;
      worstRelativeError = Math.max(worstRelativeError, o.worstRelativeError);
      errors += o.errors;
      warnings += o.warnings;
      o.mutations.forEach((k, v) -> mutations.merge(k, v, Integer::sum));
      o.features.forEach((k, v) -> features.merge(k, v, Integer::sum));
      inferenceChecks += o.inferenceChecks;
      memoryChecks += o.memoryChecks;
      floatGradientValues += o.floatGradientValues;
      o.problems.forEach((k, v) -> problems.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v));
    }

    String summary() {
      StringBuilder sb = new StringBuilder();
      sb.append(String.format(Locale.ROOT,
          "%d declarations: %d valid (%d run with gradient check, %d summary only), %d invalid;"
              + " %d errors and %d warnings reported%n", cases, valid, compiledAndRun,
          summaryOnly, invalid, errors, warnings));
      sb.append(String.format(Locale.ROOT,
          "gradient values checked %d (resampled at kinks %d, never checked %d), worst relative"
              + " error of a failure %.3g%n", gradientValues, kinks, unchecked,
          worstRelativeError));
      sb.append(String.format(Locale.ROOT, "gradient checks in inference mode %d%n",
          inferenceChecks));
      sb.append(String.format(Locale.ROOT, "summaries' workspace bytes held to real workspaces"
          + " %d%n", memoryChecks));
      sb.append(String.format(Locale.ROOT, "float gradient values against double (%s kernels)"
          + " %d%n", Kernels.BACKEND, floatGradientValues));
      sb.append("run with gradient check, using: ").append(features).append('\n');
      sb.append("mutations: ").append(mutations).append('\n');
      for (Problem p : Problem.values()) {
        sb.append(String.format(Locale.ROOT, "  %-24s %d%n", p, count(p)));
      }
      return sb.toString();
    }

    String details(int perProblem) {
      StringBuilder sb = new StringBuilder();
      for (Map.Entry<Problem, List<String>> e : problems.entrySet()) {
        sb.append("==== ").append(e.getKey()).append(" (").append(e.getValue().size())
            .append(")\n");
        for (String s : e.getValue().subList(0, Math.min(perProblem, e.getValue().size()))) {
          sb.append(s).append("\n----\n");
        }
      }
      return sb.toString();
    }
  }

  private final DeclarationGenerator generator;
  private final long seed;

  FuzzRunner(long seed) {
    this.seed = seed;
    this.generator = new DeclarationGenerator(seed);
  }

  /** Cases {@code [0, count)}, valid and invalid ones compiled in separate batches. */
  Report run(int count, int batchSize, int threads) {
    List<FuzzCase> valid = new ArrayList<>();
    List<FuzzCase> invalid = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      FuzzCase c = generator.generate(i);
      (c.valid() ? valid : invalid).add(c);
    }
    List<List<FuzzCase>> batches = new ArrayList<>();
    for (List<FuzzCase> list : List.of(valid, invalid)) {
      for (int i = 0; i < list.size(); i += batchSize) {
        batches.add(list.subList(i, Math.min(list.size(), i + batchSize)));
      }
    }
    Report total = new Report();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Report>> futures = new ArrayList<>();
      for (List<FuzzCase> b : batches) {
        futures.add(pool.submit(() -> batch(b)));
      }
      for (Future<Report> f : futures) {
        total.merge(f.get());
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      pool.shutdownNow();
    }
    return total;
  }

  /** A single case, alone (for reproducing). */
  Report one(int index) {
    return batch(List.of(generator.generate(index)));
  }

  // ---- one batch -------------------------------------------------------------------------------

  private static Compilation compile(List<FuzzCase> cases, Map<JavaFileObject, FuzzCase> files) {
    List<JavaFileObject> sources = new ArrayList<>();
    for (FuzzCase c : cases) {
      JavaFileObject f = JavaFileObjects.forSourceString(c.fileName(), c.source());
      files.put(f, c);
      sources.add(f);
    }
    return javac().withProcessors(new LaminaProcessor())
        .withOptions("-Xmaxerrs", "100000", "-Xmaxwarns", "100000")
        .compile(sources);
  }

  private Report batch(List<FuzzCase> cases) {
    Report report = new Report();
    Map<JavaFileObject, FuzzCase> files = new HashMap<>();
    Compilation compilation = compile(cases, files);
    boolean allValid = cases.stream().allMatch(FuzzCase::valid);
    if (allValid && compilation.status() != Compilation.Status.SUCCESS && cases.size() > 1) {
      // Find the culprit: every case on its own.
      for (FuzzCase c : cases) {
        report.merge(batch(List.of(c)));
      }
      return report;
    }
    report.cases = cases.size();
    Map<FuzzCase, List<Diagnostic<? extends JavaFileObject>>> byCase = new LinkedHashMap<>();
    for (FuzzCase c : cases) {
      byCase.put(c, new ArrayList<>());
    }
    for (Diagnostic<? extends JavaFileObject> d : compilation.diagnostics()) {
      if (d.getKind() == Diagnostic.Kind.ERROR) {
        report.errors++;
      } else if (d.getKind() == Diagnostic.Kind.WARNING
          || d.getKind() == Diagnostic.Kind.MANDATORY_WARNING) {
        report.warnings++;
      } else if (d.getKind() == Diagnostic.Kind.NOTE && d.getSource() == null) {
        continue;
      }
      FuzzCase owner = d.getSource() == null ? null : files.get(d.getSource());
      if (owner != null) {
        byCase.get(owner).add(d);
        continue;
      }
      // A generated file (or no file at all): find the network it belongs to.
      String where = d.getSource() == null ? "" : d.getSource().toUri().getPath();
      FuzzCase generatedFor = null;
      for (FuzzCase c : cases) {
        String simple = c.generatedName().substring(c.generatedName().lastIndexOf('.') + 1);
        if (where.endsWith("/" + simple + ".java") || where.endsWith("/" + simple + "_F64.java")) {
          generatedFor = c;
        }
      }
      FuzzCase blame = generatedFor != null ? generatedFor : cases.get(0);
      Problem p = generatedFor != null ? Problem.GENERATED_SOURCE_ERROR
          : looksLikeException(d.getMessage(Locale.ROOT)) ? Problem.PROCESSOR_EXCEPTION
          : Problem.MISPLACED_DIAGNOSTIC;
      report.problem(p, blame, describe(d) + (generatedFor == null && cases.size() > 1
          ? "\n(batch of " + cases.size() + "; blamed on its first case)" : "")
          + (generatedFor != null ? "\n" + excerpt(compilation, d) : ""));
    }
    ClassLoader loader = null;
    for (FuzzCase c : cases) {
      List<Diagnostic<? extends JavaFileObject>> own = byCase.get(c);
      boolean clean = checkDiagnostics(c, own, report);
      boolean hasError = own.stream().anyMatch(d -> d.getKind() == Diagnostic.Kind.ERROR);
      if (c.valid()) {
        report.valid++;
        if (hasError) {
          report.problem(Problem.VALID_REJECTED, c, describeAll(own));
          continue;
        }
        if (compilation.status() != Compilation.Status.SUCCESS || !clean) {
          continue; // reported above (generated source or misplaced diagnostics)
        }
        if (loader == null) {
          loader = classLoader(compilation);
        }
        runValid(c, loader, report);
      } else {
        report.invalid++;
        report.mutations.merge(c.mutation(), 1, Integer::sum);
        boolean found = own.stream().anyMatch(d -> d.getKind() == Diagnostic.Kind.ERROR
            && d.getLineNumber() == c.targetLine()
            && c.expected().stream().allMatch(f -> f.startsWith("!")
                ? !d.getMessage(Locale.ROOT).contains(f.substring(1))
                : d.getMessage(Locale.ROOT).contains(f)));
        if (!found) {
          report.problem(Problem.MISSING_ERROR, c, "expected an error containing \""
              + String.join("\" and \"", c.expected()) + "\" on line " + c.targetLine()
              + "; got:\n" + describeAll(own));
        }
      }
    }
    return report;
  }

  /** Every diagnostic of a case is inside its class and starts with a known name. */
  private static boolean checkDiagnostics(FuzzCase c, List<Diagnostic<? extends JavaFileObject>>
      own, Report report) {
    boolean clean = true;
    for (Diagnostic<? extends JavaFileObject> d : own) {
      String text = d.getMessage(Locale.ROOT);
      if (looksLikeException(text)) {
        report.problem(Problem.PROCESSOR_EXCEPTION, c, describe(d));
        clean = false;
        continue;
      }
      long line = d.getLineNumber();
      if (line < c.firstLine() || line > c.lastLine() || !named(c.prefixes(), text)) {
        report.problem(Problem.MISPLACED_DIAGNOSTIC, c, describe(d));
        clean = false;
      }
    }
    return clean;
  }

  /**
   * Whether a message starts with one of {@code prefixes} and a colon, after a warning's {@code
   * [lamina:id]} and, inside a block use, after {@code in use (Block with args {..}): } (then the
   * name must be one of that use's layers, {@code use.member}).
   */
  static boolean named(List<String> prefixes, String text) {
    String body = text.startsWith("[lamina:") ? text.substring(text.indexOf("] ") + 2) : text;
    Matcher m = BLOCK_CONTEXT.matcher(body);
    boolean inUse = m.lookingAt();
    String use = inUse ? m.group(1) + "." : "";
    String rest = body.substring(inUse ? m.end() : 0);
    return prefixes.stream().anyMatch(p -> p.startsWith(use) && rest.startsWith(p + ":"));
  }

  private static final Pattern BLOCK_CONTEXT =
      Pattern.compile("in ([^ ]+) \\([^ ()]+( with args \\{[-0-9, ]*\\})?\\): ");

  static boolean looksLikeException(String text) {
    return text.contains("internal error in Lamina") || text.contains("Exception")
        || text.contains("\tat ") || text.contains("Error:") || text.contains("StackOverflow")
        || text.contains("OutOfMemory");
  }

  private static String describe(Diagnostic<? extends JavaFileObject> d) {
    return d.getKind() + " " + (d.getSource() == null ? "<no file>" : d.getSource().getName())
        + ":" + d.getLineNumber() + ": " + d.getMessage(Locale.ROOT);
  }

  private static String describeAll(List<Diagnostic<? extends JavaFileObject>> list) {
    StringBuilder sb = new StringBuilder();
    for (Diagnostic<? extends JavaFileObject> d : list) {
      sb.append("  ").append(describe(d)).append('\n');
    }
    return sb.length() == 0 ? "  (no diagnostics)\n" : sb.toString();
  }

  /** The generated line javac complained about. */
  private static String excerpt(Compilation compilation, Diagnostic<? extends JavaFileObject> d) {
    try {
      String[] lines = d.getSource().getCharContent(true).toString().split("\n", -1);
      int l = (int) d.getLineNumber();
      return l >= 1 && l <= lines.length ? "generated line: " + lines[l - 1].strip() : "";
    } catch (IOException e) {
      return "";
    }
  }

  // ---- valid networks at run time --------------------------------------------------------------

  /** The compilation's class files in their own loader (runtime and DSL types shared). */
  public static ClassLoader classLoader(Compilation compilation) {
    Map<String, byte[]> classes = new HashMap<>();
    for (JavaFileObject f : compilation.generatedFiles()) {
      if (f.getKind() != JavaFileObject.Kind.CLASS) {
        continue;
      }
      String path = f.toUri().getPath();
      int at = path.indexOf("/CLASS_OUTPUT/");
      String name = path.substring(at < 0 ? 1 : at + "/CLASS_OUTPUT/".length(),
          path.length() - ".class".length()).replace('/', '.');
      try (InputStream in = f.openInputStream()) {
        classes.put(name, in.readAllBytes());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return new ClassLoader(FuzzRunner.class.getClassLoader()) {
      @Override
      protected Class<?> findClass(String name) throws ClassNotFoundException {
        byte[] b = classes.get(name);
        if (b == null) {
          throw new ClassNotFoundException(name);
        }
        return defineClass(name, b, 0, b.length);
      }
    };
  }

  private void runValid(FuzzCase c, ClassLoader loader, Report report) {
    SplittableRandom random = new SplittableRandom(seed ^ (c.index() * 0x632BE59BD9B4E019L));
    try {
      Class<?> dc = loader.loadClass(c.generatedDoubleName());
      NetworkSummary summary = (NetworkSummary) dc.getField("SUMMARY").get(null);
      String mismatch = compareSummary(c, summary);
      if (mismatch != null) {
        report.problem(Problem.SHAPE_MISMATCH, c, mismatch + "\n" + summary.toTable());
        return;
      }
      if (c.hasFloat()) {
        Class<?> fc = loader.loadClass(c.generatedName());
        NetworkSummary fs = (NetworkSummary) fc.getField("SUMMARY").get(null);
        // NetworkSummary is a record holding an int[]: compare its content, not equals(). The
        // memory figures differ: each describes its own class's workspace.
        if (!fs.fingerprint().equals(summary.fingerprint())
            || !withoutMemory(fs).toTable().equals(withoutMemory(summary).toTable())) {
          report.problem(Problem.SHAPE_MISMATCH, c, "float and double summaries differ");
          return;
        }
      }
      if (c.parameters() > MAX_RUN_PARAMETERS || c.activations() > MAX_RUN_ACTIVATIONS) {
        report.summaryOnly++;
        return;
      }
      dc.getConstructor().newInstance(); // the default-seed constructor exists and works
      DoubleNetwork net = (DoubleNetwork) dc.getConstructor(long.class)
          .newInstance(random.nextLong());
      // The parameter array also holds batch normalization's running statistics.
      if (net.parameterCount() != c.parameters() + c.statistics()
          || net.outputSize() != size(c.outputShape())) {
        report.problem(Problem.SHAPE_MISMATCH, c, "network reports " + net.parameterCount()
            + " parameters and output " + net.outputSize() + "; generator's model "
            + c.parameters() + " + " + c.statistics() + " statistics");
        return;
      }
      String memory = compareMemory(summary, net.newWorkspace(3), net.parameters(), 3);
      if (memory == null && c.hasFloat()) {
        FloatNetwork f = (FloatNetwork) loader.loadClass(c.generatedName()).getConstructor()
            .newInstance();
        memory = compareMemory(f.summary(), f.newWorkspace(2), f.parameters(), 2);
      }
      if (memory != null) {
        report.problem(Problem.MEMORY_MISMATCH, c, memory + "\n" + summary.toTable());
        return;
      }
      report.memoryChecks++;
      // Training mode (batch statistics, dropout masks fixed by reseeding) or inference mode.
      boolean training = random.nextInt(4) != 0;
      GradientCheck check = new GradientCheck(net, random, training).run(2, 3);
      double[] forward = forward(c, net, random, report);
      if (forward == null) {
        return;
      }
      report.compiledAndRun++;
      if (!training) {
        report.inferenceChecks++;
      }
      for (String f : c.features()) {
        report.features.merge(f, 1, Integer::sum);
      }
      report.gradientValues += check.checked;
      report.kinks += check.kinks;
      report.unchecked += check.unchecked;
      if (!check.failures.isEmpty()) {
        report.worstRelativeError = Math.max(report.worstRelativeError, check.worst);
        report.problem(Problem.GRADIENT_FAILURE, c, check.failures.size() + " of "
            + check.checked + " values wrong:\n  " + String.join("\n  ", check.failures));
      }
      if (c.hasFloat()) {
        compareFloat(c, loader, net, random, report);
      }
    } catch (Throwable e) {
      report.problem(Problem.RUNTIME_FAILURE, c, stackTrace(e));
    }
  }

  /** Forward through the network's own method: exactly batch·outputSize values, all finite. */
  private static double[] forward(FuzzCase c, DoubleNetwork net, SplittableRandom random,
      Report report) {
    int batch = 1 + random.nextInt(3);
    int out = size(c.outputShape());
    double[] in = new double[batch * net.inputSize()];
    for (int i = 0; i < in.length; i++) {
      in[i] = 2 * random.nextDouble() - 1;
    }
    double[] y = new double[batch * out + 1];
    double sentinel = -12345.678;
    y[y.length - 1] = sentinel;
    net.forward(in, batch, y);
    if (y[y.length - 1] != sentinel) {
      report.problem(Problem.SHAPE_MISMATCH, c, "forward wrote past batch * outputSize = "
          + batch * out);
      return null;
    }
    for (int i = 0; i < batch * out; i++) {
      if (!Double.isFinite(y[i])) {
        report.problem(Problem.RUNTIME_FAILURE, c, "forward output " + i + " is " + y[i]);
        return null;
      }
    }
    double[] sample = Arrays.copyOf(in, net.inputSize());
    int best = 0;
    for (int k = 1; k < out; k++) {
      if (y[k] > y[best]) {
        best = k;
      }
    }
    int predicted = net.predict(sample);
    if (predicted != best) {
      report.problem(Problem.SHAPE_MISMATCH, c, "predict gave " + predicted
          + " but the largest output of forward is " + best);
      return null;
    }
    return y;
  }

  /**
   * The float class with the same parameters computes the same outputs within float rounding,
   * and from the same output gradient the same gradients (inference mode: no batch statistics,
   * no dropout masks): each within {@value #FLOAT_TOLERANCE} of the largest of its tensor, or of
   * a hundredth of the largest of all when that is more.
   */
  private static void compareFloat(FuzzCase c, ClassLoader loader, DoubleNetwork net,
      SplittableRandom random, Report report) throws ReflectiveOperationException {
    FloatNetwork f = (FloatNetwork) loader.loadClass(c.generatedName())
        .getConstructor(long.class).newInstance(1L);
    double[] p = net.parameters();
    float[] q = f.parameters();
    for (int i = 0; i < p.length; i++) {
      q[i] = (float) p[i];
      p[i] = q[i];
    }
    int batch = 2;
    float[] in = new float[batch * f.inputSize()];
    double[] din = new double[in.length];
    for (int i = 0; i < in.length; i++) {
      in[i] = (float) (2 * random.nextDouble() - 1);
      din[i] = in[i];
    }
    float[] fy = new float[batch * f.outputSize()];
    double[] dy = new double[fy.length];
    f.forward(in, batch, fy);
    net.forward(din, batch, dy);
    double max = 1;
    for (double v : dy) {
      max = Math.max(max, Math.abs(v));
    }
    for (int i = 0; i < fy.length; i++) {
      if (!(Math.abs(fy[i] - dy[i]) <= FLOAT_TOLERANCE * max)) {
        report.problem(Problem.PRECISION_MISMATCH, c, "output " + i + ": float " + fy[i]
            + ", double " + dy[i]);
        return;
      }
    }
    float[] r = new float[fy.length];
    double[] dr = new double[r.length];
    for (int i = 0; i < r.length; i++) {
      r[i] = (float) (2 * random.nextDouble() - 1);
      dr[i] = r[i];
    }
    FloatWorkspace fw = f.newWorkspace(batch);
    DoubleWorkspace dw = net.newWorkspace(batch);
    fw.setInputGradientEnabled(true);
    dw.setInputGradientEnabled(true);
    fw.zeroGradients();
    dw.zeroGradients();
    fw.forward(in, 0, batch, false);
    fw.backward(r, 0, batch);
    dw.forward(din, 0, batch, false);
    dw.backward(dr, 0, batch);
    double[] dg = dw.gradients();
    double[] dx = dw.inputGradient();
    double floor = 0.01 * Math.max(largest(dg, 0, dg.length), largest(dx, 0, din.length));
    String bad = null;
    int compared = din.length;
    for (ParameterTensor t : f.summary().parameterTensors()) {
      if (bad == null && t.role() != ParameterTensor.Role.STATISTIC) {
        bad = compareGradient(fw.gradients(), dg, t.offset(), t.size(), floor, t.qualifiedName());
        compared += t.size();
      }
    }
    if (bad == null) {
      bad = compareGradient(fw.inputGradient(), dx, 0, din.length, floor, "input");
    }
    if (bad != null) {
      report.problem(Problem.PRECISION_MISMATCH, c, bad + " (" + Kernels.BACKEND + " kernels)");
      return;
    }
    report.floatGradientValues += compared;
  }

  static final double FLOAT_TOLERANCE = 2e-3;

  private static double largest(double[] v, int from, int size) {
    double max = 0;
    for (int i = from; i < from + size; i++) {
      max = Math.max(max, Math.abs(v[i]));
    }
    return max;
  }

  /** The first value of the tensor outside the tolerance, described, or null. */
  private static String compareGradient(float[] got, double[] expected, int from, int size,
      double floor, String what) {
    double scale = Math.max(largest(expected, from, size), floor);
    for (int i = from; i < from + size; i++) {
      if (!(Math.abs(got[i] - expected[i]) <= FLOAT_TOLERANCE * scale)) {
        return "gradient " + what + "[" + (i - from) + "]: float " + got[i] + ", double "
            + expected[i] + " (scale " + scale + ")";
      }
    }
    return null;
  }

  /** The summary's workspace bytes against the arrays a workspace for {@code batch} holds. */
  private static String compareMemory(NetworkSummary s, Object workspace, Object parameters,
      int batch) {
    long allocated = AllocatedBytes.total(workspace, parameters);
    if (s.trainingBytes(batch) != allocated) {
      return s.workspacePrecision() + " summary says a workspace for " + batch + " allocates "
          + s.trainingBytes(batch) + " bytes; it holds " + allocated + " in "
          + AllocatedBytes.arrays(workspace, parameters).stream()
              .map(h -> h.field() + " " + h.bytes()).toList();
    }
    return null;
  }

  /** The summary without its memory figures. */
  private static NetworkSummary withoutMemory(NetworkSummary s) {
    return new NetworkSummary(s.networkName(), s.inputShape(), s.loss(),
        s.layers().stream().map(l -> l.withMemory(LayerMemory.NONE)).toList(),
        s.parameterTensors());
  }

  private static String compareSummary(FuzzCase c, NetworkSummary s) {
    if (!Arrays.equals(s.outputShape(), c.outputShape())) {
      return "summary output " + Arrays.toString(s.outputShape()) + ", generator's model "
          + Arrays.toString(c.outputShape());
    }
    if (s.totalParameters() != c.parameters()) {
      return "summary parameters " + s.totalParameters() + ", generator's model "
          + c.parameters();
    }
    List<LayerSummary> layers = s.layers();
    if (layers.size() != c.layers()) {
      return "summary has " + layers.size() + " layers, declared " + c.layers();
    }
    for (int i = 0; i < layers.size(); i++) {
      LayerSummary l = layers.get(i);
      if (!Arrays.equals(l.outputShape(), c.layerShapes().get(i))) {
        return l.name() + ": summary output " + Arrays.toString(l.outputShape())
            + ", generator's model " + Arrays.toString(c.layerShapes().get(i));
      }
      if (!Arrays.equals(l.receptiveField(), c.layerFields().get(i))) {
        return l.name() + ": summary receptive field " + Arrays.toString(l.receptiveField())
            + ", generator's model " + Arrays.toString(c.layerFields().get(i));
      }
    }
    return null;
  }

  private static int size(int[] shape) {
    int n = 1;
    for (int d : shape) {
      n *= d;
    }
    return n;
  }

  private static String stackTrace(Throwable e) {
    StringBuilder sb = new StringBuilder(e.toString());
    StackTraceElement[] t = e.getStackTrace();
    for (int i = 0; i < Math.min(8, t.length); i++) {
      sb.append("\n    at ").append(t[i]);
    }
    if (e.getCause() != null && e.getCause() != e) {
      sb.append("\n  caused by ").append(stackTrace(e.getCause()));
    }
    return sb.toString();
  }
}
