package dev.lamina.tests.docs;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static com.google.testing.compile.Compiler.javac;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import com.palantir.javapoet.JavaFile;
import dev.lamina.dsl.Network;
import dev.lamina.processor.LaminaProcessor;
import dev.lamina.runtime.NetworkSummary;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The documentation against the code: every Java block of the READMEs compiles with the processor
 * (the markers are described in {@link CodeBlock}), the compile error shown is what {@code javac}
 * prints, the versions named are the project's, and the consumer builds under {@code src/it} are
 * the README's {@code pom.xml} and files.
 */
class DocsTest {
  /** The repository's root: {@code -Dlamina.repository.dir}, else the parent of this module. */
  private static final Path ROOT =
      Path.of(System.getProperty("lamina.repository.dir", "..")).toAbsolutePath().normalize();
  private static final Path README = ROOT.resolve("README.md");
  private static final Path CONSUMERS = ROOT.resolve("tests/src/it");
  private static final Set<String> MARKERS = Set.of("", "fails", "fragment", "spark");

  @ParameterizedTest
  @CsvSource({"README.md, 6", "samples/README-app.md, 0"})
  void wholeJavaFilesCompileWithoutWarnings(String document, int files) throws IOException {
    List<CodeBlock> whole = javaBlocks(ROOT.resolve(document), "");
    assertEquals(files, whole.size(), document + ": whole Java files");
    if (whole.isEmpty()) {
      return;
    }
    List<JavaFileObject> sources = new ArrayList<>();
    List<String> networks = new ArrayList<>();
    for (CodeBlock b : whole) {
      String name = b.javaPath().replace('/', '.').replaceFirst("\\.java$", "");
      sources.add(JavaFileObjects.forSourceString(name, b.text()));
      if (b.text().contains("@Network(")) {
        int dot = name.lastIndexOf('.');
        networks.add(name.substring(0, dot + 1) + "Lamina_" + name.substring(dot + 1));
      }
    }
    Compilation c = javac().withProcessors(new LaminaProcessor()).withOptions("-Xlint:all")
        .compile(sources);
    assertThat(c).succeededWithoutWarnings();
    for (String network : networks) {
      assertThat(c).generatedSourceFile(network);
    }
  }

  @ParameterizedTest
  @CsvSource({"README.md, 0", "samples/README-app.md, 0"})
  void fragmentsAreCutFromWholeFiles(String document, int fragments) throws IOException {
    Path file = ROOT.resolve(document);
    List<CodeBlock> whole = javaBlocks(file, "");
    List<CodeBlock> cut = javaBlocks(file, "fragment");
    assertEquals(fragments, cut.size(), document + ": fragments");
    for (CodeBlock f : cut) {
      assertTrue(whole.stream().anyMatch(f::isExcerptOf),
          f.where() + ": these lines are in no whole Java file of " + document);
    }
  }

  @Test
  void compileErrorIsExactlyWhatJavacPrints(@TempDir Path dir) throws Exception {
    List<CodeBlock> blocks = CodeBlock.read(README);
    int checked = 0;
    for (int i = 0; i < blocks.size(); i++) {
      CodeBlock broken = blocks.get(i);
      if (!broken.isJava() || !broken.marker().equals("fails")) {
        continue;
      }
      assertTrue(i + 1 < blocks.size(), broken.where() + ": no block with javac's output follows");
      Path file = dir.resolve(broken.javaPath());
      Files.createDirectories(file.getParent());
      Files.writeString(file, broken.text());
      Process javac = new ProcessBuilder(
          Path.of(System.getProperty("java.home"), "bin", "javac").toString(),
          "-J-Duser.language=en", "-J-Duser.country=US",
          "-cp", path(Network.class, NetworkSummary.class),
          "-processorpath", path(LaminaProcessor.class, JavaFile.class, Network.class,
              NetworkSummary.class),
          "-d", "classes", broken.javaPath())
          .directory(dir.toFile()).redirectErrorStream(true).start();
      byte[] out = javac.getInputStream().readAllBytes();
      assertTrue(javac.waitFor(2, TimeUnit.MINUTES), "javac did not finish");
      assertEquals(blocks.get(i + 1).text(), new String(out, StandardCharsets.UTF_8),
          blocks.get(i + 1).where() + ": javac's output for " + broken.javaPath());
      assertEquals(1, javac.exitValue(), "javac's exit status");
      checked++;
    }
    assertEquals(2, checked, "README.md: `java fails` blocks");
  }

