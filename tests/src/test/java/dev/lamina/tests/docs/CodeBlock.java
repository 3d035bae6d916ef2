package dev.lamina.tests.docs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fenced code block of a Markdown file: its info string split into language and marker, its
 * text, and the line of its opening fence.
 *
 * <p>The Java blocks of the documentation follow one convention, which {@link DocsTest} checks:
 *
 * <ul>
 *   <li>{@code ```java}: a whole source file. All of a document's whole files compile together,
 *       with the processor and {@code -Xlint:all}, without a warning.
 *   <li>{@code ```java fails}: a whole source file that does not compile; the next code block is
 *       exactly what {@code javac} prints for it.
 *   <li>{@code ```java fragment}: a few lines cut from a whole file of the same document, which
 *       must hold them as consecutive lines (compared without indentation).
 *   <li>{@code ```java spark}: statements using the {@code spark} module, whose class path this
 *       module does not have: the spark module's {@code ReadmeExampleTest} compiles them.
 * </ul>
 *
 * <p>GitHub reads the first word of the info string as the language, so the marker does not show.
 */
record CodeBlock(String source, int line, String language, String marker, String text) {
  private static final Pattern PACKAGE = Pattern.compile("(?m)^package\\s+([\\w.]+)\\s*;");
  private static final Pattern PUBLIC_TYPE = Pattern.compile(
      "(?m)^public\\s+(?:(?:abstract|final|sealed|non-sealed|static)\\s+)*"
          + "(?:class|interface|enum|record|@interface)\\s+(\\w+)");

  /** The fenced blocks of a Markdown file, in order. */
  static List<CodeBlock> read(Path file) throws IOException {
    return parse(file.getFileName().toString(), Files.readString(file));
  }

  /**
   * The fenced blocks of Markdown text ({@code source} names it in messages). A fence is a line
   * starting with three backticks; a block left open is an error.
   */
  static List<CodeBlock> parse(String source, String markdown) {
    List<CodeBlock> blocks = new ArrayList<>();
    String[] lines = markdown.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      if (!lines[i].startsWith("```")) {
        continue;
      }
      String[] info = lines[i].substring(3).trim().split("\\s+", 2);
      int open = i;
      StringBuilder text = new StringBuilder();
      for (i++; i < lines.length && !lines[i].startsWith("```"); i++) {
        text.append(lines[i]).append('\n');
      }
      if (i == lines.length) {
        throw new IllegalArgumentException(
            source + ":" + (open + 1) + ": code block opened here is never closed");
      }
      blocks.add(new CodeBlock(source, open + 1, info[0], info.length > 1 ? info[1] : "",
          text.toString()));
    }
    return blocks;
  }

  /** Where the block starts, for messages: {@code README.md:42}. */
  String where() {
    return source + ":" + line;
  }

  boolean isJava() {
    return language.equals("java");
  }

  /**
   * The path of the Java file the block is, from its package and its public top-level type:
   * {@code demo/LeNet5.java}.
   */
  String javaPath() {
    Matcher type = PUBLIC_TYPE.matcher(text);
    if (!type.find()) {
      throw new AssertionError(where() + ": a whole Java file needs a public top-level type to"
          + " name the file; mark the block `java fragment` if it is cut from a file");
    }
    Matcher pkg = PACKAGE.matcher(text);
    String dir = pkg.find() ? pkg.group(1).replace('.', '/') + "/" : "";
    return dir + type.group(1) + ".java";
  }

  /** The block's lines without leading and trailing blanks, empty lines left out. */
  List<String> trimmedLines() {
    List<String> out = new ArrayList<>();
    for (String l : text.split("\n")) {
      if (!l.isBlank()) {
        out.add(l.strip());
      }
    }
    return out;
  }

  /** Whether {@code whole} holds this block's non-empty lines one after another. */
  boolean isExcerptOf(CodeBlock whole) {
    List<String> part = trimmedLines();
    List<String> all = whole.trimmedLines();
    return !part.isEmpty() && Collections.indexOfSubList(all, part) >= 0;
  }
}
