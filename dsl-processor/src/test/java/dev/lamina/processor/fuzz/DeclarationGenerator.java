package dev.lamina.processor.fuzz;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * A seeded generator of network declarations as Java source text.
 *
 * <p>Valid declarations are built layer by layer against the generator's own model of shapes,
 * parameter counts, receptive fields and jumps ({@link #eval}, written from the annotations'
 * documentation, independently of the processor), so a valid declaration is valid by construction
 * and its output shape, parameter count and per-layer receptive fields are predicted. They are
 * graphs: beside plain stacks of Conv, Pool and Affine layers they contain residual branches
 * ({@code @Add}, with or without a 1×1 projection), Inception-style branches ({@code @Concat}),
 * {@code @BatchNorm}, {@code @Dropout}, {@code @GlobalAvgPool}, side layers nothing reads, and
 * {@code @Block} classes (generated the same way, with some integer attributes replaced by {@code
 * Block.ARGk} placeholders) applied one to three times with different arguments. Windows take
 * every padding form ({@code {p}}, {@code {ph, pw}}, {@code {top, left, bottom, right}}, {@code
 * autoPad}), dilation, and for pooling ceil mode and padding up to the window minus one;
 * activations include ELU with its {@code alpha}.
 *
 * <p>Invalid declarations start from a valid one and break exactly one thing, recording the line
 * that must carry an error and fragments that one error's text must contain.
 *
 * <p>Case {@code i} of seed {@code s} depends only on {@code (s, i)}: any single case can be
 * regenerated on its own.
 */
final class DeclarationGenerator {
  static final String PACKAGE = "fz";
  static final String[] ACTIVATIONS =
      {"IDENTITY", "RELU", "LEAKY_RELU", "SIGMOID", "TANH", "GELU", "GELU_TANH", "ELU"};
  /** {@code Block.ARG0}; {@code Block.ARGk} is {@code ARG0 - k}. */
  static final int ARG0 = -1_000_000_000;
  static final String INPUT = "input";

  /** Member names, beside plain ones: unicode, {@code $}, underscores, camel case, Java keywords' neighbours. */
  private static final String[] NAME_STYLES = {
      "c%d", "layer%d", "conv_%d", "$%d", "a$%d", "ñame%d", "größe%d", "λ%d", "层%d", "_x%d",
      "Ω%d", "hiddenLayer%dA", "HIDDEN_%d", "x%d$", "inputSize%d", "Workspace%d", "SUMMARY%d",
      "i%d", "ǅ%d", "int%d"};

  private final long seed;

  DeclarationGenerator(long seed) {
    this.seed = seed;
  }

  /** Case {@code index}: valid with probability ~0.55, else one mutation of a valid one. */
  FuzzCase generate(int index) {
    SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index * 0xBF58476D1CE4E5B9L);
    Net net = validNetwork(r, index);
    if (r.nextInt(100) < 55) {
      return net.render(index, true);
    }
    mutate(net, r);
    return net.render(index, false);
  }

  // ---- the model -------------------------------------------------------------------------------

  /** A shape: {c, h, w} or {d}. */
  static long size(int[] s) {
    long n = 1;
    for (int v : s) {
      n *= v;
    }
    return n;
  }

  /** The output of a layer (or the input) in the generator's model. */
  static final class Node {
    final String name;
    final int[] shape;
    final long rfH;
    final long rfW;
    final long jH;
    final long jW;
    final long params;
    /** Values in the parameter array that are not parameters (batch-norm running statistics). */
    long statistics;

    Node(String name, int[] shape, long rfH, long rfW, long jH, long jW, long params) {
      this.name = name;
      this.shape = shape;
      this.rfH = rfH;
      this.rfW = rfW;
      this.jH = jH;
      this.jW = jW;
      this.params = params;
    }

    boolean image() {
      return shape.length == 3;
    }

    int[] rf() {
      return new int[] {(int) Math.min(rfH, Integer.MAX_VALUE),
          (int) Math.min(rfW, Integer.MAX_VALUE)};
    }
  }

  static boolean isArg(int v) {
    return v <= ARG0 && v > ARG0 - 8;
  }

  /** An integer attribute with placeholders replaced; {@code def} when absent; null when unknown. */
  private static int[] nums(LayerSpec l, String attr, int[] def, int[] args) {
    int[] v = l.nums.get(attr);
    if (v == null) {
      return def;
    }
    int[] out = v.clone();
    for (int i = 0; i < out.length; i++) {
      if (isArg(out[i])) {
        int k = ARG0 - out[i];
        if (args == null || k >= args.length) {
          return null;
        }
        out[i] = args[k];
      }
    }
    return out;
  }

  private static int min(int[] v) {
    return Math.min(v[0], v[v.length - 1]);
  }

  private static long outSize(int in, long keff, int s, int p) {
    long span = in + 2L * p - keff;
    return span < 0 ? 0 : span / s + 1;
  }

  /**
   * Output size with padding {@code begin}, {@code end}; in ceil mode rounded up, a last window
   * starting at or past {@code in + begin} dropped (PyTorch's and ONNX's rule).
   */
  static long outSize(int in, long keff, int s, int begin, int end, boolean ceil) {
    long span = (long) in + begin + end - keff;
    if (span < 0) {
      return 0;
    }
    long out = ceil ? (span + s - 1) / s + 1 : span / s + 1;
    return ceil && (out - 1) * s >= (long) in + begin ? out - 1 : out;
  }

  /** {top, left, bottom, right} from {@code {h, w}} or four values. */
  static int[] sides(int[] p) {
    return p.length == 4 ? p : new int[] {p[0], p[p.length - 1], p[0], p[p.length - 1]};
  }

  /** SAME padding {begin, end} of one axis: output ceil(in / s), the odd pixel at the end (upper). */
  static int[] same(int in, long keff, int s, boolean upper) {
    long out = ((long) in + s - 1) / s;
    int total = (int) Math.max(0, (out - 1) * s + keff - in);
    return upper ? new int[] {total / 2, total - total / 2} : new int[] {total - total / 2, total / 2};
  }

  /** Whether some window along one axis reads padding only (every tap outside [0, in)). */
  static boolean emptyWindow(int in, int k, int d, int s, int begin, long out) {
    for (long i = 0; i < out; i++) {
      boolean reads = false;
      for (int u = 0; u < k; u++) {
        long x = i * s - begin + (long) u * d;
        reads |= x >= 0 && x < in;
      }
      if (!reads) {
        return true;
      }
    }
    return false;
  }

  /** The padding {top, left, bottom, right} a Conv or Pool ends up with; null when unknown. */
  private static int[] padding(LayerSpec l, int[] in, int[] k, int[] s, int[] d, int[] args) {
    if (l.autoPad != null) {
      if (l.autoPad.equals("VALID")) {
        return new int[4];
      }
      boolean upper = l.autoPad.equals("SAME_UPPER");
      int[] h = same(in[1], (long) d[0] * (k[0] - 1) + 1, s[0], upper);
      int[] w = same(in[2], (long) d[1] * (k[1] - 1) + 1, s[1], upper);
      return new int[] {h[0], w[0], h[1], w[1]};
    }
    int[] p = nums(l, "padding", new int[] {0, 0}, args);
    return p == null ? null : sides(p);
  }

  /**
   * The generator's model of one layer reading {@code ins}: its output, parameter count (batch
   * normalization's running statistics left out), receptive field (the largest over the inputs
   * for merges) and jump; null when the layer is invalid there.
   *
   * <p>An Affine layer acts as a window over a whole C×H×W map; on a flat network input of D values
   * (1×D) every Affine layer's units see all D values, whatever lies between; on a flat output of
   * an image network (after GlobalAvgPool or Affine, which already cover the map) it keeps its
   * input's receptive field.
   */
  static Node eval(LayerSpec l, List<Node> ins, int[] args, String name, int[] netInput) {
    if (ins.isEmpty()) {
      return null;
    }
    for (Node x : ins) {
      if (x == null) {
        return null;
      }
    }
    Node in = ins.get(0);
    boolean merge = l.kind.equals("Add") || l.kind.equals("Concat");
    if (merge ? ins.size() < 2 : ins.size() != 1) {
      return null;
    }
    switch (l.kind) {
      case "Conv" -> {
        int[] f = nums(l, "filters", null, args);
        int[] k = nums(l, "kernel", null, args);
        int[] s = nums(l, "stride", new int[] {1, 1}, args);
        int[] d = nums(l, "dilation", new int[] {1, 1}, args);
        if (!in.image() || f == null || k == null || s == null || d == null
            || f[0] < 1 || min(k) < 1 || min(s) < 1 || min(d) < 1) {
          return null;
        }
        int[] p = padding(l, in.shape, k, s, d, args);
        if (p == null || Arrays.stream(p).min().getAsInt() < 0) {
          return null;
        }
        long keh = (long) d[0] * (k[0] - 1) + 1;
        long kew = (long) d[1] * (k[1] - 1) + 1;
        long oh = outSize(in.shape[1], keh, s[0], p[0], p[2], false);
        long ow = outSize(in.shape[2], kew, s[1], p[1], p[3], false);
        if (p[0] >= keh || p[2] >= keh || p[1] >= kew || p[3] >= kew || oh < 1 || ow < 1) {
          return null;
        }
        long params = (long) f[0] * ((long) in.shape[0] * k[0] * k[1] + (l.bias ? 1 : 0));
        return new Node(name, new int[] {f[0], (int) oh, (int) ow}, in.rfH + (keh - 1) * in.jH,
            in.rfW + (kew - 1) * in.jW, in.jH * s[0], in.jW * s[1], params);
      }
      case "Pool" -> {
        int[] k = nums(l, "size", null, args);
        int[] s = nums(l, "stride", k, args);
        int[] d = nums(l, "dilation", new int[] {1, 1}, args);
        if (!in.image() || k == null || s == null || d == null || min(k) < 1 || min(s) < 1
            || min(d) < 1) {
          return null;
        }
        int[] p = padding(l, in.shape, k, s, d, args);
        if (p == null || Arrays.stream(p).min().getAsInt() < 0) {
          return null;
        }
        // padding up to the effective window minus one, and no window on padding only
        long keh = (long) d[0] * (k[0] - 1) + 1;
        long kew = (long) d[1] * (k[1] - 1) + 1;
        if (p[0] >= keh || p[2] >= keh || p[1] >= kew || p[3] >= kew) {
          return null;
        }
        long oh = outSize(in.shape[1], keh, s[0], p[0], p[2], l.ceil);
        long ow = outSize(in.shape[2], kew, s[1], p[1], p[3], l.ceil);
        if (oh < 1 || ow < 1 || emptyWindow(in.shape[1], k[0], d[0], s[0], p[0], oh)
            || emptyWindow(in.shape[2], k[1], d[1], s[1], p[1], ow)) {
          return null;
        }
        long params = l.poolKind.equals("SUBSAMPLE") ? 2L * in.shape[0] : 0;
        return new Node(name, new int[] {in.shape[0], (int) oh, (int) ow},
            in.rfH + (keh - 1) * in.jH, in.rfW + (kew - 1) * in.jW, in.jH * s[0],
            in.jW * s[1], params);
      }
      case "Affine" -> {
        int[] u = nums(l, "units", null, args);
        if (u == null || u[0] < 1) {
          return null;
        }
        long params = size(in.shape) * u[0] + (l.bias ? u[0] : 0);
        if (in.image()) {
          return new Node(name, new int[] {u[0]}, in.rfH + (in.shape[1] - 1) * in.jH,
              in.rfW + (in.shape[2] - 1) * in.jW, in.jH, in.jW, params);
        }
        if (netInput.length == 1) {
          return new Node(name, new int[] {u[0]}, 1, netInput[0], 1, 1, params);
        }
        return new Node(name, new int[] {u[0]}, in.rfH, in.rfW, in.jH, in.jW, params);
      }
      case "BatchNorm", "Dropout" -> {
        long params = l.kind.equals("Dropout") ? 0 : 2L * in.shape[0];
        Node n = new Node(name, in.shape, in.rfH, in.rfW, in.jH, in.jW, params);
        n.statistics = params; // a running mean and variance per channel (or feature)
        return n;
      }
      case "GlobalAvgPool" -> {
        if (!in.image()) {
          return null;
        }
        return new Node(name, new int[] {in.shape[0]}, in.rfH + (in.shape[1] - 1) * in.jH,
            in.rfW + (in.shape[2] - 1) * in.jW, in.jH, in.jW, 0);
      }
      case "Add", "Concat" -> {
        boolean add = l.kind.equals("Add");
        long rfH = 0;
        long rfW = 0;
        long channels = 0;
        for (Node x : ins) {
          if (x.jH != in.jH || x.jW != in.jW) {
            return null;
          }
          if (add ? !Arrays.equals(x.shape, in.shape) : x.shape.length != in.shape.length
              || (x.image() && (x.shape[1] != in.shape[1] || x.shape[2] != in.shape[2]))) {
            return null;
          }
          channels += x.shape[0];
          rfH = Math.max(rfH, x.rfH);
          rfW = Math.max(rfW, x.rfW);
        }
        int[] shape = add ? in.shape : in.image()
            ? new int[] {(int) channels, in.shape[1], in.shape[2]} : new int[] {(int) channels};
        return new Node(name, shape, rfH, rfW, in.jH, in.jW, 0);
      }
      default -> throw new IllegalStateException("no model of " + l.kind);
    }
  }

  // ---- declarations ----------------------------------------------------------------------------

  /** One layer member (of the network or of a block). */
  static final class LayerSpec {
    String kind;
    String name;
    final Map<String, String> attrs = new LinkedHashMap<>();
    String before = "";
    String modifiers = "";
    String type = "Layer";
    String initializer = "";
    String extraAnnotation = "";
    /** Integer attributes for the model ({@code {v}} or {@code {h, w}}; may hold placeholders). */
    final Map<String, int[]> nums = new HashMap<>();
    boolean bias = true;
    String poolKind = "MAX";
    /** {@code autoPad} (SAME_UPPER, SAME_LOWER, VALID) when written, else null. */
    String autoPad;
    /** Pool's {@code ceilMode}. */
    boolean ceil;
    /** What it reads: names of members of its scope, or {@code input}. */
    List<String> refs = List.of();
    /** For {@code @Apply}: the block and this use's arguments. */
    BlockSpec block;
    int[] args;
    int line;
    // the generator's model of this layer (valid declarations)
    int[] out;
    long params;
    int[] rf;

    String render() {
      StringBuilder sb = new StringBuilder(before).append('@').append(kind).append('(');
      boolean first = true;
      for (Map.Entry<String, String> e : attrs.entrySet()) {
        sb.append(first ? "" : ", ").append(e.getKey()).append(" = ").append(e.getValue());
        first = false;
      }
      sb.append(") ").append(extraAnnotation).append(modifiers).append(type).append(' ')
          .append(name).append(initializer).append(';');
      return sb.toString();
    }
  }

  /** A {@code @Block} class nested in the network class. */
  static final class BlockSpec {
    final String name;
    final List<LayerSpec> layers = new ArrayList<>();
    /** Per argument: count, units, kernel, padding or stride. */
    final List<String> roles = new ArrayList<>();
    /** How each placeholder is written: a constant of the block or {@code Block.ARGk}. */
    final List<String> argNames = new ArrayList<>();
    final List<Integer> firstArgs = new ArrayList<>();
    final List<LayerSpec> uses = new ArrayList<>();

    BlockSpec(String name) {
      this.name = name;
    }

    int[] firstArgs() {
      return firstArgs.stream().mapToInt(Integer::intValue).toArray();
    }
  }

  /** A network being built or mutated. */
  final class Net {
    final SplittableRandom r;
    final Map<String, String> attrs = new LinkedHashMap<>();
    final List<String> classAnnotations = new ArrayList<>();
    final List<LayerSpec> layers = new ArrayList<>();
    final List<BlockSpec> blocks = new ArrayList<>();
    final List<String> plainClasses = new ArrayList<>();
    /** Every layer of the model in order (block uses expanded), for a valid declaration. */
    final List<Node> nodes = new ArrayList<>();
    final TreeSet<String> features = new TreeSet<>();
    boolean blocksFirst;
    String simpleName;
    String outer; // non-null: a static nested class of this top-level class
    int[] input;
    String loss = "NONE";
    boolean hasFloat;
    boolean hasDouble = true;
    // the mutation, when invalid
    String mutation = "";
    List<String> expected = List.of();
    LayerSpec target; // null with targetNetwork
    boolean targetNetwork;

    Net(SplittableRandom r) {
      this.r = r;
    }

    FuzzCase render(int index, boolean valid) {
      List<String> lines = new ArrayList<>();
      String file = outer == null ? simpleName : outer;
      lines.add("package " + PACKAGE + ";");
      lines.add("");
      lines.add("import dev.lamina.dsl.*;");
      lines.add("import static dev.lamina.dsl.Activation.*;");
      lines.add("import static dev.lamina.dsl.Loss.*;");
      lines.add("import static dev.lamina.dsl.PoolKind.*;");
      lines.add("import static dev.lamina.dsl.Precision.*;");
      lines.add("");
      String indent = "";
      if (outer != null) {
        lines.add("public class " + outer + " {");
        indent = "  ";
      }
      StringBuilder na = new StringBuilder("@Network(");
      boolean first = true;
      for (Map.Entry<String, String> e : attrs.entrySet()) {
        na.append(first ? "" : ", ").append(e.getKey()).append(" = ").append(e.getValue());
        first = false;
      }
      na.append(')');
      int firstLine = lines.size() + 1;
      lines.add(indent + na);
      for (String a : classAnnotations) {
        lines.add(indent + a);
      }
      lines.add(indent + (outer != null ? "abstract static class " : "abstract class ")
          + simpleName + " {");
      List<String> prefixes = new ArrayList<>();
      prefixes.add(simpleName);
      prefixes.add(INPUT);
      if (blocksFirst) {
        renderBlocks(lines, indent);
      }
      for (LayerSpec l : layers) {
        lines.add(indent + "  " + l.render());
        l.line = lines.size();
        prefixes.add(l.name);
      }
      if (!blocksFirst) {
        renderBlocks(lines, indent);
      }
      for (BlockSpec b : blocks) {
        for (LayerSpec use : b.uses) {
          for (LayerSpec l : b.layers) {
            prefixes.add(use.name + "." + l.name);
          }
        }
      }
      lines.add(indent + "}");
      int lastLine = lines.size();
      if (outer != null) {
        lines.add("}");
      }
      String source = String.join("\n", lines) + "\n";
      String declared = outer == null ? simpleName : outer + "." + simpleName;
      String binary = outer == null ? simpleName : outer + "$" + simpleName;
      String generated = "Lamina_" + declared.replace('.', '_');
      int targetLine = targetNetwork ? firstLine : target != null ? target.line : 0;
      if (!valid && targetLine == 0) {
        throw new IllegalStateException("mutation " + mutation + " has no target line");
      }
      long activations = 0;
      long params = 0;
      long statistics = 0;
      List<int[]> shapes = new ArrayList<>();
      List<int[]> fields = new ArrayList<>();
      for (Node n : nodes) {
        activations += size(n.shape);
        params += n.params;
        statistics += n.statistics;
        shapes.add(n.shape);
        fields.add(n.rf());
      }
      int[] out = valid ? nodes.get(nodes.size() - 1).shape : null;
      return new FuzzCase(index, PACKAGE + "." + declared, PACKAGE + "." + generated,
          PACKAGE + "." + binary, PACKAGE + "." + file, source, valid, mutation,
          List.copyOf(expected), targetLine, firstLine, lastLine, List.copyOf(prefixes), out,
          params, statistics, activations, hasFloat, hasDouble, loss, nodes.size(), shapes, fields,
          List.copyOf(features));
    }

    private void renderBlocks(List<String> lines, String indent) {
      for (BlockSpec b : blocks) {
        lines.add(indent + "  @Block");
        lines.add(indent + "  static class " + b.name + " {");
        for (int k = 0; k < b.argNames.size(); k++) {
          if (!b.argNames.get(k).startsWith("Block.")) {
            lines.add(indent + "    static final int " + b.argNames.get(k) + " = Block.ARG" + k
                + ";");
          }
        }
        for (LayerSpec l : b.layers) {
          lines.add(indent + "    " + l.render());
          l.line = lines.size();
        }
        lines.add(indent + "  }");
      }
      for (String p : plainClasses) {
        lines.add(indent + "  static class " + p + " {");
        lines.add(indent + "    int notALayer;");
        lines.add(indent + "  }");
      }
    }
  }

  /**
   * Where layers are being added: the network, or a block being generated (against the input of
   * its first use, with that use's arguments).
   */
  final class Scope {
    final Net net;
    final SplittableRandom r;
    final BlockSpec block;
    final List<LayerSpec> layers;
    final Map<String, Node> outputs = new HashMap<>();
    final List<String> used = new ArrayList<>();
    /** The member a layer without {@code from} reads. */
    String lastDeclared = INPUT;
    Node cur;
    String curRef = INPUT;
    int counter;
    boolean huge;

    Scope(Net net, BlockSpec block, Node input) {
      this.net = net;
      this.r = net.r;
      this.block = block;
      this.layers = block == null ? net.layers : block.layers;
      outputs.put(INPUT, input);
      cur = input;
    }

    String newName() {
      return memberName(r, counter++, used);
    }

    int[] args() {
      return block == null ? null : block.firstArgs();
    }

    /** A placeholder standing for {@code v} (one time in {@code oneIn}, in a block), or v. */
    int param(String role, int v, int oneIn) {
      if (block == null || block.roles.size() >= 8 || r.nextInt(oneIn) != 0) {
        return v;
      }
      int k = block.roles.size();
      block.roles.add(role);
      block.firstArgs.add(v);
      String[] styles = {"Block.ARG%d", role.toUpperCase(java.util.Locale.ROOT) + "%d",
          role + "%d", "ARG_%d"};
      block.argNames.add(String.format(styles[r.nextInt(styles.length)], k));
      return ARG0 - k;
    }

    String text(int v) {
      return isArg(v) ? block.argNames.get(ARG0 - v) : Integer.toString(v);
    }

    String pair(int h, int w) {
      String a = text(h);
      String b = text(w);
      if (h == w) {
        int k = r.nextInt(3);
        return k == 0 ? a : k == 1 ? "{" + a + "}" : "{" + a + ", " + b + "}";
      }
      return "{" + a + ", " + b + "}";
    }

    void num(LayerSpec l, String attr, int v) {
      if (!attr.equals("filters") && !attr.equals("units")) {
        num(l, attr, v, v); // kernel, stride, padding, dilation, size: {h, w}
        return;
      }
      l.nums.put(attr, new int[] {v});
      l.attrs.put(attr, text(v));
    }

    void num(LayerSpec l, String attr, int h, int w) {
      l.nums.put(attr, new int[] {h, w});
      l.attrs.put(attr, pair(h, w));
    }

    String refText(String ref) {
      return ref.equals(INPUT) && r.nextInt(3) == 0 ? "Network.INPUT" : "\"" + ref + "\"";
    }

    String fromText(List<String> refs) {
      if (refs.size() == 1 && r.nextBoolean()) {
        return refText(refs.get(0));
      }
      StringBuilder sb = new StringBuilder("{");
      for (int i = 0; i < refs.size(); i++) {
        sb.append(i == 0 ? "" : ", ").append(refText(refs.get(i)));
      }
      return sb.append('}').toString();
    }

    Node test(LayerSpec l, List<String> refs) {
      List<Node> ins = new ArrayList<>();
      for (String ref : refs) {
        ins.add(outputs.get(ref));
      }
      return eval(l, ins, args(), l.name, net.input);
    }

    /** Adds a layer the generator built valid; {@code from} is written when needed (or at random). */
    Node add(LayerSpec l, List<String> refs) {
      Node n = test(l, refs);
      if (n == null) {
        throw new IllegalStateException("generator built an invalid layer: " + l.render()
            + " reading " + refs);
      }
      l.refs = List.copyOf(refs);
      boolean merge = l.kind.equals("Add") || l.kind.equals("Concat");
      if (merge || refs.size() != 1 || !refs.get(0).equals(lastDeclared) || r.nextInt(8) == 0) {
        l.attrs.put("from", fromText(refs));
      }
      record(l, n, List.of(n));
      return n;
    }

    private void record(LayerSpec l, Node out, List<Node> expanded) {
      layers.add(l);
      outputs.put(l.name, out);
      if (block == null) {
        net.nodes.addAll(expanded);
      }
      net.features.add(l.kind);
      if (l.ceil) {
        net.features.add("Pool ceilMode");
      }
      if (l.kind.equals("Pool") && l.attrs.containsKey("dilation")) {
        net.features.add("Pool dilation");
      }
      if (l.autoPad != null) {
        net.features.add("autoPad");
      }
      int[] pad = l.nums.get("padding");
      if (pad != null && pad.length == 4) {
        net.features.add("padding {t, l, b, r}");
      }
      if ("ELU".equals(l.attrs.get("activation")) || "Activation.ELU".equals(
          l.attrs.get("activation"))) {
        net.features.add("ELU");
      }
      lastDeclared = l.name;
      cur = out;
      curRef = l.name;
      l.out = out.shape;
      l.rf = out.rf();
      for (Node n : expanded) {
        l.params += n.params;
      }
    }

    /** A new layer of {@code kind}, named. */
    LayerSpec layer(String kind) {
      LayerSpec l = new LayerSpec();
      l.kind = kind;
      l.name = newName();
      return l;
    }
  }

  // ---- valid networks --------------------------------------------------------------------------

  private Net validNetwork(SplittableRandom r, int index) {
    Net net = new Net(r);
    switch (r.nextInt(10)) {
      case 0 -> net.simpleName = "Réseau" + index;
      case 1 -> net.simpleName = "Net$" + index;
      case 2 -> {
        net.outer = "Outer" + index;
        net.simpleName = "Inner";
      }
      case 3 -> net.simpleName = "网络" + index;
      default -> net.simpleName = "N" + index;
    }
    boolean image = r.nextInt(10) < 7;
    if (image) {
      int h = 1 + r.nextInt(16);
      int w = r.nextInt(10) < 6 ? h : 1 + r.nextInt(16);
      net.input = new int[] {1 + r.nextInt(3), h, w};
    } else {
      net.input = new int[] {1 + r.nextInt(24)};
    }
    net.attrs.put("input", ints(r, net.input));
    net.blocksFirst = r.nextBoolean();
    int count = r.nextInt(10) == 0 ? 6 + r.nextInt(7) : 1 + r.nextInt(5);
    boolean huge = r.nextInt(50) == 0;
    Scope s = new Scope(net, null, new Node(INPUT, net.input, 1, 1, 1, 1, 0));
    s.huge = huge;
    for (int i = 0; i < count; i++) {
      boolean last = i == count - 1;
      if (huge && i == 0) {
        LayerSpec l = s.layer(s.cur.image() ? "Conv" : "Affine");
        if (s.cur.image()) {
          s.num(l, "filters", 100000);
          s.num(l, "kernel", 1);
        } else {
          l.nums.put("units", new int[] {1 << 20});
          l.attrs.put("units", "1 << 20");
        }
        s.add(l, List.of(s.curRef));
      } else {
        step(s, last);
      }
    }
    LayerSpec last = net.layers.get(net.layers.size() - 1);
    long outSize = size(last.out);
    boolean lossAttr = last.kind.equals("Conv") || last.kind.equals("Affine");
    // The loss, on @Network or on the last layer (only Conv and Affine have a loss attribute).
    int k = r.nextInt(100);
    String loss = outSize >= 2 && k < 35 ? "SOFTMAX_CROSS_ENTROPY"
        : k < 55 ? "MSE" : k < 75 ? "HALF_SQUARED_ERROR" : "NONE";
    net.loss = loss;
    if (loss.equals("SOFTMAX_CROSS_ENTROPY") && r.nextInt(20) != 0) {
      last.attrs.remove("activation");
      last.attrs.remove("negativeSlope");
      last.attrs.remove("alpha");
    }
    if (loss.equals("NONE")) {
      if (r.nextBoolean()) {
        net.attrs.put("loss", "NONE");
      }
      if (r.nextBoolean()) {
        net.classAnnotations.add("@SuppressWarnings(\"lamina:no-loss\")");
      }
    } else if (lossAttr && r.nextInt(10) < 3) {
      last.attrs.put("loss", r.nextBoolean() ? loss : "Loss." + loss);
    } else {
      net.attrs.put("loss", loss);
    }
    if (loss.equals("SOFTMAX_CROSS_ENTROPY") && r.nextInt(10) < 4) {
      net.attrs.put("classes", Long.toString(outSize));
    }
    switch (r.nextInt(5)) {
      case 0 -> net.attrs.put("precision", "DOUBLE");
      case 1 -> net.attrs.put("precision", "{DOUBLE}");
      case 2 -> net.attrs.put("precision", "{DOUBLE, FLOAT}");
      case 3 -> net.attrs.put("precision", "{Precision.FLOAT, Precision.DOUBLE}");
      default -> net.attrs.put("precision", "{FLOAT, DOUBLE}");
    }
    net.hasFloat = net.attrs.get("precision").contains("FLOAT");
    // Receptive-field requirements that hold, on layers and on the network.
    int[] extent = extent(net.input);
    for (LayerSpec l : net.layers) {
      if (!l.kind.equals("Apply") && r.nextInt(6) == 0) {
        l.attrs.put("receptiveField", holdingRequirement(r, l.rf, extent));
      }
    }
    if (r.nextInt(6) == 0) {
      net.attrs.put("receptiveField", holdingRequirement(r, last.rf, extent));
    }
    for (BlockSpec b : net.blocks) {
      net.features.add(b.uses.size() > 1 ? "Block used " + b.uses.size() + "x" : "Block used 1x");
    }
    return net;
  }

  private static int[] extent(int[] input) {
    return input.length == 3 ? new int[] {input[1], input[2]} : new int[] {1, input[0]};
  }

  /** One step: a plain layer, or (not last, mostly) a graph structure. */
  private void step(Scope s, boolean last) {
    SplittableRandom r = s.r;
    if (!s.huge && (!last || r.nextInt(5) == 0)) {
      int k = r.nextInt(100);
      if (s.block == null && !s.net.blocks.isEmpty() && r.nextInt(4) == 0) {
        k = 33; // use a block again
      }
      boolean done = false;
      if (k < 10) {
        done = residual(s);
      } else if (k < 18) {
        done = concat(s);
      } else if (k < 24) {
        done = batchNorm(s);
      } else if (k < 28) {
        done = dropout(s);
      } else if (k < 31) {
        done = gap(s);
      } else if (k < 41) {
        done = apply(s);
      } else if (k < 43 && !last && s.block == null) {
        done = side(s);
      }
      if (done) {
        return;
      }
    }
    plain(s, last);
  }

  private void plain(Scope s, boolean last) {
    SplittableRandom r = s.r;
    int k = r.nextInt(100);
    boolean done = false;
    if (s.cur.image() && k < (last ? 25 : 50)) {
      done = conv(s);
    } else if (s.cur.image() && k < (last ? 40 : 80)) {
      done = pool(s);
    }
    if (!done) {
      affine(s, last);
    }
  }

  private boolean conv(Scope s) {
    SplittableRandom r = s.r;
    int h = s.cur.shape[1];
    int w = s.cur.shape[2];
    for (int attempt = 0; attempt < 20; attempt++) {
      int kh = 1 + r.nextInt(5);
      int kw = r.nextInt(10) < 6 ? kh : 1 + r.nextInt(5);
      int dh = r.nextInt(10) < 8 ? 1 : 2;
      int dw = r.nextInt(10) < 7 ? dh : 1 + r.nextInt(2);
      int sh = stride(r);
      int sw = r.nextInt(10) < 8 ? sh : stride(r);
      long keh = (long) dh * (kh - 1) + 1;
      long kew = (long) dw * (kw - 1) + 1;
      int ph = padding(r, keh - 1);
      int pw = r.nextInt(10) < 7 && ph < kew ? ph : padding(r, kew - 1);
      // one in eight asymmetric {top, left, bottom, right}, one in ten autoPad
      int[] pad = {ph, pw, ph, pw};
      boolean asym = r.nextInt(8) == 0;
      if (asym) {
        pad = new int[] {ph, pw, padding(r, keh - 1), padding(r, kew - 1)};
      }
      String auto = !asym && r.nextInt(10) == 0
          ? new String[] {"SAME_UPPER", "SAME_LOWER", "VALID"}[r.nextInt(3)] : null;
      if (auto != null) {
        pad = new int[4];
        if (!auto.equals("VALID")) {
          int[] ah = same(h, keh, sh, auto.equals("SAME_UPPER"));
          int[] aw = same(w, kew, sw, auto.equals("SAME_UPPER"));
          pad = new int[] {ah[0], aw[0], ah[1], aw[1]};
        }
      }
      long oh = outSize(h, keh, sh, pad[0], pad[2], false);
      long ow = outSize(w, kew, sw, pad[1], pad[3], false);
      if (oh < 1 || ow < 1) {
        continue;
      }
      int filters = r.nextInt(20) == 0 ? 5 + r.nextInt(4) : 1 + r.nextInt(4);
      boolean bias = r.nextInt(5) != 0;
      LayerSpec l = s.layer("Conv");
      s.num(l, "filters", s.param("count", filters, 2));
      if (kh == kw && ph == pw && !asym && auto == null && s.block != null && r.nextInt(3) == 0) {
        int kp = s.param("kernel", kh, 1);
        int pp = s.param("padding", ph, 2);
        s.num(l, "kernel", kp, kp);
        s.num(l, "padding", pp, pp);
      } else {
        s.num(l, "kernel", kh, kw);
        if (auto != null) {
          l.autoPad = auto;
          l.attrs.put("autoPad", "AutoPad." + auto);
        } else if (asym) {
          l.nums.put("padding", pad);
          l.attrs.put("padding", list(pad));
        } else if (ph != 0 || pw != 0 || r.nextInt(5) == 0) {
          s.num(l, "padding", ph, pw);
        }
      }
      if (sh != 1 || sw != 1 || r.nextInt(5) == 0) {
        int sp = sh == sw ? s.param("stride", sh, 3) : sh;
        s.num(l, "stride", sp, sh == sw ? sp : sw);
      }
      if (dh != 1 || dw != 1 || r.nextInt(8) == 0) {
        s.num(l, "dilation", dh, dw);
      }
      l.bias = bias;
      if (!bias || r.nextInt(5) == 0) {
        l.attrs.put("bias", Boolean.toString(bias));
      }
      if (r.nextInt(8) == 0) {
        l.before = "@SuppressWarnings(\"lamina:stride-remainder\") ";
      }
      activation(r, l);
      s.add(l, List.of(s.curRef));
      return true;
    }
    return false;
  }

  private boolean pool(Scope s) {
    SplittableRandom r = s.r;
    int h = s.cur.shape[1];
    int w = s.cur.shape[2];
    for (int attempt = 0; attempt < 20; attempt++) {
      int kh = 1 + r.nextInt(3);
      int kw = r.nextInt(10) < 7 ? kh : 1 + r.nextInt(3);
      boolean defaultStride = r.nextBoolean();
      int sh = defaultStride ? kh : stride(r);
      int sw = defaultStride ? kw : r.nextInt(10) < 8 ? sh : stride(r);
      // dilation, ceil mode, padding up to the effective window minus one, asymmetric padding
      // and autoPad, each now and then
      int dh = r.nextInt(6) == 0 ? 2 : 1;
      int dw = r.nextInt(10) < 7 ? dh : r.nextInt(6) == 0 ? 2 : 1;
      long keh = (long) dh * (kh - 1) + 1;
      long kew = (long) dw * (kw - 1) + 1;
      boolean large = r.nextInt(5) == 0;
      int ph = r.nextInt(10) < 7 ? 0 : r.nextInt((int) (large ? keh : kh / 2 + 1));
      int pw = r.nextInt(10) < 7 ? (int) Math.min(ph, large ? kew - 1 : kw / 2)
          : r.nextInt((int) (large ? kew : kw / 2 + 1));
      int[] pad = {ph, pw, ph, pw};
      boolean asym = r.nextInt(8) == 0;
      if (asym) {
        pad = new int[] {ph, pw, r.nextInt((int) keh), r.nextInt((int) kew)};
      }
      String auto = !asym && r.nextInt(10) == 0
          ? new String[] {"SAME_UPPER", "SAME_LOWER", "VALID"}[r.nextInt(3)] : null;
      if (auto != null) {
        pad = new int[4];
        if (!auto.equals("VALID")) {
          int[] ah = same(h, keh, sh, auto.equals("SAME_UPPER"));
          int[] aw = same(w, kew, sw, auto.equals("SAME_UPPER"));
          pad = new int[] {ah[0], aw[0], ah[1], aw[1]};
        }
      }
      boolean ceil = auto == null && r.nextInt(5) == 0;
      long oh = outSize(h, keh, sh, pad[0], pad[2], ceil);
      long ow = outSize(w, kew, sw, pad[1], pad[3], ceil);
      if (oh < 1 || ow < 1 || emptyWindow(h, kh, dh, sh, pad[0], oh)
          || emptyWindow(w, kw, dw, sw, pad[1], ow)) {
        continue;
      }
      boolean plainWindow = auto == null && !asym && !ceil && dh == 1 && dw == 1;
      int kind = r.nextInt(100);
      String k = kind < 45 ? "MAX" : kind < 80 ? "AVG" : "SUBSAMPLE";
      LayerSpec l = s.layer("Pool");
      l.poolKind = k;
      if (!k.equals("MAX") || r.nextInt(4) == 0) {
        l.attrs.put("kind", r.nextInt(4) == 0 ? "PoolKind." + k : k);
      }
      if (defaultStride && kh == kw && ph == 0 && pw == 0 && plainWindow && s.block != null
          && r.nextInt(3) == 0) {
        int kp = s.param("kernel", kh, 1);
        s.num(l, "size", kp, kp);
      } else {
        s.num(l, "size", kh, kw);
      }
      if (!defaultStride) {
        s.num(l, "stride", sh, sw);
      } else if (r.nextInt(6) == 0) {
        l.attrs.put("stride", "{}");
      }
      if (auto != null) {
        l.autoPad = auto;
        l.attrs.put("autoPad", "AutoPad." + auto);
      } else if (asym) {
        l.nums.put("padding", pad);
        l.attrs.put("padding", list(pad));
      } else if (ph != 0 || pw != 0 || r.nextInt(6) == 0) {
        s.num(l, "padding", ph, pw);
      }
      if (dh != 1 || dw != 1 || r.nextInt(10) == 0) {
        s.num(l, "dilation", dh, dw);
      }
      l.ceil = ceil;
      if (ceil || (auto == null && r.nextInt(10) == 0)) {
        l.attrs.put("ceilMode", Boolean.toString(ceil));
      }
      if (k.equals("AVG") && r.nextBoolean()) {
        l.attrs.put("countPadding", Boolean.toString(r.nextBoolean()));
      }
      if (r.nextInt(8) == 0) {
        l.before = "@SuppressWarnings(\"lamina:stride-remainder\") ";
      }
      activation(r, l);
      s.add(l, List.of(s.curRef));
      return true;
    }
    return false;
  }

  private void affine(Scope s, boolean last) {
    SplittableRandom r = s.r;
    int units = last && r.nextBoolean() ? 2 + r.nextInt(5)
        : r.nextInt(10) == 0 ? 9 + r.nextInt(24) : 1 + r.nextInt(8);
    affineLayer(s, s.param("units", units, 2), s.curRef);
  }

  private LayerSpec affineLayer(Scope s, int units, String from) {
    SplittableRandom r = s.r;
    LayerSpec l = s.layer("Affine");
    s.num(l, "units", units);
    boolean bias = r.nextInt(5) != 0;
    l.bias = bias;
    if (!bias || r.nextInt(4) == 0) {
      l.attrs.put("bias", Boolean.toString(bias));
    }
    activation(r, l);
    s.add(l, List.of(from));
    return l;
  }

  /** A convolution keeping the size at stride 1 ("same" padding, odd effective kernel). */
  private LayerSpec sameConv(Scope s, int filters, int stride, String from) {
    SplittableRandom r = s.r;
    int k = new int[] {1, 3, 3, 5}[r.nextInt(4)];
    int d = k > 1 && r.nextInt(6) == 0 ? 2 : 1;
    int pad = d * (k - 1) / 2;
    LayerSpec l = s.layer("Conv");
    s.num(l, "filters", filters);
    s.num(l, "kernel", k);
    if (stride != 1 || r.nextInt(5) == 0) {
      s.num(l, "stride", stride);
    }
    if (pad != 0 || r.nextInt(5) == 0) {
      s.num(l, "padding", pad);
    }
    if (d != 1) {
      s.num(l, "dilation", d);
    }
    l.bias = r.nextInt(3) != 0;
    if (!l.bias || r.nextInt(5) == 0) {
      l.attrs.put("bias", Boolean.toString(l.bias));
    }
    if (stride != 1 && r.nextInt(4) == 0) {
      l.before = "@SuppressWarnings(\"lamina:stride-remainder\") ";
    }
    activation(r, l);
    s.add(l, List.of(from));
    return l;
  }

  private LayerSpec batchNormLayer(Scope s, String from) {
    SplittableRandom r = s.r;
    LayerSpec l = s.layer("BatchNorm");
    if (r.nextInt(3) == 0) {
      String[] eps = {"1e-5", "1e-3", "0.01", "1e-4", "2.5e-2", "0.1"};
      l.attrs.put("eps", eps[r.nextInt(eps.length)]);
    }
    if (r.nextInt(3) == 0) {
      String[] momentum = {"0.1", "0.0", "1.0", "0.5", "0.01", "1", "0"};
      l.attrs.put("momentum", momentum[r.nextInt(momentum.length)]);
    }
    activation(r, l);
    s.add(l, List.of(from));
    return l;
  }

  private LayerSpec dropoutLayer(Scope s, String from) {
    SplittableRandom r = s.r;
    LayerSpec l = s.layer("Dropout");
    if (r.nextInt(4) != 0) {
      String[] p = {"0.0", "0.1", "0.25", "0.5", "0.75", "0.9", "1e-3", "0"};
      l.attrs.put("p", p[r.nextInt(p.length)]);
    }
    if (r.nextInt(3) == 0) {
      String[] seed = {"1", "42", "-7", "123456789012L", "Long.MIN_VALUE", "0"};
      l.attrs.put("seed", seed[r.nextInt(seed.length)]);
    }
    if (r.nextInt(4) == 0) {
      activation(r, l);
    }
    s.add(l, List.of(from));
    return l;
  }

  private boolean batchNorm(Scope s) {
    batchNormLayer(s, s.curRef);
    return true;
  }

  private boolean dropout(Scope s) {
    dropoutLayer(s, s.curRef);
    return true;
  }

  private boolean gap(Scope s) {
    if (!s.cur.image()) {
      return false;
    }
    LayerSpec l = s.layer("GlobalAvgPool");
    activation(s.r, l);
    s.add(l, List.of(s.curRef));
    return true;
  }

  /** A layer nothing reads (a warning, silenced or not); the next layer reads the one before. */
  private boolean side(Scope s) {
    Node cur = s.cur;
    String ref = s.curRef;
    LayerSpec l = s.r.nextBoolean() ? batchNormLayer(s, ref) : dropoutLayer(s, ref);
    if (s.r.nextBoolean()) {
      l.before = "@SuppressWarnings(\"lamina:unused-output\") ";
    }
    s.cur = cur;
    s.curRef = ref;
    s.net.features.add("side layer");
    return true;
  }

  /**
   * A residual branch: one or two layers (with batch normalization or not), added to the identity
   * or to a projection of the same stride ({@code y = F(x) + x} or {@code F(x) + P(x)}),
   * sometimes with a second branch.
   */
  private boolean residual(Scope s) {
    SplittableRandom r = s.r;
    Node x = s.cur;
    String xRef = s.curRef;
    List<String> from = new ArrayList<>();
    if (x.image()) {
      int stride = r.nextInt(4) == 0 ? 2 : 1;
      boolean identity = stride == 1 && r.nextBoolean();
      int f = s.param("count", identity ? x.shape[0] : 1 + r.nextInt(4), 2);
      int sp = stride == 1 ? 1 : s.param("stride", stride, 2);
      int branches = r.nextInt(5) == 0 ? 2 : 1;
      for (int b = 0; b < branches; b++) {
        int convs = 1 + r.nextInt(2);
        String last = xRef;
        for (int c = 0; c < convs; c++) {
          last = sameConv(s, f, c == 0 ? sp : 1, last).name;
          if (r.nextBoolean()) {
            last = batchNormLayer(s, last).name;
          }
        }
        from.add(last);
      }
      if (identity) {
        from.add(xRef);
      } else {
        LayerSpec p = s.layer("Conv");
        s.num(p, "filters", f);
        s.num(p, "kernel", 1);
        if (stride != 1 || r.nextInt(5) == 0) {
          s.num(p, "stride", sp);
        }
        p.bias = r.nextBoolean();
        if (!p.bias || r.nextInt(4) == 0) {
          p.attrs.put("bias", Boolean.toString(p.bias));
        }
        if (stride != 1 && r.nextBoolean()) {
          p.before = "@SuppressWarnings(\"lamina:stride-remainder\") ";
        }
        s.add(p, List.of(xRef));
        String proj = p.name;
        if (r.nextBoolean()) {
          proj = batchNormLayer(s, proj).name;
        }
        from.add(proj);
        s.net.features.add("projection");
      }
    } else {
      int d = x.shape[0];
      boolean identity = r.nextBoolean();
      int units = s.param("units", identity ? d : 1 + r.nextInt(8), 2);
      String last = affineLayer(s, s.param("units", 1 + r.nextInt(8), 3), xRef).name;
      if (r.nextInt(3) == 0) {
        last = batchNormLayer(s, last).name;
      }
      if (r.nextInt(3) == 0) {
        last = dropoutLayer(s, last).name;
      }
      from.add(affineLayer(s, units, last).name);
      from.add(identity ? xRef : affineLayer(s, units, xRef).name);
    }
    Collections.shuffle(from, new java.util.Random(r.nextLong()));
    LayerSpec add = s.layer("Add");
    activation(r, add);
    if (s.test(add, from) == null) {
      throw new IllegalStateException("residual does not add up: " + from);
    }
    s.add(add, from);
    return true;
  }

  /**
   * Parallel branches of equal spatial size (and jump), concatenated: Inception on images
   * (convolutions, pooling, the input itself, at stride 1 or 2), several heads on flat values, or
   * global average pooling beside an Affine head.
   */
  private boolean concat(Scope s) {
    SplittableRandom r = s.r;
    Node x = s.cur;
    String xRef = s.curRef;
    List<String> from = new ArrayList<>();
    int branches = 2 + r.nextInt(3);
    if (x.image() && r.nextInt(5) != 0) {
      int stride = r.nextInt(4) == 0 ? 2 : 1;
      int sp = stride == 1 ? 1 : s.param("stride", stride, 3);
      for (int b = 0; b < branches; b++) {
        int k = r.nextInt(stride == 1 ? 6 : 3);
        String out;
        switch (k) {
          case 0 -> out = sameConv(s, s.param("count", 1 + r.nextInt(4), 2), sp, xRef).name;
          case 1 -> {
            String reduce = sameConv(s, s.param("count", 1 + r.nextInt(3), 3), sp, xRef).name;
            out = sameConv(s, s.param("count", 1 + r.nextInt(4), 2), 1, reduce).name;
          }
          case 2 -> {
            LayerSpec p = s.layer("Pool");
            int kind = r.nextInt(3);
            p.poolKind = new String[] {"MAX", "AVG", "SUBSAMPLE"}[kind];
            if (kind != 0 || r.nextInt(3) == 0) {
              p.attrs.put("kind", p.poolKind);
            }
            boolean three = r.nextInt(4) != 0;
            s.num(p, "size", three ? 3 : 1);
            if (stride != 1 || three || r.nextBoolean()) {
              s.num(p, "stride", sp);
            }
            if (three) {
              s.num(p, "padding", 1);
            }
            s.add(p, List.of(xRef));
            out = p.name;
            if (r.nextBoolean()) {
              out = sameConv(s, s.param("count", 1 + r.nextInt(3), 2), 1, out).name;
            }
          }
          case 3 -> out = batchNormLayer(s, xRef).name;
          case 4 -> out = dropoutLayer(s, xRef).name;
          default -> out = xRef;
        }
        from.add(out);
      }
    } else if (x.image()) {
      // Heads: global average pooling beside an Affine layer over the whole map.
      LayerSpec g = s.layer("GlobalAvgPool");
      s.add(g, List.of(xRef));
      from.add(g.name);
      from.add(affineLayer(s, s.param("units", 1 + r.nextInt(6), 2), xRef).name);
      s.net.features.add("GlobalAvgPool beside Affine");
    } else {
      for (int b = 0; b < branches; b++) {
        switch (r.nextInt(4)) {
          case 0, 1 -> from.add(affineLayer(s, s.param("units", 1 + r.nextInt(6), 2), xRef).name);
          case 2 -> from.add(r.nextBoolean() ? batchNormLayer(s, xRef).name
              : dropoutLayer(s, xRef).name);
          default -> from.add(xRef);
        }
      }
    }
    if (r.nextInt(3) == 0) {
      Collections.shuffle(from, new java.util.Random(r.nextLong()));
    }
    LayerSpec cat = s.layer("Concat");
    activation(r, cat);
    if (s.test(cat, from) == null) {
      throw new IllegalStateException("branches do not concatenate: " + from);
    }
    s.add(cat, from);
    return true;
  }

  // ---- blocks ----------------------------------------------------------------------------------

  /** A use of an existing block (other arguments when they fit) or of a new one. */
  private boolean apply(Scope s) {
    if (s.block != null) {
      return false;
    }
    SplittableRandom r = s.r;
    Net net = s.net;
    String use = s.newName();
    BlockSpec b = null;
    int[] args = null;
    List<Node> nodes = null;
    if (!net.blocks.isEmpty() && r.nextInt(6) != 0) {
      b = net.blocks.get(r.nextInt(net.blocks.size()));
      for (int attempt = 0; attempt < 30 && args == null; attempt++) {
        int[] a = attempt < 28 ? resample(b, s.cur, r) : b.firstArgs();
        List<Node> n = expand(b, a, s.cur, use, net.input);
        if (n != null && (attempt >= 15 || !usedBefore(b, a))) {
          args = a;
          nodes = n;
        }
      }
    }
    if (args == null) {
      b = newBlock(s, use);
      if (b == null) {
        return false;
      }
      args = b.firstArgs();
      nodes = expand(b, args, s.cur, use, net.input);
      if (nodes == null) {
        throw new IllegalStateException("block " + b.name + " does not fit its first use");
      }
      net.blocks.add(b);
    }
    LayerSpec l = new LayerSpec();
    l.kind = "Apply";
    l.name = use;
    l.block = b;
    l.args = args;
    l.attrs.put("block", b.name + ".class");
    if (args.length > 0 || r.nextInt(4) == 0) {
      l.attrs.put("args", args.length == 1 && r.nextBoolean() ? Integer.toString(args[0])
          : list(args));
    }
    l.refs = List.of(s.curRef);
    if (!s.curRef.equals(s.lastDeclared) || r.nextInt(8) == 0) {
      l.attrs.put("from", s.fromText(l.refs));
    }
    b.uses.add(l);
    s.record(l, nodes.get(nodes.size() - 1), nodes);
    return true;
  }

  private static boolean usedBefore(BlockSpec b, int[] args) {
    for (LayerSpec u : b.uses) {
      if (Arrays.equals(u.args, args)) {
        return true;
      }
    }
    return false;
  }

  /** Other arguments for a block: some resampled by role. */
  private static int[] resample(BlockSpec b, Node in, SplittableRandom r) {
    int[] a = b.firstArgs();
    for (int k = 0; k < a.length; k++) {
      if (r.nextInt(3) == 0) {
        continue;
      }
      a[k] = switch (b.roles.get(k)) {
        case "count", "units" -> r.nextInt(3) == 0 ? in.shape[0] : 1 + r.nextInt(5);
        case "kernel" -> 1 + r.nextInt(4);
        case "padding" -> r.nextInt(3);
        case "stride" -> 1 + r.nextInt(2);
        default -> a[k];
      };
    }
    return a;
  }

  /** The layers of one use of a block in the model, or null when they do not fit. */
  private static List<Node> expand(BlockSpec b, int[] args, Node in, String use,
      int[] netInput) {
    Map<String, Node> local = new HashMap<>();
    local.put(INPUT, in);
    List<Node> out = new ArrayList<>();
    for (LayerSpec l : b.layers) {
      List<Node> ins = new ArrayList<>();
      for (String ref : l.refs) {
        ins.add(local.get(ref));
      }
      Node n = eval(l, ins, args, use + "." + l.name, netInput);
      if (n == null) {
        return null;
      }
      local.put(l.name, n);
      out.add(n);
    }
    return out;
  }

  private BlockSpec newBlock(Scope s, String use) {
    SplittableRandom r = s.r;
    String[] styles = {"Blk%d", "Basic%d", "Módulo%d", "Block%d", "B$%d"};
    BlockSpec b = new BlockSpec(String.format(styles[r.nextInt(styles.length)],
        s.net.blocks.size()) + "_" + s.counter);
    Scope bs = new Scope(s.net, b, s.cur);
    int steps = 1 + r.nextInt(3);
    for (int i = 0; i < steps; i++) {
      step(bs, false);
    }
    return b;
  }

  // ---- small pieces ----------------------------------------------------------------------------

  private void activation(SplittableRandom r, LayerSpec l) {
    if (r.nextInt(4) == 0) {
      return; // default IDENTITY
    }
    String a = ACTIVATIONS[r.nextInt(ACTIVATIONS.length)];
    l.attrs.put("activation", r.nextInt(5) == 0 ? "Activation." + a : a);
    if (a.equals("LEAKY_RELU") && r.nextInt(10) < 7) {
      String[] slopes = {"0.01", "0.2", "0.5", "-0.1", "0.0", "1e-3", "2"};
      l.attrs.put("negativeSlope", slopes[r.nextInt(slopes.length)]);
    } else if (r.nextInt(30) == 0) {
      l.attrs.put("negativeSlope", "0.1"); // a warning, still valid
    }
    if (a.equals("ELU") && r.nextInt(10) < 7) {
      String[] alphas = {"1.0", "0.5", "2", "0.1", "-0.3", "1e-3", "1.5f"};
      l.attrs.put("alpha", alphas[r.nextInt(alphas.length)]);
    } else if (r.nextInt(30) == 0) {
      l.attrs.put("alpha", "0.7"); // a warning, still valid
    }
  }

  private String holdingRequirement(SplittableRandom r, int[] rf, int[] extent) {
    int k = r.nextInt(3);
    if (k == 0) {
      return "@ReceptiveField(exactly = " + pair(r, rf[0], rf[1]) + ")";
    }
    if (k == 1 || rf[0] < extent[0] || rf[1] < extent[1]) {
      return "@ReceptiveField(atLeast = " + pair(r, 1 + r.nextInt(rf[0]), 1 + r.nextInt(rf[1]))
          + ")";
    }
    return "@ReceptiveField(coversInput = true)";
  }

  private static int stride(SplittableRandom r) {
    int k = r.nextInt(10);
    return k < 6 ? 1 : k < 9 ? 2 : 3;
  }

  private static int padding(SplittableRandom r, long max) {
    if (max <= 0 || r.nextInt(10) < 5) {
      return 0;
    }
    return (int) (r.nextBoolean() ? max / 2 : r.nextLong(max + 1));
  }

  private String memberName(SplittableRandom r, int i, List<String> used) {
    String name;
    if (r.nextInt(3) == 0) {
      name = String.format(NAME_STYLES[r.nextInt(NAME_STYLES.length)], i + 1);
    } else {
      name = "l" + (i + 1);
    }
    if (used.contains(name)) {
      name = name + "_" + i;
    }
    used.add(name);
    return name;
  }

  // ---- rendering helpers -----------------------------------------------------------------------

  /** {@code 3}, {@code {3}} or {@code {3, 3}} for a square pair; {@code {3, 2}} otherwise. */
  static String pair(SplittableRandom r, int h, int w) {
    if (h == w) {
      int k = r.nextInt(3);
      return k == 0 ? Integer.toString(h) : k == 1 ? "{" + h + "}" : "{" + h + ", " + w + "}";
    }
    return "{" + h + ", " + w + "}";
  }

  static String ints(SplittableRandom r, int[] v) {
    if (v.length == 1 && r.nextBoolean()) {
      return Integer.toString(v[0]);
    }
    return list(v);
  }

  /** {@code {1, 2}}, as the processor prints a list. */
  static String list(int[] v) {
    StringBuilder sb = new StringBuilder("{");
    for (int i = 0; i < v.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(v[i]);
    }
    return sb.append('}').toString();
  }

  private static String quoted(List<String> refs) {
    StringBuilder sb = new StringBuilder("{");
    for (int i = 0; i < refs.size(); i++) {
      sb.append(i == 0 ? "" : ", ").append('"').append(refs.get(i)).append('"');
    }
    return sb.append('}').toString();
  }

  // ---- mutations -------------------------------------------------------------------------------

  /** One way of breaking a valid network; false when it does not apply to this one. */
  private interface Mutation extends Function<Net, Boolean> {}

  private final List<Map.Entry<String, Mutation>> mutations = List.of(
      Map.entry("count-non-positive", this::countNonPositive),
      Map.entry("size-non-positive", this::sizeNonPositive),
      Map.entry("size-arity", this::sizeArity),
      Map.entry("padding-negative", this::paddingNegative),
      Map.entry("window-too-large", this::windowTooLarge),
      Map.entry("conv-padding-too-large", this::convPaddingTooLarge),
      Map.entry("pool-padding-too-large", this::poolPaddingTooLarge),
      Map.entry("loss-not-last", this::lossNotLast),
      Map.entry("loss-twice", this::lossTwice),
      Map.entry("softmax-one-unit", this::softmaxOneUnit),
      Map.entry("classes-mismatch", this::classesMismatch),
      Map.entry("classes-negative", this::classesNegative),
      Map.entry("input-rank", this::inputRank),
      Map.entry("input-non-positive", this::inputNonPositive),
      Map.entry("precision-empty", this::precisionEmpty),
      Map.entry("rf-not-exact", this::rfNotExact),
      Map.entry("rf-too-small", this::rfTooSmall),
      Map.entry("rf-not-covering", this::rfNotCovering),
      Map.entry("rf-non-positive", this::rfNonPositive),
      Map.entry("rf-arity", this::rfArity),
      Map.entry("slope-not-finite", this::slopeNotFinite),
      Map.entry("conv-after-affine", this::convAfterAffine),
      Map.entry("conv-on-flat-input", this::convOnFlatInput),
      Map.entry("member-modifier", this::memberModifier),
      Map.entry("member-type", this::memberType),
      Map.entry("two-annotations", this::twoAnnotations),
      Map.entry("parameters-too-large", this::parametersTooLarge),
      Map.entry("conv-parameters-too-large", this::convParametersTooLarge),
      Map.entry("units-too-large", this::unitsTooLarge),
      Map.entry("activation-too-large", this::activationTooLarge),
      Map.entry("input-too-large", this::inputTooLarge),
      // graphs and blocks
      Map.entry("unknown-reference", this::unknownReference),
      Map.entry("forward-reference", this::forwardReference),
      Map.entry("cycle", this::cycle),
      Map.entry("add-shape-mismatch", this::addShapeMismatch),
      Map.entry("concat-spatial-mismatch", this::concatSpatialMismatch),
      Map.entry("jump-mismatch", this::jumpMismatch),
      Map.entry("too-few-inputs", this::tooFewInputs),
      Map.entry("too-many-inputs", this::tooManyInputs),
      Map.entry("dropout-p-range", this::dropoutRange),
      Map.entry("batch-norm-eps", this::batchNormEps),
      Map.entry("batch-norm-momentum", this::batchNormMomentum),
      Map.entry("apply-non-block", this::applyNonBlock),
      Map.entry("block-arg-missing", this::blockArgMissing),
      Map.entry("block-arg-outside-block", this::blockArgOutsideBlock),
      Map.entry("error-in-block-use", this::errorInBlockUse),
      Map.entry("unknown-reference-in-block", this::unknownReferenceInBlock),
      Map.entry("conv-after-gap", this::convAfterGap),
      // padding options, ELU
      Map.entry("padding-with-auto-pad", this::paddingWithAutoPad),
      Map.entry("ceil-with-auto-pad", this::ceilWithAutoPad),
      Map.entry("pool-window-in-padding", this::poolWindowInPadding),
      Map.entry("alpha-not-finite", this::alphaNotFinite));

  /** Names of every mutation, for reports. */
  List<String> mutationNames() {
    return mutations.stream().map(Map.Entry::getKey).toList();
  }

  private void mutate(Net net, SplittableRandom r) {
    int n = mutations.size();
    for (int attempt = 0; attempt < 200; attempt++) {
      Map.Entry<String, Mutation> m = mutations.get(r.nextInt(n));
      if (m.getValue().apply(net)) {
        net.mutation = m.getKey();
        // Everything computed by the model is void after a mutation.
        for (LayerSpec l : net.layers) {
          l.out = null;
          l.rf = null;
        }
        net.nodes.clear();
        return;
      }
    }
    throw new IllegalStateException("no mutation applies");
  }

  private LayerSpec pick(Net net, String... kinds) {
    List<LayerSpec> c = new ArrayList<>();
    for (LayerSpec l : net.layers) {
      for (String k : kinds) {
        if (l.kind.equals(k)) {
          c.add(l);
        }
      }
    }
    return c.isEmpty() ? null : c.get(net.r.nextInt(c.size()));
  }

  /** A member other than an {@code @Apply} use (those have no activation, loss, receptiveField). */
  private LayerSpec pickLayer(Net net) {
    return pick(net, "Conv", "Pool", "Affine", "BatchNorm", "Dropout", "GlobalAvgPool", "Add",
        "Concat");
  }

  private boolean at(Net net, LayerSpec l, String... expected) {
    net.target = l;
    net.expected = List.of(expected);
    return true;
  }

  private boolean atNetwork(Net net, String expected) {
    net.targetNetwork = true;
    net.expected = List.of(expected);
    return true;
  }

  private static LayerSpec spec(String kind, String name) {
    LayerSpec l = new LayerSpec();
    l.kind = kind;
    l.name = name;
    return l;
  }

  private boolean countNonPositive(Net net) {
    LayerSpec l = pick(net, "Conv", "Affine");
    if (l == null) {
      return false;
    }
    String attr = l.kind.equals("Conv") ? "filters" : "units";
    int[] bad = {0, -1, -7, Integer.MIN_VALUE};
    int v = bad[net.r.nextInt(bad.length)];
    l.attrs.put(attr, Integer.toString(v));
    return at(net, l, attr + " = " + v + "; a layer needs " + attr + " >= 1");
  }

  private boolean sizeNonPositive(Net net) {
    LayerSpec l = pick(net, "Conv", "Pool");
    if (l == null) {
      return false;
    }
    String[] attrs = l.kind.equals("Conv")
        ? new String[] {"kernel", "stride", "dilation"} : new String[] {"size", "stride"};
    String attr = attrs[net.r.nextInt(attrs.length)];
    int v = net.r.nextBoolean() ? 0 : -1 - net.r.nextInt(5);
    l.attrs.put(attr, net.r.nextBoolean() ? Integer.toString(v) : "{" + (1 + net.r.nextInt(3))
        + ", " + v + "}");
    return at(net, l, "every " + attr + " value must be >= 1");
  }

  private boolean sizeArity(Net net) {
    LayerSpec l = pick(net, "Conv", "Pool");
    if (l == null) {
      return false;
    }
    String[] attrs = l.kind.equals("Conv")
        ? new String[] {"kernel", "stride", "padding", "dilation"}
        : new String[] {"size", "stride", "padding"};
    String attr = attrs[net.r.nextInt(attrs.length)];
    boolean empty = net.r.nextBoolean() && !(l.kind.equals("Pool") && attr.equals("stride"));
    String v = empty ? "{}" : "{1, 1, 1}";
    l.attrs.put(attr, v);
    return at(net, l, attr + " = " + v + " has " + (empty ? 0 : 3) + " values");
  }

  private boolean paddingNegative(Net net) {
    LayerSpec l = pick(net, "Conv", "Pool");
    if (l == null) {
      return false;
    }
    l.attrs.put("padding", net.r.nextBoolean() ? "-1" : "{0, -2}");
    return at(net, l, "is negative; use padding >= 0");
  }

  private boolean windowTooLarge(Net net) {
    LayerSpec l = pick(net, "Conv", "Pool");
    if (l == null || net.layers.indexOf(l) != 0 || net.input.length != 3) {
      return false; // only the first layer's input is known for sure
    }
    int big = Math.max(net.input[1], net.input[2]) + 1;
    l.attrs.put(l.kind.equals("Conv") ? "kernel" : "size", Integer.toString(big));
    l.attrs.remove("padding");
    l.attrs.remove("dilation");
    l.attrs.remove("autoPad"); // SAME padding would make any window fit
    return at(net, l, "does not fit input");
  }

  private boolean convPaddingTooLarge(Net net) {
    LayerSpec l = pick(net, "Conv");
    if (l == null || net.layers.indexOf(l) != 0) {
      return false;
    }
    l.attrs.put("kernel", "1");
    l.attrs.remove("dilation");
    l.attrs.remove("autoPad");
    l.attrs.put("padding", net.r.nextBoolean() ? Integer.toString(1 + net.r.nextInt(2))
        : "{0, 0, " + (1 + net.r.nextInt(2)) + ", 0}");
    return at(net, l, "is not smaller than the kernel");
  }

  private boolean poolPaddingTooLarge(Net net) {
    LayerSpec l = pick(net, "Pool");
    if (l == null || net.layers.indexOf(l) != 0 || net.input[1] < 3 || net.input[2] < 3) {
      return false;
    }
    l.attrs.put("size", "3");
    l.attrs.remove("dilation");
    l.attrs.remove("autoPad");
    l.attrs.put("padding", net.r.nextBoolean() ? "3" : "{0, 3, 0, 0}");
    return at(net, l, "is not smaller than the window 3x3");
  }

  private boolean lossNotLast(Net net) {
    if (net.layers.size() < 2) {
      return false;
    }
    LayerSpec l = net.layers.get(net.r.nextInt(net.layers.size() - 1));
    if (!l.kind.equals("Conv") && !l.kind.equals("Affine")) {
      return false;
    }
    l.attrs.put("loss", "MSE");
    return at(net, l, "loss = MSE on a layer that is not the last");
  }

  private boolean lossTwice(Net net) {
    LayerSpec last = net.layers.get(net.layers.size() - 1);
    if (!last.kind.equals("Conv") && !last.kind.equals("Affine")) {
      return false;
    }
    net.attrs.put("loss", "MSE");
    last.attrs.put("loss", "HALF_SQUARED_ERROR");
    return at(net, last, "loss is declared both on @Network (MSE) and on the last layer");
  }

  private boolean softmaxOneUnit(Net net) {
    LayerSpec last = net.layers.get(net.layers.size() - 1);
    if (!last.kind.equals("Affine")) {
      return false;
    }
    last.attrs.put("units", "1");
    last.attrs.remove("loss");
    net.attrs.remove("classes");
    net.attrs.put("loss", "SOFTMAX_CROSS_ENTROPY");
    return at(net, last, "SOFTMAX_CROSS_ENTROPY needs at least 2 output units");
  }

  private boolean classesMismatch(Net net) {
    LayerSpec last = net.layers.get(net.layers.size() - 1);
    if (!last.kind.equals("Affine")) {
      return false;
    }
    int units = Integer.parseInt(last.attrs.get("units").replace("1 << 20", "1048576"));
    net.attrs.put("classes", Integer.toString(units + 1 + net.r.nextInt(5)));
    return atNetwork(net, "but the last layer " + last.name + " outputs");
  }

  private boolean classesNegative(Net net) {
    net.attrs.put("classes", Integer.toString(-1 - net.r.nextInt(9)));
    return atNetwork(net, "give the number of classes (>= 2)");
  }

  private boolean inputRank(Net net) {
    String[] bad = {"{1, 28, 28, 28}", "{1, 2, 3, 4}", "{}"};
    int k = net.r.nextInt(bad.length);
    net.attrs.put("input", bad[k]);
    return atNetwork(net, "has " + new int[] {4, 4, 0}[k] + " values; give {C, H, W}");
  }

  private boolean inputNonPositive(Net net) {
    int[] in = net.input.clone();
    in[net.r.nextInt(in.length)] = net.r.nextBoolean() ? 0 : -3;
    net.attrs.put("input", ints(net.r, in));
    return atNetwork(net, "every input dimension must be >= 1");
  }

  private boolean precisionEmpty(Net net) {
    net.attrs.put("precision", "{}");
    return atNetwork(net, "precision = {} would generate no class");
  }

  private boolean rfNotExact(Net net) {
    LayerSpec l = pickLayer(net);
    if (l == null) {
      return false;
    }
    l.attrs.put("receptiveField", "@ReceptiveField(exactly = {" + (l.rf[0] + 1) + ", " + l.rf[1]
        + "})");
    return at(net, l, "@ReceptiveField(exactly = ");
  }

  private boolean rfTooSmall(Net net) {
    LayerSpec last = net.layers.get(net.layers.size() - 1);
    net.attrs.put("receptiveField", "@ReceptiveField(atLeast = " + (Math.max(last.rf[0],
        last.rf[1]) + 1 + net.r.nextInt(10)) + ")");
    return atNetwork(net, "requires at least");
  }

  private boolean rfNotCovering(Net net) {
    int[] extent = extent(net.input);
    for (LayerSpec l : net.layers) {
      if (!l.kind.equals("Apply") && (l.rf[0] < extent[0] || l.rf[1] < extent[1])) {
        l.attrs.put("receptiveField", "@ReceptiveField(coversInput = true)");
        return at(net, l, "which does not cover the input");
      }
    }
    return false;
  }

  private boolean rfNonPositive(Net net) {
    LayerSpec l = pickLayer(net);
    if (l == null) {
      return false;
    }
    l.attrs.put("receptiveField", "@ReceptiveField(atLeast = {3, 0})");
    return at(net, l, "receptive-field sizes must be >= 1");
  }

  private boolean rfArity(Net net) {
    net.attrs.put("receptiveField", "@ReceptiveField(exactly = {1, 2, 3})");
    return atNetwork(net, "@ReceptiveField(exactly = {1, 2, 3}) has 3 values");
  }

  private boolean slopeNotFinite(Net net) {
    LayerSpec l = pickLayer(net);
    if (l == null) {
      return false;
    }
    String[] bad = {"Double.NaN", "Double.POSITIVE_INFINITY", "1.0 / 0.0", "-1e308 * 10"};
    l.attrs.put("activation", "LEAKY_RELU");
    l.attrs.put("negativeSlope", bad[net.r.nextInt(bad.length)]);
    return at(net, l, "is not a finite number");
  }

  private boolean paddingWithAutoPad(Net net) {
    LayerSpec l = pick(net, "Conv", "Pool");
    if (l == null) {
      return false;
    }
    String auto = new String[] {"SAME_UPPER", "SAME_LOWER", "VALID"}[net.r.nextInt(3)];
    l.attrs.put("padding", net.r.nextBoolean() ? "0" : "{1, 0, 0, 1}");
    l.attrs.put("autoPad", "AutoPad." + auto);
    l.attrs.remove("ceilMode");
    return at(net, l, "and autoPad = " + auto + " both set the padding");
  }

  private boolean ceilWithAutoPad(Net net) {
    LayerSpec l = pick(net, "Pool");
    if (l == null) {
      return false;
    }
    String auto = new String[] {"SAME_UPPER", "SAME_LOWER", "VALID"}[net.r.nextInt(3)];
    l.attrs.remove("padding");
    l.attrs.put("autoPad", "AutoPad." + auto);
    l.attrs.put("ceilMode", "true");
    return at(net, l, "ceilMode = true has no effect with autoPad = " + auto);
  }

  /**
   * A dilated pool over a map of height h: taps h + 1 apart, padding 1 on top and bottom, so the
   * only window reads rows -1 and h, both padding.
   */
  private boolean poolWindowInPadding(Net net) {
    List<LayerSpec> images = new ArrayList<>();
    for (LayerSpec l : net.layers.subList(0, net.layers.size() - 1)) {
      if (l.out != null && l.out.length == 3 && l.out[1] < 1000 && !l.kind.equals("Apply")) {
        images.add(l);
      }
    }
    if (images.isEmpty()) {
      return false;
    }
    LayerSpec x = images.get(net.r.nextInt(images.size()));
    int h = x.out[1];
    LayerSpec p = spec("Pool", "padOnly");
    p.attrs.put("size", "{2, 1}");
    p.attrs.put("stride", "1");
    p.attrs.put("dilation", "{" + (h + 1) + ", 1}");
    p.attrs.put("padding", "{1, 0, 1, 0}");
    p.attrs.put("from", q(x.name));
    net.layers.add(net.layers.indexOf(x) + 1, p);
    return at(net, p, "the window of output row 0", "so it would read only padding");
  }

  private boolean alphaNotFinite(Net net) {
    LayerSpec l = pickLayer(net);
    if (l == null) {
      return false;
    }
    String[] bad = {"Double.NaN", "Double.NEGATIVE_INFINITY", "1.0 / 0.0"};
    l.attrs.put("activation", "ELU");
    l.attrs.put("alpha", bad[net.r.nextInt(bad.length)]);
    return at(net, l, "is not a finite number");
  }

  private boolean convAfterAffine(Net net) {
    int i = -1;
    for (int k = 0; k < net.layers.size(); k++) {
      if (net.layers.get(k).kind.equals("Affine")) {
        i = k;
        break;
      }
    }
    if (i < 0) {
      return false;
    }
    LayerSpec c = spec(net.r.nextBoolean() ? "Conv" : "Pool", "bad" + i);
    if (c.kind.equals("Conv")) {
      c.attrs.put("filters", "2");
      c.attrs.put("kernel", "1");
    } else {
      c.attrs.put("size", "1");
    }
    net.layers.add(i + 1, c);
    return at(net, c, "put every Conv and Pool layer before the first Affine layer");
  }

  private boolean convOnFlatInput(Net net) {
    if (net.input.length != 1) {
      return false;
    }
    LayerSpec c = spec("Conv", "flatConv");
    c.attrs.put("filters", "2");
    c.attrs.put("kernel", "1");
    net.layers.add(0, c);
    return at(net, c, "needs a CxHxW input, but the network input is the flat vector");
  }

  private boolean memberModifier(Net net) {
    LayerSpec l = net.layers.get(net.r.nextInt(net.layers.size()));
    switch (net.r.nextInt(3)) {
      case 0 -> {
        l.modifiers = "static ";
        return at(net, l, "layer member is static");
      }
      case 1 -> {
        l.modifiers = "private ";
        return at(net, l, "layer member is private");
      }
      default -> {
        l.modifiers = "final ";
        l.initializer = " = null";
        return at(net, l, "layer member is final");
      }
    }
  }

  private boolean memberType(Net net) {
    LayerSpec l = net.layers.get(net.r.nextInt(net.layers.size()));
    String[] types = {"Object", "String", "Runnable", "int"};
    String t = types[net.r.nextInt(types.length)];
    l.type = t;
    return at(net, l, "a layer member must have type dev.lamina.dsl.Layer, not");
  }

  private boolean twoAnnotations(Net net) {
    LayerSpec l = net.layers.get(net.r.nextInt(net.layers.size()));
    l.extraAnnotation = l.kind.equals("Pool") ? "@Affine(units = 3) " : "@Pool(size = 1) ";
    return at(net, l, "but a member is exactly one layer");
  }

  /**
   * Two Affine layers of 2^20 units: 2^40 parameters. The error is on the layer that crosses the
   * limit: {@code wider}, or already {@code wide} after a huge layer.
   */
  private boolean parametersTooLarge(Net net) {
    long before = 0;
    for (Node n : net.nodes) {
      before += n.params;
    }
    long outputs = size(net.layers.get(net.layers.size() - 1).out);
    boolean wideCrosses = before + (outputs + 1) * (1L << 20) > Integer.MAX_VALUE - 8;
    LayerSpec a = spec("Affine", "wide");
    a.attrs.put("units", "1 << 20");
    LayerSpec b = spec("Affine", "wider");
    b.attrs.put("units", net.r.nextBoolean() ? "1 << 20" : "1048576");
    net.layers.add(a);
    net.layers.add(b);
    net.attrs.remove("classes");
    return at(net, wideCrosses ? a : b, "more than a Java array can hold");
  }

  /** 2^20 filters of 64x64 over the input: 4·10^9 parameters. */
  private boolean convParametersTooLarge(Net net) {
    if (net.input.length != 3) {
      return false;
    }
    LayerSpec c = spec("Conv", "huge");
    c.attrs.put("filters", "1 << 20");
    c.attrs.put("kernel", "64");
    c.attrs.put("padding", "32");
    net.layers.add(0, c);
    return at(net, c, "more than a Java array can hold");
  }

  private boolean unitsTooLarge(Net net) {
    LayerSpec l = pick(net, "Affine");
    if (l == null) {
      return false;
    }
    l.attrs.put("units", "Integer.MAX_VALUE");
    return at(net, l, "more than a Java array can hold");
  }

  /** 100000 filters over an 8192x8192 image: 6.7·10^12 activations. */
  private boolean activationTooLarge(Net net) {
    LayerSpec c = spec("Conv", "wideConv");
    c.attrs.put("filters", "100000");
    c.attrs.put("kernel", "1");
    net.layers.add(0, c);
    net.attrs.put("input", "{1, 8192, 8192}");
    return at(net, c, "more than a Java array can hold");
  }

  private boolean inputTooLarge(Net net) {
    net.attrs.put("input", "{100000, 100000, 100000}");
    return atNetwork(net, "more than a Java array can hold");
  }

  // ---- mutations of graphs and blocks ----------------------------------------------------------

  private static String q(String name) {
    return "\"" + name + "\"";
  }

  /** Replaces one reference of {@code l} (its only one, or one of a merge's) with {@code name}. */
  private static void replaceRef(Net net, LayerSpec l, String name) {
    List<String> refs = new ArrayList<>(l.refs);
    refs.set(net.r.nextInt(refs.size()), name);
    l.attrs.put("from", refs.size() == 1 && net.r.nextBoolean() ? q(name) : quoted(refs));
  }

  private int indexOf(Net net, String name) {
    for (int i = 0; i < net.layers.size(); i++) {
      if (net.layers.get(i).name.equals(name)) {
        return i;
      }
    }
    return -1;
  }

  /** Whether member {@code from} reads member {@code target}, directly or not. */
  private boolean reaches(Net net, int from, int target) {
    if (from == target) {
      return true;
    }
    if (from < 0) {
      return false;
    }
    for (String ref : net.layers.get(from).refs) {
      int k = indexOf(net, ref);
      if (k >= 0 && k < from && reaches(net, k, target)) {
        return true;
      }
    }
    return false;
  }

  private boolean unknownReference(Net net) {
    LayerSpec l = net.layers.get(net.r.nextInt(net.layers.size()));
    String[] ghosts = {"ghost", "Input", "INPUT", "l0", "nosuch$1", "the layer"};
    String ghost = ghosts[net.r.nextInt(ghosts.length)];
    // A name only a block knows, or a use's qualified layer name: unknown in the network too.
    for (BlockSpec b : net.blocks) {
      if (net.r.nextBoolean()) {
        LayerSpec inner = b.layers.get(net.r.nextInt(b.layers.size()));
        ghost = net.r.nextBoolean() && indexOf(net, inner.name) < 0 ? inner.name
            : b.uses.get(0).name + "." + inner.name;
      }
    }
    if (indexOf(net, ghost) >= 0) {
      return false;
    }
    replaceRef(net, l, ghost);
    return at(net, l, "from = \"" + ghost + "\" names no layer");
  }

  private boolean unknownReferenceInBlock(Net net) {
    if (net.blocks.isEmpty()) {
      return false;
    }
    BlockSpec b = net.blocks.get(net.r.nextInt(net.blocks.size()));
    LayerSpec l = b.layers.get(net.r.nextInt(b.layers.size()));
    // A member of the network is not visible inside the block.
    String ghost = net.layers.get(0).name;
    for (LayerSpec x : b.layers) {
      if (x.name.equals(ghost)) {
        ghost = "ghost";
      }
    }
    replaceRef(net, l, ghost);
    LayerSpec use = b.uses.get(0);
    return at(net, l, context(b, use.name, use.args) + use.name + "." + l.name + ": from = \""
        + ghost + "\" names no layer", "for the block's input");
  }

  private static String context(BlockSpec b, String use, int[] args) {
    return "in " + use + " (" + b.name + (args.length == 0 ? "" : " with args " + list(args))
        + "): ";
  }

  /** A new side layer reading a member declared below it, which does not read it back. */
  private boolean forwardReference(Net net) {
    List<Integer> at = new ArrayList<>();
    for (int m = 1; m < net.layers.size(); m++) {
      if (net.layers.get(m).attrs.containsKey("from")) {
        at.add(m);
      }
    }
    if (at.isEmpty()) {
      return false;
    }
    int m = at.get(net.r.nextInt(at.size()));
    LayerSpec later = net.layers.get(m + net.r.nextInt(net.layers.size() - m));
    LayerSpec x = spec(net.r.nextBoolean() ? "Dropout" : "BatchNorm", "early");
    x.attrs.put("from", q(later.name));
    net.layers.add(m, x);
    return at(net, x, "from = \"" + later.name + "\" names a layer declared below early");
  }

  private boolean cycle(Net net) {
    int i = net.r.nextInt(net.layers.size());
    List<Integer> candidates = new ArrayList<>();
    for (int k = i; k < net.layers.size(); k++) {
      if (reaches(net, k, i)) {
        candidates.add(k);
      }
    }
    int k = candidates.get(net.r.nextInt(candidates.size()));
    LayerSpec l = net.layers.get(i);
    String name = net.layers.get(k).name;
    replaceRef(net, l, name);
    return at(net, l, "from = \"" + name + "\" closes a cycle (" + l.name + " -> ");
  }

  /** Members and the input declared before member {@code i}, with their model outputs. */
  private List<String> before(Net net, int i) {
    List<String> names = new ArrayList<>();
    names.add(INPUT);
    for (int k = 0; k < i; k++) {
      names.add(net.layers.get(k).name);
    }
    return names;
  }

  private int[] shapeOf(Net net, String name) {
    return name.equals(INPUT) ? net.input : net.layers.get(indexOf(net, name)).out;
  }

  private boolean addShapeMismatch(Net net) {
    LayerSpec l = pick(net, "Add");
    if (l == null) {
      return false;
    }
    int[] first = shapeOf(net, l.refs.get(0));
    List<String> c = new ArrayList<>();
    for (String n : before(net, net.layers.indexOf(l))) {
      if (!Arrays.equals(shapeOf(net, n), first)) {
        c.add(n);
      }
    }
    if (c.isEmpty()) {
      return false;
    }
    List<String> refs = new ArrayList<>(l.refs);
    refs.set(1 + net.r.nextInt(refs.size() - 1), c.get(net.r.nextInt(c.size())));
    l.attrs.put("from", quoted(refs));
    return at(net, l, "@Add needs inputs of one shape, but ");
  }

  private boolean concatSpatialMismatch(Net net) {
    LayerSpec l = pick(net, "Concat");
    if (l == null) {
      return false;
    }
    int[] first = shapeOf(net, l.refs.get(0));
    List<String> c = new ArrayList<>();
    for (String n : before(net, net.layers.indexOf(l))) {
      int[] s = shapeOf(net, n);
      if (s.length != first.length
          || (s.length == 3 && (s[1] != first[1] || s[2] != first[2]))) {
        c.add(n);
      }
    }
    if (c.isEmpty()) {
      return false;
    }
    List<String> refs = new ArrayList<>(l.refs);
    refs.set(1 + net.r.nextInt(refs.size() - 1), c.get(net.r.nextInt(c.size())));
    l.attrs.put("from", quoted(refs));
    return at(net, l, "@Concat joins along the channels, so spatial sizes must match, but ");
  }

  /**
   * Two paths of the same output size but different jumps from an image member X (or the input):
   * 3x3 at stride 2 with padding 1, and a kernel without padding at stride 1 that shrinks the map
   * just as much; merged. The member after X reads X.
   */
  private boolean jumpMismatch(Net net) {
    List<String> c = new ArrayList<>();
    for (String n : before(net, net.layers.size() - 1)) {
      if (shapeOf(net, n).length == 3) {
        c.add(n);
      }
    }
    if (c.isEmpty()) {
      return false;
    }
    String x = c.get(net.r.nextInt(c.size()));
    int i = indexOf(net, x); // -1 for the input
    int[] s = shapeOf(net, x);
    int oh = (s[1] - 1) / 2 + 1;
    int ow = (s[2] - 1) / 2 + 1;
    int filters = 1 + net.r.nextInt(3);
    LayerSpec a = spec("Conv", "strided");
    a.attrs.put("filters", Integer.toString(filters));
    a.attrs.put("kernel", "3");
    a.attrs.put("stride", "2");
    a.attrs.put("padding", "1");
    a.attrs.put("from", q(x));
    a.before = "@SuppressWarnings(\"lamina:stride-remainder\") ";
    LayerSpec b = spec("Conv", "shrunk");
    b.attrs.put("filters", Integer.toString(filters));
    b.attrs.put("kernel", "{" + (s[1] - oh + 1) + ", " + (s[2] - ow + 1) + "}");
    b.attrs.put("from", q(x));
    boolean add = net.r.nextBoolean();
    LayerSpec m = spec(add ? "Add" : "Concat", "merged");
    m.attrs.put("from", net.r.nextBoolean() ? "{\"strided\", \"shrunk\"}"
        : "{\"shrunk\", \"strided\"}");
    LayerSpec next = net.layers.get(i + 1);
    if (!next.attrs.containsKey("from")) {
      next.attrs.put("from", q(x));
    }
    net.layers.add(i + 1, m);
    net.layers.add(i + 1, b);
    net.layers.add(i + 1, a);
    return at(net, m, "have different effective strides");
  }

  private boolean tooFewInputs(Net net) {
    LayerSpec l = pick(net, "Add", "Concat");
    if (l == null) {
      return false;
    }
    switch (net.r.nextInt(3)) { // (from has no default on Add and Concat)
      case 0 -> l.attrs.put("from", q(l.refs.get(0)));
      case 1 -> l.attrs.put("from", "{" + q(l.refs.get(1)) + "}");
      default -> l.attrs.put("from", "{}");
    }
    return at(net, l, "@" + l.kind + " needs at least two inputs but from = ");
  }

  private boolean tooManyInputs(Net net) {
    LayerSpec l = pick(net, "Conv", "Pool", "Affine", "BatchNorm", "Dropout", "GlobalAvgPool",
        "Apply");
    if (l == null) {
      return false;
    }
    List<String> names = before(net, net.layers.indexOf(l));
    List<String> refs = new ArrayList<>(l.refs);
    refs.add(names.get(net.r.nextInt(names.size())));
    l.attrs.put("from", quoted(refs));
    return at(net, l, "@" + l.kind + " reads one layer but from = " + quoted(refs) + " names 2");
  }

  /** An existing layer of {@code kind}, or a new one inserted where it changes no shape. */
  private LayerSpec existingOrNew(Net net, String kind, String name) {
    LayerSpec l = pick(net, kind);
    if (l != null && net.r.nextBoolean()) {
      return l;
    }
    l = spec(kind, name);
    net.layers.add(net.r.nextInt(net.layers.size()), l);
    return l;
  }

  private boolean dropoutRange(Net net) {
    LayerSpec l = existingOrNew(net, "Dropout", "badDrop");
    String[] bad = {"1.0", "1", "-0.5", "1.5", "Double.NaN", "100", "-1e-9"};
    l.attrs.put("p", bad[net.r.nextInt(bad.length)]);
    return at(net, l, "the drop probability must be in [0, 1)");
  }

  private boolean batchNormEps(Net net) {
    LayerSpec l = existingOrNew(net, "BatchNorm", "badNorm");
    String[] bad = {"0", "0.0", "-1e-5", "Double.NaN", "Double.POSITIVE_INFINITY", "-0.0"};
    l.attrs.put("eps", bad[net.r.nextInt(bad.length)]);
    return at(net, l, "eps must be a finite number > 0");
  }

  private boolean batchNormMomentum(Net net) {
    LayerSpec l = existingOrNew(net, "BatchNorm", "badNorm");
    String[] bad = {"-0.1", "1.5", "Double.NaN", "2", "-1", "1.0000001"};
    l.attrs.put("momentum", bad[net.r.nextInt(bad.length)]);
    return at(net, l, "momentum must be in [0, 1]");
  }

  private boolean applyNonBlock(Net net) {
    String plain = "Plain" + net.r.nextInt(100);
    net.plainClasses.add(plain);
    LayerSpec l = pick(net, "Apply");
    if (l == null || net.r.nextBoolean()) {
      l = spec("Apply", "notABlock");
      net.layers.add(net.r.nextInt(net.layers.size()), l);
    }
    l.attrs.put("block", plain + ".class");
    return at(net, l, "@Apply(block = " + plain + ".class) but " + plain
        + " is not annotated with @Block");
  }

  /** The first layer of a block that uses a placeholder for which {@code ok} is false. */
  private static LayerSpec firstUsing(BlockSpec b, java.util.function.IntPredicate bad,
      String... attrs) {
    for (LayerSpec l : b.layers) {
      for (Map.Entry<String, int[]> e : l.nums.entrySet()) {
        if (attrs.length > 0 && !List.of(attrs).contains(e.getKey())) {
          continue;
        }
        for (int v : e.getValue()) {
          if (isArg(v) && bad.test(ARG0 - v)) {
            return l;
          }
        }
      }
    }
    return null;
  }

  private boolean blockArgMissing(Net net) {
    LayerSpec use = pick(net, "Apply");
    if (use == null || use.block == null || use.args.length == 0) {
      return false;
    }
    int n = net.r.nextInt(use.args.length);
    LayerSpec l = firstUsing(use.block, k -> k >= n);
    if (l == null) {
      return false; // the missing arguments are not used
    }
    int[] args = Arrays.copyOf(use.args, n);
    if (n == 0 && net.r.nextBoolean()) {
      use.attrs.remove("args");
    } else {
      use.attrs.put("args", list(args));
    }
    return at(net, l, context(use.block, use.name, args) + use.name + "." + l.name + ": ",
        "but this use passes " + n + " argument");
  }

  private boolean blockArgOutsideBlock(Net net) {
    LayerSpec l = pick(net, "Conv", "Affine");
    if (l == null) {
      return false;
    }
    String attr = l.kind.equals("Conv") ? "filters" : "units";
    int k = net.r.nextInt(8);
    l.attrs.put(attr, "Block.ARG" + k);
    return at(net, l, attr + " = Block.ARG" + k + " is a block argument, but " + l.name
        + " is not in a @Block class");
  }

  /** A Conv or Pool reading GlobalAvgPool's flat output: the message must say what it reads. */
  private boolean convAfterGap(Net net) {
    LayerSpec g = pick(net, "GlobalAvgPool");
    if (g == null) {
      return false;
    }
    LayerSpec c = spec(net.r.nextBoolean() ? "Conv" : "Pool", "afterGap");
    if (c.kind.equals("Conv")) {
      c.attrs.put("filters", "2");
      c.attrs.put("kernel", "1");
    } else {
      c.attrs.put("size", "1");
    }
    c.attrs.put("from", q(g.name));
    net.layers.add(net.layers.indexOf(g) + 1, c);
    return at(net, c, "needs a CxHxW input", "!the network input is the flat vector",
        "!follows the Affine layer");
  }

  /**
   * A block used twice or more (if it is used once, a twin use with the same arguments and input
   * is added right after, which the next layer reads instead); one of its uses gets an argument
   * that breaks a layer, and the error must name that use.
   */
  private boolean errorInBlockUse(Net net) {
    List<BlockSpec> c = new ArrayList<>();
    for (BlockSpec b : net.blocks) {
      if (!b.roles.isEmpty()) {
        c.add(b);
      }
    }
    if (c.isEmpty()) {
      return false;
    }
    BlockSpec b = c.get(net.r.nextInt(c.size()));
    if (b.uses.size() == 1) {
      LayerSpec first = b.uses.get(0);
      LayerSpec twin = spec("Apply", "twin");
      twin.block = b;
      twin.args = first.args;
      twin.refs = first.refs;
      twin.attrs.put("block", b.name + ".class");
      twin.attrs.put("args", list(first.args));
      twin.attrs.put("from", first.refs.get(0).equals(INPUT) ? "Network.INPUT"
          : q(first.refs.get(0)));
      net.layers.add(net.layers.indexOf(first) + 1, twin);
      b.uses.add(twin);
    }
    LayerSpec use = b.uses.get(net.r.nextInt(b.uses.size()));
    int k = net.r.nextInt(b.roles.size());
    String role = b.roles.get(k);
    int[] args = use.args.clone();
    LayerSpec l;
    String text;
    switch (role) {
      case "count", "units" -> {
        args[k] = net.r.nextBoolean() ? 0 : -1 - net.r.nextInt(3);
        l = firstUsing(b, j -> j == k, "filters", "units");
        text = (l == null ? "" : l.kind.equals("Conv") ? "filters" : "units") + " = " + args[k]
            + "; a layer needs ";
      }
      case "kernel" -> {
        args[k] = 99;
        l = firstUsing(b, j -> j == k, "kernel", "size");
        text = "does not fit input";
      }
      case "stride" -> {
        args[k] = 0;
        l = firstUsing(b, j -> j == k, "stride");
        text = "every stride value must be >= 1";
      }
      default -> {
        args[k] = -1;
        l = firstUsing(b, j -> j == k, "padding");
        text = "is negative; use padding >= 0";
      }
    }
    if (l == null) {
      return false;
    }
    use.attrs.put("args", list(args));
    return at(net, l, context(b, use.name, args) + use.name + "." + l.name + ": ", text);
  }
}
