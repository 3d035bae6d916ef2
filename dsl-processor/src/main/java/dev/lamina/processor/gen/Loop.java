package dev.lamina.processor.gen;

import com.palantir.javapoet.CodeBlock;

/**
 * A counted loop {@code for (int var = 0; var < count; var++)} in generated code, written only
 * when it runs more than once: over a single value there is no loop, and the index is the literal
 * 0, which {@link Src} folds away ({@code xs + c * 784} becomes {@code xs}).
 */
record Loop(String var, int count) {
  void open(CodeBlock.Builder b) {
    if (count != 1) {
      b.beginControlFlow("for (int $L = 0; $L < $L; $L++)", var, var, count, var);
    }
  }

  void close(CodeBlock.Builder b) {
    if (count != 1) {
      b.endControlFlow();
    }
  }

  /** The index: the variable, or {@code 0}. */
  String at() {
    return count == 1 ? "0" : var;
  }

  /** {@code var * k}, or {@code 0} when there is no loop. */
  String times(int k) {
    return count == 1 ? "0" : Src.times(var, k);
  }
}
