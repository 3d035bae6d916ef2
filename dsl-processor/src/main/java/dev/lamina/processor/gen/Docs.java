package dev.lamina.processor.gen;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;

/**
 * Javadoc of generated members at the project's width: members of the nested {@code Workspace}
 * sit four spaces in, so their Javadoc text gets {@value #MEMBER} characters per line.
 */
final class Docs {
  /** Characters of text per Javadoc line of a workspace member: 100 minus {@code "    * "}. */
  static final int MEMBER = 100 - 7;

  private Docs() {}

  /**
   * {@code text} with every line longer than {@code width} broken at spaces; existing line
   * breaks stay.
   */
  static String wrap(String text, int width) {
    StringBuilder out = new StringBuilder();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      if (i > 0) {
        out.append('\n');
      }
      int start = out.length();
      for (String word : lines[i].split(" ")) {
        int length = out.length() - start;
        if (length > 0 && length + 1 + word.length() > width) {
          out.append('\n');
          start = out.length();
        } else if (length > 0) {
          out.append(' ');
        }
        out.append(word);
      }
    }
    return out.toString();
  }

  /**
   * {@code m} with its Javadoc wrapped at {@link #MEMBER}; the layer methods' Javadoc holds only
   * text (no types to import), so it is rewrapped as text.
   */
  static MethodSpec wrapped(MethodSpec m) {
    String doc = m.javadoc().toString();
    String wrapped = wrap(doc, MEMBER);
    if (wrapped.equals(doc)) {
      return m;
    }
    MethodSpec.Builder b = m.isConstructor() ? MethodSpec.constructorBuilder()
        : MethodSpec.methodBuilder(m.name()).returns(m.returnType());
    return b.addModifiers(m.modifiers())
        .addAnnotations(m.annotations())
        .addTypeVariables(m.typeVariables())
        .addParameters(m.parameters())
        .varargs(m.varargs())
        .addExceptions(m.exceptions())
        .addJavadoc(CodeBlock.of("$L", wrapped))
        .addCode(m.code())
        .build();
  }
}
