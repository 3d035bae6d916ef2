package dev.lamina.tests.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** How the documentation's code blocks are read: the conventions {@link DocsTest} relies on. */
class CodeBlockTest {
  private static final String DOC = """
      # Title

      ```java
      package a.b;

      public abstract class Net {
        int x;
        int y;
      }
      ```

          indented, not a fence

      ```java fragment
          int x;
        int y;
      ```

      ```java fails
      public final class Top {}
      ```

      ```
      output
      ```
      """;

  @Test
  void readsEveryFenceWithLanguageMarkerLineAndText() {
    List<CodeBlock> blocks = CodeBlock.parse("DOC.md", DOC);
    assertEquals(4, blocks.size());
    assertEquals("java", blocks.get(0).language());
    assertEquals("", blocks.get(0).marker());
    assertEquals("DOC.md:3", blocks.get(0).where());
    assertEquals("fragment", blocks.get(1).marker());
    assertEquals("fails", blocks.get(2).marker());
    assertEquals("", blocks.get(3).language());
    assertEquals("output\n", blocks.get(3).text());
  }

  @Test
  void namesTheFileByPackageAndPublicType() {
    List<CodeBlock> blocks = CodeBlock.parse("DOC.md", DOC);
    assertEquals("a/b/Net.java", blocks.get(0).javaPath());
    assertEquals("Top.java", blocks.get(2).javaPath());
    AssertionError e = assertThrows(AssertionError.class, () -> blocks.get(1).javaPath());
    assertTrue(e.getMessage().startsWith("DOC.md:14: a whole Java file needs a public"),
        e.getMessage());
  }

  @Test
  void fragmentIsConsecutiveLinesOfAWholeFileWhateverTheirIndentation() {
    List<CodeBlock> blocks = CodeBlock.parse("DOC.md", DOC);
    assertTrue(blocks.get(1).isExcerptOf(blocks.get(0)));
    CodeBlock gap = CodeBlock.parse("DOC.md", "```java fragment\nint x;\n}\n```\n").get(0);
    assertFalse(gap.isExcerptOf(blocks.get(0)), "x and the brace are not consecutive");
    CodeBlock empty = CodeBlock.parse("DOC.md", "```java fragment\n\n```\n").get(0);
    assertFalse(empty.isExcerptOf(blocks.get(0)));
  }

  @Test
  void unclosedBlockIsAnError() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> CodeBlock.parse("DOC.md", "text\n```java\nclass A {}\n"));
    assertEquals("DOC.md:2: code block opened here is never closed", e.getMessage());
  }
}
