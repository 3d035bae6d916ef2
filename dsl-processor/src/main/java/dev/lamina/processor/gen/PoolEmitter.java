package dev.lamina.processor.gen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import dev.lamina.dsl.PoolKind;
import dev.lamina.processor.model.PoolOp;
import java.util.ArrayList;
import java.util.List;

/**
 * Pooling over each channel, with the same per-tap output ranges as convolution ({@link Axis}):
 *
 * <ul>
 *   <li>MAX: padding never wins (it is simply never read); the forward keeps the winning input
 *       index of every window (first maximum in window order) and the backward routes each
 *       gradient there. The common 2×2 stride-2 window without padding picks the index without
 *       branches (a tournament of two pairs, integer conditional moves) and reloads the value
 *       from it; a window holding NaN may then yield NaN.
 *   <li>AVG: window sum divided by the number of window taps inside the padded input ({@code
 *       countPadding}: kh·kw, except where a ceil-mode window overhangs the end padding) or inside
 *       the input.
 *   <li>SUBSAMPLE: {@code coeff[c]·(window sum) + bias[c]}; the window sums are kept for the
 *       coefficient gradient.
 * </ul>
 */
public final class PoolEmitter implements LayerEmitter {
  private static final ClassName ARRAYS = ClassName.get("java.util", "Arrays");
  private static final ClassName KERNELS = KernelCalls.KERNELS;

  private final PoolOp op;

  public PoolEmitter(PoolOp op) {
    this.op = op;
  }

  @Override
  public boolean hasParameters() {
    return op.kind() == PoolKind.SUBSAMPLE;
  }

  @Override
  public List<Buffer> buffers(LayerContext c) {
    return switch (op.kind()) {
      case MAX -> List.of(new Buffer(c.buffer("Arg"), true, c.outSize(),
          "index (within the sample) of each window's maximum"));
      case SUBSAMPLE -> List.of(new Buffer(c.buffer("Sum"), false, c.outSize(),
          "window sums"));
      case AVG -> List.of();
    };
  }

  private WindowGeo geo(LayerContext ctx) {
    return WindowGeo.of(ctx, op);
  }


  /**
   * Loops over every window's in-bounds taps of the channel whose input and output planes start
   * at {@code xc} and {@code zc}; {@code body} sees the output index ({@code zr + j}) and the
   * input index. A tap whose range is one position has no loop: its index is a literal.
   */
  private void windows(CodeBlock.Builder b, WindowGeo g, String xc, String zc,
      TapStatement body) {
    g.rows().forEachTap(b, "u", g.unroll(), (b1, u) -> {
      Loop i = new Loop("i", u.lo(), u.hi());
      i.open(b1);
      String zr = Src.plus(zc, i.times(g.ow()));
      String xr = i.single()
          ? Src.plus(xc, (Integer.parseInt(i.at()) * op.sh() + Integer.parseInt(u.shift()))
              * g.w())
          : Src.plus(xc, Src.scaled("i", op.sh(), u.shift(), g.w()));
      if (!i.single()) {
        b1.addStatement("int zr = $L", zr);
        b1.addStatement("int xr = $L", xr);
        zr = "zr";
        xr = "xr";
      }
      String rowOut = zr;
      String rowIn = xr;
      g.cols().forEachTap(b1, "v", g.unroll(), (b2, v) -> {
        Loop j = new Loop("j", v.lo(), v.hi());
        j.open(b2);
        body.emit(b2, Src.plus(rowOut, j.at()),
            Src.plus(Src.plus(rowIn, v.shift()), j.times(op.sw())));
        j.close(b2);
      });
      i.close(b1);
    });
  }

  /** {@code index - xs}, folded when {@code index} is {@code xs} or {@code xs + …}. */
  private static String withinSample(String index) {
    if (index.equals("xs")) {
      return "0";
    }
    return index.startsWith("xs + ") ? index.substring(5) : index + " - xs";
  }

  private interface TapStatement {
    void emit(CodeBlock.Builder b, String outputIndex, String inputIndex);
  }

