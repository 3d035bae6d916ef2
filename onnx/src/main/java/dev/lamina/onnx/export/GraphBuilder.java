package dev.lamina.onnx.export;

import com.google.protobuf.ByteString;
import dev.lamina.onnx.proto.Onnx.AttributeProto;
import dev.lamina.onnx.proto.Onnx.GraphProto;
import dev.lamina.onnx.proto.Onnx.NodeProto;
import dev.lamina.onnx.proto.Onnx.TensorProto;
import dev.lamina.onnx.proto.Onnx.ValueInfoProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The nodes and initializers of one graph, in the order they are added. Not thread-safe. */
final class GraphBuilder {
  private final List<NodeProto> nodes = new ArrayList<>();
  private final List<TensorProto> initializers = new ArrayList<>();
  private final Set<String> names = new HashSet<>();

  /** Adds node {@code name} computing {@code output} from {@code inputs}. */
  void node(String op, String name, List<String> inputs, String output,
      AttributeProto... attributes) {
    NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(name)
        .addAllInput(inputs).addOutput(output);
    for (AttributeProto a : attributes) {
      n.addAttribute(a);
    }
    nodes.add(n.build());
  }

  /** A float32 initializer; returns its name. */
  String floats(String name, long[] dims, float[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    return initializer(TensorProto.newBuilder().setName(name)
        .setDataType(TensorProto.DataType.FLOAT_VALUE)
        .addAllDims(boxed(dims))
        .setRawData(ByteString.copyFrom(b.array())));
  }

  /** A one-element float32 initializer of shape {@code []}. */
  String scalar(String name, float value) {
    return floats(name, new long[0], new float[] {value});
  }

  /** A one-dimensional int64 initializer. */
  String longs(String name, long[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : values) {
      b.putLong(v);
    }
    return initializer(TensorProto.newBuilder().setName(name)
        .setDataType(TensorProto.DataType.INT64_VALUE)
        .addDims(values.length)
        .setRawData(ByteString.copyFrom(b.array())));
  }

  /** A one-element int64 initializer of shape {@code []}. */
  String longScalar(String name, long value) {
    ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value);
    return initializer(TensorProto.newBuilder().setName(name)
        .setDataType(TensorProto.DataType.INT64_VALUE)
        .setRawData(ByteString.copyFrom(b.array())));
  }

  private String initializer(TensorProto.Builder t) {
    if (!names.add(t.getName())) {
      throw new IllegalStateException("initializer " + t.getName() + " added twice");
    }
    initializers.add(t.build());
    return t.getName();
  }

  /** The graph of every node and initializer added. */
  GraphProto graph(String name, ValueInfoProto input, ValueInfoProto output) {
    return GraphProto.newBuilder().setName(name)
        .addAllNode(nodes)
        .addAllInitializer(initializers)
        .addInput(input)
        .addOutput(output)
        .build();
  }

  static AttributeProto attr(String name, int... values) {
    AttributeProto.Builder a = AttributeProto.newBuilder().setName(name);
    if (values.length == 1 && !isList(name)) {
      return a.setType(AttributeProto.AttributeType.INT).setI(values[0]).build();
    }
    a.setType(AttributeProto.AttributeType.INTS);
    for (int v : values) {
      a.addInts(v);
    }
    return a.build();
  }

  static AttributeProto floatAttr(String name, float value) {
    return AttributeProto.newBuilder().setName(name)
        .setType(AttributeProto.AttributeType.FLOAT).setF(value).build();
  }

  static AttributeProto stringAttr(String name, String value) {
    return AttributeProto.newBuilder().setName(name)
        .setType(AttributeProto.AttributeType.STRING)
        .setS(ByteString.copyFromUtf8(value)).build();
  }

  static AttributeProto stringsAttr(String name, String... values) {
    AttributeProto.Builder a = AttributeProto.newBuilder().setName(name)
        .setType(AttributeProto.AttributeType.STRINGS);
    for (String v : values) {
      a.addStrings(ByteString.copyFromUtf8(v));
    }
    return a.build();
  }

  private static boolean isList(String name) {
    return switch (name) {
      case "kernel_shape", "strides", "pads", "dilations", "output_padding", "perm" -> true;
      default -> false;
    };
  }

  private static List<Long> boxed(long[] dims) {
    List<Long> l = new ArrayList<>(dims.length);
    for (long d : dims) {
      l.add(d);
    }
    return l;
  }
}