  @Test
  void everyJavaBlockHasAKnownMarker() throws IOException {
    for (String document : List.of("README.md", "samples/README-app.md")) {
      for (CodeBlock b : CodeBlock.read(ROOT.resolve(document))) {
        assertTrue(!b.isJava() || MARKERS.contains(b.marker()),
            b.where() + ": unknown marker `" + b.marker() + "`; use one of " + MARKERS);
      }
    }
  }

  @Test
  void versionsNamedAreTheProjectVersion() throws IOException {
    String version = projectVersion();
    String readme = Files.readString(README);
    List<String> named = new ArrayList<>();
    Matcher xml = Pattern.compile("<artifactId>lamina-[\\w-]+</artifactId>(?:\\s|<!--.*?-->)*"
        + "<version>([^<]+)</version>").matcher(readme);
    while (xml.find()) {
      named.add(xml.group(1));
    }
    Matcher gradle = Pattern.compile("\"dev\\.lamina:[\\w-]+:([^\"]+)\"").matcher(readme);
    while (gradle.find()) {
      named.add(gradle.group(1));
    }
    Matcher text = Pattern.compile("installs version `([^`]+)`").matcher(readme);
    while (text.find()) {
      named.add(text.group(1));
    }
    assertEquals(5, named.size(), "versions named in README.md: " + named);
    for (String v : named) {
      assertEquals(version, v, "a version in README.md");
    }
    String changelog = Files.readString(ROOT.resolve("CHANGELOG.md"));
    Matcher first = Pattern.compile("(?m)^## (\\S+)").matcher(changelog);
    assertTrue(first.find(), "CHANGELOG.md has no `## <version>` heading");
    assertEquals(version.replaceFirst("-SNAPSHOT$", ""), first.group(1),
        "CHANGELOG.md's first version");
  }

  @Test
  void consumerBuildsAreTheReadmesProject() throws IOException {
    List<CodeBlock> blocks = CodeBlock.read(README);
    List<CodeBlock> poms = blocks.stream().filter(b -> b.language().equals("xml")).toList();
    assertEquals(1, poms.size(), "README.md: xml blocks");
    for (String project : List.of("consumer", "consumer-broken")) {
      List<String> pom = lines(CONSUMERS.resolve(project).resolve("pom.xml"));
      int at = 0;
      for (String line : poms.get(0).trimmedLines()) {
        int found = pom.subList(at, pom.size()).indexOf(line);
        if (found < 0) {
          fail(project + "/pom.xml lacks, in the README's order, the line: " + line);
        }
        at += found + 1;
      }
    }
    // The example the README's "Use it in your project" builds, and its broken network.
    assertSameFile(javaBlocks(README, ""), "demo/LeNet5.java", "consumer");
    assertSameFile(javaBlocks(README, ""), "demo/TrainLeNet5.java", "consumer");
    assertSameFile(javaBlocks(README, "fails"), "demo/Broken.java", "consumer-broken");
  }

  /** The consumer project holds the README's block of this file, unchanged. */
  private static void assertSameFile(List<CodeBlock> blocks, String javaPath, String project)
      throws IOException {
    CodeBlock block = blocks.stream().filter(b -> b.javaPath().equals(javaPath)).findFirst()
        .orElseThrow(() -> new AssertionError("README.md has no block of " + javaPath));
    Path file = CONSUMERS.resolve(project).resolve("src/main/java").resolve(javaPath);
    assertTrue(Files.exists(file), block.where() + ": no copy at " + ROOT.relativize(file));
    assertEquals(block.text(), Files.readString(file),
        ROOT.relativize(file) + " differs from the block at " + block.where());
  }

  private static List<CodeBlock> javaBlocks(Path document, String marker) throws IOException {
    return CodeBlock.read(document).stream()
        .filter(b -> b.isJava() && b.marker().equals(marker)).toList();
  }

  private static List<String> lines(Path file) throws IOException {
    return Files.readAllLines(file).stream().map(String::strip).toList();
  }

  /** The version of {@code lamina-parent} in the root {@code pom.xml}. */
  private static String projectVersion() throws IOException {
    Matcher m = Pattern.compile("<artifactId>lamina-parent</artifactId>\\s*<version>([^<]+)<")
        .matcher(Files.readString(ROOT.resolve("pom.xml")));
    assertTrue(m.find(), "no lamina-parent version in pom.xml");
    return m.group(1);
  }

  /** The class path of the jars or folders these classes were loaded from. */
  private static String path(Class<?>... types) {
    List<String> entries = new ArrayList<>();
    for (Class<?> t : types) {
      try {
        entries.add(Path.of(t.getProtectionDomain().getCodeSource().getLocation().toURI())
            .toString());
      } catch (URISyntaxException e) {
        throw new IllegalStateException(e);
      }
    }
    return String.join(File.pathSeparator, entries);
  }
}
