package dev.lamina.processor.gen;

import com.palantir.javapoet.CodeBlock;

/**
 * A counted loop {@code for (int var = from; var < to; var++)} in generated code, written only
 * when it may run more than once: over a single value there is no loop, and the index is that
 * value as a literal, which {@link Src} folds away ({@code xs + c * 784} becomes {@code xs}).
 * The bounds are int literals or names; a loop whose bounds are names is always written.
 */
record Loop(String var, String from, String to) {
  /** {@code for (int var = 0; var < count; var++)}. */
  Loop(String var, int count) {
    this(var, "0", Integer.toString(count));
  }

  /** Whether the loop runs exactly once, over the literal {@link #from}. */
  boolean single() {
    return Src.isInt(from) && Src.isInt(to)
        && Long.parseLong(to) - Long.parseLong(from) == 1;
  }

  void open(CodeBlock.Builder b) {
    if (!single()) {
      b.beginControlFlow("for (int $L = $L; $L < $L; $L++)", var, from, var, to, var);
    }
  }

  void close(CodeBlock.Builder b) {
    if (!single()) {
      b.endControlFlow();
    }
  }

  /** The index: the variable, or the literal of its single value. */
  String at() {
    return single() ? from : var;
  }

  /**
   * Where step {@code var} of a run of {@code step} values from {@code base} starts: declares
   * {@code int name = base + var * step} inside the loop and returns {@code name}; without a loop
   * it declares nothing and returns the folded expression ({@code base} itself for index 0).
   */
  String start(CodeBlock.Builder b, String name, String base, int step) {
    String at = Src.plus(base, times(step));
    if (single()) {
      return at;
    }
    b.addStatement("int $L = $L", name, at);
    return name;
  }

  /** {@code var * k}, or the literal product when there is no loop. */
  String times(int k) {
    return single() ? Long.toString(Long.parseLong(from) * k) : Src.times(var, k);
  }
}
