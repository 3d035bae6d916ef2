package dev.lamina.processor.fuzz;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * A seeded generator of network declarations as Java source text.
 *
 * <p>Valid declarations are built layer by layer against the generator's own shape and
 * receptive-field model (written from DOMAIN.md, independently of the processor), so a valid
 * declaration is valid by construction and its output shape, parameter count and per-layer receptive
 * fields are predicted. Invalid declarations start from a valid one and break exactly one thing,
 * recording the line that must carry an error and a fragment of that error's text.
 *
 * <p>Case {@code i} of seed {@code s} depends only on {@code (s, i)}: any single case can be
 * regenerated on its own.
 */
final class DeclarationGenerator {
  static final String PACKAGE = "fz";
  static final String[] ACTIVATIONS =
      {"IDENTITY", "RELU", "LEAKY_RELU", "SIGMOID", "TANH", "GELU", "GELU_TANH"};

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
  private static long size(int[] s) {
    long n = 1;
    for (int v : s) {
      n *= v;
    }
    return n;
  }

  /** One layer member. */
  static final class LayerSpec {
    String kind;
    String name;
    final Map<String, String> attrs = new LinkedHashMap<>();
    String before = "";
    String modifiers = "";
    String type = "Layer";
    String initializer = "";
    String extraAnnotation = "";
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

