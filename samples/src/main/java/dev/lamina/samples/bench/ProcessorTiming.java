package dev.lamina.samples.bench;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import javax.annotation.processing.Completion;
import javax.annotation.processing.ProcessingEnvironment;
import javax.annotation.processing.Processor;
import javax.annotation.processing.RoundEnvironment;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Annotation-processing time: compiles network declarations in-process with {@code
 * javax.tools.JavaCompiler}, with Lamina's processor and without it ({@code -proc:none}), several
 * times each, and reports medians. Three figures per declaration:
 *
 * <ul>
 *   <li>{@code without}: javac on the abstract declaration alone;
 *   <li>{@code with}: javac with the processor, which also compiles the generated class;
 *   <li>{@code processor}: the time spent inside the processor's {@code process} calls (reading
 *       the declaration, checking, building the model, writing the generated source).
 * </ul>
 *
 * The first ("cold") compilation of each kind is reported separately: a build runs javac in a
 * fresh JVM, where everything is cold; the medians are of warm runs.
 */
final class ProcessorTiming {
  static final String PROCESSOR = "dev.lamina.processor.LaminaProcessor";

  /** The app's LeNet-5 declaration, in its own package. */
  static final String LENET5 = """
      package benchapt;

      import static dev.lamina.dsl.Activation.RELU;

      import dev.lamina.dsl.Affine;
      import dev.lamina.dsl.Conv;
      import dev.lamina.dsl.Layer;
      import dev.lamina.dsl.Loss;
      import dev.lamina.dsl.Network;
      import dev.lamina.dsl.Pool;

      @Network(input = {1, 28, 28}, loss = Loss.SOFTMAX_CROSS_ENTROPY, classes = 10)
      public abstract class LeNet5 {
        @Conv(filters = 6, kernel = 5, padding = 2, activation = RELU) Layer c1;
        @Pool(size = 2, stride = 2) Layer s2;
        @Conv(filters = 16, kernel = 5, activation = RELU) Layer c3;
        @Pool(size = 2, stride = 2) Layer s4;
        @Affine(units = 120, activation = RELU) Layer f5;
        @Affine(units = 84, activation = RELU) Layer f6;
        @Affine(units = 10) Layer out;
      }
      """;

  /** VGG-16 (configuration D): 13 convolutions 3×3 pad 1, 5 max pools, 3 affine layers. */
  static final String VGG16 = vgg16();

  private static String vgg16() {
    StringBuilder sb = new StringBuilder("""
        package benchapt;

        import static dev.lamina.dsl.Activation.RELU;

        import dev.lamina.dsl.Affine;
        import dev.lamina.dsl.Conv;
        import dev.lamina.dsl.Layer;
        import dev.lamina.dsl.Loss;
        import dev.lamina.dsl.Network;
        import dev.lamina.dsl.Pool;

        @Network(input = {3, 224, 224}, loss = Loss.SOFTMAX_CROSS_ENTROPY, classes = 1000)
        public abstract class Vgg16 {
        """);
    int[][] blocks = {{64, 2}, {128, 2}, {256, 3}, {512, 3}, {512, 3}};
    for (int b = 0; b < blocks.length; b++) {
      for (int i = 0; i < blocks[b][1]; i++) {
        sb.append(String.format(Locale.ROOT,
            "  @Conv(filters = %d, kernel = 3, padding = 1, activation = RELU) Layer conv%d%d;%n",
            blocks[b][0], b + 1, i + 1));
      }
      sb.append(String.format(Locale.ROOT, "  @Pool(size = 2, stride = 2) Layer pool%d;%n", b + 1));
    }
    sb.append("  @Affine(units = 4096, activation = RELU) Layer fc6;\n");
    sb.append("  @Affine(units = 4096, activation = RELU) Layer fc7;\n");
    sb.append("  @Affine(units = 1000) Layer fc8;\n");
    sb.append("}\n");
    return sb.toString();
  }

  /** Timing of one declaration. */
  record Result(String network, int runs, double withMs, double withoutMs, double processorMs,
      double coldWithMs, double coldWithoutMs, long generatedSourceBytes, String error) {}

  private ProcessorTiming() {}

  /**
   * The processor class, from {@code processorPath} (jars or folders, path-separated) if given,
   * else from the benchmark's own class path; {@code null} if neither has it.
   */
  static Class<?> processorClass(String processorPath) {
    ClassLoader parent = ProcessorTiming.class.getClassLoader();
    try {
      if (processorPath != null && !processorPath.isBlank()) {
        List<URL> urls = new ArrayList<>();
        for (String p : processorPath.split(File.pathSeparator)) {
          if (!p.isBlank()) {
            urls.add(Path.of(p).toUri().toURL());
          }
        }
        return Class.forName(PROCESSOR, true,
            new URLClassLoader(urls.toArray(new URL[0]), parent));
      }
      return Class.forName(PROCESSOR, true, parent);
    } catch (ClassNotFoundException | IOException | LinkageError e) {
      return null;
    }
  }

