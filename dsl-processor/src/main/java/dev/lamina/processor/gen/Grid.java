package dev.lamina.processor.gen;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import javax.lang.model.element.Modifier;

/**
 * A stride-1 correlation of one sample laid out on a <em>grid</em>, the form HotSpot's C2
 * vectorizes (on JDK 17 too): every loop runs over separate arrays indexed by the bare loop
 * variable.
 *
 * <p>The source planes are (zero-)padded to {@code hp × wp}. Output position {@code (i, j)} sits
 * at grid index {@code q = i·wp + j}; kernel tap {@code (u, v)} then reads source index {@code q +
 * u·dh·wp + v·dw} of the padded plane, one constant shift per tap for the whole plane. So each tap
 * gets one {@code System.arraycopy} of the shifted plane into its own scratch array, and every
 * output channel adds {@code w·tap[q]} for up to {@value #GROUP} taps per loop. The grid's columns
 * {@code j >= ow} are scratch (computed and dropped): the price of one long loop per channel
 * instead of one short loop per row.
 *
 * @param channels source channels
 * @param h source height (unpadded)
 * @param w source width (unpadded)
 */
record Grid(int channels, int h, int w, int ph, int pw, int kh, int kw, int dh, int dw) {
  /** Taps per vectorized loop: C2 stops vectorizing longer bodies. */
  static final int GROUP = 5;

  /** Upper bound on the floats of one layer's grid scratch; larger layers keep the plain loops. */
  static final int BUDGET = 1 << 19;

  int hp() {
    return h + 2 * ph;
  }

  int wp() {
    return w + 2 * pw;
  }

  int oh() {
    return hp() - (kh - 1) * dh;
  }

  int ow() {
    return wp() - (kw - 1) * dw;
  }

  int taps() {
    return kh * kw;
  }

  boolean padded() {
    return ph > 0 || pw > 0;
  }

  /** Grid positions computed per output channel: up to the last valid one. */
  int length() {
    return (oh() - 1) * wp() + ow();
  }

  int paddedPlane() {
    return hp() * wp();
  }

  /** Floats of scratch: padded source, shifted taps and {@code outChannels} grids. */
  long scratch(int outChannels) {
    return (padded() ? (long) channels * paddedPlane() : 0)
        + (long) (taps() + outChannels) * length();
  }

  /**
   * Copies the sample's source planes from {@code src[base..]} into the padded scratch {@code
   * pad} (whose border stays zero).
   */
  void pad(CodeBlock.Builder b, String src, String base, String pad) {
    Loop c = new Loop("c", channels);
    c.open(b);
    b.beginControlFlow("for (int r = 0; r < $L; r++)", h);
    b.addStatement("System.arraycopy($L, $L, $L, $L, $L)", src,
        Src.plus(Src.plus(base, c.times(h * w)), "r * " + w), pad,
        Src.plus(Src.plus(c.times(paddedPlane()), "r * " + wp()), ph * wp() + pw), w);
    b.endControlFlow();
    c.close(b);
  }

  /**
   * Copies tap {@code (u, v)}'s shifted plane of channel {@code c} into {@code shift[u·kw +
   * v]}.
   */
  void shifts(CodeBlock.Builder b, String src, String planeBase, String shift) {
    Loop u = new Loop("u", kh);
    Loop v = new Loop("v", kw);
    u.open(b);
    v.open(b);
    b.addStatement("System.arraycopy($L, $L, $L[$L], 0, $L)", src,
        Src.plus(Src.plus(planeBase, u.times(dh * wp())), v.times(dw)), shift,
        Src.plus(u.times(kw), v.at()), length());
    v.close(b);
    u.close(b);
  }

  /** Tap groups {@code [from, to)} of at most {@value #GROUP} taps. */
  List<int[]> groups() {
    List<int[]> g = new ArrayList<>();
    for (int t = 0; t < taps(); t += GROUP) {
      g.add(new int[] {t, Math.min(taps(), t + GROUP)});
    }
    return g;
  }