  /** A network being built or mutated. */
  final class Net {
    final SplittableRandom r;
    final Map<String, String> attrs = new LinkedHashMap<>();
    final List<String> classAnnotations = new ArrayList<>();
    final List<LayerSpec> layers = new ArrayList<>();
    String simpleName;
    String outer; // non-null: a static nested class of this top-level class
    int[] input;
    String loss = "NONE";
    boolean hasFloat;
    boolean hasDouble = true;
    // the mutation, when invalid
    String mutation = "";
    String expectedText = "";
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
      int targetLine = targetNetwork ? firstLine : 0;
      List<String> prefixes = new ArrayList<>();
      prefixes.add(simpleName);
      prefixes.add("input");
      for (LayerSpec l : layers) {
        lines.add(indent + "  " + l.render());
        prefixes.add(l.name);
        if (l == target) {
          targetLine = lines.size();
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
      LayerSpec last = layers.get(layers.size() - 1);
      long activations = 0;
      List<int[]> shapes = new ArrayList<>();
      List<int[]> fields = new ArrayList<>();
      long params = 0;
      for (LayerSpec l : layers) {
        if (l.out != null) {
          activations += size(l.out);
          params += l.params;
        }
        shapes.add(l.out);
        fields.add(l.rf);
      }
      if (!valid && targetLine == 0) {
        throw new IllegalStateException("mutation " + mutation + " has no target line");
      }
      return new FuzzCase(index, PACKAGE + "." + declared, PACKAGE + "." + generated,
          PACKAGE + "." + binary, PACKAGE + "." + file, source, valid, mutation, expectedText,
          targetLine, firstLine, lastLine, List.copyOf(prefixes), last.out, params, activations,
          hasFloat, hasDouble, loss, layers.size(), shapes, fields);
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
    int count = r.nextInt(10) == 0 ? 6 + r.nextInt(7) : 1 + r.nextInt(5);
    boolean huge = r.nextInt(50) == 0;
    State s = new State(net.input);
    List<String> used = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      boolean last = i == count - 1;
      LayerSpec l = new LayerSpec();
      l.name = memberName(r, i, used);
      if (huge && i == 0 && s.image()) {
        hugeConv(l, s);
      } else if (huge && i == 0) {
        l.kind = "Affine";
        l.attrs.put("units", "1 << 20");
        affineModel(l, s, 1 << 20, true);
      } else {
        int k = r.nextInt(100);
        boolean done = false;
        if (s.image() && k < (last ? 25 : 50)) {
          done = conv(r, l, s);
        } else if (s.image() && k < (last ? 40 : 80)) {
          done = pool(r, l, s);
        }
        if (!done) {
          l.kind = "Affine";
          l.attrs.clear();
          int units = last && r.nextBoolean() ? 2 + r.nextInt(5)
              : r.nextInt(10) == 0 ? 9 + r.nextInt(24) : 1 + r.nextInt(8);
          l.attrs.put("units", Integer.toString(units));
          boolean bias = r.nextInt(5) != 0;
          if (!bias || r.nextInt(4) == 0) {
            l.attrs.put("bias", Boolean.toString(bias));
          }
          affineModel(l, s, units, bias);
        }
        activation(r, l, last);
      }
      net.layers.add(l);
    }
    LayerSpec last = net.layers.get(net.layers.size() - 1);
    long outSize = size(last.out);
    // The loss, on @Network or on the last layer (Pool has no loss attribute).
    int k = r.nextInt(100);
    String loss = outSize >= 2 && k < 35 ? "SOFTMAX_CROSS_ENTROPY"
        : k < 55 ? "MSE" : k < 75 ? "HALF_SQUARED_ERROR" : "NONE";
    net.loss = loss;
    if (loss.equals("SOFTMAX_CROSS_ENTROPY") && r.nextInt(20) != 0) {
      last.attrs.remove("activation");
      last.attrs.remove("negativeSlope");
    }
    if (loss.equals("NONE")) {
      if (r.nextBoolean()) {
        net.attrs.put("loss", "NONE");
      }
      if (r.nextBoolean()) {
        net.classAnnotations.add("@SuppressWarnings(\"lamina:no-loss\")");
      }
    } else if (!last.kind.equals("Pool") && r.nextInt(10) < 3) {
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
    for (LayerSpec l : net.layers) {
      if (r.nextInt(6) == 0) {
        l.attrs.put("receptiveField", holdingRequirement(r, l.rf, s.extent));
      }
    }
    if (r.nextInt(6) == 0) {
      net.attrs.put("receptiveField", holdingRequirement(r, last.rf, s.extent));
    }
    return net;
  }

  /** The generator's running model: shape, receptive field and jump per axis. */
  private static final class State {
    int[] shape;
    long rfH = 1;
    long rfW = 1;
    long jH = 1;
    long jW = 1;
    boolean any;
    final int[] extent;

    State(int[] input) {
      shape = input;
      extent = input.length == 3 ? new int[] {input[1], input[2]} : new int[] {1, input[0]};
    }

    boolean image() {
      return shape.length == 3;
    }

    void window(long kh, long kw, int sh, int sw) {
      rfH += (kh - 1) * jH;
      rfW += (kw - 1) * jW;
      jH *= sh;
      jW *= sw;
      any = true;
    }

    int[] rf() {
      return new int[] {(int) Math.min(rfH, Integer.MAX_VALUE), (int) Math.min(rfW,
          Integer.MAX_VALUE)};
    }
  }

  private static long outSize(int in, long keff, int s, int p) {
    long span = in + 2L * p - keff;
    return span < 0 ? 0 : span / s + 1;
  }

  private boolean conv(SplittableRandom r, LayerSpec l, State s) {
    int h = s.shape[1];
    int w = s.shape[2];
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
      long oh = outSize(h, keh, sh, ph);
      long ow = outSize(w, kew, sw, pw);
      if (oh < 1 || ow < 1) {
        continue;
      }
      int filters = r.nextInt(20) == 0 ? 5 + r.nextInt(4) : 1 + r.nextInt(4);
      boolean bias = r.nextInt(5) != 0;
      l.kind = "Conv";
      l.attrs.put("filters", Integer.toString(filters));
      l.attrs.put("kernel", pair(r, kh, kw));
      if (sh != 1 || sw != 1 || r.nextInt(5) == 0) {
        l.attrs.put("stride", pair(r, sh, sw));
      }
      if (ph != 0 || pw != 0 || r.nextInt(5) == 0) {
        l.attrs.put("padding", pair(r, ph, pw));
      }
      if (dh != 1 || dw != 1 || r.nextInt(8) == 0) {
        l.attrs.put("dilation", pair(r, dh, dw));
      }
      if (!bias || r.nextInt(5) == 0) {
        l.attrs.put("bias", Boolean.toString(bias));
      }
      if (r.nextInt(8) == 0) {
        l.before = "@SuppressWarnings(\"lamina:stride-remainder\") ";
      }
      l.out = new int[] {filters, (int) oh, (int) ow};
      l.params = (long) filters * ((long) s.shape[0] * kh * kw + (bias ? 1 : 0));
      s.window(keh, kew, sh, sw);
      s.shape = l.out;
      l.rf = s.rf();
      return true;
    }
    return false;
  }