  /**
   * The divisor of each window along one axis: its taps inside the padded input ({@code
   * countPadding}; fewer than the window only where a ceil-mode window overhangs the end padding)
   * or inside the input.
   */
  private int[] divisors(int in, int out, int k, int s, int begin, int end, int d) {
    int lo = op.countPadding() ? -begin : 0;
    int hi = op.countPadding() ? in + end : in;
    int[] n = new int[out];
    for (int i = 0; i < out; i++) {
      for (int u = 0; u < k; u++) {
        int x = i * s - begin + u * d;
        n[i] += x >= lo && x < hi ? 1 : 0;
      }
    }
    return n;
  }

  /** Divides the channel plane at {@code base} of {@code array} by each window's divisor. */
  private void divide(CodeBlock.Builder b, WindowGeo g, String array, String base) {
    int[] rows = divisors(g.h(), g.oh(), op.kh(), op.sh(), op.ph(), op.pb(), op.dh());
    int[] cols = divisors(g.w(), g.ow(), op.kw(), op.sw(), op.pw(), op.pr(), op.dw());
    boolean full = java.util.Arrays.stream(rows).allMatch(n -> n == op.kh())
        && java.util.Arrays.stream(cols).allMatch(n -> n == op.kw());
    if (full) {
      b.beginControlFlow("for (int q = $L; q < $L + $L; q++)", base, base, g.ohw());
      b.addStatement("$L[q] /= $L", array, op.kh() * op.kw());
      b.endControlFlow();
      return;
    }
    // Divide by the window's taps inside the (padded) input: the taps u with lo <= top + u·d < hi.
    int lo = op.countPadding() ? -op.ph() : 0;
    int hi = op.countPadding() ? g.h() + op.pb() : g.h();
    int left = op.countPadding() ? -op.pw() : 0;
    int right = op.countPadding() ? g.w() + op.pr() : g.w();
    b.beginControlFlow("for (int i = 0; i < $L; i++)", g.oh());
    b.addStatement("int top = $L", Src.plus(Src.times("i", op.sh()), -op.ph()));
    b.addStatement("int rows = $L", count("top", lo, hi, op.kh(), op.dh()));
    b.addStatement("int zr = $L", Src.plus(base, Src.times("i", g.ow())));
    b.beginControlFlow("for (int j = 0; j < $L; j++)", g.ow());
    b.addStatement("int left = $L", Src.plus(Src.times("j", op.sw()), -op.pw()));
    b.addStatement("$L[zr + j] /= rows * ($L)", array, count("left", left, right, op.kw(),
        op.dw()));
    b.endControlFlow();
    b.endControlFlow();
  }

  /** Source text: the taps {@code u < k} with {@code lo <= first + u·d < hi}. */
  private static String count(String first, int lo, int hi, int k, int d) {
    if (d == 1) {
      return "Math.min(" + hi + ", " + first + " + " + k + ") - Math.max(" + lo + ", " + first
          + ")";
    }
    // first tap at or after lo, last tap before hi (each window reads some of the input)
    return "Math.min(" + (k - 1) + ", Math.floorDiv(" + (hi - 1) + " - " + first + ", " + d
        + ")) - Math.max(0, -Math.floorDiv(" + first + " - " + lo + ", " + d + ")) + 1";
  }

  /**
   * Opens the loop over the channels, declaring each channel's output plane {@code zc} and, if
   * asked, its input plane {@code xc}; with one channel there is neither loop nor declaration (the
   * planes are the sample's, {@code xs} and {@code zs}).
   */
  private static Loop openChannels(CodeBlock.Builder b, WindowGeo g, boolean input) {
    Loop ch = new Loop("c", g.c());
    ch.open(b);
    if (input) {
      ch.start(b, "xc", "xs", g.hw());
    }
    ch.start(b, "zc", "zs", g.ohw());
    return ch;
  }

  /** A 2×2 stride-2 max pool without padding whose output drops any odd last row and column. */
  private boolean pairs(WindowGeo g) {
    return op.kind() == PoolKind.MAX && op.kh() == 2 && op.kw() == 2 && op.sh() == 2
        && op.sw() == 2 && op.ph() == 0 && op.pw() == 0 && op.dh() == 1 && op.dw() == 1
        && g.oh() == g.h() / 2
        && g.ow() == g.w() / 2;
  }