  /** Sizes of the tap groups (distinct), for the helper methods. */
  List<Integer> groupSizes() {
    List<Integer> sizes = new ArrayList<>();
    for (int[] g : groups()) {
      if (!sizes.contains(g[1] - g[0])) {
        sizes.add(g[1] - g[0]);
      }
    }
    return sizes;
  }

  private static final String[] TAP = {"a", "b", "c", "d", "e", "f", "g", "h"};

  /** {@code o[q] += w0·a[q] + … } over {@code len} positions: the vectorized loop. */
  static MethodSpec taps(LayerContext ctx, int m) {
    Num num = ctx.num();
    MethodSpec.Builder mb = MethodSpec.methodBuilder(ctx.name() + "Taps" + m)
        .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
        .addJavadoc("$L: o[q] += Σ w_t · tap_t[q] over $L taps (C2 vectorizes this loop).\n",
            ctx.name(), m)
        .addParameter(num.array(), "o");
    StringBuilder sum = new StringBuilder();
    for (int t = 0; t < m; t++) {
      mb.addParameter(num.array(), TAP[t]);
    }
    for (int t = 0; t < m; t++) {
      mb.addParameter(num.type(), "w" + t);
      sum.append(t == 0 ? "" : " + ").append("w").append(t).append(" * ").append(TAP[t])
          .append("[q]");
    }
    mb.addParameter(int.class, "len");
    mb.beginControlFlow("for (int q = 0; q < len; q++)");
    mb.addStatement("o[q] += $L", sum);
    mb.endControlFlow();
    return mb.build();
  }

  /**
   * {@code grad[gi + t] += Σ_q dz[q]·tap_t[q]} for {@code m} taps: dot products with one
   * accumulator per tap (independent chains; float sums are not vectorized).
   */
  static MethodSpec dots(LayerContext ctx, int m) {
    Num num = ctx.num();
    String t0 = num.t();
    MethodSpec.Builder mb = MethodSpec.methodBuilder(ctx.name() + "Dots" + m)
        .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
        .addJavadoc("$L: grad[gi + t] += Σ_q dz[q] · tap_t[q] over $L taps.\n", ctx.name(), m)
        .addParameter(num.array(), "dz");
    for (int t = 0; t < m; t++) {
      mb.addParameter(num.array(), TAP[t]);
    }
    mb.addParameter(num.array(), "grad").addParameter(int.class, "gi")
        .addParameter(int.class, "len");
    for (int t = 0; t < m; t++) {
      mb.addStatement("$L s$L = 0", t0, t);
    }
    mb.beginControlFlow("for (int q = 0; q < len; q++)");
    mb.addStatement("$L dq = dz[q]", t0);
    for (int t = 0; t < m; t++) {
      mb.addStatement("s$L += dq * $L[q]", t, TAP[t]);
    }
    mb.endControlFlow();
    for (int t = 0; t < m; t++) {
      mb.addStatement("grad[$L] += s$L", Src.plus("gi", t), t);
    }
    return mb.build();
  }

  /**
   * {@code lane_t[q] += dz[q]·tap_t[q]} for {@code m} taps: element-wise partial sums of the
   * weight gradient, one lane array per tap (C2 vectorizes this loop; reduced by {@link
   * #laneSums}).
   */
  static MethodSpec lanes(LayerContext ctx, int m) {
    Num num = ctx.num();
    MethodSpec.Builder mb = MethodSpec.methodBuilder(ctx.name() + "Lanes" + m)
        .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
        .addJavadoc("$L: lane_t[q] += dz[q] · tap_t[q] over $L taps.\n", ctx.name(), m)
        .addParameter(num.array(), "dz");
    for (int t = 0; t < m; t++) {
      mb.addParameter(num.array(), TAP[t]);
    }
    for (int t = 0; t < m; t++) {
      mb.addParameter(num.array(), "l" + t);
    }
    mb.addParameter(int.class, "len");
    mb.beginControlFlow("for (int q = 0; q < len; q++)");
    mb.addStatement("$L dq = dz[q]", num.t());
    for (int t = 0; t < m; t++) {
      mb.addStatement("l$L[q] += dq * $L[q]", t, TAP[t]);
    }
    mb.endControlFlow();
    return mb.build();
  }

