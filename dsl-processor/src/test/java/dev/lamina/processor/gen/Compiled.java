package dev.lamina.processor.gen;

import dev.lamina.processor.kind.LayerKinds;
import com.palantir.javapoet.JavaFile;
import dev.lamina.dsl.Precision;
import dev.lamina.processor.model.NetworkModel;
import dev.lamina.processor.model.Node;
import dev.lamina.runtime.DoubleNetwork;
import dev.lamina.runtime.FloatNetwork;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * Test harness: the generated classes of a model, compiled in memory together with a synthesized
 * declaring class ({@code public abstract class Net { dev.lamina.dsl.Layer c1; ... }}, no
 * annotations, so no processor runs), loaded in their own class loader. Keeps sources and class
 * files for inspection.
 */
final class Compiled {
  final NetworkModel model;
  final Map<String, String> sources = new LinkedHashMap<>();
  final Map<String, byte[]> classes = new LinkedHashMap<>();
  final ClassLoader loader;

  private Compiled(NetworkModel model) {
    this.model = model;
    sources.put(model.qualifiedName().replace('.', '/'), declaringSource(model));
    for (JavaFile f : new NetworkGenerator(LayerKinds.STANDARD::emitterFor).generateAll(model)) {
      sources.put((f.packageName().isEmpty() ? "" : f.packageName().replace('.', '/') + "/")
          + f.typeSpec().name(), f.toString());
    }
    compile();
    this.loader = new ClassLoader(Compiled.class.getClassLoader()) {
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

  static Compiled of(NetworkModel model) {
    return new Compiled(model);
  }

  /** {@code package p; public abstract class Net { dev.lamina.dsl.Layer c1; ... }} */
  static String declaringSource(NetworkModel model) {
    StringBuilder sb = new StringBuilder();
    if (!model.packageName().isEmpty()) {
      sb.append("package ").append(model.packageName()).append(";\n\n");
    }
    String[] parts = model.declaredName().split("\\.");
    for (int i = 0; i < parts.length; i++) {
      sb.append(i == 0 ? "public abstract class " : "public abstract static class ")
          .append(parts[i]).append(" {\n");
    }
    for (Node n : model.nodes()) {
      if (NetworkModel.isMember(n)) {
        sb.append("  dev.lamina.dsl.Layer ").append(n.name()).append(";\n");
      }
    }
    for (String alias : model.aliases().keySet()) {
      sb.append("  dev.lamina.dsl.Layer ").append(alias).append(";\n");
    }
    sb.append("}\n".repeat(parts.length));
    return sb.toString();
  }

  private void compile() {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    StandardJavaFileManager standard = javac.getStandardFileManager(diagnostics, null, null);
    JavaFileManager manager = new ForwardingJavaFileManager<>(standard) {
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
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
          return e.getValue();
        }
      });
    }
    List<String> options = List.of("-classpath", System.getProperty("java.class.path"),
        "-proc:none", "-Xlint:all", "--release", "17");
    boolean ok = javac.getTask(null, manager, diagnostics, options, null, units).call();
    StringBuilder problems = new StringBuilder();
    for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
      if (d.getKind() == Diagnostic.Kind.ERROR || d.getKind() == Diagnostic.Kind.WARNING
          || d.getKind() == Diagnostic.Kind.MANDATORY_WARNING) {
        problems.append(d.getKind()).append(' ').append(d.getSource() == null ? ""
            : d.getSource().getName()).append(':').append(d.getLineNumber()).append(' ')
            .append(d.getMessage(null)).append('\n');
      }
    }
    if (!ok || problems.length() > 0) {
      throw new AssertionError("generated code does not compile cleanly:\n" + problems);
    }
  }

  String generatedName(Precision p) {
    return model.packageName().isEmpty() ? model.generatedSimpleName(p)
        : model.packageName() + "." + model.generatedSimpleName(p);
  }

  String source(Precision p) {
    return sources.get(generatedName(p).replace('.', '/'));
  }

  FloatNetwork floatNetwork(long seed) {
    return (FloatNetwork) instantiate(Precision.FLOAT, seed);
  }

  DoubleNetwork doubleNetwork(long seed) {
    return (DoubleNetwork) instantiate(Precision.DOUBLE, seed);
  }

  private Object instantiate(Precision p, long seed) {
    try {
      return loader.loadClass(generatedName(p)).getConstructor(long.class).newInstance(seed);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }
}
