package dev.lamina.processor.gen;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import dev.lamina.processor.model.ConvTransposeOp;
import dev.lamina.processor.model.Shape;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * Transposed convolution. Shapes: x [N][C][H][W], z [N][K][OH][OW], weight [C][K][kh][kw]; input
 * {@code (i, j)} reaches output {@code (i·sh - ph + u·dh, j·sw - pw + v·dw)} through tap {@code
 * (u, v)}. The input is the dense grid, the output the sparse one ({@link TapLoops}).
 *
 * <p>In the float variant, when its scratch fits {@link Grid#BUDGET}, each pass is one matrix
 * product per sample over the weight as stored, {@code W[c, t]} with {@code t = (k·kh + u)·kw + v}
 * one of the {@code T = K·kh·kw} output taps, and the columns of the sample at its {@code P = H·W}
 * input positions:
 *
 * <ul>
 *   <li>forward: {@code cols[q·T + t] = Σ_c x[c, q] · W[c, t]}, then each column added onto the
 *       output position its tap reaches (col2im);
 *   <li>weight gradient: the columns of dL/dz (each tap's dz gathered at the output positions the
 *       inputs reach, zero outside), {@code dW[c, t] += Σ_q x[c, q] · dcols[q·T + t]};
 *   <li>input gradient: {@code dx[c, q] += Σ_t W[c, t] · dcols[t·P + q]}.
 * </ul>
 *
 * A transposed convolution is a convolution's input gradient, and its input gradient that
 * convolution's forward pass, so these are the products of {@link ColumnConv} with the roles
 * exchanged; on the Vector API they run on the same runtime kernels ({@code windowProducts},
 * {@code outerWindows}) when the taps T and the input channels C (their lanes and sums) both
 * number at least {@value ConvEmitter#CHANNEL_LANES_MIN}, elsewhere on per-layer loops
 * whose innermost loop runs over contiguous taps or positions. The double variant, and layers
 * whose columns do not fit, run direct loops over the taps: forward scatters each input row into
 * every output row its taps reach, the input gradient gathers the same positions back.
 */
public final class ConvTransposeEmitter implements LayerEmitter {
  private final ConvTransposeOp op;

  public ConvTransposeEmitter(ConvTransposeOp op) {
    this.op = op;
  }

  @Override
  public boolean hasParameters() {
    return true;
  }

  /** The sizes of the column passes, or null when the layer runs on direct loops. */
  private Columns columns(LayerContext ctx) {
    if (!ctx.num().isFloat()) {
      return null;
    }
    Shape in = ctx.node().inputShape();
    Shape out = ctx.node().outputShape();
    Columns cs = new Columns(in.channels(), in.height(), in.width(), out.channels(),
        out.height(), out.width(), out.channels() * op.kh() * op.kw());
    long scratch = (long) cs.p() * cs.t() + (long) cs.t() * cs.c() + (long) cs.p() * cs.c();
    return scratch <= Grid.BUDGET ? cs : null;
  }

  /**
   * The sizes of the column passes: input {@code c×h×w} ({@code p} positions), output {@code
   * k×oh×ow}, {@code t = K·kh·kw} output taps per input position.
   */
  private record Columns(int c, int h, int w, int k, int oh, int ow, int t) {
    int p() {
      return h * w;
    }

    int ohw() {
      return oh * ow;
    }

    /**
     * Whether the passes may take the Vector API kernels: their lanes and sums run over the taps
     * and the input channels, so both must fill at least half of a vector; smaller layers stay
     * on the plain loops (a kernel call would cost more than it saves, on masked vectors).
     */
    boolean vector() {
      return c >= ConvEmitter.CHANNEL_LANES_MIN && t >= ConvEmitter.CHANNEL_LANES_MIN;
    }
  }

  @Override
  public List<Buffer> buffers(LayerContext ctx) {
    Columns cs = columns(ctx);
    if (cs == null) {
      return List.of();
    }
    Buffer cols = Buffer.scratch(ctx.buffer("Cols"), 1, cs.p() * cs.t(), "one sample's columns, "
        + cs.t() + " output taps at each of " + cs.p() + " input positions (or of dL/dz)");
    if (!cs.vector()) {
      return List.of(cols);
    }
    return List.of(cols,
        Buffer.scratch(ctx.buffer("ByTap"), 1, cs.t() * cs.c(), "the weight with the "
            + cs.c() + " input channels of each tap together (input gradient, Vector API)"),
        Buffer.scratch(ctx.buffer("ByPosition"), 1, cs.p() * cs.c(), "one sample's dL/dx with"
            + " the " + cs.c() + " channels of each position together (Vector API)"));
  }

  /**
   * Opens the loops over samples, input channels c, filters k and the taps, with {@code wi} (the
   * tap's weight index); the input plane is the dense grid ({@code xBase} added to its indices),
   * filter k's output plane the sparse one. Closed by {@link #close}.
   */
  private TapLoops open(CodeBlock.Builder b, LayerContext ctx, String xBase) {
    Shape in = ctx.node().inputShape();
    Shape out = ctx.node().outputShape();
    Loop cl = new Loop("c", in.channels());
    Loop kl = new Loop("k", out.channels());
    b.beginControlFlow("for (int n = 0; n < batch; n++)");
    cl.open(b);
    b.addStatement("int xc = $L", Src.plus(xBase, Src.product(
        Src.plus(Src.times("n", in.channels()), cl.at()), in.height() * in.width())));
    kl.open(b);
    TapLoops taps = new TapLoops(in.height(), in.width(), out.height(), out.width(), op);
    taps.open(b, Src.product(Src.plus(Src.times("n", out.channels()), kl.at()),
        out.height() * out.width()));
    String pair = Src.plus(Src.times(cl.at(), out.channels()), kl.at());
    b.addStatement("int wi = $L", Src.plus(ctx.offset("weight"),
        Src.plus(Src.product(Src.plus(Src.product(pair, op.kh()), "u"), op.kw()), "v")));
    return taps;
  }

  /** Closes the loops {@link #open} opened. */
  private void close(CodeBlock.Builder b, LayerContext ctx) {
    TapLoops.close(b);
    new Loop("k", ctx.node().outputShape().channels()).close(b);
    new Loop("c", ctx.node().inputShape().channels()).close(b);
    b.endControlFlow();
  }

  @Override
  public List<MethodSpec> forward(LayerContext ctx) {
    Columns cs = columns(ctx);
    if (cs != null) {
      return List.of(forwardColumns(ctx, cs));
    }
    String t = ctx.num().t();
    Shape out = ctx.node().outputShape();
    int plane = out.height() * out.width();
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("$L[] z = this.$L", t, ctx.preBuffer());
    TapLoops.startAtBias(b, ctx, out.channels(), plane, op.bias());
    TapLoops taps = open(b, ctx, "xOff");
    b.addStatement("$L wt = p[wi]", t);
    taps.rows(b, "xc", "z[sr + $L] += wt * x[dr + j]");
    close(b, ctx);
    return List.of(ctx.inputMethod("Forward")
        .addJavadoc("$L: forward, into $L.\n", ctx.header(), ctx.preBuffer())
        .addCode(b.build()).build());
  }

  @Override
  public List<MethodSpec> backwardParams(LayerContext ctx) {
    Columns cs = columns(ctx);
    if (cs != null) {
      return List.of(paramsColumns(ctx, cs), gather(ctx, cs));
    }
    String t = ctx.num().t();
    Shape out = ctx.node().outputShape();
    int plane = out.height() * out.width();
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("$L[] dz = this.$L", t, ctx.deltaBuffer());
    if (op.bias()) {
      TapLoops.biasGradient(b, ctx, out.channels(), plane);
    }
    TapLoops taps = open(b, ctx, "xOff");
    b.addStatement("$L sum = 0", t);
    taps.rows(b, "xc", "sum += dz[sr + $L] * x[dr + j]");
    b.addStatement("g[wi] += sum");
    close(b, ctx);
    return List.of(ctx.inputMethod("BackwardParams")
        .addJavadoc("$L: adds dL/dweight$L.\n", ctx.header(), op.bias() ? " and dL/dbias" : "")
        .addCode(b.build()).build());
  }

  @Override
  public List<MethodSpec> backwardData(LayerContext ctx) {
    Columns cs = columns(ctx);
    if (cs != null) {
      return List.of(dataColumns(ctx, cs));
    }
    String t = ctx.num().t();
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("$L[] dz = this.$L", t, ctx.deltaBuffer());
    TapLoops taps = open(b, ctx, "0");
    b.addStatement("$L wt = p[wi]", t);
    taps.rows(b, "xc", "dx[dr + j] += wt * dz[sr + $L]");
    close(b, ctx);
    return List.of(ctx.dataMethod()
        .addJavadoc("$L: adds dL/dx, gathering dL/dz from every output the input reached.\n",
            ctx.header())
        .addCode(b.build()).build());
  }

  /** Opens the loop over the batch: {@code xs} and {@code zs} locate sample n's input, output. */
  private static void openSample(CodeBlock.Builder b, LayerContext ctx, String xBase) {
    b.beginControlFlow("for (int n = 0; n < batch; n++)");
    b.addStatement("int xs = $L", Src.plus(xBase, Src.times("n", ctx.inSize())));
    b.addStatement("int zs = $L", Src.times("n", ctx.outSize()));
  }

  /**
   * Opens the loops over filters and taps of one sample, with {@code t} the tap's column, so
   * that the loops {@link TapLoops#rows} writes pair dense (input) position {@code dr + j} with
   * sparse (output) index {@code sr + j·sw}. Closed by {@link #closeTaps}.
   */
  private TapLoops openTaps(CodeBlock.Builder b, Columns cs) {
    Loop k = new Loop("k", cs.k());
    k.open(b);
    TapLoops taps = new TapLoops(cs.h(), cs.w(), cs.oh(), cs.ow(), op);
    taps.open(b, Src.plus("zs", k.times(cs.ohw())));
    b.addStatement("int t = $L", Src.plus(Src.product(Src.plus(k.times(op.kh()), "u"), op.kw()),
        "v"));
    return taps;
  }

  private static void closeTaps(CodeBlock.Builder b, Columns cs) {
    TapLoops.close(b);
    new Loop("k", cs.k()).close(b);
  }

  /**
   * {@code a[aBase + ... + t] += x[c, q] · w[wBase + ... + t]} for every position q, channel c and
   * tap t, the loop over the taps innermost: one array's run of taps starts at {@code q·T} (the
   * columns), the other's at {@code c·T} (the weight or its gradient); {@code aByPosition} says
   * which is {@code a}.
   */
  private static void tapProducts(CodeBlock.Builder b, Columns cs, String a, String aBase,
      boolean aByPosition, String w, String wBase) {
    Loop q = new Loop("q", cs.p());
    Loop c = new Loop("c", cs.c());
    Loop t = new Loop("t", cs.t());
    q.open(b);
    String qr = q.start(b, "qr", aByPosition ? aBase : wBase, cs.t());
    c.open(b);
    b.addStatement("float xv = x[$L]", Src.plus(Src.plus("xs", c.times(cs.p())), q.at()));
    String cr = c.start(b, "cr", aByPosition ? wBase : aBase, cs.t());
    t.open(b);
    String ai = Src.plus(aByPosition ? qr : cr, t.at());
    String wi = Src.plus(aByPosition ? cr : qr, t.at());
    b.addStatement("$L[$L] += xv * $L[$L]", a, ai, w, wi);
    t.close(b);
    c.close(b);
    q.close(b);
  }

  /** The forward pass on the columns: the product, then col2im onto the biased output. */
  private MethodSpec forwardColumns(LayerContext ctx, Columns cs) {
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("float[] p = this.p");
    b.addStatement("float[] z = this.$L", ctx.preBuffer());
    b.addStatement("float[] cols = this.$L[0]", ctx.buffer("Cols"));
    openSample(b, ctx, "xOff");
    b.addStatement("$T.fill(cols, 0.0f)", ConvStrategy.ARRAYS);
    b.add("// cols[q·$L + t] = Σ_c x[c, q] · W[c, t]\n", cs.t());
    kernelOr(b, ctx, cs, "windowProducts", "cols, 0, p, " + ctx.offset("weight") + ", "
        + cs.t() + ", x, xs, " + cs.c() + ", " + cs.p() + ", 1, 1, 0, 0, " + cs.h() + ", "
        + cs.w() + ", " + cs.w(),
        () -> tapProducts(b, cs, "cols", "0", true, "p", ctx.offset("weight")));
    Loop k = new Loop("k", cs.k());
    k.open(b);
    String zk = Src.plus("zs", k.times(cs.ohw()));
    b.addStatement("$T.fill(z, $L, $L, $L)", ConvStrategy.ARRAYS, zk, Src.plus(zk, cs.ohw()),
        op.bias() ? "p[" + Src.plus(ctx.offset("bias"), k.at()) + "]" : "0.0f");
    k.close(b);
    b.add("// z[k, where tap t = (k·$L + u)·$L + v takes q] += cols[q·$L + t]\n", op.kh(),
        op.kw(), cs.t());
    TapLoops taps = openTaps(b, cs);
    taps.rows(b, "0", "z[sr + $L] += cols[(dr + j) * " + cs.t() + " + t]");
    closeTaps(b, cs);
    b.endControlFlow();
    return ctx.inputMethod("Forward")
        .addJavadoc("$L: forward, into $L: per sample, the $L output taps of each input position"
            + " (the input's channels times the weight as stored), added onto the output"
            + " positions they reach.\n", ctx.header(), ctx.preBuffer(), cs.t())
        .addCode(b.build()).build();
  }

  /**
   * {@code <name>Columns(dz, zs, cols, ts, qs)}: {@code cols[t·ts + q·qs]} = dL/dz at the output
   * position tap t reaches from input position q, zero where it falls outside.
   */
  private MethodSpec gather(LayerContext ctx, Columns cs) {
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("$T.fill(cols, 0.0f)", ConvStrategy.ARRAYS);
    TapLoops taps = openTaps(b, cs);
    taps.rows(b, "0", "cols[t * ts + (dr + j) * qs] = dz[sr + $L]");
    closeTaps(b, cs);
    return MethodSpec.methodBuilder(ctx.name() + "Columns")
        .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
        .addParameter(float[].class, "dz").addParameter(int.class, "zs")
        .addParameter(float[].class, "cols").addParameter(int.class, "ts")
        .addParameter(int.class, "qs")
        .addJavadoc("$L: cols[t·ts + q·qs] = dL/dz at the output position tap t reaches from"
            + " input position q, 0 where it falls outside, for the sample at dz[zs..].\n",
            ctx.name())
        .addCode(b.build()).build();
  }

  /** The weight gradient on the columns of dL/dz (position-major). */
  private MethodSpec paramsColumns(LayerContext ctx, Columns cs) {
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("float[] g = this.g");
    b.addStatement("float[] dz = this.$L", ctx.deltaBuffer());
    b.addStatement("float[] cols = this.$L[0]", ctx.buffer("Cols"));
    if (op.bias()) {
      TapLoops.biasGradient(b, ctx, cs.k(), cs.ohw());
    }
    openSample(b, ctx, "xOff");
    b.addStatement("$LColumns(dz, zs, cols, 1, $L)", ctx.name(), cs.t());
    b.add("// dW[c, t] += Σ_q x[c, q] · dcols[q·$L + t]\n", cs.t());
    kernelOr(b, ctx, cs, "outerWindows", "g, " + ctx.offset("weight") + ", cols, 0, "
        + cs.t() + ", x, xs, " + cs.c() + ", " + cs.p() + ", 1, 1, 0, 0, " + cs.h() + ", "
        + cs.w() + ", " + cs.w(),
        () -> tapProducts(b, cs, "g", ctx.offset("weight"), false, "cols", "0"));
    b.endControlFlow();
    return ctx.inputMethod("BackwardParams")
        .addJavadoc("$L: adds dL/dweight$L: per sample, the input's channels times the columns"
            + " of dL/dz.\n", ctx.header(), op.bias() ? " and dL/dbias" : "")
        .addCode(b.build()).build();
  }

  /** The input gradient on the columns of dL/dz (tap-major). */
  private MethodSpec dataColumns(LayerContext ctx, Columns cs) {
    CodeBlock.Builder b = CodeBlock.builder();
    String weight = ctx.offset("weight");
    Loop c = new Loop("c", cs.c());
    Loop t = new Loop("t", cs.t());
    Loop q = new Loop("q", cs.p());
    b.addStatement("float[] p = this.p");
    b.addStatement("float[] dz = this.$L", ctx.deltaBuffer());
    b.addStatement("float[] cols = this.$L[0]", ctx.buffer("Cols"));
    boolean vector = cs.vector();
    if (vector) {
      b.addStatement("float[] wt = this.$L[0]", ctx.buffer("ByTap"));
      b.addStatement("float[] dt = this.$L[0]", ctx.buffer("ByPosition"));
      b.beginControlFlow("if ($T.VECTOR)", KernelCalls.KERNELS);
      b.add("// wt[t·$L + c] = W[c, t]\n", cs.c());
      c.open(b);
      t.open(b);
      b.addStatement("wt[$L] = p[$L]", Src.plus(t.times(cs.c()), c.at()),
          Src.plus(Src.plus(weight, c.times(cs.t())), t.at()));
      t.close(b);
      c.close(b);
      b.endControlFlow();
    }
    openSample(b, ctx, "0");
    b.addStatement("$LColumns(dz, zs, cols, $L, 1)", ctx.name(), cs.p());
    if (vector) {
      vectorData(b, cs);
      b.nextControlFlow("else");
    }
    b.add("// dx[c, q] += Σ_t W[c, t] · dcols[t·$L + q]\n", cs.p());
    c.open(b);
    String xc = c.start(b, "xc", "xs", cs.p());
    String wc = c.start(b, "wc", weight, cs.t());
    t.open(b);
    b.addStatement("float w = p[$L]", Src.plus(wc, t.at()));
    String ct = t.start(b, "ct", "0", cs.p());
    q.open(b);
    b.addStatement("dx[$L] += w * cols[$L]", Src.plus(xc, q.at()), Src.plus(ct, q.at()));
    q.close(b);
    t.close(b);
    c.close(b);
    if (vector) {
      b.endControlFlow();
    }
    b.endControlFlow();
    return ctx.dataMethod()
        .addJavadoc("$L: adds dL/dx: per sample, the weight as stored times the columns of"
            + " dL/dz.\n", ctx.header())
        .addCode(b.build()).build();
  }

  /**
   * Opens {@code if (Kernels.VECTOR)} and writes in it {@code dx[c, q] += Σ_t dcols[t·P + q] ·
   * W[c, t]} with the input channels as lanes (the weight transposed in {@code wt}, the sums by
   * position in {@code dt}); left open for the plain loops' {@code else}.
   */
  private static void vectorData(CodeBlock.Builder b, Columns cs) {
    Loop c = new Loop("c", cs.c());
    Loop q = new Loop("q", cs.p());
    b.beginControlFlow("if ($T.VECTOR)", KernelCalls.KERNELS);
    b.addStatement("$T.fill(dt, 0.0f)", ConvStrategy.ARRAYS);
    b.add("// dt[q·$L + c] = Σ_t dcols[t·$L + q] · W[c, t]\n", cs.c(), cs.p());
    KernelCalls.call(b, "windowProducts", "dt, 0, wt, 0, " + cs.c() + ", cols, 0, " + cs.t()
        + ", " + cs.p() + ", 1, 1, 0, 0, " + cs.h() + ", " + cs.w() + ", " + cs.w());
    c.open(b);
    q.open(b);
    b.addStatement("dx[$L] += dt[$L]", Src.plus(Src.plus("xs", c.times(cs.p())), q.at()),
        Src.plus(q.times(cs.c()), c.at()));
    q.close(b);
    c.close(b);
  }

  /** {@link ConvStrategy#kernelOr} when the layer may take the Vector API; else the plain loops. */
  private static void kernelOr(CodeBlock.Builder b, LayerContext ctx, Columns cs, String kernel,
      String args, Runnable plain) {
    if (cs.vector()) {
      ConvStrategy.kernelOr(b, ctx, kernel, args, plain);
    } else {
      plain.run();
    }
  }
}