  /** {@code lane[q] += src[q]}: partial sums of the bias gradient (C2 vectorizes this loop). */
  static MethodSpec addLane(LayerContext ctx) {
    Num num = ctx.num();
    return MethodSpec.methodBuilder(ctx.name() + "AddLane")
        .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
        .addJavadoc("$L: lane[q] += src[q].\n", ctx.name())
        .addParameter(num.array(), "src").addParameter(num.array(), "lane")
        .addParameter(int.class, "len")
        .beginControlFlow("for (int q = 0; q < len; q++)")
        .addStatement("lane[q] += src[q]")
        .endControlFlow().build();
  }

  /**
   * {@code grad[gi + w] += Σ_q lane_w[q]} for every lane array, then zeroes it: four partial
   * sums over {@code q mod 4}, added in a fixed order (deterministic).
   */
  static MethodSpec laneSums(LayerContext ctx) {
    Num num = ctx.num();
    String t = num.t();
    MethodSpec.Builder mb = MethodSpec.methodBuilder(ctx.name() + "LaneSums")
        .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
        .addJavadoc("$L: grad[gi + w] += Σ_q lanes[w][q], and zeroes the lanes.\n", ctx.name())
        .addParameter(com.palantir.javapoet.ArrayTypeName.of(num.array()), "lanes")
        .addParameter(num.array(), "grad").addParameter(int.class, "gi");
    mb.beginControlFlow("for (int w = 0; w < lanes.length; w++)");
    mb.addStatement("$L[] a = lanes[w]", t);
    mb.addStatement("$L s0 = 0, s1 = 0, s2 = 0, s3 = 0", t);
    mb.addStatement("int q = 0");
    mb.beginControlFlow("for (; q + 3 < a.length; q += 4)");
    mb.addStatement("s0 += a[q]");
    mb.addStatement("s1 += a[q + 1]");
    mb.addStatement("s2 += a[q + 2]");
    mb.addStatement("s3 += a[q + 3]");
    mb.endControlFlow();
    mb.beginControlFlow("for (; q < a.length; q++)");
    mb.addStatement("s0 += a[q]");
    mb.endControlFlow();
    mb.addStatement("grad[gi + w] += (s0 + s1) + (s2 + s3)");
    mb.addStatement("java.util.Arrays.fill(a, $L)", num.lit(0));
    mb.endControlFlow();
    return mb.build();
  }

  /**
   * {@code <name>Taps<m>(o, shift[t], …, p[weight(t)], …, len)} over the tap groups, for every
   * output of {@code outs} (see {@link Outputs} and {@link #tapCalls(CodeBlock.Builder,
   * LayerContext, String, Outputs, String, int, UnaryOperator, UnaryOperator, int)}).
   */
  void accumulate(CodeBlock.Builder b, LayerContext ctx, Outputs outs, String o, String shift,
      UnaryOperator<String> weight) {
    tapCalls(b, ctx, "t", outs, o, taps(), t -> shift + "[" + t + "]",
        t -> "p[" + weight.apply(t) + "]", length());
  }

  /**
   * The outputs a product is computed for: a loop variable {@code var} over {@code [0, count)},
   * and {@code setup}, which emits the statements each output's calls need (it may be run more
   * than once, so it must only emit code). The product's source text names the output by {@link
   * #at()}: the variable, or the literal 0 of a single output, which has no loop.
   */
  record Outputs(String var, int count, Runnable setup) {
    Loop loop() {
      return new Loop(var, count);
    }

    /** The output's index: the variable, or {@code 0} when there is one output. */
    String at() {
      return loop().at();
    }
  }

