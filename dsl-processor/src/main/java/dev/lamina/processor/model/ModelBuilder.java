package dev.lamina.processor.model;

import dev.lamina.dsl.Activation;
import dev.lamina.dsl.Loss;
import dev.lamina.dsl.PoolKind;
import dev.lamina.dsl.Precision;
import dev.lamina.runtime.LayerSummary;
import dev.lamina.runtime.ParameterTensor;
import dev.lamina.runtime.ParameterTensor.Init;
import dev.lamina.runtime.ParameterTensor.Role;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Set;

/**
 * Builds a {@link NetworkModel} from layers that have already been checked: infers each output
 * shape, lays out the parameter tensors, and computes parameters, connections, multiply-adds and
 * the receptive field, jump and start of every layer.
 *
 * <p>It assumes valid input (the checker reports problems first) and fails with {@link
 * IllegalArgumentException} on a layer that does not fit, so a checker bug cannot produce a model.
 *
 * <p>Receptive fields follow the forward recurrence per axis: {@code r_out = r_in + (k_eff-1)·j_in},
 * {@code j_out = j_in·s}, {@code start_out = start_in + ((k_eff-1)/2 - p_begin)·j_in} (p_begin: the top or left padding), starting from
 * {@code r = 1, j = 1, start = 0}. An Affine layer on a C×H×W input acts as a window covering the
 * whole map; on a flat input of D values (treated as 1×D) it covers all D.
 *
 * <p>Graphs: a layer may read any earlier layer by name ({@link #add(String, List, Op, Activation,
 * double)}), so the nodes are always in a topological order. Add and Concat take the largest
 * receptive field and jump of their inputs (the checker has made sure the jumps agree) and the
 * start of the first; BatchNorm and Dropout keep their input's; GlobalAvgPool covers its whole
 * input map. Parameter counts leave out {@code STATISTIC} tensors (batch normalization's running
 * statistics), which live in the parameter array but are not trained.
 */
public final class ModelBuilder {
  private final String packageName;
  private final String declaredName;
  private final Shape input;
  private final List<Node> nodes = new ArrayList<>();
  private final Map<String, Integer> index = new HashMap<>();
  private final Map<String, String> aliases = new LinkedHashMap<>();
  private Loss loss = Loss.NONE;
  private Set<Precision> precisions = EnumSet.of(Precision.FLOAT);
  private int nextOffset;

  // Receptive field, jump and start (per axis h, w) of every node, by index.
  private final List<long[]> rfs = new ArrayList<>();
  private final List<long[]> jumps = new ArrayList<>();
  private final List<double[]> starts = new ArrayList<>();

  // State of the node being added: receptive field, jump and start of its (first) input.
  private long[] rf = {1, 1};
  private long[] jump = {1, 1};
  private double[] start = {0, 0};

  public ModelBuilder(String packageName, String declaredName, Shape input) {
    this.packageName = packageName;
    this.declaredName = declaredName;
    this.input = input;
  }

  public ModelBuilder loss(Loss loss) {
    this.loss = loss;
    return this;
  }

  public ModelBuilder precisions(Set<Precision> precisions) {
    this.precisions = EnumSet.copyOf(precisions);
    return this;
  }

  /** The output shape of the last layer added (the input shape before any layer). */
  public Shape currentShape() {
    return nodes.isEmpty() ? input : nodes.get(nodes.size() - 1).outputShape();
  }

  /** Adds a layer taking the previous layer's output (or the network input). */
  public ModelBuilder add(String name, Op op, Activation activation,
      double activationParameter) {
    return add(name, List.of(), op, activation, activationParameter);
  }

