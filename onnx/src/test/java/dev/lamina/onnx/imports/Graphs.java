package dev.lamina.onnx.imports;

import com.google.protobuf.ByteString;
import dev.lamina.onnx.proto.Onnx.AttributeProto;
import dev.lamina.onnx.proto.Onnx.GraphProto;
import dev.lamina.onnx.proto.Onnx.ModelProto;
import dev.lamina.onnx.proto.Onnx.NodeProto;
import dev.lamina.onnx.proto.Onnx.OperatorSetIdProto;
import dev.lamina.onnx.proto.Onnx.TensorProto;
import dev.lamina.onnx.proto.Onnx.TensorShapeProto;
import dev.lamina.onnx.proto.Onnx.TypeProto;
import dev.lamina.onnx.proto.Onnx.ValueInfoProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds small ONNX models for tests with the generated protobuf classes. */
final class Graphs {
  private Graphs() {}

  static ModelProto model(GraphProto.Builder graph, int opset) {
    return ModelProto.newBuilder().setIrVersion(8).setProducerName("test")
        .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(opset))
        .setGraph(graph).build();
  }

  /** A float32 value with a symbolic batch dimension N and the given per-sample dims. */
  static ValueInfoProto value(String name, long... sampleDims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder()
        .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("N"));
    for (long d : sampleDims) {
      shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
    }
    return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
        .setTensorType(TypeProto.Tensor.newBuilder()
            .setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape))).build();
  }

  /** A float32 value with fixed dims (batch included), as the ONNX node tests write them. */
  static ValueInfoProto fixed(String name, int... dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (long d : dims) {
      shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
    }
    return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
        .setTensorType(TypeProto.Tensor.newBuilder()
            .setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape))).build();
  }

  /** A float32 initializer with raw little-endian data. */
  static TensorProto floats(String name, float[] data, long... dims) {
    ByteBuffer b = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : data) {
      b.putFloat(v);
    }
    TensorProto.Builder t = TensorProto.newBuilder().setName(name)
        .setDataType(TensorProto.DataType.FLOAT_VALUE).setRawData(ByteString.copyFrom(b.array()));
    for (long d : dims) {
      t.addDims(d);
    }
    return t.build();
  }

  static NodeProto node(String op, String name, String[] inputs, String output,
      AttributeProto... attributes) {
    NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(name).addOutput(output);
    for (String in : inputs) {
      n.addInput(in);
    }
    for (AttributeProto a : attributes) {
      n.addAttribute(a);
    }
    return n.build();
  }

  static AttributeProto ints(String name, long... v) {
    AttributeProto.Builder a = AttributeProto.newBuilder().setName(name)
        .setType(AttributeProto.AttributeType.INTS);
    for (long x : v) {
      a.addInts(x);
    }
    return a.build();
  }

  static AttributeProto integer(String name, long v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT)
        .setI(v).build();
  }

  static AttributeProto real(String name, float v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT)
        .setF(v).build();
  }

  static Path write(Path dir, String name, ModelProto model) throws IOException {
    Path f = dir.resolve(name);
    Files.write(f, model.toByteArray());
    return f;
  }

  /** input [N, 1, 4, 4] → Conv 2@3x3 pad 1 ('conv') → Relu → Flatten → Gemm 3 → output. */
  static GraphProto.Builder small() {
    float[] w = new float[2 * 9];
    for (int i = 0; i < w.length; i++) {
      w[i] = (i % 7 - 3) / 4f;
    }
    float[] fc = new float[3 * 32];
    for (int i = 0; i < fc.length; i++) {
      fc[i] = (i % 5 - 2) / 8f;
    }
    return GraphProto.newBuilder().setName("small")
        .addInput(value("x", 1, 4, 4)).addOutput(value("y", 3))
        .addInitializer(floats("conv.weight", w, 2, 1, 3, 3))
        .addInitializer(floats("conv.bias", new float[] {0.5f, -0.25f}, 2))
        .addInitializer(floats("fc.weight", fc, 3, 32))
        .addNode(node("Conv", "conv", new String[] {"x", "conv.weight", "conv.bias"}, "c",
            ints("pads", 1, 1, 1, 1)))
        .addNode(node("Relu", "relu", new String[] {"c"}, "r"))
        .addNode(node("Flatten", "flatten", new String[] {"r"}, "f"))
        .addNode(node("Gemm", "fc", new String[] {"f", "fc.weight"}, "y",
            integer("transB", 1)));
  }
}