  /**
   * {@code <name>Taps<m>(o, arrays(i), …, weights(i), …, len)} for {@code i} in {@code [0,
   * count)}, i.e. {@code o[q] += Σ_i weights(i)·arrays(i)[q]}: one call site for the full groups
   * of {@value #GROUP} (in a loop over {@code var}) and one for the remainder, so that C2 inlines
   * and vectorizes a single copy of the loop rather than one per group. (Two outputs per loop,
   * sharing the loads, measured slower inside the network on JDK 17: C2 left that form scalar.)
   */
  static void tapCalls(CodeBlock.Builder b, LayerContext ctx, String var, String o, int count,
      UnaryOperator<String> arrays, UnaryOperator<String> weights, int len) {
    tapCalls(b, ctx, var, null, o, count, arrays, weights, len);
  }

  /**
   * The same product for every output of {@code outs} ({@code o}, {@code arrays} and {@code
   * weights} may use its variable). Each output adds the same groups in the same order whichever
   * loop runs outside; the order is chosen for the cache. The outputs run inside, so that one
   * group's arrays stay in L1 while every output reads them, when there are several outputs and
   * a group's arrays and all the outputs are no more arrays than those shared ({@code outs +
   * GROUP <= count}: LeNet-5's c1 forward pass, 6 output channels over 25 shifted copies of the
   * input, took 0.8 of the time of the outputs outside on JDK 17, which read all 25 copies from
   * L2 once per output channel). Otherwise each output runs its groups in turn, its own array
   * staying in L1 (an input gradient on patch rows: 100 positions over 16 kernels).
   */
  static void tapCalls(CodeBlock.Builder b, LayerContext ctx, String var, Outputs outs, String o,
      int count, UnaryOperator<String> arrays, UnaryOperator<String> weights, int len) {
    tapCalls(b, ctx, var, outs, o, count, arrays, weights, Integer.toString(len));
  }

  /** {@link #tapCalls} over a length that is a name or an expression, {@code len}. */
  static void tapCalls(CodeBlock.Builder b, LayerContext ctx, String var, Outputs outs, String o,
      int count, UnaryOperator<String> arrays, UnaryOperator<String> weights, String len) {
    if (outs != null && outs.var().equals(var)) {
      throw new IllegalArgumentException("output and group loops share variable " + var);
    }
    int full = count / GROUP * GROUP;
    boolean groupsOutside = outs != null && outs.count() > 1 && outs.count() + GROUP <= count;
    Outputs outer = groupsOutside ? null : outs;
    Outputs inner = groupsOutside ? outs : null;
    open(b, outer);
    if (full == GROUP) { // one group: no loop over groups
      open(b, inner);
      b.addStatement("$LTaps$L($L)", ctx.name(), GROUP,
          tapArgs(o, "0", GROUP, arrays, weights, len));
      close(b, inner);
    } else if (full > 0) {
      b.beginControlFlow("for (int $L = 0; $L < $L; $L += $L)", var, var, full, var, GROUP);
      open(b, inner);
      b.addStatement("$LTaps$L($L)", ctx.name(), GROUP,
          tapArgs(o, var, GROUP, arrays, weights, len));
      close(b, inner);
      b.endControlFlow();
    }
    if (full < count) {
      open(b, inner);
      b.addStatement("$LTaps$L($L)", ctx.name(), count - full,
          tapArgs(o, Integer.toString(full), count - full, arrays, weights, len));
      close(b, inner);
    }
    close(b, outer);
  }

  /** Opens the loop over {@code outs} and emits its setup; nothing for {@code null}. */
  private static void open(CodeBlock.Builder b, Outputs outs) {
    if (outs != null) {
      outs.loop().open(b);
      outs.setup().run();
    }
  }

  private static void close(CodeBlock.Builder b, Outputs outs) {
    if (outs != null) {
      outs.loop().close(b);
    }
  }

  private static String tapArgs(String o, String first, int m, UnaryOperator<String> arrays,
      UnaryOperator<String> weights, String len) {
    StringBuilder args = new StringBuilder(o);
    for (int i = 0; i < m; i++) {
      args.append(", ").append(arrays.apply(Src.plus(first, i)));
    }
    for (int i = 0; i < m; i++) {
      args.append(", ").append(weights.apply(Src.plus(first, i)));
    }
    return args.append(", ").append(len).toString();
  }
}
