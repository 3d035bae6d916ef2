package dev.lamina.processor.gen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import java.util.Map;

/**
 * Calls of the runtime's Vector API kernels ({@code Kernels}) in generated code: a call with more
 * than a few arguments gets a comment line naming its parameters above it, so that a reader can
 * tell the literal sizes apart without opening the runtime.
 */
final class KernelCalls {
  static final ClassName KERNELS = ClassName.get("dev.lamina.runtime.kernel", "Kernels");

  /** Calls with more arguments than this get the comment. */
  private static final int NAMED_FROM = 5;

  /** The parameter names of each kernel generated code calls, as the runtime declares them. */
  private static final Map<String, String> PARAMETERS = Map.ofEntries(
      Map.entry("accumulate",
          "out, outCount, rows, sumCount, coef, coefOff, outStride, sumStride, len"),
      Map.entry("accumulateWindows", "out, outCount, src, base, kh, kw, rowStep, colStep, coef, "
          + "coefOff, outStride, sumStride, len"),
      Map.entry("outerWindows", "out, outOff, dzT, dzOff, len, src, base, channels, planeStep, "
          + "kh, kw, rowStep, colStep, oh, ow, posRowStep"),
      Map.entry("windowProducts", "out, outOff, wT, wOff, len, src, base, channels, planeStep, "
          + "kh, kw, rowStep, colStep, oh, ow, posRowStep"),
      Map.entry("addWindowProducts", "dst, base, channels, planeStep, kh, kw, rowStep, colStep, "
          + "oh, ow, posRowStep, dz, dzOff, outChannels, w, wOff, kStride"),
      Map.entry("accumulateRow", "out, rows, rowOff, rowStride, sumCount, coef, coefOff, len"),
      Map.entry("dotsWindows", "dz, dzCount, src, base, kh, kw, rowStep, colStep, grad, gradOff, "
          + "gradStride, len"),
      Map.entry("rowDots", "out, outOff, rows, rowOff, rowStride, rowCount, v, vOff, len"),
      Map.entry("outer", "g, gOff, x, xOff, rows, v, vOff, len"),
      Map.entry("maxPool2x2", "x, xc, w, oh, ow, z, zc, a, argBase"));

  private KernelCalls() {}

  /**
   * {@code Kernels.<kernel>(args);}, with the comment naming the parameters when there are more
   * than {@value #NAMED_FROM} of them. {@code args} is the argument list as source, without the
   * parentheses.
   */
  static void call(CodeBlock.Builder b, String kernel, String args) {
    String names = PARAMETERS.get(kernel);
    if (names == null) {
      throw new IllegalArgumentException("no parameter names for Kernels." + kernel);
    }
    if (names.split(", ").length > NAMED_FROM) {
      comment(b, kernel + "(" + names + ")");
    }
    b.addStatement("$T.$L($L)", KERNELS, kernel, args);
  }

  /** A {@code //} comment, wrapped at {@value #WIDTH} characters, continued by four spaces. */
  private static void comment(CodeBlock.Builder b, String text) {
    StringBuilder line = new StringBuilder();
    for (String word : text.split(" ")) {
      if (line.length() > 0 && line.length() + 1 + word.length() > WIDTH) {
        b.add("// $L\n", line.toString());
        line.setLength(0);
        line.append("   ");
      }
      line.append(line.length() == 0 ? "" : " ").append(word);
    }
    b.add("// $L\n", line.toString());
  }

  /** Characters per comment line, so that a comment indented by a few blocks stays readable. */
  private static final int WIDTH = 80;
}