  /**
   * Adds a layer reading the named layers ({@link #INPUT} for the network input); an empty list
   * means the previous layer (or the network input), as {@link #add(String, Op, Activation,
   * double)}. Every name must be a layer added before (so the nodes stay in a topological order).
   */
  public ModelBuilder add(String name, List<String> from, Op op, Activation activation,
      double activationParameter) {
    List<Integer> sources = new ArrayList<>();
    if (from.isEmpty()) {
      sources.add(nodes.isEmpty() ? Node.NETWORK_INPUT : nodes.size() - 1);
    }
    for (String f : from) {
      if (f.equals(INPUT)) {
        sources.add(Node.NETWORK_INPUT);
      } else {
        Integer i = index.get(f);
        if (i == null) {
          i = index.get(aliases.get(f));
        }
        if (i == null) {
          throw new IllegalArgumentException(name + ": no earlier layer named " + f);
        }
        sources.add(i);
      }
    }
    if (index.containsKey(name)) {
      throw new IllegalArgumentException("two layers named " + name);
    }
    return addNode(name, sources, op, activation, activationParameter);
  }

  /** Declares a member that stands for an existing node (an {@code @Apply} use, its output). */
  public ModelBuilder alias(String member, String nodeName) {
    if (!index.containsKey(nodeName)) {
      throw new IllegalArgumentException(member + ": no layer named " + nodeName);
    }
    aliases.put(member, nodeName);
    return this;
  }

  /** The name {@link #add(String, List, Op, Activation, double)} uses for the network input. */
  public static final String INPUT = "input";

  private Shape shapeOf(int source) {
    return source == Node.NETWORK_INPUT ? input : nodes.get(source).outputShape();
  }

  private void loadState(int source) {
    if (source == Node.NETWORK_INPUT) {
      rf = new long[] {1, 1};
      jump = new long[] {1, 1};
      start = new double[] {0, 0};
    } else {
      rf = rfs.get(source).clone();
      jump = jumps.get(source).clone();
      start = starts.get(source).clone();
    }
  }

