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
import java.util.List;
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
 * {@code j_out = j_in·s}, {@code start_out = start_in + ((k_eff-1)/2 - p)·j_in}, starting from
 * {@code r = 1, j = 1, start = 0}. An Affine layer on a C×H×W input acts as a window covering the
 * whole map; on a flat input of D values (treated as 1×D) it covers all D.
 */
public final class ModelBuilder {
  private final String packageName;
  private final String declaredName;
  private final Shape input;
  private final List<Node> nodes = new ArrayList<>();
  private Loss loss = Loss.NONE;
  private Set<Precision> precisions = EnumSet.of(Precision.FLOAT);
  private int nextOffset;

  // Running state of the last node: shape, receptive field, jump, start (per axis h, w).
  private Shape current;
  private long[] rf = {1, 1};
  private long[] jump = {1, 1};
  private double[] start = {0, 0};

  public ModelBuilder(String packageName, String declaredName, Shape input) {
    this.packageName = packageName;
    this.declaredName = declaredName;
    this.input = input;
    this.current = input;
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
    return current;
  }

  /** Adds a layer taking the previous layer's output (or the network input). */
  public ModelBuilder add(String name, Op op, Activation activation, double negativeSlope) {
    int source = nodes.isEmpty() ? Node.NETWORK_INPUT : nodes.size() - 1;
    Shape in = current;
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
      long oh = Geometry.outputSize(in.height(), c.kh(), c.sh(), c.ph(), c.dh());
      long ow = Geometry.outputSize(in.width(), c.kw(), c.sw(), c.pw(), c.dw());
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
      long oh = Geometry.outputSize(in.height(), p.kh(), p.sh(), p.ph(), 1);
      long ow = Geometry.outputSize(in.width(), p.kw(), p.sw(), p.pw(), 1);
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
      window(new long[] {p.kh(), p.kw()}, new int[] {p.sh(), p.sw()}, new int[] {p.ph(), p.pw()},
          rfOut, jumpOut, startOut);
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
      if (in.isImage() || nodes.isEmpty()) {
        window(extent, new int[] {1, 1}, new int[] {0, 0}, rfOut, jumpOut, startOut);
      } else {
        // A flat input already covers everything its producer saw.
        rfOut = rf.clone();
        jumpOut = jump.clone();
        startOut = start.clone();
      }
      description = a.units() + (a.bias() ? "" : " nobias") + activationSuffix(activation);
    } else {
      throw new IllegalArgumentException("unknown layer kind: " + op);
    }
    LayerSummary summary = new LayerSummary(name, op.kindName(), description, out.dims(),
        parameters, connections, multiplyAdds, toInts(rfOut), toInts(jumpOut), startOut);
    nodes.add(new Node(name, op, List.of(source), in, out, activation, negativeSlope, params,
        summary));
    current = out;
    rf = rfOut;
    jump = jumpOut;
    start = startOut;
    return this;
  }

  /** The checked model. */
  public NetworkModel build() {
    if (nodes.isEmpty()) {
      throw new IllegalArgumentException(declaredName + " has no layers");
    }
    return new NetworkModel(packageName, declaredName, input, nodes, loss, precisions);
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
      case RELU, LEAKY_RELU, GELU, GELU_TANH -> Init.HE_NORMAL;
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
    if (c.ph() != 0 || c.pw() != 0) {
      sb.append(" pad ").append(pair(c.ph(), c.pw()));
    }
    if (c.dh() != 1 || c.dw() != 1) {
      sb.append(" dil ").append(pair(c.dh(), c.dw()));
    }
    if (!c.bias()) {
      sb.append(" nobias");
    }
    return sb.toString();
  }

  private static String poolDescription(Op.Pool p) {
    StringBuilder sb = new StringBuilder(p.kind().name().toLowerCase(Locale.ROOT)).append(' ')
        .append(p.kh()).append('x').append(p.kw()).append('/').append(pair(p.sh(), p.sw()));
    if (p.ph() != 0 || p.pw() != 0) {
      sb.append(" pad ").append(pair(p.ph(), p.pw()));
      if (p.kind() == PoolKind.AVG && !p.countPadding()) {
        sb.append(" excl");
      }
    }
    return sb.toString();
  }

  private static String activationSuffix(Activation a) {
    return a == Activation.IDENTITY ? "" : " " + a.name().toLowerCase(Locale.ROOT);
  }
}
