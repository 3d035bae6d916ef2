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
    b.add(Buffer.scratch(ctx.buffer("Acc"), 1, gh, "one row's gate sums"));
    b.add(Buffer.scratch(ctx.buffer("Row"), 1, Math.max(maxIn, h),
        "one row of input, or one sample's h_prev (MGU: f ⊙ h_prev)"));
    b.add(Buffer.scratch(ctx.buffer("Dh"), 1, h, "dL/dh of one sample at one step"));
    b.add(Buffer.scratch(ctx.buffer("Back"), 1, Math.max(maxIn, h),
        "one row's W_ᵀ · dL/d(gate sums)"));
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

  /** {@code a[r] = W_ih x[r] + base} for every row r of the batch. */
  private MethodSpec project(Pass p) {
    LayerContext ctx = p.ctx;
    String t = ctx.num().t();
    int in = p.in();
    int gh = p.gh();
    int h = p.h();
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("$L[] p = this.p", t);
    b.addStatement("$L[] a = this.$L", t, p.buffer("Gates"));
    b.addStatement("$L[][] wt = this.$L", t, ctx.buffer("WihT"));
    b.addStatement("$L[] base = this.$L[0]", t, ctx.buffer("Base"));
    b.addStatement("$L[] acc = this.$L[0]", t, ctx.buffer("Acc"));
    transpose(b, "wt", p.tensor("weight_ih"), gh, in);
    if (op.bias()) {
      int withHh = op.cell() == Cell.GRU ? 2 * h : gh;
      b.add(op.cell() == Cell.GRU
          ? "// base = b_ih + b_hh, but for the candidate n only b_in: b_hn is inside r ⊙ (…)\n"
          : "// base = b_ih + b_hh\n");
      b.beginControlFlow("for (int j = 0; j < $L; j++)", gh);
      b.addStatement("base[j] = p[$L + j] + (j < $L ? p[$L + j] : $L)", p.tensor("bias_ih"),
          withHh, p.tensor("bias_hh"), ctx.num().lit(0));
      b.endControlFlow();
    } else {
      b.addStatement("$T.fill(base, $L)", Arrays.class, ctx.num().lit(0));
    }
    b.beginControlFlow("for (int r = 0, rows = batch * $L; r < rows; r++)", p.steps());
    b.addStatement("int xs = xOff + r * $L", in);
    b.addStatement("System.arraycopy(base, 0, acc, 0, $L)", gh);
    b.beginControlFlow("for (int i = 0; i < $L; i++)", in);
    b.addStatement("$L xi = x[xs + i]", t);
    b.addStatement("$L[] w = wt[i]", t);
    b.beginControlFlow("for (int j = 0; j < $L; j++)", gh);
    b.addStatement("acc[j] += xi * w[j]");
    b.endControlFlow();
    b.endControlFlow();
    b.addStatement("System.arraycopy(acc, 0, a, r * $L, $L)", gh, gh);
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

  /** acc[j] += Σ_m v[m] · wt[m][j] over the gate rows j in [from, from + count). */
  private static void hiddenProduct(CodeBlock.Builder b, String t, String v, String vOff, int h,
      int from, int count) {
    b.beginControlFlow("for (int m = 0; m < $L; m++)", h);
    b.addStatement("$L hm = $L[$L]", t, v, Src.plus(vOff, "m"));
    b.addStatement("$L[] w = wt[m]", t);
    b.beginControlFlow("for (int j = $L; j < $L; j++)", from, from + count);
    b.addStatement("acc[j] += hm * w[j]");
    b.endControlFlow();
    b.endControlFlow();
  }

  /** The steps of a pass in its order, each sample's hidden product and cell. */
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
    b.addStatement("$L[] acc = this.$L[0]", t, ctx.buffer("Acc"));
    if (op.cell() == Cell.LSTM) {
      b.addStatement("$L[] cs = this.$L", t, p.buffer("Cell"));
    }
    if (op.cell() == Cell.GRU) {
      b.addStatement("$L[] hn = this.$L", t, p.buffer("Hn"));
    }
    if (op.cell() == Cell.MGU) {
      b.addStatement("$L[] fh = this.$L[0]", t, ctx.buffer("Row"));
    }
    transpose(b, "wt", p.tensor("weight_hh"), gh, h);
    b.beginControlFlow("for (int s = 0; s < $L; s++)", steps);
    b.addStatement("int t = $L", p.stepAt("s"));
    b.beginControlFlow("for (int n = 0; n < batch; n++)");
    b.addStatement("int r = n * $L + t", steps);
    b.addStatement("int as = r * $L", gh);
    b.addStatement("int hs = $L", Src.plus("r * " + w, p.dir * h));
    b.add("// h_prev: the previous step's hidden state, none (zero) at the pass's first step\n");
    b.addStatement("int hp = $L", Src.plus("(n * " + steps + " + " + p.prev("t") + ") * " + w,
        p.dir * h));
    b.addStatement("int cp = (n * $L + $L) * $L", steps, p.prev("t"), h);
    b.addStatement("$T.fill(acc, $L)", Arrays.class, zero);
    int product = op.cell() == Cell.MGU ? h : gh;
    b.beginControlFlow("if (s > 0)");
    hiddenProduct(b, t, "seq", "hp", h, 0, product);
    b.endControlFlow();
    b.beginControlFlow("for (int j = 0; j < $L; j++)", h);
    b.addStatement("$L hPrev = s > 0 ? seq[hp + j] : $L", t, zero);
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
      b.add("// the candidate reads f ⊙ h_prev: acc[H + j] = Σ_m fh[m] · W_hn[j][m]\n");
      hiddenProduct(b, t, "fh", "0", h, h, h);
      b.beginControlFlow("for (int j = 0; j < $L; j++)", h);
      b.addStatement("$L hPrev = s > 0 ? seq[hp + j] : $L", t, zero);
      b.addStatement("$L fg = a[as + j]", t);
      b.addStatement("$L ng = $L", t, tanh(ctx, "a[as + " + h + " + j] + acc[" + h + " + j]"));
      b.addStatement("a[as + $L + j] = ng", h);
      b.addStatement("seq[hs + j] = (1 - fg) * hPrev + fg * ng");
      b.endControlFlow();
    }
    b.endControlFlow();
    b.endControlFlow();
    return ctx.batchMethod("Steps" + p.tag())
        .addJavadoc("Pass $L: the $L steps $L, per sample the hidden product W_hh h_prev and"
            + " the $L cell; h into $L at [t][$L..$L).\n", p.tag(), steps,
            p.dir == 0 ? "from first to last" : "from last to first", op.cell(), p.sequence(),
            p.dir * h, p.dir * h + h)
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
    b.addStatement("$L[] back = this.$L[0]", t, ctx.buffer("Back"));
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
      b.addStatement("$L[] dfh = this.$L[0]", t, ctx.buffer("Row"));
    }
    b.addStatement("$T.fill(carry, 0, batch * $L, $L)", Arrays.class, h, zero);
    b.beginControlFlow("for (int s = $L; s >= 0; s--)", steps - 1);
    b.addStatement("int t = $L", p.stepAt("s"));
    b.beginControlFlow("for (int n = 0; n < batch; n++)");
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
    b.add("// dL/dh_prev += W_hhᵀ · dL/d(hidden sums)\n");
    b.beginControlFlow("if (s > 0)");
    switch (op.cell()) {
      case GRU -> {
        rowProduct(b, t, "carry", "ns", "dg", "as", "whh", 0, 2 * h, h);
        rowProduct(b, t, "carry", "ns", "dhn", "r * " + h, "whh", 2 * h, h, h);
      }
      case MGU -> rowProduct(b, t, "carry", "ns", "dg", "as", "whh", 0, h, h);
      default -> rowProduct(b, t, "carry", "ns", "dg", "as", "whh", 0, gh, h);
    }
    b.endControlFlow();
    b.endControlFlow();
    b.endControlFlow();
    return ctx.batchMethod("Bptt" + p.tag())
        .addJavadoc("Pass $L: backward through its $L steps in reverse order; dL/d(gate sums) of"
            + " every step into $L.\n", p.tag(), steps, p.buffer("DGates"))
        .addCode(b.build()).build();
  }

  /**
   * {@code out[outOff + m] += Σ_j v[vOff + j] · w[from + j][m]} over {@code rows} rows of a
   * weight's row arrays: the sum built in {@code back} along each row, then added to {@code out}.
   */
  private static void rowProduct(CodeBlock.Builder b, String t, String out, String outOff,
      String v, String vOff, String w, int from, int rows, int cols) {
    b.addStatement("$T.fill(back, 0, $L, $L)", Arrays.class, cols, t.equals("float") ? "0.0f" : "0.0");
    b.beginControlFlow("for (int j = 0; j < $L; j++)", rows);
    b.addStatement("$L vj = $L[$L]", t, v, Src.plus(vOff, "j"));
    b.addStatement("$L[] wj = $L[$L]", t, w, Src.plus(Integer.toString(from), "j"));
    b.beginControlFlow("for (int m = 0; m < $L; m++)", cols);
    b.addStatement("back[m] += vj * wj[m]");
    b.endControlFlow();
    b.endControlFlow();
    b.beginControlFlow("for (int m = 0; m < $L; m++)", cols);
    b.addStatement("$L[$L] += back[m]", out, Src.plus(outOff, "m"));
    b.endControlFlow();
  }

  /** {@code gw[j][i] += v · row[i]}: one row of a weight gradient by rows. */
  private static void gradRow(CodeBlock.Builder b, String t, String gw, String j, String v,
      int cols) {
    b.addStatement("$L gj = $L", t, v);
    b.addStatement("$L[] gr = $L[$L]", t, gw, j);
    b.beginControlFlow("for (int i = 0; i < $L; i++)", cols);
    b.addStatement("gr[i] += gj * row[i]");
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

  /** dW_ih, dW_hh and the biases over every row of the batch. */
  private MethodSpec grads(Pass p) {
    LayerContext ctx = p.ctx;
    String t = ctx.num().t();
    int in = p.in();
    int h = p.h();
    int gh = p.gh();
    int w = p.width();
    int steps = p.steps();
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
    b.addStatement("$L[] row = this.$L[0]", t, ctx.buffer("Row"));
    b.beginControlFlow("for (int r = 0, rows = batch * $L; r < rows; r++)", steps);
    b.addStatement("int as = r * $L", gh);
    b.add("// dW_ih[j] += dg[r][j] · x[r]\n");
    b.addStatement("System.arraycopy(x, xOff + r * $L, row, 0, $L)", in, in);
    b.beginControlFlow("for (int j = 0; j < $L; j++)", gh);
    gradRow(b, t, "gi", "j", "dg[as + j]", in);
    b.endControlFlow();
    if (op.bias()) {
      b.beginControlFlow("for (int j = 0; j < $L; j++)", gh);
      b.addStatement("g[$L + j] += dg[as + j]", p.tensor("bias_ih"));
      if (op.cell() == Cell.GRU) {
        b.addStatement("g[$L + j] += j < $L ? dg[as + j] : dhn[r * $L + j - $L]",
            p.tensor("bias_hh"), 2 * h, h, 2 * h);
      } else {
        b.addStatement("g[$L + j] += dg[as + j]", p.tensor("bias_hh"));
      }
      b.endControlFlow();
    }
    b.add("// dW_hh[j] += dL/d(hidden sum j) · h_prev; nothing at the pass's first step\n");
    b.addStatement("int t = r % $L", steps);
    b.beginControlFlow("if (t != $L)", p.dir == 0 ? 0 : steps - 1);
    b.addStatement("System.arraycopy(seq, $L, row, 0, $L)",
        Src.plus("(r " + (p.dir == 0 ? "- 1" : "+ 1") + ") * " + w, p.dir * h), h);
    int plain = switch (op.cell()) {
      case GRU -> 2 * h;
      case MGU -> h;
      default -> gh;
    };
    b.beginControlFlow("for (int j = 0; j < $L; j++)", plain);
    gradRow(b, t, "gh", "j", "dg[as + j]", h);
    b.endControlFlow();
    if (op.cell() == Cell.GRU) {
      b.add("// the candidate's rows: dL/d(W_hn h + b_hn) · h_prev\n");
      b.beginControlFlow("for (int j = 0; j < $L; j++)", h);
      gradRow(b, t, "gh", Src.plus(Integer.toString(2 * h), "j"), "dhn[r * " + h + " + j]", h);
      b.endControlFlow();
    } else if (op.cell() == Cell.MGU) {
      b.add("// the candidate's rows read f ⊙ h_prev\n");
      b.beginControlFlow("for (int i = 0; i < $L; i++)", h);
      b.addStatement("row[i] *= a[as + i]");
      b.endControlFlow();
      b.beginControlFlow("for (int j = 0; j < $L; j++)", h);
      gradRow(b, t, "gh", Src.plus(Integer.toString(h), "j"), "dg[as + " + h + " + j]", h);
      b.endControlFlow();
    }
    b.endControlFlow();
    b.endControlFlow();
    addGradRows(b, ctx, "gi", p.tensor("weight_ih"), gh, in);
    addGradRows(b, ctx, "gh", p.tensor("weight_hh"), gh, h);
    return MethodSpec.methodBuilder(p.method("Grads"))
        .addModifiers(Modifier.PRIVATE)
        .addParameter(ParameterSpec.builder(ctx.num().array(), "x").build())
        .addParameter(int.class, "xOff")
        .addParameter(int.class, "batch")
        .addJavadoc("Pass $L: adds dL/dW_ih = Σ dgᵀ x, dL/dW_hh = Σ dgᵀ h_prev and the biases'"
            + " gradients over all rows, the weights' by rows first.\n", p.tag())
        .addCode(b.build()).build();
  }

  /** dx[r] += Σ_j dg[r][j] · W_ih[j] over every row. */
  private MethodSpec inputGrad(Pass p) {
    LayerContext ctx = p.ctx;
    String t = ctx.num().t();
    int in = p.in();
    int gh = p.gh();
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("$L[] p = this.p", t);
    b.addStatement("$L[] dg = this.$L", t, p.buffer("DGates"));
    b.addStatement("$L[] back = this.$L[0]", t, ctx.buffer("Back"));
    b.addStatement("$L[][] wih = this.$L", t, ctx.buffer("Wih"));
    rows(b, "wih", p.tensor("weight_ih"), gh, in);
    b.beginControlFlow("for (int r = 0, rows = batch * $L; r < rows; r++)", p.steps());
    rowProduct(b, t, "dx", "r * " + in, "dg", "r * " + gh, "wih", 0, gh, in);
    b.endControlFlow();
    return MethodSpec.methodBuilder(p.method("InputGrad"))
        .addModifiers(Modifier.PRIVATE)
        .addParameter(ParameterSpec.builder(ctx.num().array(), "dx").build())
        .addParameter(int.class, "batch")
        .addJavadoc("Pass $L: adds dL/dx = dg · W_ih to dx, [n][t][$L].\n", p.tag(), in)
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