  /**
   * Per window {@code (p, p+1, p+w, p+w+1)}: the maximum, and the index of the first maximum in
   * window order (ties keep the earlier element) built from comparison bits by arithmetic, so the
   * loop has no data-dependent branch (post-ReLU data makes such branches unpredictable). A NaN
   * in the window makes the output NaN, as in PyTorch.
   */
  private void pairWindows(CodeBlock.Builder b, LayerContext ctx, WindowGeo g, String xc,
      String zc) {
    String t = ctx.num().t();
    int w = g.w();
    b.beginControlFlow("for (int i = 0; i < $L; i++)", g.oh());
    b.addStatement("int xr = $L", Src.plus(xc, Src.times("i", 2 * w)));
    b.addStatement("int zr = $L", Src.plus(zc, Src.times("i", g.ow())));
    b.beginControlFlow("for (int j = 0; j < $L; j++)", g.ow());
    b.addStatement("int q = xr + 2 * j");
    b.addStatement("$L x0 = x[q], x1 = x[q + 1], x2 = x[q + $L], x3 = x[q + $L]", t, w, w + 1);
    b.addStatement("int s01 = x1 > x0 ? 1 : 0");
    b.addStatement("int s23 = x3 > x2 ? 1 : 0");
    b.addStatement("$L m01 = Math.max(x0, x1)", t);
    b.addStatement("$L m23 = Math.max(x2, x3)", t);
    b.addStatement("int low = m23 > m01 ? 1 : 0");
    b.addStatement("z[zr + j] = Math.max(m01, m23)");
    b.addStatement("a[zr + j] = q - xs + s01 + low * ($L + s23 - s01)", w);
    b.endControlFlow();
    b.endControlFlow();
  }

  @Override
  public List<MethodSpec> forward(LayerContext ctx) {
    WindowGeo g = geo(ctx);
    String t = ctx.num().t();
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("$L[] z = this.$L", t, ctx.preBuffer());
    switch (op.kind()) {
      case MAX -> b.addStatement("int[] a = this.$L", ctx.buffer("Arg"));
      case SUBSAMPLE -> {
        b.addStatement("$L[] p = this.p", t);
        b.addStatement("$L[] s = this.$L", t, ctx.buffer("Sum"));
      }
      case AVG -> b.addStatement("$L[] s = z", t);
    }
    b.beginControlFlow("for (int n = 0; n < batch; n++)");
    b.addStatement("int xs = $L", Src.plus("xOff", Src.times("n", ctx.inSize())));
    b.addStatement("int zs = $L", Src.times("n", ctx.outSize()));
    Loop ch = openChannels(b, g, true);
    String xc = ch.single() ? "xs" : "xc";
    String zc = ch.single() ? "zs" : "zc";
    if (pairs(g) && ctx.num().isFloat()) {
      b.beginControlFlow("if ($T.VECTOR)", KERNELS);
      KernelCalls.call(b, "maxPool2x2",
          CodeBlock.of("x, $L, $L, $L, $L, z, $L, a, $L", xc, g.w(), g.oh(), g.ow(), zc,
              ch.single() ? "0" : "xc - xs").toString());
      b.nextControlFlow("else");
      pairWindows(b, ctx, g, xc, zc);
      b.endControlFlow();
    } else if (pairs(g)) {
      pairWindows(b, ctx, g, xc, zc);
    } else if (op.kind() == PoolKind.MAX) {
      b.addStatement("$T.fill(z, $L, $L + $L, $L)", ARRAYS, zc, zc, g.ohw(),
          ctx.num().negativeInfinity());
      b.addStatement("$L val", t);
      windows(b, g, xc, zc, (bb, zi, xi) -> {
        bb.addStatement("val = x[$L]", xi);
        bb.beginControlFlow("if (val > z[$L])", zi);
        bb.addStatement("z[$L] = val", zi);
        bb.addStatement("a[$L] = $L", zi, withinSample(xi));
        bb.endControlFlow();
      });
    } else {
      b.addStatement("$T.fill(s, $L, $L + $L, $L)", ARRAYS, zc, zc, g.ohw(), ctx.num().lit(0));
      windows(b, g, xc, zc, (bb, zi, xi) -> bb.addStatement("s[$L] += x[$L]", zi, xi));
      if (op.kind() == PoolKind.AVG) {
        divide(b, g, "z", zc);
      } else {
        b.addStatement("$L cf = p[$L]", t, Src.plus(ctx.offset("coeff"), ch.at()));
        b.addStatement("$L bs = p[$L]", t, Src.plus(ctx.offset("bias"), ch.at()));
        b.beginControlFlow("for (int q = $L; q < $L + $L; q++)", zc, zc, g.ohw());
        b.addStatement("z[q] = cf * s[q] + bs");
        b.endControlFlow();
      }
    }
    ch.close(b);
    b.endControlFlow();
    return List.of(ctx.inputMethod("Forward")
        .addJavadoc("$L: forward, into $L.\n", ctx.header(), ctx.preBuffer())
        .addCode(b.build()).build());
  }