  static Result measure(String network, String source, Class<?> processorClass, String classPath,
      int runs) throws Exception {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    if (javac == null) {
      return new Result(network, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0,
          "no system Java compiler (running on a JRE?)");
    }
    if (processorClass == null) {
      return new Result(network, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0,
          "the processor " + PROCESSOR + " is not on the class path; pass --processor-path");
    }
    double[] with = new double[runs];
    double[] without = new double[runs];
    double[] inside = new double[runs];
    double coldWith = Double.NaN;
    double coldWithout = Double.NaN;
    long generated = 0;
    // One cold run of each kind, then the measured runs, interleaved.
    for (int r = -1; r < runs; r++) {
      Compile a = compile(javac, network, source, null, classPath);
      Compile b = compile(javac, network, source, processorClass, classPath);
      if (a.error != null || b.error != null) {
        return new Result(network, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
            0, a.error != null ? a.error : b.error);
      }
      if (r < 0) {
        coldWithout = a.ms;
        coldWith = b.ms;
        generated = b.generatedBytes;
      } else {
        without[r] = a.ms;
        with[r] = b.ms;
        inside[r] = b.processorMs;
      }
    }
    return new Result(network, runs, Stats.median(with), Stats.median(without),
        Stats.median(inside), coldWith, coldWithout, generated, null);
  }

  private record Compile(double ms, double processorMs, long generatedBytes, String error) {}

  private static Compile compile(JavaCompiler javac, String network, String source,
      Class<?> processorClass, String classPath) throws Exception {
    Path dir = Files.createTempDirectory("lamina-bench-apt");
    try {
      Path classes = Files.createDirectories(dir.resolve("classes"));
      Path sources = Files.createDirectories(dir.resolve("generated"));
      DiagnosticCollector<JavaFileObject> diags = new DiagnosticCollector<>();
      List<String> options = new ArrayList<>(List.of("-d", classes.toString(), "-s",
          sources.toString(), "-classpath", classPath, "-implicit:none", "-Xlint:none"));
      TimedProcessor timed = null;
      if (processorClass == null) {
        options.add("-proc:none");
      }
      long t0;
      long t1;
      try (StandardJavaFileManager fm = javac.getStandardFileManager(diags, Locale.ROOT, null)) {
        JavaFileObject unit = new Source("benchapt/" + network, source);
        JavaCompiler.CompilationTask task =
            javac.getTask(null, fm, diags, options, null, List.of(unit));
        if (processorClass != null) {
          timed = new TimedProcessor(
              (Processor) processorClass.getDeclaredConstructor().newInstance());
          task.setProcessors(List.of(timed));
        }
        t0 = System.nanoTime();
        boolean ok = task.call();
        t1 = System.nanoTime();
        if (!ok) {
          StringBuilder sb = new StringBuilder("compilation failed:");
          for (Diagnostic<? extends JavaFileObject> d : diags.getDiagnostics()) {
            if (d.getKind() == Diagnostic.Kind.ERROR) {
              sb.append(' ').append(d.getMessage(Locale.ROOT).lines().findFirst().orElse(""));
              break;
            }
          }
          return new Compile(0, 0, 0, sb.toString());
        }
      }
      long bytes;
      try (Stream<Path> s = Files.walk(sources)) {
        bytes = s.filter(Files::isRegularFile).mapToLong(p -> {
          try {
            return Files.size(p);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }).sum();
      }
      return new Compile((t1 - t0) / 1e6, timed == null ? 0 : timed.nanos / 1e6, bytes, null);
    } finally {
      try (Stream<Path> s = Files.walk(dir)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** A source file held in memory. */
  private static final class Source extends SimpleJavaFileObject {
    private final String text;

    Source(String name, String text) {
      super(URI.create("string:///" + name + Kind.SOURCE.extension), Kind.SOURCE);
      this.text = text;
    }

    @Override
    public CharSequence getCharContent(boolean ignoreEncodingErrors) {
      return text;
    }
  }

  /** Delegates to the real processor and adds up the time spent in its callbacks. */
  private static final class TimedProcessor implements Processor {
    private final Processor delegate;
    long nanos;

    TimedProcessor(Processor delegate) {
      this.delegate = delegate;
    }

    @Override
    public Set<String> getSupportedOptions() {
      return delegate.getSupportedOptions();
    }

    @Override
    public Set<String> getSupportedAnnotationTypes() {
      return delegate.getSupportedAnnotationTypes();
    }

    @Override
    public SourceVersion getSupportedSourceVersion() {
      return delegate.getSupportedSourceVersion();
    }

    @Override
    public void init(ProcessingEnvironment env) {
      long t = System.nanoTime();
      delegate.init(env);
      nanos += System.nanoTime() - t;
    }

    @Override
    public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
      long t = System.nanoTime();
      try {
        return delegate.process(annotations, round);
      } finally {
        nanos += System.nanoTime() - t;
      }
    }

    @Override
    public Iterable<? extends Completion> getCompletions(Element element,
        AnnotationMirror annotation, ExecutableElement member, String userText) {
      return delegate.getCompletions(element, annotation, member, userText);
    }
  }
}