  private ModelBuilder addNode(String name, List<Integer> sources, Op op, Activation activation,
      double activationParameter) {
    int source = sources.get(0);
    boolean merge = op instanceof Op.Add || op instanceof Op.Concat;
    if (merge ? sources.size() < 2 : sources.size() != 1) {
      throw new IllegalArgumentException(name + ": " + op.kindName() + " cannot read "
          + sources.size() + " inputs");
    }
    loadState(source);
    Shape in = shapeOf(source);
    List<ParameterTensor> params = new ArrayList<>();
    Shape out;
    long parameters;
    long connections;
    long multiplyAdds;
    long[] rfOut;
    long[] jumpOut;
    double[] startOut;
    String description;
    if (op instanceof Op.Conv c) {
      requireImage(name, in, "Conv");
      long oh = Geometry.outputSize(in.height(), c.kh(), c.sh(), c.ph(), c.pb(), c.dh(), false);
      long ow = Geometry.outputSize(in.width(), c.kw(), c.sw(), c.pw(), c.pr(), c.dw(), false);
      requireFits(name, oh, ow);
      out = Shape.image(c.filters(), (int) oh, (int) ow);
      long fanIn = (long) in.channels() * c.kh() * c.kw();
      long units = out.size();
      parameters = c.filters() * (fanIn + (c.bias() ? 1 : 0));
      multiplyAdds = units * fanIn;
      connections = units * (fanIn + (c.bias() ? 1 : 0));
      params.add(tensor(name, "weight", Role.WEIGHT,
          new int[] {c.filters(), in.channels(), c.kh(), c.kw()}, fanIn,
          (long) c.filters() * c.kh() * c.kw(), weightInit(activation)));
      if (c.bias()) {
        params.add(tensor(name, "bias", Role.BIAS, new int[] {c.filters()}, fanIn, 1, Init.ZEROS));
      }
      long[] keff = {c.effectiveKh(), c.effectiveKw()};
      int[] stride = {c.sh(), c.sw()};
      int[] pad = {c.ph(), c.pw()};
      rfOut = new long[2];
      jumpOut = new long[2];
      startOut = new double[2];
      window(keff, stride, pad, rfOut, jumpOut, startOut);
      description = convDescription(c) + activationSuffix(activation);
    } else if (op instanceof Op.Pool p) {
      requireImage(name, in, "Pool");
      long oh = Geometry.outputSize(in.height(), p.kh(), p.sh(), p.ph(), p.pb(), p.dh(), p.ceil());
      long ow = Geometry.outputSize(in.width(), p.kw(), p.sw(), p.pw(), p.pr(), p.dw(), p.ceil());
      requireFits(name, oh, ow);
      out = Shape.image(in.channels(), (int) oh, (int) ow);
      long units = out.size();
      long window = (long) p.kh() * p.kw();
      if (p.kind() == PoolKind.SUBSAMPLE) {
        parameters = 2L * in.channels();
        connections = units * (window + 1);
        multiplyAdds = units;
        params.add(tensor(name, "coeff", Role.WEIGHT, new int[] {in.channels()}, window, 1,
            weightInit(activation)));
        params.add(tensor(name, "bias", Role.BIAS, new int[] {in.channels()}, window, 1,
            Init.ZEROS));
      } else {
        parameters = 0;
        connections = units * window;
        multiplyAdds = 0;
      }
      rfOut = new long[2];
      jumpOut = new long[2];
      startOut = new double[2];
      window(new long[] {p.effectiveKh(), p.effectiveKw()}, new int[] {p.sh(), p.sw()},
          new int[] {p.ph(), p.pw()}, rfOut, jumpOut, startOut);
      description = poolDescription(p) + activationSuffix(activation);
    } else if (op instanceof Op.Affine a) {
      long fanIn = in.size();
      out = Shape.flat(a.units());
      parameters = fanIn * a.units() + (a.bias() ? a.units() : 0);
      multiplyAdds = fanIn * a.units();
      connections = (fanIn + (a.bias() ? 1 : 0)) * a.units();
      params.add(tensor(name, "weight", Role.WEIGHT, new int[] {(int) fanIn, a.units()}, fanIn,
          a.units(), weightInit(activation)));
      if (a.bias()) {
        params.add(tensor(name, "bias", Role.BIAS, new int[] {a.units()}, fanIn, 1, Init.ZEROS));
      }
      long[] extent = in.isImage()
          ? new long[] {in.height(), in.width()}
          : new long[] {1, in.size()};
      rfOut = new long[2];
      jumpOut = new long[2];
      startOut = new double[2];
      if (in.isImage()) {
        window(extent, new int[] {1, 1}, new int[] {0, 0}, rfOut, jumpOut, startOut);
      } else if (!input.isImage()) {
        // In a flat network every unit of an Affine layer mixes all features, and with them the
        // whole input vector (treated as 1xD), whatever element-wise layers came before.
        long d = input.size();
        rfOut = new long[] {1, d};
        jumpOut = new long[] {1, 1};
        startOut = new double[] {0, (d - 1) / 2.0};
      } else {
        // A flat input derived from an image already covers everything its producer saw.
        rfOut = rf.clone();
        jumpOut = jump.clone();
        startOut = start.clone();
      }
      description = a.units() + (a.bias() ? "" : " nobias") + activationSuffix(activation);
    } else if (op instanceof Op.BatchNorm) {
      int c = in.isImage() ? in.channels() : (int) in.size();
      out = in;
      parameters = 2L * c;
      multiplyAdds = out.size();
      connections = 2 * out.size();
      long perChannel = out.size() / c;
      params.add(tensor(name, "weight", Role.BIAS, new int[] {c}, perChannel, 1, Init.ONES));
      params.add(tensor(name, "bias", Role.BIAS, new int[] {c}, perChannel, 1, Init.ZEROS));
      params.add(tensor(name, "running_mean", Role.STATISTIC, new int[] {c}, perChannel, 1,
          Init.ZEROS));
      params.add(tensor(name, "running_var", Role.STATISTIC, new int[] {c}, perChannel, 1,
          Init.ONES));
      rfOut = rf.clone();
      jumpOut = jump.clone();
      startOut = start.clone();
      Op.BatchNorm bn = (Op.BatchNorm) op;
      description = (bn.eps() == 1e-5 && bn.momentum() == 0.1 ? ""
          : "eps " + bn.eps() + " momentum " + bn.momentum())
          + activationSuffix(activation);
      description = description.trim();
    } else if (op instanceof Op.Dropout d) {
      out = in;
      parameters = 0;
      connections = 0;
      multiplyAdds = 0;
      rfOut = rf.clone();
      jumpOut = jump.clone();
      startOut = start.clone();
      description = "p " + d.p() + (d.seed() == 0 ? "" : " seed " + d.seed())
          + activationSuffix(activation);
    } else if (op instanceof Op.GlobalAvgPool) {
      requireImage(name, in, "GlobalAvgPool");
      out = Shape.flat(in.channels());
      parameters = 0;
      connections = in.size();
      multiplyAdds = 0;
      rfOut = new long[2];
      jumpOut = new long[2];
      startOut = new double[2];
      window(new long[] {in.height(), in.width()}, new int[] {1, 1}, new int[] {0, 0}, rfOut,
          jumpOut, startOut);
      description = activationSuffix(activation).trim();
    } else if (op instanceof Op.Add || op instanceof Op.Concat) {
      boolean add = op instanceof Op.Add;
      long channels = 0;
      for (int s : sources) {
        Shape x = shapeOf(s);
        if (add ? !x.equals(in) : x.rank() != in.rank()
            || (x.isImage() && (x.height() != in.height() || x.width() != in.width()))) {
          throw new IllegalArgumentException(name + ": cannot " + (add ? "add " : "concatenate ")
              + in + " and " + x);
        }
        channels += x.isImage() ? x.channels() : x.size();
      }
      if (channels > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(name + ": too many channels");
      }
      out = add ? in : in.isImage() ? Shape.image((int) channels, in.height(), in.width())
          : Shape.flat((int) channels);
      parameters = 0;
      multiplyAdds = 0;
      connections = add ? out.size() * (sources.size() - 1) : 0;
      rfOut = rf.clone();
      jumpOut = jump.clone();
      startOut = start.clone();
      for (int s : sources.subList(1, sources.size())) {
        loadState(s);
        for (int a = 0; a < 2; a++) {
          rfOut[a] = Math.max(rfOut[a], rf[a]);
          jumpOut[a] = Math.max(jumpOut[a], jump[a]);
        }
      }
      StringBuilder sb = new StringBuilder();
      for (int s : sources) {
        sb.append(sb.length() == 0 ? "" : add ? " + " : " | ").append(sourceName(s));
      }
      description = sb + activationSuffix(activation);
    } else {
      throw new IllegalArgumentException("unknown layer kind: " + op);
    }
    if (!(op instanceof Op.Add || op instanceof Op.Concat)
        && source != (nodes.isEmpty() ? Node.NETWORK_INPUT : nodes.size() - 1)) {
      description = (description.isEmpty() ? "" : description + " ") + "<- " + sourceName(source);
    }
    LayerSummary summary = new LayerSummary(name, op.kindName(), description, out.dims(),
        parameters, connections, multiplyAdds, toInts(rfOut), toInts(jumpOut), startOut);
    index.put(name, nodes.size());
    List<Shape> inShapes = new ArrayList<>();
    for (int s : sources) {
      inShapes.add(shapeOf(s));
    }
    nodes.add(new Node(name, op, sources, in, out, activation, activationParameter, params,
        summary,
        inShapes));
    rfs.add(rfOut);
    jumps.add(jumpOut);
    starts.add(startOut);
    return this;
  }

