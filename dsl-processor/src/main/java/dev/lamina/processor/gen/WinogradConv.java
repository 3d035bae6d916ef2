package dev.lamina.processor.gen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * A float 3×3 stride-1 convolution's forward pass and input gradient on Winograd F(2×2, 3×3)
 * tiles (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks", 2016): each 2×2
 * block of result channel {@code o} is {@code Aᵀ [Σ_s (G g_os Gᵀ) ⊙ (Bᵀ d_s B)] A}, with {@code
 * d_s} the 4×4 tile of source channel {@code s} under the block and {@code g_os} the 3×3 kernel
 * between them: 16 multiplies per block and channel pair instead of 36. The input gradient is the
 * same machinery: for stride 1 and padding {@code p}, the stride-1 correlation of dz, padded by
 * {@code 2 - p}, with the kernel rotated by 180° and its channels swapped, added onto dx.
 *
 * <p>A pass transforms the kernel into {@code U} (16 matrices, one per tile position {@code ξ},
 * at every call: the parameters change between steps, and a folded inference pass reads the
 * folded copy), then, per group of samples whose rows fit {@link ColumnConv#GROUP_FLOATS}, every
 * source tile into {@code V} ({@code V[ξ·in + s]} is a row over the group's tiles), the 16 matrix
 * products {@code M[ξ] = U[ξ] · V[ξ]} (the grid's five-row loops), and every block from {@code
 * M}, written with the bias and the plan's fused activation (forward) or added onto dx. The
 * transforms run as loops over whole planes: the planes are split into their even and odd rows
 * and columns, so that a tile's four rows and columns are two positions of two planes. The tiles
 * run without the Vector API only ({@link ConvPlan#winograd()}: on it they measured slower than
 * the direct kernels); there, and for the weight gradient, the plan's own strategy runs.
 */
final class WinogradConv extends ConvStrategy {
  /** Positions of a 4×4 transformed tile: the 16 matrix products. */
  private static final int XI = 16;

  private final ConvStrategy direct;
  /** The forward pass: x (C planes h×w, padded by p) to z (K planes oh×ow). */
  private final Tiles fwd;
  /** The input gradient: dz (K planes oh×ow, padded by 2 - p) to dx (C planes h×w). */
  private final Tiles back;

  WinogradConv(ConvPlan plan) {
    super(plan);
    this.direct = ConvStrategy.of(plan.direct());
    this.fwd = new Tiles(g.c(), g.h(), g.w(), op.ph(), g.k(), g.oh(), g.ow());
    this.back = new Tiles(g.k(), g.oh(), g.ow(), 2 - op.ph(), g.c(), g.h(), g.w());
  }

  /**
   * The tiles of one pass: {@code in} source planes {@code h×w} read with {@code pad} zeros
   * around, {@code out} result planes {@code oh×ow} in 2×2 blocks. Tile {@code (ti, tj)} reads
   * padded rows and columns {@code 2·ti .. 2·ti + 3}, {@code 2·tj .. 2·tj + 3} and sits at slot
   * {@code ti·(tw + 1) + tj} of a sample's rows: each tile row has one slot more than it has
   * tiles, computed and dropped, so that every transform step is one long loop over the slots
   * (the form C2 vectorizes) rather than a short one per tile row.
   */
  record Tiles(int in, int h, int w, int pad, int out, int oh, int ow) {
    int th() {
      return (oh + 1) / 2;
    }

    int tw() {
      return (ow + 1) / 2;
    }

    /** The row step of the slots and of the polyphase planes. */
    int w1() {
      return tw() + 1;
    }

    /** Slots per sample: the tiles with one spare per tile row. */
    int slots() {
      return th() * w1();
    }

    /**
     * The length of a polyphase plane: the padded plane's rows {@code 2R + a} and columns
     * {@code 2J + b} in plane {@code 2a + b}, at {@code R·w1 + J}, {@code R <= th}.
     */
    int plane() {
      return (th() + 1) * w1();
    }

    int inSize() {
      return in * h * w;
    }

    int outSize() {
      return out * oh * ow;
    }

    /** Samples per group: their V and M rows within {@link ColumnConv#GROUP_FLOATS}. */
    int samples() {
      return Math.max(1, ColumnConv.GROUP_FLOATS / (XI * (in + out) * slots()));
    }

    /** The polyphase planes of a group, the samples of a position adjacent. */
    int groupPlane() {
      return samples() * plane();
    }

    /** The length of a V or M row: a group's slots. */
    int length() {
      return samples() * slots();
    }
  }

  @Override
  List<LayerEmitter.Buffer> buffers(LayerContext ctx) {
    List<LayerEmitter.Buffer> b = new ArrayList<>(direct.buffers(ctx));
    int rows = XI * Math.max(g.c(), g.k());
    int len = Math.max(fwd.length(), back.length());
    b.add(LayerEmitter.Buffer.scratch(ctx.buffer("WinoU"), 1, XI * g.k() * g.c(),
        "the kernel on Winograd tiles, U = G g Gᵀ: 16 matrices of K×C (forward) or, rotated, "
        + "C×K (input gradient)"));
    b.add(LayerEmitter.Buffer.scratch(ctx.buffer("WinoV"), rows, len, "a group's tiles of x "
        + "or dL/dz transformed, V = Bᵀ d B: row ξ·channels + channel over the group's slots"));
    b.add(LayerEmitter.Buffer.scratch(ctx.buffer("WinoM"), rows, len, "the products M[ξ] = "
        + "U[ξ] · V[ξ]: row ξ·channels + channel over the group's slots"));
    b.add(LayerEmitter.Buffer.scratch(ctx.buffer("WinoPad"), 4, fwd.groupPlane(), "one input "
        + "channel of a group, padded by " + fwd.pad() + ", in four polyphase planes (even and "
        + "odd rows and columns; the samples of a position adjacent); only the input's positions "
        + "are written, the rest stays zero"));
    b.add(LayerEmitter.Buffer.scratch(ctx.buffer("WinoBackPad"), 4, back.groupPlane(), "one "
        + "dL/dz channel of a group, padded by " + back.pad() + ", in four polyphase planes; only "
        + "dL/dz's positions are written, the rest stays zero"));
    b.add(LayerEmitter.Buffer.scratch(ctx.buffer("WinoSteps"), 10,
        Math.max(fwd.groupPlane(), back.groupPlane()), "the steps of a transform: d B per row "
        + "phase and two shifted copies (tiles in), or the 2×2 blocks by phase (blocks out)"));
    return b;
  }

  @Override
  List<MethodSpec> forward(LayerContext ctx) {
    String entry = ctx.name() + "Forward";
    List<MethodSpec> m = new ArrayList<>();
    CodeBlock.Builder b = directOnVector(direct.forward(ctx), entry, "x, xOff, batch", m);
    b.addStatement("float[] p = $L", ctx.forwardParameters());
    b.addStatement("float[] z = $L", ctx.forwardOutput());
    pass(b, ctx, fwd, "Wino", "x", "xOff", "WinoPad", "z");
    m.add(0, ctx.inputMethod("Forward")
        .addJavadoc("$L: forward, into $L; on the Vector API by the direct loops ($LDirect), "
            + "else on Winograd F(2×2, 3×3) tiles: per group of up to $L samples, the input "
            + "tiles transformed (V = Bᵀ d B), the 16 products M[ξ] = U[ξ] · V[ξ] of $L×$L by "
            + "$L×tiles, and each 2×2 block Aᵀ M A written with the bias.\n", ctx.header(),
            ctx.preBuffer(), entry, fwd.samples(), g.k(), g.c(), g.c())
        .addCode(b.build()).build());
    m.addAll(passMethods(ctx, fwd, "Wino", false));
    return m;
  }

  @Override
  List<MethodSpec> backwardParams(LayerContext ctx) {
    return direct.backwardParams(ctx);
  }

  @Override
  List<MethodSpec> backwardData(LayerContext ctx) {
    String entry = ctx.name() + "BackwardData";
    List<MethodSpec> m = new ArrayList<>();
    CodeBlock.Builder b = directOnVector(direct.backwardData(ctx), entry, "dx, batch", m);
    b.addStatement("float[] p = this.p");
    b.addStatement("float[] dz = this.$L", ctx.deltaBuffer());
    pass(b, ctx, back, "WinoBack", "dz", null, "WinoBackPad", "dx");
    m.add(0, ctx.dataMethod()
        .addJavadoc("$L: adds dL/dx to dx; on the Vector API by the direct loops ($LDirect), "
            + "else on Winograd F(2×2, 3×3) tiles: the stride-1 correlation of dz, padded by $L, "
            + "with the kernel rotated by 180° and its channels swapped; per group of up to $L "
            + "samples, the tiles of dz transformed (V = Bᵀ d B), the 16 products M[ξ] = U[ξ] · "
            + "V[ξ] of $L×$L by $L×tiles, and each 2×2 block Aᵀ M A added onto dx.\n",
            ctx.header(), entry, back.pad(), back.samples(), g.c(), g.k(), g.k())
        .addCode(b.build()).build());
    m.addAll(passMethods(ctx, back, "WinoBack", true));
    return m;
  }

  /**
   * Adds the direct loops' methods to {@code into}, their entry {@code entry} renamed {@code
   * <entry>Direct}, and returns the new entry's body begun: {@code if (Kernels.VECTOR) {
   * <entry>Direct(args); return; }}.
   */
  private static CodeBlock.Builder directOnVector(List<MethodSpec> direct, String entry,
      String args, List<MethodSpec> into) {
    for (MethodSpec s : direct) {
      into.add(s.name().equals(entry) ? s.toBuilder().setName(entry + "Direct").build() : s);
    }
    CodeBlock.Builder b = CodeBlock.builder();
    b.beginControlFlow("if ($T.VECTOR)", KERNELS);
    b.addStatement("$LDirect($L)", entry, args);
    b.addStatement("return");
    b.endControlFlow();
    return b;
  }

  /**
   * The helpers of a pass: the kernel's transform, tiles in, products, blocks out; and the
   * helpers both passes share (identical methods, which the workspace writes once).
   */
  private List<MethodSpec> passMethods(LayerContext ctx, Tiles t, String stem, boolean data) {
    String n = ctx.name() + stem;
    List<MethodSpec> m = new ArrayList<>();
    m.add(weights(ctx, t, n, data));
    m.add(input(t, n, ctx.name() + "Wino"));
    m.add(steps(ctx.name() + "Wino"));
    m.add(products(ctx, t, n));
    m.add(output(ctx, t, n, data));
    m.addAll(PatchRowConv.tapHelpers(ctx, t.in()));
    return m;
  }

  /**
   * The body of a pass after its arrays {@code p} and the source are named: the kernel
   * transformed, then per group of samples the tiles in, the products and the blocks out.
   */
  private void pass(CodeBlock.Builder b, LayerContext ctx, Tiles t, String stem, String src,
      String srcOff, String pad, String dst) {
    String n = ctx.name() + stem;
    boolean data = srcOff == null;
    b.addStatement("float[] u = this.$L[0]", ctx.buffer("WinoU"));
    b.addStatement("float[][] v = this.$L", ctx.buffer("WinoV"));
    b.addStatement("float[][] m = this.$L", ctx.buffer("WinoM"));
    b.addStatement("float[][] pad = this.$L", ctx.buffer(pad));
    b.addStatement("float[][] steps = this.$L", ctx.buffer("WinoSteps"));
    b.add(data ? "// u[ξ·$L + c·$L + k] = (G g Gᵀ)[ξ], g = W[k, c] rotated by 180°\n"
        : "// u[ξ·$L + k·$L + c] = (G g Gᵀ)[ξ], g = W[k, c]\n", t.in() * t.out(), t.in());
    b.addStatement("$LWeights(p, u)", n);
    int s = t.samples();
    b.beginControlFlow("for (int n0 = 0; n0 < batch; n0 += $L)", s);
    b.addStatement("int group = Math.min($L, batch - n0)", s);
    b.add("// v[ξ·$L + s][slot·group + i] = (Bᵀ d B)[ξ] of sample n0 + i's 4×4 tile of $L "
        + "channel s\n", t.in(), src);
    String from = Src.times("n0", t.inSize());
    b.addStatement("$LInput($L, $L, group, pad, steps, v)", n, src,
        data ? from : srcOff + " + " + from);
    b.addStatement("$LProducts(u, v, m, group * $L)", n, t.slots());
    b.addStatement("$LOutput(m, $Lsteps, $L, $L, group)", n, data ? "" : "p, ", dst,
        Src.times("n0", t.outSize()));
    b.endControlFlow();
  }

  /**
   * {@code u[ξ·in·out + o·in + s] = (G g Gᵀ)[ξ]} for the kernel {@code g} from source channel
   * {@code s} to result channel {@code o}: W[o, s] (forward), or W[s, o] rotated by 180° (input
   * gradient). {@code G = [[1, 0, 0], [½, ½, ½], [½, -½, ½], [0, 0, 1]]}.
   */
  private MethodSpec weights(LayerContext ctx, Tiles t, String n, boolean rotated) {
    CodeBlock.Builder b = CodeBlock.builder();
    Loop o = new Loop(rotated ? "c" : "k", t.out());
    Loop s = new Loop(rotated ? "k" : "c", t.in());
    o.open(b);
    s.open(b);
    b.addStatement("int wi = $L", rotated ? weightBase(ctx, s.at(), o.at())
        : weightBase(ctx, o.at(), s.at()));
    b.add(rotated ? "// g = W[k, c] rotated by 180°\n" : "// g = W[k, c]\n");
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        b.addStatement("float g$L$L = p[$L]", i, j,
            Src.plus("wi", rotated ? 8 - (3 * i + j) : 3 * i + j));
      }
    }
    b.add("// G g: 4×3\n");
    for (int j = 0; j < 3; j++) {
      b.addStatement("float a0$L = g0$L", j, j);
      b.addStatement("float a1$L = 0.5f * (g0$L + g1$L + g2$L)", j, j, j, j);
      b.addStatement("float a2$L = 0.5f * (g0$L - g1$L + g2$L)", j, j, j, j);
      b.addStatement("float a3$L = g2$L", j, j);
    }
    b.add("// (G g) Gᵀ: 4×4\n");
    b.addStatement("int ui = $L", Src.plus(o.times(t.in()), s.at()));
    int stride = t.in() * t.out();
    for (int i = 0; i < 4; i++) {
      b.addStatement("u[$L] = a$L0", Src.plus("ui", (4 * i) * stride), i);
      b.addStatement("u[$L] = 0.5f * (a$L0 + a$L1 + a$L2)", Src.plus("ui", (4 * i + 1) * stride),
          i, i, i);
      b.addStatement("u[$L] = 0.5f * (a$L0 - a$L1 + a$L2)", Src.plus("ui", (4 * i + 2) * stride),
          i, i, i);
      b.addStatement("u[$L] = a$L2", Src.plus("ui", (4 * i + 3) * stride), i);
    }
    s.close(b);
    o.close(b);
    return MethodSpec.methodBuilder(n + "Weights")
        .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
        .addJavadoc(rotated ? "$L: u[ξ·$L + c·$L + k] = (G g Gᵀ)[ξ] for the kernel g from dz "
            + "channel k to dx channel c (W[k, c] rotated by 180°).\n" : "$L: u[ξ·$L + k·$L + c] = "
            + "(G g Gᵀ)[ξ] for the kernel g = W[k, c].\n", n, stride, t.in())
        .addParameter(float[].class, "p").addParameter(float[].class, "u")
        .addCode(b.build()).build();
  }

  /**
   * Per source channel: the planes of the group's samples copied into the four polyphase planes
   * {@code pad[2a + b]} (padded row {@code 2R + a}, column {@code 2J + b} of sample {@code i} at
   * {@code (R·w1 + J)·group + i}; the rest stays zero), then every 4×4 tile {@code d} to {@code
   * Bᵀ d B}, {@code Bᵀ = [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]]}: first
   * {@code d B} of every padded row (tile column {@code tj} reads columns {@code 2tj .. 2tj + 3}:
   * polyphase positions {@code tj} and {@code tj + 1}), then {@code Bᵀ (d B)} over the rows the
   * same way; each step one loop over the group's positions.
   */
  private MethodSpec input(Tiles t, String n, String common) {
    CodeBlock.Builder b = CodeBlock.builder();
    int w1 = t.w1();
    Runnable zero = () -> {
      b.beginControlFlow("for (float[] phase : pad)");
      b.addStatement("$T.fill(phase, 0.0f)", ARRAYS);
      b.endControlFlow();
    };
    if (t.samples() > 1) {
      b.add("// a short group lays the samples out closer: the positions outside its input "
          + "must be zero,\n// and again outside a full group's after it\n");
      b.beginControlFlow("if (group < $L)", t.samples());
      zero.run();
      b.endControlFlow();
    }
    Loop c = new Loop("c", t.in());
    c.open(b);
    b.add("// pad[2a + b][(R·$L + J)·group + i] = sample i's padded row 2R + a, column 2J + b\n",
        w1);
    b.beginControlFlow("for (int i = 0; i < group; i++)");
    b.beginControlFlow("for (int r = 0; r < $L; r++)", t.h());
    b.addStatement("int xr = $L", Src.plus(Src.plus("xs + i * " + t.inSize(),
        c.times(t.h() * t.w())), "r * " + t.w()));
    String row = t.pad() == 0 ? "r" : "(r + " + t.pad() + ")";
    b.addStatement("float[] even = pad[($L & 1) * 2]", row);
    b.addStatement("float[] odd = pad[($L & 1) * 2 + 1]", row);
    b.addStatement("int pr = ($L >> 1) * $L * group + i", row, w1);
    for (int phase = 0; phase < 2; phase++) {
      // padded column 2J + phase is input column 2J + phase - pad
      int from = Math.max(0, Math.floorDiv(t.pad() - phase + 1, 2));
      int to = Math.floorDiv(t.w() - 1 + t.pad() - phase, 2);
      b.beginControlFlow("for (int j = $L; j <= $L; j++)", from, to);
      b.addStatement("$L[pr + j * group] = x[$L]", phase == 0 ? "even" : "odd",
          Src.plus("xr + 2 * j", phase - t.pad()));
      b.endControlFlow();
    }
    b.endControlFlow();
    b.endControlFlow();
    b.add("// d B per row phase a: steps[4a + j][p] at position p of the tile's top left; the\n"
        + "// columns two to the right read from copies shifted by one position, so that every\n"
        + "// loop reads and writes separate arrays at the bare index (the form C2 vectorizes)\n");
    b.addStatement("float[] e1 = steps[8]");
    b.addStatement("float[] o1 = steps[9]");
    for (int a = 0; a < 2; a++) {
      b.add("{\n").indent();
      b.addStatement("float[] e = pad[$L]", 2 * a);
      b.addStatement("float[] o = pad[$L]", 2 * a + 1);
      b.addStatement("System.arraycopy(e, group, e1, 0, $L * group)", t.plane() - 1);
      b.addStatement("System.arraycopy(o, group, o1, 0, $L * group)", t.plane() - 1);
      b.addStatement("$LSteps(e, o, e1, o1, steps[$L], steps[$L], steps[$L], steps[$L], "
          + "$L * group)", common, 4 * a, 4 * a + 1, 4 * a + 2, 4 * a + 3, t.plane() - 1);
      b.unindent().add("}\n");
    }
    b.add("// Bᵀ (d B): rows 2ti .. 2ti + 3 are phases 0, 1 at position p and 0, 1 at p + $L,\n"
        + "// read from copies shifted by $L positions\n", w1, w1);
    b.addStatement("float[] r2 = steps[8]");
    b.addStatement("float[] r3 = steps[9]");
    for (int j = 0; j < 4; j++) {
      b.add("{\n").indent();
      b.addStatement("float[] r0 = steps[$L]", j);
      b.addStatement("float[] r1 = steps[$L]", 4 + j);
      b.addStatement("System.arraycopy(r0, $L * group, r2, 0, $L * group)", w1, t.slots());
      b.addStatement("System.arraycopy(r1, $L * group, r3, 0, $L * group)", w1, t.slots());
      String[] rows = new String[4];
      for (int i = 0; i < 4; i++) {
        rows[i] = "v[" + Src.plus(Integer.toString((4 * i + j) * t.in()), c.at()) + "]";
      }
      b.addStatement("$LSteps(r0, r1, r2, r3, $L, $L * group)", common, String.join(", ", rows),
          t.slots());
      b.unindent().add("}\n");
    }
    c.close(b);
    if (t.samples() > 1) {
      b.beginControlFlow("if (group < $L)", t.samples());
      zero.run();
      b.endControlFlow();
    }
    return MethodSpec.methodBuilder(n + "Input")
        .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
        .addJavadoc("$L: v[ξ·$L + c][slot·group + i] = (Bᵀ d B)[ξ] for each 4×4 tile d of the $L "
            + "planes $Lx$L of sample i at x[xs + i·$L..], padded by $L: $Lx$L tiles per plane, "
            + "in $L slots per tile row.\n", n, t.in(), t.in(), t.h(), t.w(), t.inSize(),
            t.pad(), t.th(), t.tw(), w1)
        .addParameter(float[].class, "x").addParameter(int.class, "xs")
        .addParameter(int.class, "group")
        .addParameter(ArrayTypeName.of(float[].class), "pad")
        .addParameter(ArrayTypeName.of(float[].class), "steps")
        .addParameter(ArrayTypeName.of(float[].class), "v")
        .addCode(b.build()).build();
  }

  /**
   * {@code (a - c, b + c, c - b, b - d)} element by element: one step of {@code Bᵀ d B} on four
   * rows or columns of tiles at once, in loops C2 vectorizes (separate arrays, the bare index,
   * one store each).
   */
  private static MethodSpec steps(String n) {
    MethodSpec.Builder mb = MethodSpec.methodBuilder(n + "Steps")
        .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
        .addJavadoc("$L: o0 = a - c, o1 = b + c, o2 = c - b, o3 = b - d over len values.\n", n);
    for (String a : new String[] {"a", "b", "c", "d", "o0", "o1", "o2", "o3"}) {
      mb.addParameter(float[].class, a);
    }
    mb.addParameter(int.class, "len");
    // one store per loop: with four, C2 on JDK 17 left the loop scalar (the input transform
    // took twice the time)
    String[] steps = {"o0[q] = a[q] - c[q]", "o1[q] = b[q] + c[q]", "o2[q] = c[q] - b[q]",
        "o3[q] = b[q] - d[q]"};
    for (String step : steps) {
      mb.beginControlFlow("for (int q = 0; q < len; q++)").addStatement(step).endControlFlow();
    }
    return mb.build();
  }

  /**
   * {@code M[ξ] = U[ξ] · V[ξ]} for the 16 positions: {@code m[ξ·out + o][q] = Σ_s u[ξ·in·out +
   * o·in + s] · v[ξ·in + s][q]} over {@code len} tiles.
   */
  private MethodSpec products(LayerContext ctx, Tiles t, String n) {
    CodeBlock.Builder b = CodeBlock.builder();
    b.beginControlFlow("for (int xi = 0; xi < $L; xi++)", XI);
    b.addStatement("int mx = xi * $L", t.out());
    b.addStatement("int vx = xi * $L", t.in());
    b.addStatement("int ux = xi * $L", t.in() * t.out());
    Loop o = new Loop("o", t.out());
    o.open(b);
    b.addStatement("$T.fill(m[$L], 0, len, 0.0f)", ARRAYS, Src.plus("mx", o.at()));
    o.close(b);
    Grid.tapCalls(b, ctx, "s",
        new Grid.Outputs("o", t.out(), () -> b.addStatement("int uo = $L",
            Src.plus("ux", o.times(t.in())))),
        "m[" + Src.plus("mx", o.at()) + "]", t.in(), s -> "v[" + Src.plus("vx", s) + "]",
        s -> "u[" + Src.plus("uo", s) + "]", "len");
    b.endControlFlow();
    return MethodSpec.methodBuilder(n + "Products")
        .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
        .addJavadoc("$L: m[ξ·$L + o][q] = Σ_s u[ξ·$L + o·$L + s] · v[ξ·$L + s][q] for the 16 "
            + "positions ξ of a tile, q < len.\n", n, t.out(), t.in() * t.out(), t.in(), t.in())
        .addParameter(float[].class, "u").addParameter(ArrayTypeName.of(float[].class), "v")
        .addParameter(ArrayTypeName.of(float[].class), "m").addParameter(int.class, "len")
        .addCode(b.build()).build();
  }

  /**
   * Per result channel: the 2×2 blocks {@code Aᵀ M A} of every slot, {@code Aᵀ = [[1, 1, 1, 0],
   * [0, 1, -1, -1]]}, into four planes by the block's row and column {@code (a, b)} (one loop over
   * the slots), then written to their positions with the bias (forward; activated in a folded
   * pass when the plan fuses the batch normalization's activation) or added onto dx (input
   * gradient); a block's row or column past an odd plane, and the spare slots, are dropped.
   */
  private MethodSpec output(LayerContext ctx, Tiles t, String n, boolean data) {
    CodeBlock.Builder b = CodeBlock.builder();
    Loop o = new Loop(data ? "c" : "k", t.out());
    for (int ab = 0; ab < 4; ab++) {
      b.addStatement("float[] y$L = steps[$L]", ab, ab);
    }
    o.open(b);
    for (int xi = 0; xi < XI; xi++) {
      b.addStatement("float[] m$L = m[$L]", xi, Src.plus(Integer.toString(xi * t.out()), o.at()));
    }
    b.beginControlFlow("for (int q = 0; q < $L * group; q++)", t.slots());
    b.add("// Aᵀ M\n");
    for (int j = 0; j < 4; j++) {
      b.addStatement("float s0$L = m$L[q] + m$L[q] + m$L[q]", j, j, 4 + j, 8 + j);
      b.addStatement("float s1$L = m$L[q] - m$L[q] - m$L[q]", j, 4 + j, 8 + j, 12 + j);
    }
    b.add("// (Aᵀ M) A\n");
    for (int a = 0; a < 2; a++) {
      b.addStatement("y$L[q] = s$L0 + s$L1 + s$L2", 2 * a, a, a, a);
      b.addStatement("y$L[q] = s$L1 - s$L2 - s$L3", 2 * a + 1, a, a, a);
    }
    b.endControlFlow();
    String bias = data ? null : biasOrZero(ctx, o.at());
    if (bias != null && bias.equals(ctx.num().lit(0))) {
      bias = null;
    }
    if (bias != null) {
      b.addStatement("float bias = $L", bias);
    }
    b.add("// the blocks' values to their positions: row 2ti + a, column 2tj + b\n");
    if (!data && ctx.foldsActivation()) {
      b.beginControlFlow("if (foldedPass)");
      scatter(b, ctx, t, o, data, bias != null, true);
      b.nextControlFlow("else");
      scatter(b, ctx, t, o, data, bias != null, false);
      b.endControlFlow();
    } else {
      scatter(b, ctx, t, o, data, bias != null, false);
    }
    o.close(b);
    MethodSpec.Builder mb = MethodSpec.methodBuilder(n + "Output")
        .addModifiers(Modifier.PRIVATE);
    if (data || !ctx.folds()) {
      mb.addModifiers(Modifier.STATIC); // a folded pass reads the workspace's foldedPass
    }
    mb.addJavadoc("$L: $L the 2×2 blocks Aᵀ M A of the group's slots (m[ξ·$L + o]) $L the $L "
            + "planes $Lx$L of each sample i at z[zs + i·$L..].\n", n, data ? "adds" : "writes",
            t.out(), data ? "onto" : "with the bias into", t.out(), t.oh(), t.ow(),
            t.outSize())
        .addParameter(ArrayTypeName.of(float[].class), "m");
    if (!data) {
      mb.addParameter(float[].class, "p");
    }
    return mb.addParameter(ArrayTypeName.of(float[].class), "steps")
        .addParameter(float[].class, "z").addParameter(int.class, "zs")
        .addParameter(int.class, "group")
        .addCode(b.build()).build();
  }

  /**
   * Each sample's blocks to their positions in channel {@code o}'s plane: {@code z += y} (input
   * gradient), {@code z = y + bias}, or that activated ({@code activate}).
   */
  private static void scatter(CodeBlock.Builder b, LayerContext ctx, Tiles t, Loop o,
      boolean data, boolean bias, boolean activate) {
    b.beginControlFlow("for (int s = 0; s < group; s++)");
    b.addStatement("int zc = $L", Src.plus("zs + s * " + t.outSize(), o.times(t.oh() * t.ow())));
    b.beginControlFlow("for (int i = 0; i < $L; i++)", t.oh());
    b.addStatement("float[] ye = steps[(i & 1) * 2]");
    b.addStatement("float[] yo = steps[(i & 1) * 2 + 1]");
    b.addStatement("int yq = (i >> 1) * $L * group + s", t.w1());
    b.addStatement("int zr = zc + i * $L", t.ow());
    b.beginControlFlow("for (int j = 0; j < $L; j++)", t.ow() / 2);
    store(b, ctx, data, bias, activate, "zr + 2 * j", "ye[yq + j * group]");
    store(b, ctx, data, bias, activate, "zr + 2 * j + 1", "yo[yq + j * group]");
    b.endControlFlow();
    if (t.ow() % 2 == 1) {
      store(b, ctx, data, bias, activate, "zr + " + (t.ow() - 1),
          "ye[yq + " + t.ow() / 2 + " * group]");
    }
    b.endControlFlow();
    b.endControlFlow();
  }

  private static void store(CodeBlock.Builder b, LayerContext ctx, boolean data, boolean bias,
      boolean activate, String at, String y) {
    if (data) {
      b.addStatement("z[$L] += $L", at, y);
      return;
    }
    String v = bias ? y + " + bias" : y;
    b.addStatement("z[$L] = $L", at, activate
        ? ActivationEmitter.piecewiseLinear(ctx.num(), ctx.foldedNorm(), "(" + v + ")") : v);
  }
}
