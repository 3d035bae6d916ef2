package dev.lamina.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static com.google.testing.compile.Compiler.javac;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import javax.tools.JavaFileObject;
import javax.tools.StandardLocation;

/**
 * A small DSL for processor tests: wraps layer members (one per line) into a whole source
 * {@code test.Net}, compiles it with the Lamina processor, and asserts message, file, line and
 * count in one call.
 *
 * <pre>{@code
 * assertThatNetwork("@Conv(filters = 6, kernel = 5) Layer c1;")
 *     .network("input = {16, 4, 4}")
 *     .failsWith("c1: kernel 5x5 does not fit input 16x4x4", "Layer c1;");
 * }</pre>
 */
final class NetworkTester {
  static final String DEFAULT_NETWORK = "input = {1, 28, 28}, loss = SOFTMAX_CROSS_ENTROPY";

  private final String[] members;
  private String network = DEFAULT_NETWORK;
  private String classAnnotations = "";
  private String declaration = "abstract class Net";
  private LaminaProcessor processor = new LaminaProcessor();
  private JavaFileObject source;
  private Compilation compilation;

  private NetworkTester(String[] members) {
    this.members = members;
  }

  static NetworkTester assertThatNetwork(String... members) {
    return new NetworkTester(members);
  }

  /** The {@code @Network} attributes (default: 1x28x28 input, softmax cross-entropy). */
  NetworkTester network(String attributes) {
    this.network = attributes;
    return this;
  }

  /** Extra annotations on the class, e.g. {@code @SuppressWarnings("lamina:no-loss")}. */
  NetworkTester classAnnotatedWith(String annotations) {
    this.classAnnotations = annotations;
    return this;
  }

  /** The class declaration head (default {@code abstract class Net}). */
  NetworkTester declaredAs(String head) {
    this.declaration = head;
    return this;
  }

  NetworkTester withProcessor(LaminaProcessor processor) {
    this.processor = processor;
    return this;
  }

  JavaFileObject source() {
    if (source == null) {
      StringBuilder sb = new StringBuilder()
          .append("package test;\n\n")
          .append(IMPORTS)
          .append("@Network(").append(network).append(")\n");
      if (!classAnnotations.isEmpty()) {
        sb.append(classAnnotations).append('\n');
      }
      sb.append(declaration).append(" {\n");
      for (String m : members) {
        sb.append("  ").append(m).append('\n');
      }
      sb.append("}\n");
      source = JavaFileObjects.forSourceString("test.Net", sb.toString());
    }
    return source;
  }

  Compilation compilation() {
    if (compilation == null) {
      compilation = compile(processor, source());
    }
    return compilation;
  }

  /** Exactly one error, containing the message, on the line containing the snippet. */
  NetworkTester failsWith(String message, String lineContaining) {
    return failsWithErrors(1, message, lineContaining);
  }

  NetworkTester failsWithErrors(int count, String message, String lineContaining) {
    Compilation c = compilation();
    assertThat(c).failed();
    assertThat(c).hadErrorContaining(message).inFile(source()).onLineContaining(lineContaining);
    assertThat(c).hadErrorCount(count);
    return this;
  }

  /**
   * Exactly one error, containing the message, with javac's caret on the first {@code token} of
   * the line containing {@code lineContaining}: the offending value itself, as IDEs underline it.
   */
  NetworkTester failsAt(String message, String lineContaining, String token) {
    failsWith(message, lineContaining);
    String[] lines = sourceText().split("\n");
    int at = 0;
    while (at < lines.length && !lines[at].contains(lineContaining)) {
      at++;
    }
    if (at == lines.length || lines[at].indexOf(token) < 0) {
      throw new AssertionError("no line containing " + lineContaining + " with " + token);
    }
    assertThat(compilation()).hadErrorContaining(message).inFile(source())
        .onLine(at + 1).atColumn(lines[at].indexOf(token) + 1);
    return this;
  }

  private String sourceText() {
    try {
      return source().getCharContent(true).toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Also has this error (after a {@code failsWith...}). */
  NetworkTester andError(String message, String lineContaining) {
    assertThat(compilation()).hadErrorContaining(message).inFile(source())
        .onLineContaining(lineContaining);
    return this;
  }

  /** Compiles, with exactly one warning containing the message on the given line. */
  NetworkTester warns(String message, String lineContaining) {
    Compilation c = compilation();
    assertThat(c).succeeded();
    assertThat(c).hadWarningContaining(message).inFile(source()).onLineContaining(lineContaining);
    assertThat(c).hadWarningCount(1);
    return this;
  }

  NetworkTester compilesWithoutWarnings() {
    assertThat(compilation()).succeededWithoutWarnings();
    return this;
  }

  /** The generated summary table of {@code test.Net}. */
  String summary() {
    assertThat(compilation()).succeeded();
    return resource(compilation(), "test.Net");
  }

  // ---- shared helpers -------------------------------------------------------------------------

  static final String IMPORTS = """
      import dev.lamina.dsl.*;
      import static dev.lamina.dsl.Activation.*;
      import static dev.lamina.dsl.Loss.*;
      import static dev.lamina.dsl.PoolKind.*;
      import static dev.lamina.dsl.Precision.*;
      import static dev.lamina.dsl.Recurrent.Cell.*;
      import static dev.lamina.dsl.Recurrent.Returns.*;

      """;

  static Compilation compile(LaminaProcessor processor, JavaFileObject... sources) {
    return javac().withProcessors(processor).compile(sources);
  }

  static Compilation compile(JavaFileObject... sources) {
    return compile(new LaminaProcessor(), sources);
  }

  /** A whole source file with the DSL imports after its package line. */
  static JavaFileObject source(String qualifiedName, String body) {
    int dot = qualifiedName.lastIndexOf('.');
    String header = dot < 0 ? "" : "package " + qualifiedName.substring(0, dot) + ";\n\n";
    return JavaFileObjects.forSourceString(qualifiedName, header + IMPORTS + body);
  }

  /** The summary resource written for a network, which must exist. */
  static String resource(Compilation c, String qualifiedName) {
    Optional<JavaFileObject> file = c.generatedFile(StandardLocation.CLASS_OUTPUT,
        "META-INF/lamina/" + qualifiedName + ".txt");
    if (file.isEmpty()) {
      throw new AssertionError("no summary resource for " + qualifiedName);
    }
    try {
      return file.get().getCharContent(true).toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
