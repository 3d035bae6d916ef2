package dev.lamina.processor;

import dev.lamina.dsl.Network;
import dev.lamina.runtime.NetworkSummary;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * A compilation into directories. compile-testing hides generated files once a compilation has
 * failed; this keeps them, to show that a good network is generated beside broken ones.
 */
final class DiskCompilation {
  private final Path sources;
  private final Path classes;
  private final boolean success;
  private final List<Diagnostic<? extends JavaFileObject>> diagnostics;

  DiskCompilation(Path dir, LaminaProcessor processor, JavaFileObject... files) {
    this.sources = dir.resolve("generated");
    this.classes = dir.resolve("classes");
    try {
      Files.createDirectories(sources);
      Files.createDirectories(classes);
      JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
      DiagnosticCollector<JavaFileObject> collector = new DiagnosticCollector<>();
      try (StandardJavaFileManager fm = javac.getStandardFileManager(collector, Locale.ROOT, null)) {
        String classpath = location(Network.class) + File.pathSeparator
            + location(NetworkSummary.class);
        JavaCompiler.CompilationTask task = javac.getTask(null, fm, collector,
            List.of("-classpath", classpath, "-d", classes.toString(), "-s", sources.toString()),
            null, List.of(files));
        task.setProcessors(List.of(processor));
        this.success = task.call();
      }
      this.diagnostics = collector.getDiagnostics();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static DiskCompilation compile(Path dir, JavaFileObject... files) {
    return new DiskCompilation(dir, new LaminaProcessor(), files);
  }

  boolean succeeded() {
    return success;
  }

  long errorCount() {
    return diagnostics.stream().filter(d -> d.getKind() == Diagnostic.Kind.ERROR).count();
  }

  List<Diagnostic<? extends JavaFileObject>> diagnostics() {
    return diagnostics;
  }

  /** Whether a source file was generated for this qualified class name. */
  boolean generatedSource(String qualifiedName) {
    return Files.exists(sources.resolve(qualifiedName.replace('.', '/') + ".java"));
  }

  /** Whether the summary resource of a network was written. */
  boolean generatedSummary(String qualifiedName) {
    return Files.exists(classes.resolve("META-INF/lamina/" + qualifiedName + ".txt"));
  }

  private static String location(Class<?> type) {
    try {
      return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