  private String sourceName(int source) {
    return source == Node.NETWORK_INPUT ? INPUT : nodes.get(source).name();
  }

  /** The checked model. */
  public NetworkModel build() {
    if (nodes.isEmpty()) {
      throw new IllegalArgumentException(declaredName + " has no layers");
    }
    return new NetworkModel(packageName, declaredName, input, nodes, loss, precisions, aliases);
  }

  private void window(long[] keff, int[] stride, int[] pad, long[] rfOut, long[] jumpOut,
      double[] startOut) {
    for (int axis = 0; axis < 2; axis++) {
      rfOut[axis] = rf[axis] + (keff[axis] - 1) * jump[axis];
      jumpOut[axis] = jump[axis] * stride[axis];
      startOut[axis] = start[axis] + ((keff[axis] - 1) / 2.0 - pad[axis]) * jump[axis];
    }
  }

  private ParameterTensor tensor(String layer, String name, Role role, int[] shape, long fanIn,
      long fanOut, Init init) {
    long size = 1;
    for (int d : shape) {
      size *= d;
    }
    if (nextOffset + size > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          layer + ": parameters exceed the largest Java array (" + Integer.MAX_VALUE + ")");
    }
    ParameterTensor t = new ParameterTensor(layer, name, role, nextOffset, shape,
        (int) Math.min(fanIn, Integer.MAX_VALUE), (int) Math.min(fanOut, Integer.MAX_VALUE), init);
    nextOffset += (int) size;
    return t;
  }

  /** He for ReLU-like activations, Xavier otherwise. */
  public static Init weightInit(Activation activation) {
    return switch (activation) {
      case RELU, LEAKY_RELU, GELU, GELU_TANH, ELU -> Init.HE_NORMAL;
      case IDENTITY, SIGMOID, TANH -> Init.XAVIER_UNIFORM;
    };
  }

  private static void requireImage(String name, Shape in, String kind) {
    if (!in.isImage()) {
      throw new IllegalArgumentException(name + ": " + kind + " needs a CxHxW input, got " + in);
    }
  }

  private static void requireFits(String name, long oh, long ow) {
    if (oh < 1 || ow < 1 || oh > Integer.MAX_VALUE || ow > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(name + ": window does not fit (" + oh + "x" + ow + ")");
    }
  }

  private static int[] toInts(long[] v) {
    int[] r = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      r[i] = (int) Math.min(v[i], Integer.MAX_VALUE);
    }
    return r;
  }

  private static String pair(int h, int w) {
    return h == w ? Integer.toString(h) : h + "x" + w;
  }

  private static String convDescription(Op.Conv c) {
    StringBuilder sb = new StringBuilder().append(c.filters()).append('@').append(c.kh())
        .append('x').append(c.kw());
    if (c.sh() != 1 || c.sw() != 1) {
      sb.append(" stride ").append(pair(c.sh(), c.sw()));
    }
    sb.append(padding(c.ph(), c.pw(), c.pb(), c.pr()));
    if (c.dh() != 1 || c.dw() != 1) {
      sb.append(" dil ").append(pair(c.dh(), c.dw()));
    }
    if (!c.bias()) {
      sb.append(" nobias");
    }
    return sb.toString();
  }

  /** {@code " pad 1"}, {@code " pad 1x0"}, {@code " pad 0,0,1,1"} (top, left, bottom, right). */
  private static String padding(int top, int left, int bottom, int right) {
    if (top == bottom && left == right) {
      return top == 0 && left == 0 ? "" : " pad " + pair(top, left);
    }
    return " pad " + top + "," + left + "," + bottom + "," + right;
  }

  private static String poolDescription(Op.Pool p) {
    StringBuilder sb = new StringBuilder(p.kind().name().toLowerCase(Locale.ROOT)).append(' ')
        .append(p.kh()).append('x').append(p.kw()).append('/').append(pair(p.sh(), p.sw()));
    sb.append(padding(p.ph(), p.pw(), p.pb(), p.pr()));
    if (p.padded() && p.kind() == PoolKind.AVG && !p.countPadding()) {
      sb.append(" excl");
    }
    if (p.dh() != 1 || p.dw() != 1) {
      sb.append(" dil ").append(pair(p.dh(), p.dw()));
    }
    if (p.ceil()) {
      sb.append(" ceil");
    }
    return sb.toString();
  }

  private static String activationSuffix(Activation a) {
    return a == Activation.IDENTITY ? "" : " " + a.name().toLowerCase(Locale.ROOT);
  }
}
