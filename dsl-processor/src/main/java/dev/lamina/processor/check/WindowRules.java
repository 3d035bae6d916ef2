package dev.lamina.processor.check;

import dev.lamina.dsl.AutoPad;
import dev.lamina.processor.decl.LayerDecl;
import dev.lamina.processor.decl.Value;
import dev.lamina.processor.diag.Message;
import dev.lamina.processor.diag.Site;
import dev.lamina.processor.model.Geometry;
import dev.lamina.processor.model.Shape;
import java.util.List;

/**
 * The rules of a sliding window (Conv, Pool): it must fit the padded input, its padding must be
 * smaller than the window, a pooling window must read some input, and input rows or columns that
 * no window reads are worth a warning.
 */
public final class WindowRules {
  private static final long MAX_ARRAY = Checker.MAX_ARRAY;
  private final LayerCheck c;

  WindowRules(LayerCheck c) {
    this.c = c;
  }

  /** A sliding window's output shape and its padding {top, left, bottom, right}. */
  public record Window(Shape out, int[] pad) {}

  /**
   * The shape checks of a sliding window (Conv or Pool): its output and resolved padding
   * ({@code p} is {top, left, bottom, right} as written, replaced by {@code auto}'s), or null.
   */
  Window window(String kind, int[] k, int[] s, int[] p, int[] dil, AutoPad auto, boolean ceil,
      int filters) {
    LayerDecl layer = c.layer();
    Shape in = c.in();
    boolean conv = filters > 0;
    String kernelAttr = conv ? "kernel" : "size";
    if (!in.isImage()) {
      c.needsImage(kind, in);
      return null;
    }
    int[] size = {in.height(), in.width()};
    if (auto == AutoPad.VALID) {
      p = new int[4];
    } else if (auto != AutoPad.EXPLICIT) {
      p = new int[4];
      for (int a = 0; a < 2; a++) {
        int[] be = Geometry.samePadding(size[a], k[a], s[a], dil[a],
            auto == AutoPad.SAME_UPPER);
        p[a] = be[0];
        p[a + 2] = be[1];
      }
    }
    long[] keff = {Geometry.effectiveKernel(k[0], dil[0]), Geometry.effectiveKernel(k[1], dil[1])};
    long[] outSize = new long[2];
    boolean[] fails = new boolean[2];
    for (int a = 0; a < 2; a++) {
      outSize[a] = Geometry.outputSize(size[a], k[a], s[a], p[a], p[a + 2], dil[a], ceil);
      fails[a] = outSize[a] < 1;
    }
    String what = Formats.describeKernel(conv, k, dil, keff);
    String padText = Formats.padText(p);
    if (fails[0] || fails[1]) {
      StringBuilder formula = new StringBuilder();
      long[] maxK = new long[2];
      long[] minP = new long[2];
      for (int a = 0; a < 2; a++) {
        if (!fails[a]) {
          continue;
        }
        long span = (long) size[a] + p[a] + p[a + 2] - keff[a];
        formula.append(formula.length() == 0 ? "" : "; ").append(a == 0 ? "height" : "width")
            .append(": ").append(ceil ? "ceil" : "floor").append("((").append(size[a])
            .append(" + ").append(Formats.padTerm(p, a)).append(" - ").append(keff[a])
            .append(") / ")
            .append(s[a]).append(") + 1 = ").append(Math.floorDiv(span, s[a]) + 1);
        long room = (long) size[a] + p[a] + p[a + 2];
        maxK[a] = dil[a] == 1 ? room : (room - 1) / dil[a] + 1;
        minP[a] = (keff[a] - size[a] + 1) / 2;
      }
      String fix = Formats.bound(kernelAttr, fails, maxK, "<=")
          + (dil[0] > 1 || dil[1] > 1 ? " at dilation " + Formats.pair(dil[0], dil[1]) : "")
          + (auto == AutoPad.EXPLICIT ? " or " + Formats.bound("padding", fails, minP, ">=") : "");
      c.report(Message.WINDOW_TOO_LARGE, layer.ints(kernelAttr).site(), layer.name(), what, in,
          padText, Math.max(0, outSize[0]) + "x" + Math.max(0, outSize[1]), formula, fix);
      return null;
    }
    Site padSite = auto == AutoPad.EXPLICIT ? layer.ints("padding").site()
        : layer.attr("autoPad").site();
    boolean tooLarge = false;
    for (int a = 0; a < 4; a++) {
      tooLarge |= p[a] >= keff[a % 2];
    }
    if (tooLarge) {
      long maxH = keff[0] - 1;
      long maxW = keff[1] - 1;
      String use = maxH == maxW ? Long.toString(maxH) : "{" + maxH + ", " + maxW + "}";
      if (conv) {
        if (keff[0] % 2 == 1 && keff[1] % 2 == 1) {
          use += " (padding " + Formats.pair((int) (keff[0] / 2), (int) (keff[1] / 2))
              + " keeps the size)";
        }
        c.report(Message.PADDING_TOO_LARGE, padSite, layer.name(), padText, what, use);
      } else {
        c.report(Message.POOL_PADDING_TOO_LARGE, padSite, layer.name(), padText, what, use);
      }
    } else if (!conv) {
      // With dilation a window can straddle a small input and read only padding.
      for (int a = 0; a < 2; a++) {
        long i = Geometry.firstEmptyWindow(size[a], k[a], s[a], p[a], dil[a], outSize[a]);
        if (i >= 0) {
          long first = i * s[a] - p[a];
          Value<List<Integer>> dv = layer.ints("dilation");
          c.report(Message.POOL_WINDOW_IN_PADDING, dv.explicit() ? dv.site() : padSite,
              layer.name(), a == 0 ? "row" : "column", i, what, first,
              first + (keff[a] - 1), dil[a], in, a == 0 ? "height" : "width", size[a]);
          return null;
        }
      }
    }
    // Trailing input rows/columns no window reads (beyond those that are padding).
    long[] unread = new long[2];
    for (int a = 0; a < 2; a++) {
      unread[a] = Geometry.unread(size[a], k[a], s[a], p[a], p[a + 2], dil[a], ceil);
    }
    if (unread[0] > 0 || unread[1] > 0) {
      StringBuilder lost = new StringBuilder();
      StringBuilder formula = new StringBuilder();
      int[] fixK = k.clone();
      for (int a = 0; a < 2; a++) {
        if (unread[a] == 0) {
          continue;
        }
        String unit = a == 0 ? "row" : "column";
        lost.append(lost.length() == 0 ? "the last " : " and the last ").append(unread[a])
            .append(' ').append(unit).append(unread[a] == 1 ? "" : "s");
        long rem = ((long) size[a] + p[a] + p[a + 2] - keff[a]) % s[a];
        formula.append(formula.length() == 0 ? "" : "; ").append(a == 0 ? "height" : "width")
            .append(": (").append(size[a]).append(" + ").append(Formats.padTerm(p, a)).append(" - ")
            .append(keff[a]).append(") mod ").append(s[a]).append(" = ").append(rem);
        if (dil[a] == 1) {
          fixK[a] = (int) Math.min(Integer.MAX_VALUE, k[a] + rem);
        }
      }
      String fix = (fixK[0] != k[0] || fixK[1] != k[1]
          ? kernelAttr + " " + Formats.pair(fixK[0], fixK[1]) + " (same output size), or " : "")
          + "padding and stride such that (in + 2*padding - " + kernelAttr
          + ") is a multiple of the stride" + (conv ? "" : ", or ceilMode = true");
      Value<List<Integer>> stride = layer.ints("stride");
      Site site = stride.explicit() ? stride.site() : layer.ints(kernelAttr).site();
      c.report(Message.STRIDE_REMAINDER, site, layer.name(), Formats.pair(s[0], s[1]), lost, in,
          formula,
          fix);
    }
    if (outSize[0] > Integer.MAX_VALUE || outSize[1] > Integer.MAX_VALUE) {
      c.report(Message.ACTIVATION_TOO_LARGE, layer.site(), layer.name(),
          (conv ? filters : in.channels()) + "x" + outSize[0] + "x" + outSize[1],
          Geometry.mul(Geometry.mul(conv ? filters : in.channels(), outSize[0]), outSize[1]),
          MAX_ARRAY);
      return null;
    }
    Shape out = Shape.image(conv ? filters : in.channels(), (int) outSize[0], (int) outSize[1]);
    if (out.size() > MAX_ARRAY) {
      c.report(Message.ACTIVATION_TOO_LARGE, layer.site(), layer.name(), out, out.size(),
          MAX_ARRAY);
      return null;
    }
    return new Window(out, p);
  }
}
