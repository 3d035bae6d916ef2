package dev.lamina.onnx.imports;

import dev.lamina.dsl.Network;
import dev.lamina.processor.LaminaProcessor;
import dev.lamina.runtime.FloatNetwork;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Compiles the source of one {@code @Network} class in memory with javac and Lamina's processor,
 * as a user's build would, and loads the generated {@code Lamina_<Name>}. Nothing touches the
 * disk. Needs a JDK (javac through {@link ToolProvider}).
 */
final class InMemoryCompiler {
  /** The compiled network and the processor's warnings. */
  record Compiled(FloatNetwork network, List<String> warnings) {}

  /** The source does not compile; the message lists javac's and the processor's errors. */
  static final class CompileException extends Exception {
    private static final long serialVersionUID = 1L;

    CompileException(String message) {
      super(message);
    }
  }

  private InMemoryCompiler() {}

  static Compiled compile(String qualifiedName, String source) throws CompileException {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    if (javac == null) {
      throw new CompileException("no Java compiler in this runtime: importing compiles the"
          + " generated source to check it and to lay out the checkpoint, so run it on a JDK");
    }
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    Map<String, byte[]> classes = new HashMap<>();
    StandardJavaFileManager standard =
        javac.getStandardFileManager(diagnostics, Locale.ROOT, null);
    JavaFileManager files = new ForwardingJavaFileManager<>(standard) {
      @Override
      public JavaFileObject getJavaFileForOutput(Location location, String className,
          JavaFileObject.Kind kind, FileObject sibling) {
        if (kind == JavaFileObject.Kind.SOURCE) {
          return memorySource(className);
        }
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

      @Override
      public FileObject getFileForOutput(Location location, String packageName,
          String relativeName, FileObject sibling) {
        return new SimpleJavaFileObject(URI.create("mem:///" + packageName.replace('.', '/')
            + "/" + relativeName), JavaFileObject.Kind.OTHER) {
          @Override
          public OutputStream openOutputStream() {
            return new ByteArrayOutputStream();
          }
        };
      }

      private final Map<String, String> generated = new HashMap<>();

      private JavaFileObject memorySource(String className) {
        return new SimpleJavaFileObject(URI.create("mem:///" + className.replace('.', '/')
            + ".java"), JavaFileObject.Kind.SOURCE) {
          @Override
          public OutputStream openOutputStream() {
            return new ByteArrayOutputStream() {
              @Override
              public void close() {
                generated.put(className, toString(java.nio.charset.StandardCharsets.UTF_8));
              }
            };
          }

          @Override
          public CharSequence getCharContent(boolean ignoreEncodingErrors) {
            return generated.getOrDefault(className, "");
          }
        };
      }
    };
    JavaFileObject unit = new SimpleJavaFileObject(URI.create("string:///"
        + qualifiedName.replace('.', '/') + ".java"), JavaFileObject.Kind.SOURCE) {
      @Override
      public CharSequence getCharContent(boolean ignoreEncodingErrors) {
        return source;
      }
    };
    List<String> options = new ArrayList<>(List.of("-classpath", classPath(),
        "-implicit:class"));
    if (Runtime.version().feature() >= 21) {
      options.add("-proc:full"); // JDK 23 and later run no processor without it
    }
    JavaCompiler.CompilationTask task =
        javac.getTask(null, files, diagnostics, options, null, List.of(unit));
    task.setProcessors(List.of(new LaminaProcessor()));
    boolean ok = task.call();
    List<String> errors = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
      String line = (d.getLineNumber() > 0 ? "line " + d.getLineNumber() + ": " : "")
          + d.getMessage(Locale.ROOT);
      if (d.getKind() == Diagnostic.Kind.ERROR) {
        errors.add(line);
      } else if (d.getKind() == Diagnostic.Kind.WARNING
          && "compiler.warn.proc.messager".equals(d.getCode())) {
        warnings.add(line);
      }
    }
    if (!ok || !errors.isEmpty()) {
      throw new CompileException(String.join("\n", errors));
    }
    int dot = qualifiedName.lastIndexOf('.');
    String generatedName = qualifiedName.substring(0, dot + 1) + "Lamina_"
        + qualifiedName.substring(dot + 1);
    try {
      Object network = loader(classes).loadClass(generatedName).getConstructor().newInstance();
      return new Compiled((FloatNetwork) network, warnings);
    } catch (ReflectiveOperationException | ClassCastException e) {
      throw new CompileException("the generated class " + generatedName + " cannot be loaded: "
          + e);
    }
  }

  /** A class loader of the given class files over the one that loaded this importer. */
  static ClassLoader loader(Map<String, byte[]> classes) {
    return new ClassLoader(InMemoryCompiler.class.getClassLoader()) {
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

  /** Where the annotations and the runtime come from, then this JVM's class path. */
  private static String classPath() {
    Set<String> entries = new LinkedHashSet<>();
    for (Class<?> c : List.of(Network.class, FloatNetwork.class)) {
      CodeSource source = c.getProtectionDomain().getCodeSource();
      if (source != null && source.getLocation() != null) {
        try {
          entries.add(Path.of(source.getLocation().toURI()).toString());
        } catch (URISyntaxException | IllegalArgumentException e) {
          // Not a file location (a custom class loader): the class path below must hold it.
        }
      }
    }
    for (String e : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
      if (!e.isEmpty()) {
        entries.add(e);
      }
    }
    return String.join(File.pathSeparator, entries);
  }
}