  @Override
  public List<MethodSpec> backwardParams(LayerContext ctx) {
    if (!hasParameters()) {
      return List.of();
    }
    WindowGeo g = geo(ctx);
    String t = ctx.num().t();
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("$L[] g = this.g", t);
    b.addStatement("$L[] dz = this.$L", t, ctx.deltaBuffer());
    b.addStatement("$L[] s = this.$L", t, ctx.buffer("Sum"));
    b.beginControlFlow("for (int n = 0; n < batch; n++)");
    b.addStatement("int zs = $L", Src.times("n", ctx.outSize()));
    Loop ch = openChannels(b, g, false);
    String zc = ch.single() ? "zs" : "zc";
    b.addStatement("$L ac = 0", t);
    b.addStatement("$L ab = 0", t);
    b.beginControlFlow("for (int q = $L; q < $L + $L; q++)", zc, zc, g.ohw());
    b.addStatement("ac += dz[q] * s[q]");
    b.addStatement("ab += dz[q]");
    b.endControlFlow();
    b.addStatement("g[$L] += ac", Src.plus(ctx.offset("coeff"), ch.at()));
    b.addStatement("g[$L] += ab", Src.plus(ctx.offset("bias"), ch.at()));
    ch.close(b);
    b.endControlFlow();
    return List.of(ctx.inputMethod("BackwardParams")
        .addJavadoc("$L: adds dL/dcoeff and dL/dbias to the gradients (the input is not read: the"
            + " window sums are kept).\n", ctx.header())
        .addCode(b.build()).build());
  }

  @Override
  public List<MethodSpec> backwardData(LayerContext ctx) {
    WindowGeo g = geo(ctx);
    String t = ctx.num().t();
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("$L[] dz = this.$L", t, ctx.deltaBuffer());
    List<String> doc = new ArrayList<>();
    if (op.kind() == PoolKind.MAX) {
      b.addStatement("int[] a = this.$L", ctx.buffer("Arg"));
      b.beginControlFlow("for (int n = 0; n < batch; n++)");
      b.addStatement("int xs = $L", Src.times("n", ctx.inSize()));
      b.addStatement("int zs = $L", Src.times("n", ctx.outSize()));
      b.beginControlFlow("for (int q = zs; q < zs + $L; q++)", ctx.outSize());
      b.addStatement("dx[xs + a[q]] += dz[q]");
      b.endControlFlow();
      b.endControlFlow();
      doc.add("routes each window's gradient to its maximum");
    } else {
      if (op.kind() == PoolKind.SUBSAMPLE) {
        b.addStatement("$L[] p = this.p", t);
      }
      b.beginControlFlow("for (int n = 0; n < batch; n++)");
      b.addStatement("int xs = $L", Src.times("n", ctx.inSize()));
      b.addStatement("int zs = $L", Src.times("n", ctx.outSize()));
      Loop ch = openChannels(b, g, true);
      String xc = ch.single() ? "xs" : "xc";
      String zc = ch.single() ? "zs" : "zc";
      if (op.kind() == PoolKind.AVG) {
        divide(b, g, "dz", zc);
        windows(b, g, xc, zc, (bb, zi, xi) -> bb.addStatement("dx[$L] += dz[$L]", xi, zi));
        doc.add("spreads each window's gradient over the window; divides the delta in place");
      } else {
        b.addStatement("$L cf = p[$L]", t, Src.plus(ctx.offset("coeff"), ch.at()));
        windows(b, g, xc, zc,
            (bb, zi, xi) -> bb.addStatement("dx[$L] += cf * dz[$L]", xi, zi));
        doc.add("spreads coeff times each window's gradient over the window");
      }
      ch.close(b);
      b.endControlFlow();
    }
    return List.of(ctx.dataMethod()
        .addJavadoc("$L: adds dL/dx to dx; $L.\n", ctx.header(), doc.get(0))
        .addCode(b.build()).build());
  }
}
