package dev.lamina.onnx.imports;

import static com.google.common.truth.Truth.assertWithMessage;
import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import dev.lamina.processor.LaminaProcessor;
import dev.lamina.runtime.FloatNetwork;
import dev.lamina.testsupport.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import javax.tools.JavaFileObject;

/** Test helpers: the model files, their JSON vectors, and compiling written sources. */
final class Models {
  private Models() {}

  /** A model file of the test resources (copied from the shared ONNX models). */
  static Path model(String name) {
    try {
      return Path.of(Models.class.getResource("/onnx-models/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A tensor of a JSON vector file: dims and float32 data. */
  record Tensor(int[] dims, float[] data) {}

  /**
   * {@code "key": {"dims": [...], "data": [...]}} of a JSON vector file, read with the strict
   * JSON reader of test-support: anything else is an error naming the file and the key.
   */
  static Tensor tensor(Path file, String key) {
    Object doc;
    try {
      doc = Json.read(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (!(doc instanceof Map<?, ?> m)) {
      throw new IllegalArgumentException(file + ": expected a JSON object");
    }
    dev.lamina.testsupport.Tensor t = dev.lamina.testsupport.Tensor.of(m.get(key),
        file.toString(), key);
    return new Tensor(t.dims(), t.floats());
  }

  /**
   * Compiles {@code source} with javac and Lamina's processor (compile-testing) and instantiates
   * the generated {@code Lamina_<Name>}: what a user's build does with the written source.
   */
  static FloatNetwork compile(String qualifiedName, String source) throws Exception {
    return compile(qualifiedName, source, 0);
  }

  /** {@link #compile(String, String)} of a source with this many warnings of Lamina's checks. */
  static FloatNetwork compile(String qualifiedName, String source, int warnings)
      throws Exception {
    Compilation c = Compiler.javac().withProcessors(new LaminaProcessor())
        .compile(JavaFileObjects.forSourceString(qualifiedName, source));
    assertThat(c).succeeded();
    assertThat(c).hadWarningCount(warnings);
    Map<String, byte[]> classes = new HashMap<>();
    for (JavaFileObject f : c.generatedFiles()) {
      if (f.getKind() == JavaFileObject.Kind.CLASS) {
        String path = f.toUri().getPath();
        String name = path.substring(path.indexOf("CLASS_OUTPUT/") + 13, path.length() - 6)
            .replace('/', '.');
        try (InputStream in = f.openInputStream()) {
          classes.put(name, in.readAllBytes());
        }
      }
    }
    ClassLoader loader = InMemoryCompiler.loader(classes);
    int dot = qualifiedName.lastIndexOf('.');
    String generated = qualifiedName.substring(0, dot + 1) + "Lamina_"
        + qualifiedName.substring(dot + 1);
    assertWithMessage("generated classes").that(classes).containsKey(generated);
    return (FloatNetwork) loader.loadClass(generated).getConstructor().newInstance();
  }
}
