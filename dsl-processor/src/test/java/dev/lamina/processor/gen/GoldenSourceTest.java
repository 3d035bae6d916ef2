package dev.lamina.processor.gen;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static com.google.testing.compile.Compiler.javac;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import dev.lamina.processor.LaminaProcessor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * The sources the processor generates for the annotated classes in {@code
 * src/test/resources/golden/in}, compared byte for byte with the checked-in goldens in {@code
 * src/test/resources/golden/out}, so that reviewers read what users get: a small convolutional
 * network in float and double, a graph with Add, Concat, BatchNorm and Dropout, and a
 * patch-row convolution. Regenerate with {@code -Dlamina.updateGoldens=true} (which also removes
 * goldens nothing generates any more) and review the diff.
 */
class GoldenSourceTest {
  static final Path IN = Paths.get("src/test/resources/golden/in");
  static final Path OUT = Paths.get("src/test/resources/golden/out");

  /** What the inputs declare: Tiny in both precisions; Graph, PatchRows and Tagger in float. */
  private static final List<String> EXPECTED = List.of("golden/Lamina_Graph.java",
      "golden/Lamina_PatchRows.java", "golden/Lamina_Tagger.java", "golden/Lamina_Tiny.java",
      "golden/Lamina_Tiny_F64.java");

  @Test
  void generatedSourcesMatchTheGoldenFiles() throws IOException {
    List<JavaFileObject> inputs = files(IN).stream().map(GoldenSourceTest::source)
        .collect(Collectors.toList());
    assertEquals(4, inputs.size(), "annotated inputs in " + IN);
    Map<String, String> generated = new TreeMap<>();
    for (JavaFileObject input : inputs) {
      Compilation compilation = javac().withProcessors(new LaminaProcessor())
          .withOptions("-Xlint:all,-processing").compile(input);
      assertThat(compilation).succeededWithoutWarnings();
      for (JavaFileObject f : compilation.generatedSourceFiles()) {
        generated.put(relativeName(f), f.getCharContent(false).toString());
      }
    }
    assertEquals(EXPECTED, List.copyOf(generated.keySet()), "generated sources");
    if (Boolean.getBoolean("lamina.updateGoldens")) {
      for (Path stale : files(OUT)) {
        Files.delete(stale);
      }
      for (Map.Entry<String, String> e : generated.entrySet()) {
        Path golden = OUT.resolve(e.getKey());
        Files.createDirectories(golden.getParent());
        Files.writeString(golden, e.getValue(), StandardCharsets.UTF_8);
      }
    }
    List<String> goldens = files(OUT).stream().map(p -> OUT.relativize(p).toString()
        .replace('\\', '/')).collect(Collectors.toList());
    assertEquals(EXPECTED, goldens, "golden files in " + OUT);
    for (Map.Entry<String, String> e : generated.entrySet()) {
      assertEquals(Files.readString(OUT.resolve(e.getKey()), StandardCharsets.UTF_8),
          e.getValue(), e.getKey() + " changed; review it and rerun with "
              + "-Dlamina.updateGoldens=true");
    }
  }

  /** The {@code .java} files below {@code root}, sorted. */
  private static List<Path> files(Path root) throws IOException {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(p -> p.toString().endsWith(".java")).sorted().collect(Collectors.toList());
    }
  }

  /** The source at {@code p}, named by its path below {@link #IN} ({@code golden.Tiny}). */
  private static JavaFileObject source(Path p) {
    String name = IN.relativize(p).toString().replace('\\', '/').replace(".java", "")
        .replace('/', '.');
    try {
      return JavaFileObjects.forSourceString(name, Files.readString(p, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code golden/Lamina_Tiny.java} for a file the processor wrote to the source output. */
  private static String relativeName(JavaFileObject f) {
    String path = f.toUri().getPath();
    String marker = "/SOURCE_OUTPUT/";
    int at = path.indexOf(marker);
    if (at < 0) {
      throw new AssertionError("not in the source output: " + f.toUri());
    }
    return path.substring(at + marker.length());
  }
}