  private void hugeConv(LayerSpec l, State s) {
    l.kind = "Conv";
    l.attrs.put("filters", "100000");
    l.attrs.put("kernel", "1");
    l.out = new int[] {100000, s.shape[1], s.shape[2]};
    l.params = 100000L * (s.shape[0] + 1);
    s.window(1, 1, 1, 1);
    s.shape = l.out;
    l.rf = s.rf();
  }

  private boolean pool(SplittableRandom r, LayerSpec l, State s) {
    int h = s.shape[1];
    int w = s.shape[2];
    for (int attempt = 0; attempt < 20; attempt++) {
      int kh = 1 + r.nextInt(3);
      int kw = r.nextInt(10) < 7 ? kh : 1 + r.nextInt(3);
      boolean defaultStride = r.nextBoolean();
      int sh = defaultStride ? kh : stride(r);
      int sw = defaultStride ? kw : r.nextInt(10) < 8 ? sh : stride(r);
      int ph = r.nextInt(10) < 7 ? 0 : r.nextInt(kh / 2 + 1);
      int pw = r.nextInt(10) < 7 ? Math.min(ph, kw / 2) : r.nextInt(kw / 2 + 1);
      long oh = outSize(h, kh, sh, ph);
      long ow = outSize(w, kw, sw, pw);
      if (oh < 1 || ow < 1) {
        continue;
      }
      int kind = r.nextInt(100);
      String k = kind < 45 ? "MAX" : kind < 80 ? "AVG" : "SUBSAMPLE";
      l.kind = "Pool";
      if (!k.equals("MAX") || r.nextInt(4) == 0) {
        l.attrs.put("kind", r.nextInt(4) == 0 ? "PoolKind." + k : k);
      }
      l.attrs.put("size", pair(r, kh, kw));
      if (!defaultStride) {
        l.attrs.put("stride", pair(r, sh, sw));
      } else if (r.nextInt(6) == 0) {
        l.attrs.put("stride", "{}");
      }
      if (ph != 0 || pw != 0 || r.nextInt(6) == 0) {
        l.attrs.put("padding", pair(r, ph, pw));
      }
      if (k.equals("AVG") && r.nextBoolean()) {
        l.attrs.put("countPadding", Boolean.toString(r.nextBoolean()));
      }
      if (r.nextInt(8) == 0) {
        l.before = "@SuppressWarnings(\"lamina:stride-remainder\") ";
      }
      l.out = new int[] {s.shape[0], (int) oh, (int) ow};
      l.params = k.equals("SUBSAMPLE") ? 2L * s.shape[0] : 0;
      s.window(kh, kw, sh, sw);
      s.shape = l.out;
      l.rf = s.rf();
      return true;
    }
    return false;
  }

  private static void affineModel(LayerSpec l, State s, int units, boolean bias) {
    long fanIn = size(s.shape);
    l.out = new int[] {units};
    l.params = fanIn * units + (bias ? units : 0);
    if (s.image()) {
      s.window(s.shape[1], s.shape[2], 1, 1);
    } else if (!s.any) {
      s.window(1, s.shape[0], 1, 1);
    }
    s.shape = l.out;
    l.rf = s.rf();
  }

