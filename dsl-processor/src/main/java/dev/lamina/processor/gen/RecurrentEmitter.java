package dev.lamina.processor.gen;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterSpec;
import dev.lamina.dsl.Recurrent.Cell;
import dev.lamina.dsl.Recurrent.Returns;
import dev.lamina.processor.model.RecurrentOp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * A recurrent layer, forward over every step and backward through time, with every size a
 * literal. Samples are laid out {@code [n][t][values]}, so the rows {@code r = n·T + t} of a
 * sequence are contiguous; each layer and direction (a <em>pass</em>, {@code L0}, {@code L0R},
 * ...) has its own methods.
 *
 * <p>Forward of a pass: the input projections of all rows at once into the gate buffer, {@code
 * a[r] = W_ih x[r] + b_ih + b_hh} (GRU's candidate keeps {@code b_hn} for later), over a
 * transposed copy of {@code W_ih} so the inner loop runs along a contiguous gate row; then the
 * steps in the pass's order, each adding {@code W_hh h_prev} (over a transposed copy of {@code
 * W_hh}) and applying the cell, which leaves in the workspace every step's activated gates, hidden
 * state (in the layer's output sequence) and cell state (LSTM) or {@code W_hn h + b_hn} (GRU),
 * which backward reads.
 *
 * <p>Backward of a pass: the steps in reverse order, per sample carrying {@code dL/dh} (and an
 * LSTM's {@code dL/dc}) to the step before, writing each step's gradient with respect to the gate
 * sums, {@code dG}; then the weight gradients over all rows at once ({@code dW_ih += dGᵀ x},
 * {@code dW_hh += dGᵀ h_prev}, biases), and the input gradient {@code dx += dG W_ih}, added into
 * the layer below's output gradient or the layer's {@code dx}. These loops run along rows of the
 * weights as PyTorch lays them out.
 */
public final class RecurrentEmitter implements LayerEmitter {
  /**
   * Rows or samples per pass over a weight matrix: each weight value read once serves four
   * independent sums, in separate arrays (the loop shape C2 vectorizes).
   */
  static final int BLOCK = 4;

  private final RecurrentOp op;

  public RecurrentEmitter(RecurrentOp op) {
    this.op = op;
  }

  @Override
  public boolean hasParameters() {
    return true;
  }

  /** One layer in one direction, with the names and sizes its methods use. */
  private final class Pass {
    final LayerContext ctx;
    final int k;
    final int dir;

    Pass(LayerContext ctx, int k, int dir) {
      this.ctx = ctx;
      this.k = k;
      this.dir = dir;
    }

    /** {@code L0}, {@code L1R}. */
    String tag() {
      return "L" + k + (dir == 1 ? "R" : "");
    }

    String method(String stem) {
      return ctx.name() + stem + tag();
    }

    String buffer(String stem) {
      return ctx.buffer(stem + tag());
    }

    String tensor(String stem) {
      return ctx.offset(stem + RecurrentOp.suffix(k, dir));
    }

    int steps() {
      return ctx.node().inputShape().steps();
    }

    /** Values per step read. */
    int in() {
      return op.inputSize(k, ctx.node().inputShape().features());
    }

    int h() {
      return op.units();
    }

    int gh() {
      return op.gates() * op.units();
    }

    /** Values per step of the layer's output sequence, dirs·H. */
    int width() {
      return op.dirs() * op.units();
    }

    /** The pass's output sequence: the layer's output itself for the top layer's sequence. */
    String sequence() {
      return sequenceOf(ctx, k);
    }

    /** The step before step {@code t} in this pass's order. */
    String prev(String t) {
      return dir == 0 ? t + " - 1" : t + " + 1";
    }

    /** The step of the pass's s-th position: {@code s} forward, {@code T-1-s} backward. */
    String stepAt(String s) {
      return dir == 0 ? s : (steps() - 1) + " - " + s;
    }
  }

  /** The output sequence buffer of layer {@code k}. */
  private String sequenceOf(LayerContext ctx, int k) {
    boolean top = k == op.layers() - 1;
    return top && op.returns() == Returns.SEQUENCE ? ctx.preBuffer() : ctx.buffer("Seq" + k);
  }

  private List<Pass> passes(LayerContext ctx) {
    List<Pass> all = new ArrayList<>();
    for (int k = 0; k < op.layers(); k++) {
      for (int dir = 0; dir < op.dirs(); dir++) {
        all.add(new Pass(ctx, k, dir));
      }
    }
    return all;
  }

  @Override
  public List<Buffer> buffers(LayerContext ctx) {
    List<Buffer> b = new ArrayList<>();
    int steps = ctx.node().inputShape().steps();
    int width = op.dirs() * op.units();
    int h = op.units();
    for (int k = 0; k < op.layers(); k++) {
      if (!sequenceOf(ctx, k).equals(ctx.preBuffer())) {
        b.add(new Buffer(ctx.buffer("Seq" + k), false, steps * width,
            "layer " + k + "'s hidden state at every step, [t][dirs·H]"));
      }
      if (k < op.layers() - 1) {
        b.add(new Buffer(ctx.buffer("DSeq" + k), false, steps * width,
            "dL/d(layer " + k + "'s output sequence)"));
      }
    }
    int maxIn = 0;
    for (Pass p : passes(ctx)) {
      maxIn = Math.max(maxIn, p.in());
      b.add(new Buffer(p.buffer("Gates"), false, steps * p.gh(),
          "pass " + p.tag() + ": the input projections, then every step's activated gates"));
      b.add(new Buffer(p.buffer("DGates"), false, steps * p.gh(),
          "pass " + p.tag() + ": dL/d(gate sums) of every step"));
      b.add(new Buffer(p.buffer("Carry"), false, h,
          "pass " + p.tag() + ": dL/dh carried to the step before"));
      if (op.cell() == Cell.LSTM) {
        b.add(new Buffer(p.buffer("Cell"), false, steps * h,
            "pass " + p.tag() + ": the cell state c of every step"));
        b.add(new Buffer(p.buffer("CarryC"), false, h,
            "pass " + p.tag() + ": dL/dc carried to the step before"));
      }
      if (op.cell() == Cell.GRU) {
        b.add(new Buffer(p.buffer("Hn"), false, steps * h,
            "pass " + p.tag() + ": W_hn h + b_hn of every step"));
        b.add(new Buffer(p.buffer("DHn"), false, steps * h,
            "pass " + p.tag() + ": dL/d(W_hn h + b_hn) of every step"));
      }
    }
    int gh = op.gates() * h;
    // the products run over separate row arrays, the loop shape C2 vectorizes on every JDK
    b.add(Buffer.scratch(ctx.buffer("WihT"), maxIn, gh,
        "a pass's W_ih transposed, row i = column i, rebuilt by each forward"));
    b.add(Buffer.scratch(ctx.buffer("WhhT"), h, gh,
        "a pass's W_hh transposed, row m = column m, rebuilt by each forward"));
    b.add(Buffer.scratch(ctx.buffer("Wih"), gh, maxIn, "a pass's W_ih by rows, for backward"));
    b.add(Buffer.scratch(ctx.buffer("Whh"), gh, h, "a pass's W_hh by rows, for backward"));
    b.add(Buffer.scratch(ctx.buffer("GradIh"), gh, maxIn,
        "dL/dW_ih of a pass by rows, added to the gradients at the end (zero between calls)"));
    b.add(Buffer.scratch(ctx.buffer("GradHh"), gh, h,
        "dL/dW_hh of a pass by rows, added to the gradients at the end (zero between calls)"));
    b.add(Buffer.scratch(ctx.buffer("Base"), 1, gh, "a pass's b_ih + b_hh (GRU: b_hn aside)"));
    b.add(Buffer.scratch(ctx.buffer("Acc"), BLOCK, gh, "the gate sums of " + BLOCK
        + " rows or samples"));
    b.add(Buffer.scratch(ctx.buffer("Row"), BLOCK, Math.max(maxIn, h),
        BLOCK + " rows of input, or " + BLOCK + " samples' h_prev"));
    b.add(Buffer.scratch(ctx.buffer("Dh"), 1, h, "dL/dh of one sample at one step"));
    b.add(Buffer.scratch(ctx.buffer("Back"), BLOCK, Math.max(maxIn, h),
        "Wᵀ · dL/d(gate sums) of " + BLOCK + " rows or samples, or their h_prev"));
    if (op.cell() == Cell.MGU) {
      b.add(Buffer.scratch(ctx.buffer("Fh"), 1, h,
          "f ⊙ h_prev of one sample, then its gradient"));
    }
    return b;
  }

  // ------------------------------------------------------------------ forward

  @Override
  public List<MethodSpec> forward(LayerContext ctx) {
    List<MethodSpec> methods = new ArrayList<>();
    CodeBlock.Builder b = CodeBlock.builder();
    for (Pass p : passes(ctx)) {
      String x = p.k == 0 ? "x, xOff" : "this." + sequenceOf(ctx, p.k - 1) + ", 0";
      b.addStatement("$L($L, batch)", p.method("Project"), x);
      b.addStatement("$L(batch)", p.method("Steps"));
      methods.add(project(p));
      methods.add(steps(p));
    }
    if (op.returns() == Returns.LAST) {
      int steps = ctx.node().inputShape().steps();
      int width = op.dirs() * op.units();
      String top = sequenceOf(ctx, op.layers() - 1);
      b.add("// the last step of the top layer's sequence: output[:, $L]\n", steps - 1);
      b.beginControlFlow("for (int n = 0; n < batch; n++)");
      b.addStatement("System.arraycopy(this.$L, (n * $L + $L) * $L, this.$L, n * $L, $L)", top,
          steps, steps - 1, width, ctx.preBuffer(), width, width);
      b.endControlFlow();
    }
    methods.add(0, ctx.inputMethod("Forward")
        .addJavadoc("$L: forward over every step of every pass, into $L.\n", ctx.header(),
            ctx.preBuffer())
        .addCode(b.build()).build());
    return methods;
  }

  /** {@code a[r] = W_ih x[r] + base} for every row r of the batch, {@value #BLOCK} at a time. */
  private MethodSpec project(Pass p) {
    LayerContext ctx = p.ctx;
    String t = ctx.num().t();
    int in = p.in();
    int gh = p.gh();
    int h = p.h();
    String zero = ctx.num().lit(0);
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("$L[] p = this.p", t);
    b.addStatement("$L[] a = this.$L", t, p.buffer("Gates"));
    b.addStatement("$L[][] wt = this.$L", t, ctx.buffer("WihT"));
    b.addStatement("$L[] base = this.$L[0]", t, ctx.buffer("Base"));
    declareBlock(b, t, "accs", "a", ctx.buffer("Acc"));
    transpose(b, "wt", p.tensor("weight_ih"), gh, in);
    if (op.bias()) {
      int withHh = op.cell() == Cell.GRU ? 2 * h : gh;
      b.add(op.cell() == Cell.GRU
          ? "// base = b_ih + b_hh, but for the candidate n only b_in: b_hn is inside r ⊙ (…)\n"
          : "// base = b_ih + b_hh\n");
      b.beginControlFlow("for (int j = 0; j < $L; j++)", gh);
      if (withHh == gh) {
        b.addStatement("base[j] = p[$L + j] + p[$L + j]", p.tensor("bias_ih"),
            p.tensor("bias_hh"));
      } else {
        b.addStatement("base[j] = p[$L + j] + (j < $L ? p[$L + j] : $L)", p.tensor("bias_ih"),
            withHh, p.tensor("bias_hh"), zero);
      }
      b.endControlFlow();
    } else {
      b.addStatement("$T.fill(base, $L)", Arrays.class, zero);
    }
    b.beginControlFlow("for (int r0 = 0, rows = batch * $L; r0 < rows; r0 += $L)", p.steps(),
        BLOCK);
    b.addStatement("int m = Math.min($L, rows - r0)", BLOCK);
    b.addStatement("int xs = xOff + r0 * $L", in);
    b.beginControlFlow("for (int k = 0; k < $L; k++)", BLOCK);
    b.addStatement("System.arraycopy(base, 0, accs[k], 0, $L)", gh);
    b.endControlFlow();
    b.add("// a[r0 + k] += Σ_i x[r0 + k][i] · W_ih[:, i] for the block's rows\n");
    b.beginControlFlow("for (int i = 0; i < $L; i++)", in);
    b.addStatement("$L[] w = wt[i]", t);
    blockValues(b, t, k -> "x[" + Src.plus("xs", k * in) + " + i]", zero);
    blockedAxpy(b, t, "a", "0", Integer.toString(gh));
    b.endControlFlow();
    b.beginControlFlow("for (int k = 0; k < m; k++)");
    b.addStatement("System.arraycopy(accs[k], 0, a, (r0 + k) * $L, $L)", gh, gh);
    b.endControlFlow();
    b.endControlFlow();
    return MethodSpec.methodBuilder(p.method("Project"))
        .addModifiers(Modifier.PRIVATE)
        .addParameter(ParameterSpec.builder(ctx.num().array(), "x").build())
        .addParameter(int.class, "xOff")
        .addParameter(int.class, "batch")
        .addJavadoc("Pass $L: the input projections W_ih x + b of all $L steps of every sample,"
            + " [n][t][$L] into $L.\n", p.tag(), p.steps(), gh, p.buffer("Gates"))
        .addCode(b.build()).build();
  }

  /** {@code T[][] arrays = this.buffer; T[] s0 = arrays[0], ..., s3 = arrays[3];}. */
  private static void declareBlock(CodeBlock.Builder b, String t, String arrays, String stem,
      String buffer) {
    b.addStatement("$L[][] $L = this.$L", t, arrays, buffer);
    StringBuilder d = new StringBuilder(t + "[] ");
    for (int k = 0; k < BLOCK; k++) {
      d.append(k == 0 ? "" : ", ").append(stem).append(k).append(" = ").append(arrays)
          .append('[').append(k).append(']');
    }
    b.addStatement("$L", d);
  }

  /**
   * {@code T v0 = value(0); T v1 = m > 1 ? value(1) : 0; ...}: one value per row of the block, 0
   * for the rows past the batch's end.
   */
  private static void blockValues(CodeBlock.Builder b, String t,
      java.util.function.IntFunction<String> value, String zero) {
    for (int k = 0; k < BLOCK; k++) {
      if (k == 0) {
        b.addStatement("$L v0 = $L", t, value.apply(0));
      } else {
        b.addStatement("$L v$L = m > $L ? $L : $L", t, k, k, value.apply(k), zero);
      }
    }
  }

  /** {@code out0[j] += v0 · w[j]; ... out3[j] += v3 · w[j]} for j in [from, to). */
  private static void blockedAxpy(CodeBlock.Builder b, String t, String out, String from,
      String to) {
    blockedAxpy(b, t, out, "j", from, to);
  }

  /** The same with the loop variable {@code i}. */
  private static void blockedAxpy(CodeBlock.Builder b, String t, String out, String i,
      String from, String to) {
    b.beginControlFlow("for (int $L = $L; $L < $L; $L++)", i, from, i, to, i);
    b.addStatement("$L w$L = w[$L]", t, i, i);
    for (int k = 0; k < BLOCK; k++) {
      b.addStatement("$L$L[$L] += v$L * w$L", out, k, i, k, i);
    }
    b.endControlFlow();
  }

  /** {@code wt[i][j] = W[j][i]} for a weight W laid out [rows][cols] at {@code offset}. */
  private static void transpose(CodeBlock.Builder b, String wt, String offset, int rows,
      int cols) {
    b.add("// $L[i][j] = W[j][i]\n", wt);
    b.beginControlFlow("for (int j = 0; j < $L; j++)", rows);
    b.addStatement("int wr = $L + j * $L", offset, cols);
    b.beginControlFlow("for (int i = 0; i < $L; i++)", cols);
    b.addStatement("$L[i][j] = p[wr + i]", wt);
    b.endControlFlow();
    b.endControlFlow();
  }

  /** {@code w[j] = W[j]}: the rows of a weight laid out [rows][cols] at {@code offset}. */
  private static void rows(CodeBlock.Builder b, String w, String offset, int rows, int cols) {
    b.beginControlFlow("for (int j = 0; j < $L; j++)", rows);
    b.addStatement("System.arraycopy(p, $L + j * $L, $L[j], 0, $L)", offset, cols, w, cols);
    b.endControlFlow();
  }

  private String sigmoid(LayerContext ctx, String v) {
    return ctx.num().fromDouble("1.0 / (1.0 + Math.exp(-" + v + "))");
  }

  private String tanh(LayerContext ctx, String v) {
    return ctx.num().fromDouble("Math.tanh(" + v + ")");
  }

  /**
   * The steps of a pass in its order; at each step, {@value #BLOCK} samples at a time, the hidden
   * products {@code W_hh h_prev} in one pass over {@code W_hh}, then each sample's cell.
   */
  private MethodSpec steps(Pass p) {
    LayerContext ctx = p.ctx;
    String t = ctx.num().t();
    int h = p.h();
    int gh = p.gh();
    int w = p.width();
    int steps = p.steps();
    String zero = ctx.num().lit(0);
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("$L[] p = this.p", t);
    b.addStatement("$L[] a = this.$L", t, p.buffer("Gates"));
    b.addStatement("$L[] seq = this.$L", t, p.sequence());
    b.addStatement("$L[][] wt = this.$L", t, ctx.buffer("WhhT"));
    declareBlock(b, t, "accs", "a", ctx.buffer("Acc"));
    declareBlock(b, t, "prev", "h", ctx.buffer("Row"));
    if (op.cell() == Cell.LSTM) {
      b.addStatement("$L[] cs = this.$L", t, p.buffer("Cell"));
    }
    if (op.cell() == Cell.GRU) {
      b.addStatement("$L[] hn = this.$L", t, p.buffer("Hn"));
    }
    if (op.cell() == Cell.MGU) {
      b.addStatement("$L[] fh = this.$L[0]", t, ctx.buffer("Fh"));
    }
    transpose(b, "wt", p.tensor("weight_hh"), gh, h);
    int product = op.cell() == Cell.MGU ? h : gh;
    b.beginControlFlow("for (int s = 0; s < $L; s++)", steps);
    b.addStatement("int t = $L", p.stepAt("s"));
    b.beginControlFlow("for (int n0 = 0; n0 < batch; n0 += $L)", BLOCK);
    b.addStatement("int m = Math.min($L, batch - n0)", BLOCK);
    b.add("// h_prev of each sample: the previous step's hidden state, zero at the pass's first"
        + " step\n");
    b.beginControlFlow("for (int k = 0; k < $L; k++)", BLOCK);
    b.addStatement("$T.fill(accs[k], $L)", Arrays.class, zero);
    b.beginControlFlow("if (s > 0 && k < m)");
    b.addStatement("System.arraycopy(seq, $L, prev[k], 0, $L)",
        Src.plus("((n0 + k) * " + steps + " + " + p.prev("t") + ") * " + w, p.dir * h), h);
    b.nextControlFlow("else");
    b.addStatement("$T.fill(prev[k], 0, $L, $L)", Arrays.class, h, zero);
    b.endControlFlow();
    b.endControlFlow();
    b.beginControlFlow("if (s > 0)");
    b.add("// acc_k[j] += Σ_q h_k[q] · W_hh[j][q], one pass over W_hh for the block\n");
    b.beginControlFlow("for (int q = 0; q < $L; q++)", h);
    b.addStatement("$L[] w = wt[q]", t);
    blockValues(b, t, k -> "h" + k + "[q]", zero);
    blockedAxpy(b, t, "a", "0", Integer.toString(product));
    b.endControlFlow();
    b.endControlFlow();
    b.beginControlFlow("for (int k = 0; k < m; k++)");
    b.addStatement("int n = n0 + k");
    b.addStatement("$L[] acc = accs[k]", t);
    b.addStatement("$L[] hp = prev[k]", t);
    b.addStatement("int r = n * $L + t", steps);
    b.addStatement("int as = r * $L", gh);
    b.addStatement("int hs = $L", Src.plus("r * " + w, p.dir * h));
    if (op.cell() == Cell.LSTM) {
      b.addStatement("int cp = (n * $L + $L) * $L", steps, p.prev("t"), h);
    }
    b.beginControlFlow("for (int j = 0; j < $L; j++)", h);
    if (op.cell() == Cell.GRU || op.cell() == Cell.MGU) {
      b.addStatement("$L hPrev = hp[j]", t);
    }
    switch (op.cell()) {
      case RNN_TANH, RNN_RELU -> {
        b.addStatement("$L v = a[as + j] + acc[j]", t);
        b.addStatement("$L hj = $L", t, op.cell() == Cell.RNN_TANH
            ? tanh(ctx, "v") : "Math.max(" + zero + ", v)");
        b.addStatement("a[as + j] = hj");
        b.addStatement("seq[hs + j] = hj");
      }
      case LSTM -> {
        b.addStatement("$L ig = $L", t, sigmoid(ctx, "(a[as + j] + acc[j])"));
        b.addStatement("$L fg = $L", t, sigmoid(ctx, "(a[as + " + h + " + j] + acc[" + h
            + " + j])"));
        b.addStatement("$L gg = $L", t, tanh(ctx, "a[as + " + 2 * h + " + j] + acc[" + 2 * h
            + " + j]"));
        b.addStatement("$L og = $L", t, sigmoid(ctx, "(a[as + " + 3 * h + " + j] + acc["
            + 3 * h + " + j])"));
        b.addStatement("$L c = fg * (s > 0 ? cs[cp + j] : $L) + ig * gg", t, zero);
        b.addStatement("a[as + j] = ig");
        b.addStatement("a[as + $L + j] = fg", h);
        b.addStatement("a[as + $L + j] = gg", 2 * h);
        b.addStatement("a[as + $L + j] = og", 3 * h);
        b.addStatement("cs[r * $L + j] = c", h);
        b.addStatement("seq[hs + j] = og * $L", tanh(ctx, "c"));
      }
      case GRU -> {
        b.addStatement("$L rg = $L", t, sigmoid(ctx, "(a[as + j] + acc[j])"));
        b.addStatement("$L zg = $L", t, sigmoid(ctx, "(a[as + " + h + " + j] + acc[" + h
            + " + j])"));
        b.addStatement("$L hnj = acc[$L + j]$L", t, 2 * h,
            op.bias() ? " + p[" + p.tensor("bias_hh") + " + " + 2 * h + " + j]" : "");
        b.addStatement("$L ng = $L", t, tanh(ctx, "a[as + " + 2 * h + " + j] + rg * hnj"));
        b.addStatement("a[as + j] = rg");
        b.addStatement("a[as + $L + j] = zg", h);
        b.addStatement("a[as + $L + j] = ng", 2 * h);
        b.addStatement("hn[r * $L + j] = hnj", h);
        b.addStatement("seq[hs + j] = (1 - zg) * ng + zg * hPrev");
      }
      case MGU -> {
        b.addStatement("$L fg = $L", t, sigmoid(ctx, "(a[as + j] + acc[j])"));
        b.addStatement("a[as + j] = fg");
        b.addStatement("fh[j] = fg * hPrev");
      }
      default -> throw new AssertionError(op.cell());
    }
    b.endControlFlow();
    if (op.cell() == Cell.MGU) {
      b.add("// the candidate reads f ⊙ h_prev: acc[H + j] = Σ_q fh[q] · W_hn[j][q]\n");
      b.beginControlFlow("for (int q = 0; q < $L; q++)", h);
      b.addStatement("$L fq = fh[q]", t);
      b.addStatement("$L[] w = wt[q]", t);
      b.beginControlFlow("for (int j = $L; j < $L; j++)", h, 2 * h);
      b.addStatement("acc[j] += fq * w[j]");
      b.endControlFlow();
      b.endControlFlow();
      b.beginControlFlow("for (int j = 0; j < $L; j++)", h);
      b.addStatement("$L hPrev = hp[j]", t);
      b.addStatement("$L fg = a[as + j]", t);
      b.addStatement("$L ng = $L", t, tanh(ctx, "a[as + " + h + " + j] + acc[" + h + " + j]"));
      b.addStatement("a[as + $L + j] = ng", h);
      b.addStatement("seq[hs + j] = (1 - fg) * hPrev + fg * ng");
      b.endControlFlow();
    }
    b.endControlFlow();
    b.endControlFlow();
    b.endControlFlow();
    return ctx.batchMethod("Steps" + p.tag())
        .addJavadoc("Pass $L: the $L steps $L, per block of $L samples the hidden products"
            + " W_hh h_prev, then each sample's $L cell; h into $L at [t][$L..$L).\n", p.tag(),
            steps, p.dir == 0 ? "from first to last" : "from last to first", BLOCK, op.cell(),
            p.sequence(), p.dir * h, p.dir * h + h)
        .addCode(b.build()).build();
  }

  // ------------------------------------------------------------------ backward

  @Override
  public List<MethodSpec> backwardParams(LayerContext ctx) {
    List<MethodSpec> methods = new ArrayList<>();
    CodeBlock.Builder b = CodeBlock.builder();
    int steps = ctx.node().inputShape().steps();
    int width = op.dirs() * op.units();
    for (int k = 0; k < op.layers() - 1; k++) {
      b.addStatement("$T.fill(this.$L, 0, batch * $L, $L)", Arrays.class,
          ctx.buffer("DSeq" + k), steps * width, ctx.num().lit(0));
    }
    for (Pass p : passes(ctx)) {
      methods.add(bptt(p));
      methods.add(grads(p));
    }
    for (int k = op.layers() - 1; k >= 0; k--) {
      for (int dir = 0; dir < op.dirs(); dir++) {
        Pass p = new Pass(ctx, k, dir);
        b.addStatement("$L(batch)", p.method("Bptt"));
        String x = k == 0 ? "x, xOff" : "this." + sequenceOf(ctx, k - 1) + ", 0";
        b.addStatement("$L($L, batch)", p.method("Grads"), x);
        if (k > 0) {
          b.addStatement("$L(this.$L, batch)", p.method("InputGrad"), ctx.buffer("DSeq" + (k - 1)));
        }
      }
    }
    methods.add(0, ctx.inputMethod("BackwardParams")
        .addJavadoc("$L: backward through time of every pass, top layer first; adds the"
            + " parameter gradients, and the gradient of each lower layer's output.\n",
            ctx.header())
        .addCode(b.build()).build());
    return methods;
  }

  /** Where a pass reads dL/dh of step t of sample n, or null when nothing arrives there. */
  private String outputGradient(Pass p) {
    LayerContext ctx = p.ctx;
    boolean top = p.k == op.layers() - 1;
    if (!top) {
      return "this." + ctx.buffer("DSeq" + p.k);
    }
    return "this." + ctx.deltaBuffer();
  }

  /** The steps in reverse order: dG of every step, dL/dh (and dL/dc) carried backwards. */
  private MethodSpec bptt(Pass p) {
    LayerContext ctx = p.ctx;
    String t = ctx.num().t();
    int h = p.h();
    int gh = p.gh();
    int w = p.width();
    int steps = p.steps();
    String zero = ctx.num().lit(0);
    boolean lastOnly = p.k == op.layers() - 1 && op.returns() == Returns.LAST;
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("$L[] p = this.p", t);
    b.addStatement("$L[] a = this.$L", t, p.buffer("Gates"));
    b.addStatement("$L[] dg = this.$L", t, p.buffer("DGates"));
    b.addStatement("$L[] seq = this.$L", t, p.sequence());
    b.addStatement("$L[] dOut = $L", t, outputGradient(p));
    b.addStatement("$L[] carry = this.$L", t, p.buffer("Carry"));
    b.addStatement("$L[] dh = this.$L[0]", t, ctx.buffer("Dh"));
    declareBlock(b, t, "backs", "b", ctx.buffer("Back"));
    b.addStatement("$L[] back = b0", t);
    b.addStatement("$L[][] whh = this.$L", t, ctx.buffer("Whh"));
    rows(b, "whh", p.tensor("weight_hh"), gh, h);
    if (op.cell() == Cell.LSTM) {
      b.addStatement("$L[] cs = this.$L", t, p.buffer("Cell"));
      b.addStatement("$L[] carryC = this.$L", t, p.buffer("CarryC"));
      b.addStatement("$T.fill(carryC, 0, batch * $L, $L)", Arrays.class, h, zero);
    }
    if (op.cell() == Cell.GRU) {
      b.addStatement("$L[] hn = this.$L", t, p.buffer("Hn"));
      b.addStatement("$L[] dhn = this.$L", t, p.buffer("DHn"));
    }
    if (op.cell() == Cell.MGU) {
      b.addStatement("$L[] dfh = this.$L[0]", t, ctx.buffer("Fh"));
    }
    b.addStatement("$T.fill(carry, 0, batch * $L, $L)", Arrays.class, h, zero);
    b.beginControlFlow("for (int s = $L; s >= 0; s--)", steps - 1);
    b.addStatement("int t = $L", p.stepAt("s"));
    b.beginControlFlow("for (int n0 = 0; n0 < batch; n0 += $L)", BLOCK);
    b.addStatement("int m = Math.min($L, batch - n0)", BLOCK);
    b.beginControlFlow("for (int n = n0; n < n0 + m; n++)");
    b.addStatement("int r = n * $L + t", steps);
    b.addStatement("int as = r * $L", gh);
    b.addStatement("int hs = $L", Src.plus("r * " + w, p.dir * h));
    b.addStatement("int hp = $L", Src.plus("(n * " + steps + " + " + p.prev("t") + ") * " + w,
        p.dir * h));
    b.addStatement("int ns = n * $L", h);
    if (lastOnly) {
      b.add("// only the last step reaches the output: dL/dh = carry elsewhere\n");
      b.addStatement("boolean last = t == $L", steps - 1);
      b.beginControlFlow("for (int j = 0; j < $L; j++)", h);
      b.addStatement("dh[j] = carry[ns + j] + (last ? dOut[n * $L + $L + j] : $L)", w,
          p.dir * h, zero);
      b.endControlFlow();
    } else {
      b.beginControlFlow("for (int j = 0; j < $L; j++)", h);
      b.addStatement("dh[j] = carry[ns + j] + dOut[hs + j]");
      b.endControlFlow();
    }
    b.addStatement("$T.fill(carry, ns, ns + $L, $L)", Arrays.class, h, zero);
    b.beginControlFlow("for (int j = 0; j < $L; j++)", h);
    b.addStatement("$L hPrev = s > 0 ? seq[hp + j] : $L", t, zero);
    switch (op.cell()) {
      case RNN_TANH -> {
        b.addStatement("$L hj = a[as + j]", t);
        b.addStatement("dg[as + j] = dh[j] * (1 - hj * hj)");
      }
      case RNN_RELU -> b.addStatement("dg[as + j] = a[as + j] > 0 ? dh[j] : $L", zero);
      case LSTM -> {
        b.addStatement("$L ig = a[as + j]", t);
        b.addStatement("$L fg = a[as + $L + j]", t, h);
        b.addStatement("$L gg = a[as + $L + j]", t, 2 * h);
        b.addStatement("$L og = a[as + $L + j]", t, 3 * h);
        b.addStatement("$L tc = $L", t, tanh(ctx, "cs[r * " + h + " + j]"));
        b.addStatement("$L cPrev = s > 0 ? cs[(n * $L + $L) * $L + j] : $L", t, steps,
            p.prev("t"), h, zero);
        b.addStatement("$L dc = carryC[ns + j] + dh[j] * og * (1 - tc * tc)", t);
        b.addStatement("carryC[ns + j] = dc * fg");
        b.addStatement("dg[as + j] = dc * gg * ig * (1 - ig)");
        b.addStatement("dg[as + $L + j] = dc * cPrev * fg * (1 - fg)", h);
        b.addStatement("dg[as + $L + j] = dc * ig * (1 - gg * gg)", 2 * h);
        b.addStatement("dg[as + $L + j] = dh[j] * tc * og * (1 - og)", 3 * h);
      }
      case GRU -> {
        b.addStatement("$L rg = a[as + j]", t);
        b.addStatement("$L zg = a[as + $L + j]", t, h);
        b.addStatement("$L ng = a[as + $L + j]", t, 2 * h);
        b.addStatement("$L dn = dh[j] * (1 - zg) * (1 - ng * ng)", t);
        b.addStatement("$L hnj = hn[r * $L + j]", t, h);
        b.addStatement("dg[as + j] = dn * hnj * rg * (1 - rg)");
        b.addStatement("dg[as + $L + j] = dh[j] * (hPrev - ng) * zg * (1 - zg)", h);
        b.addStatement("dg[as + $L + j] = dn", 2 * h);
        b.addStatement("dhn[r * $L + j] = dn * rg", h);
        b.addStatement("carry[ns + j] = dh[j] * zg");
      }
      case MGU -> {
        b.addStatement("$L fg = a[as + j]", t);
        b.addStatement("$L ng = a[as + $L + j]", t, h);
        b.addStatement("dg[as + $L + j] = dh[j] * fg * (1 - ng * ng)", h);
        b.addStatement("carry[ns + j] = dh[j] * (1 - fg)");
      }
      default -> throw new AssertionError(op.cell());
    }
    b.endControlFlow();
    if (op.cell() == Cell.MGU) {
      b.add("// the candidate's sum read f ⊙ h_prev: dfh[m] = Σ_j dn[j] · W_hn[j][m]\n");
      b.addStatement("$T.fill(dfh, $L)", Arrays.class, zero);
      rowProduct(b, t, "dfh", "0", "dg", "as + " + h, "whh", h, h, h);
      b.beginControlFlow("for (int j = 0; j < $L; j++)", h);
      b.addStatement("$L hPrev = s > 0 ? seq[hp + j] : $L", t, zero);
      b.addStatement("$L fg = a[as + j]", t);
      b.addStatement("$L ng = a[as + $L + j]", t, h);
      b.addStatement("$L df = dh[j] * (ng - hPrev) + dfh[j] * hPrev", t);
      b.addStatement("dg[as + j] = df * fg * (1 - fg)");
      b.addStatement("carry[ns + j] += dfh[j] * fg");
      b.endControlFlow();
    }
    b.endControlFlow();
    b.add("// dL/dh_prev += W_hhᵀ · dL/d(hidden sums), one pass over W_hh for the block\n");
    b.beginControlFlow("if (s > 0)");
    b.beginControlFlow("for (int k = 0; k < $L; k++)", BLOCK);
    b.addStatement("$T.fill(backs[k], 0, $L, $L)", Arrays.class, h, zero);
    b.endControlFlow();
    b.addStatement("int r0 = n0 * $L + t", steps);
    switch (op.cell()) {
      case GRU -> {
        carryProduct(b, t, "dg", "r0 * " + gh, steps * gh, 0, 2 * h, h, zero);
        carryProduct(b, t, "dhn", "r0 * " + h, steps * h, 2 * h, h, h, zero);
      }
      case MGU -> carryProduct(b, t, "dg", "r0 * " + gh, steps * gh, 0, h, h, zero);
      default -> carryProduct(b, t, "dg", "r0 * " + gh, steps * gh, 0, gh, h, zero);
    }
    b.beginControlFlow("for (int k = 0; k < m; k++)");
    b.addStatement("$L[] bk = backs[k]", t);
    b.addStatement("int ns = (n0 + k) * $L", h);
    b.beginControlFlow("for (int q = 0; q < $L; q++)", h);
    b.addStatement("carry[ns + q] += bk[q]");
    b.endControlFlow();
    b.endControlFlow();
    b.endControlFlow();
    b.endControlFlow();
    b.endControlFlow();
    return ctx.batchMethod("Bptt" + p.tag())
        .addJavadoc("Pass $L: backward through its $L steps in reverse order; dL/d(gate sums) of"
            + " every step into $L.\n", p.tag(), steps, p.buffer("DGates"))
        .addCode(b.build()).build();
  }

  /**
   * {@code b_k[q] += Σ_j v[off + k·stride + j] · whh[from + j][q]} for the block's samples k: the
   * gradient sums of {@code rows} rows of W_hh sent back to each sample's h_prev.
   */
  private static void carryProduct(CodeBlock.Builder b, String t, String v, String off,
      int stride, int from, int rows, int h, String zero) {
    b.beginControlFlow("for (int j = 0; j < $L; j++)", rows);
    b.addStatement("$L[] w = whh[$L]", t, Src.plus(Integer.toString(from), "j"));
    b.addStatement("int vs = $L + j", off);
    blockValues(b, t, k -> v + "[" + Src.plus("vs", k * stride) + "]", zero);
    blockedAxpy(b, t, "b", "q", "0", Integer.toString(h));
    b.endControlFlow();
  }

  /**
   * {@code out[outOff + q] += Σ_j v[vOff + j] · w[from + j][q]} over {@code rows} rows of a
   * weight's row arrays: the sum built in {@code back} along each row, then added to {@code out}.
   */
  private static void rowProduct(CodeBlock.Builder b, String t, String out, String outOff,
      String v, String vOff, String w, int from, int rows, int cols) {
    b.addStatement("$T.fill(back, 0, $L, $L)", Arrays.class, cols,
        t.equals("float") ? "0.0f" : "0.0");
    b.beginControlFlow("for (int j = 0; j < $L; j++)", rows);
    b.addStatement("$L vj = $L[$L]", t, v, Src.plus(vOff, "j"));
    b.addStatement("$L[] wj = $L[$L]", t, w, Src.plus(Integer.toString(from), "j"));
    b.beginControlFlow("for (int q = 0; q < $L; q++)", cols);
    b.addStatement("back[q] += vj * wj[q]");
    b.endControlFlow();
    b.endControlFlow();
    b.beginControlFlow("for (int q = 0; q < $L; q++)", cols);
    b.addStatement("$L[$L] += back[q]", out, Src.plus(outOff, "q"));
    b.endControlFlow();
  }

  /**
   * {@code gw[j][i] += Σ_k v_k · row_k[i]} for the rows j in [from, from + count) of a weight
   * gradient kept by rows: the block's {@value #BLOCK} rank-one updates in one pass.
   */
  private static void gradRows(CodeBlock.Builder b, String t, String gw, int from, int count,
      java.util.function.IntFunction<String> v, String row, int cols, String zero) {
    b.beginControlFlow("for (int j = 0; j < $L; j++)", count);
    b.addStatement("$L[] gr = $L[$L]", t, gw, Src.plus(Integer.toString(from), "j"));
    blockValues(b, t, v, zero);
    b.beginControlFlow("for (int i = 0; i < $L; i++)", cols);
    StringBuilder sum = new StringBuilder();
    for (int k = 0; k < BLOCK; k++) {
      sum.append(k == 0 ? "" : " + ").append('v').append(k).append(" * ").append(row).append(k)
          .append("[i]");
    }
    b.addStatement("gr[i] += $L", sum);
    b.endControlFlow();
    b.endControlFlow();
  }

  /** g[W] += gw by rows, then gw = 0. */
  private static void addGradRows(CodeBlock.Builder b, LayerContext ctx, String gw, String offset,
      int rows, int cols) {
    b.beginControlFlow("for (int j = 0; j < $L; j++)", rows);
    b.addStatement("$L[] gr = $L[j]", ctx.num().t(), gw);
    b.addStatement("int gs = $L + j * $L", offset, cols);
    b.beginControlFlow("for (int i = 0; i < $L; i++)", cols);
    b.addStatement("g[gs + i] += gr[i]");
    b.endControlFlow();
    b.addStatement("$T.fill(gr, 0, $L, $L)", Arrays.class, cols, ctx.num().lit(0));
    b.endControlFlow();
  }

  /** dW_ih, dW_hh and the biases over every row of the batch, {@value #BLOCK} rows at a time. */
  private MethodSpec grads(Pass p) {
    LayerContext ctx = p.ctx;
    String t = ctx.num().t();
    int in = p.in();
    int h = p.h();
    int gh = p.gh();
    int w = p.width();
    int steps = p.steps();
    String zero = ctx.num().lit(0);
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("$L[] g = this.g", t);
    if (op.cell() == Cell.MGU) {
      b.addStatement("$L[] a = this.$L", t, p.buffer("Gates"));
    }
    b.addStatement("$L[] dg = this.$L", t, p.buffer("DGates"));
    b.addStatement("$L[] seq = this.$L", t, p.sequence());
    if (op.cell() == Cell.GRU) {
      b.addStatement("$L[] dhn = this.$L", t, p.buffer("DHn"));
    }
    b.addStatement("$L[][] gi = this.$L", t, ctx.buffer("GradIh"));
    b.addStatement("$L[][] gh = this.$L", t, ctx.buffer("GradHh"));
    declareBlock(b, t, "xr", "x", ctx.buffer("Row"));
    declareBlock(b, t, "hr", "h", ctx.buffer("Back"));
    b.beginControlFlow("for (int r0 = 0, rows = batch * $L; r0 < rows; r0 += $L)", steps, BLOCK);
    b.addStatement("int m = Math.min($L, rows - r0)", BLOCK);
    b.addStatement("int as = r0 * $L", gh);
    b.add("// the block's input rows, and their h_prev (zero at the pass's first step)\n");
    b.beginControlFlow("for (int k = 0; k < $L; k++)", BLOCK);
    b.addStatement("int r = r0 + k");
    b.beginControlFlow("if (k < m)");
    b.addStatement("System.arraycopy(x, xOff + r * $L, xr[k], 0, $L)", in, in);
    b.nextControlFlow("else");
    b.addStatement("$T.fill(xr[k], 0, $L, $L)", Arrays.class, in, zero);
    b.endControlFlow();
    b.beginControlFlow("if (k < m && r % $L != $L)", steps, p.dir == 0 ? 0 : steps - 1);
    b.addStatement("System.arraycopy(seq, $L, hr[k], 0, $L)",
        Src.plus("(r " + (p.dir == 0 ? "- 1" : "+ 1") + ") * " + w, p.dir * h), h);
    if (op.cell() == Cell.MGU) {
      b.add("// the candidate's rows read f ⊙ h_prev: kept apart in xr below\n");
    }
    b.nextControlFlow("else");
    b.addStatement("$T.fill(hr[k], 0, $L, $L)", Arrays.class, h, zero);
    b.endControlFlow();
    b.endControlFlow();
    b.add("// dW_ih[j] += Σ_k dg[r0 + k][j] · x[r0 + k]\n");
    gradRows(b, t, "gi", 0, gh, k -> "dg[" + Src.plus("as", k * gh) + " + j]", "x", in, zero);
    if (op.bias()) {
      b.beginControlFlow("for (int k = 0; k < m; k++)");
      b.addStatement("int ks = as + k * $L", gh);
      b.beginControlFlow("for (int j = 0; j < $L; j++)", gh);
      b.addStatement("g[$L + j] += dg[ks + j]", p.tensor("bias_ih"));
      if (op.cell() == Cell.GRU) {
        b.addStatement("g[$L + j] += j < $L ? dg[ks + j] : dhn[(r0 + k) * $L + j - $L]",
            p.tensor("bias_hh"), 2 * h, h, 2 * h);
      } else {
        b.addStatement("g[$L + j] += dg[ks + j]", p.tensor("bias_hh"));
      }
      b.endControlFlow();
      b.endControlFlow();
    }
    b.add("// dW_hh[j] += Σ_k dL/d(hidden sum j of row r0 + k) · h_prev\n");
    int plain = switch (op.cell()) {
      case GRU -> 2 * h;
      case MGU -> h;
      default -> gh;
    };
    gradRows(b, t, "gh", 0, plain, k -> "dg[" + Src.plus("as", k * gh) + " + j]", "h", h, zero);
    if (op.cell() == Cell.GRU) {
      b.add("// the candidate's rows: dL/d(W_hn h + b_hn) · h_prev\n");
      gradRows(b, t, "gh", 2 * h, h, k -> "dhn[" + Src.plus("r0 * " + h, k * h) + " + j]", "h",
          h, zero);
    } else if (op.cell() == Cell.MGU) {
      b.add("// the candidate's rows read f ⊙ h_prev, built in xr\n");
      b.beginControlFlow("for (int k = 0; k < $L; k++)", BLOCK);
      b.addStatement("int fs = as + k * $L", gh);
      b.beginControlFlow("for (int i = 0; i < $L; i++)", h);
      b.addStatement("xr[k][i] = k < m ? hr[k][i] * a[fs + i] : $L", zero);
      b.endControlFlow();
      b.endControlFlow();
      gradRows(b, t, "gh", h, h, k -> "dg[" + Src.plus("as", k * gh + h) + " + j]", "x", h,
          zero);
    }
    b.endControlFlow();
    addGradRows(b, ctx, "gi", p.tensor("weight_ih"), gh, in);
    addGradRows(b, ctx, "gh", p.tensor("weight_hh"), gh, h);
    return MethodSpec.methodBuilder(p.method("Grads"))
        .addModifiers(Modifier.PRIVATE)
        .addParameter(ParameterSpec.builder(ctx.num().array(), "x").build())
        .addParameter(int.class, "xOff")
        .addParameter(int.class, "batch")
        .addJavadoc("Pass $L: adds dL/dW_ih = Σ dgᵀ x, dL/dW_hh = Σ dgᵀ h_prev and the biases'"
            + " gradients over all rows, $L rows per pass over the weights' gradient rows.\n",
            p.tag(), BLOCK)
        .addCode(b.build()).build();
  }

  /** dx[r] += Σ_j dg[r][j] · W_ih[j] over every row, {@value #BLOCK} rows at a time. */
  private MethodSpec inputGrad(Pass p) {
    LayerContext ctx = p.ctx;
    String t = ctx.num().t();
    int in = p.in();
    int gh = p.gh();
    String zero = ctx.num().lit(0);
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("$L[] p = this.p", t);
    b.addStatement("$L[] dg = this.$L", t, p.buffer("DGates"));
    declareBlock(b, t, "backs", "b", ctx.buffer("Back"));
    b.addStatement("$L[][] wih = this.$L", t, ctx.buffer("Wih"));
    rows(b, "wih", p.tensor("weight_ih"), gh, in);
    b.beginControlFlow("for (int r0 = 0, rows = batch * $L; r0 < rows; r0 += $L)", p.steps(),
        BLOCK);
    b.addStatement("int m = Math.min($L, rows - r0)", BLOCK);
    b.beginControlFlow("for (int k = 0; k < $L; k++)", BLOCK);
    b.addStatement("$T.fill(backs[k], 0, $L, $L)", Arrays.class, in, zero);
    b.endControlFlow();
    b.addStatement("int as = r0 * $L", gh);
    b.beginControlFlow("for (int j = 0; j < $L; j++)", gh);
    b.addStatement("$L[] w = wih[j]", t);
    blockValues(b, t, k -> "dg[" + Src.plus("as", k * gh) + " + j]", zero);
    blockedAxpy(b, t, "b", "i", "0", Integer.toString(in));
    b.endControlFlow();
    b.beginControlFlow("for (int k = 0; k < m; k++)");
    b.addStatement("$L[] bk = backs[k]", t);
    b.addStatement("int xs = (r0 + k) * $L", in);
    b.beginControlFlow("for (int i = 0; i < $L; i++)", in);
    b.addStatement("dx[xs + i] += bk[i]");
    b.endControlFlow();
    b.endControlFlow();
    b.endControlFlow();
    return MethodSpec.methodBuilder(p.method("InputGrad"))
        .addModifiers(Modifier.PRIVATE)
        .addParameter(ParameterSpec.builder(ctx.num().array(), "dx").build())
        .addParameter(int.class, "batch")
        .addJavadoc("Pass $L: adds dL/dx = dg · W_ih to dx, [n][t][$L], $L rows per pass over"
            + " W_ih.\n", p.tag(), in, BLOCK)
        .addCode(b.build()).build();
  }

  @Override
  public List<MethodSpec> backwardData(LayerContext ctx) {
    List<MethodSpec> methods = new ArrayList<>();
    CodeBlock.Builder b = CodeBlock.builder();
    for (Pass p : passes(ctx)) {
      methods.add(inputGrad(p));
      if (p.k == 0) {
        b.addStatement("$L(dx, batch)", p.method("InputGrad"));
      }
    }
    methods.add(0, ctx.dataMethod()
        .addJavadoc("$L: adds dL/dx of the first layer's passes to dx.\n", ctx.header())
        .addCode(b.build()).build());
    return methods;
  }
}