  private void activation(SplittableRandom r, LayerSpec l, boolean last) {
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
    StringBuilder sb = new StringBuilder("{");
    for (int i = 0; i < v.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(v[i]);
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
      Map.entry("input-too-large", this::inputTooLarge));

  /** Names of every mutation, for reports. */
  List<String> mutationNames() {
    return mutations.stream().map(Map.Entry::getKey).toList();
  }

  private void mutate(Net net, SplittableRandom r) {
    for (int attempt = 0; attempt < 100; attempt++) {
      Map.Entry<String, Mutation> m = mutations.get(r.nextInt(mutations.size()));
      if (m.getValue().apply(net)) {
        net.mutation = m.getKey();
        // Everything computed by the model is void after a mutation.
        for (LayerSpec l : net.layers) {
          l.out = null;
          l.rf = null;
        }
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

  private boolean at(Net net, LayerSpec l, String expected) {
    net.target = l;
    net.expectedText = expected;
    return true;
  }

  private boolean atNetwork(Net net, String expected) {
    net.targetNetwork = true;
    net.expectedText = expected;
    return true;
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
    return at(net, l, "does not fit input");
  }

  private boolean convPaddingTooLarge(Net net) {
    LayerSpec l = pick(net, "Conv");
    if (l == null || net.layers.indexOf(l) != 0) {
      return false;
    }
    l.attrs.put("kernel", "1");
    l.attrs.remove("dilation");
    l.attrs.put("padding", Integer.toString(1 + net.r.nextInt(2)));
    return at(net, l, "is not smaller than the kernel");
  }

  private boolean poolPaddingTooLarge(Net net) {
    LayerSpec l = pick(net, "Pool");
    if (l == null || net.layers.indexOf(l) != 0 || net.input[1] < 3 || net.input[2] < 3) {
      return false;
    }
    l.attrs.put("size", "3");
    l.attrs.put("padding", "2");
    return at(net, l, "is more than half the window");
  }

  private boolean lossNotLast(Net net) {
    if (net.layers.size() < 2) {
      return false;
    }
    LayerSpec l = net.layers.get(net.r.nextInt(net.layers.size() - 1));
    if (l.kind.equals("Pool")) {
      return false;
    }
    l.attrs.put("loss", "MSE");
    return at(net, l, "loss = MSE on a layer that is not the last");
  }

  private boolean lossTwice(Net net) {
    LayerSpec last = net.layers.get(net.layers.size() - 1);
    if (last.kind.equals("Pool")) {
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
    String[] bad = {"{28, 28}", "{1, 2, 3, 4}", "{}"};
    int k = net.r.nextInt(bad.length);
    net.attrs.put("input", bad[k]);
    return atNetwork(net, "has " + new int[] {2, 4, 0}[k] + " values; give {C, H, W}");
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
    LayerSpec l = net.layers.get(net.r.nextInt(net.layers.size()));
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
    int[] extent = net.input.length == 3
        ? new int[] {net.input[1], net.input[2]} : new int[] {1, net.input[0]};
    for (LayerSpec l : net.layers) {
      if (l.rf[0] < extent[0] || l.rf[1] < extent[1]) {
        l.attrs.put("receptiveField", "@ReceptiveField(coversInput = true)");
        return at(net, l, "which does not cover the input");
      }
    }
    return false;
  }

  private boolean rfNonPositive(Net net) {
    LayerSpec l = net.layers.get(net.r.nextInt(net.layers.size()));
    l.attrs.put("receptiveField", "@ReceptiveField(atLeast = {3, 0})");
    return at(net, l, "receptive-field sizes must be >= 1");
  }

  private boolean rfArity(Net net) {
    net.attrs.put("receptiveField", "@ReceptiveField(exactly = {1, 2, 3})");
    return atNetwork(net, "@ReceptiveField(exactly = {1, 2, 3}) has 3 values");
  }

  private boolean slopeNotFinite(Net net) {
    LayerSpec l = net.layers.get(net.r.nextInt(net.layers.size()));
    String[] bad = {"Double.NaN", "Double.POSITIVE_INFINITY", "1.0 / 0.0", "-1e308 * 10"};
    l.attrs.put("activation", "LEAKY_RELU");
    l.attrs.put("negativeSlope", bad[net.r.nextInt(bad.length)]);
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
    LayerSpec c = new LayerSpec();
    c.kind = net.r.nextBoolean() ? "Conv" : "Pool";
    c.name = "bad" + i;
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
    LayerSpec c = new LayerSpec();
    c.kind = "Conv";
    c.name = "flatConv";
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

  /** Two Affine layers of 2^20 units: 2^40 parameters. */
  private boolean parametersTooLarge(Net net) {
    LayerSpec a = new LayerSpec();
    a.kind = "Affine";
    a.name = "wide";
    a.attrs.put("units", "1 << 20");
    LayerSpec b = new LayerSpec();
    b.kind = "Affine";
    b.name = "wider";
    b.attrs.put("units", net.r.nextBoolean() ? "1 << 20" : "1048576");
    net.layers.add(a);
    net.layers.add(b);
    net.attrs.remove("classes");
    return at(net, b, "more than a Java array can hold");
  }

  /** 2^20 filters of 64x64 over the input: 4·10^9 parameters. */
  private boolean convParametersTooLarge(Net net) {
    if (net.input.length != 3) {
      return false;
    }
    LayerSpec c = new LayerSpec();
    c.kind = "Conv";
    c.name = "huge";
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
    LayerSpec c = new LayerSpec();
    c.kind = "Conv";
    c.name = "wideConv";
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
}
