package dev.lamina.onnx.imports;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.lamina.onnx.OnnxException;
import dev.lamina.onnx.proto.Onnx.ModelProto;
import dev.lamina.onnx.proto.Onnx.TensorProto;
import dev.lamina.onnx.proto.Onnx.TensorShapeProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads an ONNX file with protobuf's parser and decodes tensors, treating the file as untrusted:
 * its size is bounded before it is read, nesting is bounded by protobuf's recursion limit, and a
 * tensor's declared size is checked against the data it holds before anything is allocated for
 * it. Every error is an {@link OnnxException} naming the file and the tensor.
 */
final class ModelReader {
  /** The largest file read (protobuf itself cannot hold a message of 2 GB or more). */
  static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 64;
  /** The largest number of elements of one tensor or of one sample's activation. */
  static final long MAX_ELEMENTS = 1L << 28;

  private ModelReader() {}

  static ModelProto read(Path file) throws IOException {
    long size = Files.size(file);
    if (size > MAX_FILE_BYTES) {
      throw new OnnxException(file, "the file holds " + size + " bytes; an ONNX model (one"
          + " protobuf message) holds less than 2 GB, and external data files are not read");
    }
    long heap = Runtime.getRuntime().maxMemory();
    if (size > heap / 3) {
      throw new OnnxException(file, "the file holds " + size + " bytes, more than a third of this"
          + " JVM's heap (" + heap + " bytes, -Xmx), which reading and translating it needs;"
          + " give the JVM more memory");
    }
    if (size == 0) {
      throw new OnnxException(file, "the file is empty; expected an ONNX model (a protobuf"
          + " ModelProto)");
    }
    byte[] bytes = Files.readAllBytes(file);
    try {
      CodedInputStream in = CodedInputStream.newInstance(bytes);
      in.setRecursionLimit(64);
      ModelProto model = ModelProto.parseFrom(in);
      in.checkLastTagWas(0);
      if (!model.hasGraph()) {
        throw new OnnxException(file, "not an ONNX model: no graph (the file parses as a protobuf"
            + " ModelProto with no field 7; is it an ONNX file?)");
      }
      return model;
    } catch (InvalidProtocolBufferException e) {
      throw new OnnxException(file, "not a valid ONNX model (damaged or truncated at some byte of"
          + " its " + bytes.length + "): " + e.getMessage(), e);
    }
  }

  /** The number of elements {@code dims} declare, or -1 when a dimension is negative or huge. */
  static long elements(java.util.List<Long> dims) {
    long n = 1;
    for (long d : dims) {
      if (d < 0 || d > MAX_ELEMENTS) {
        return -1;
      }
      n *= d;
      if (n > MAX_ELEMENTS) {
        return -1;
      }
    }
    return n;
  }

  /** A float32 tensor's values in row-major order; its shape is {@code t.getDimsList()}. */
  static float[] floats(Path file, TensorProto t) throws OnnxException {
    String what = "tensor '" + Names.printable(t.getName()) + "'";
    if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
      throw new OnnxException(file, what + " keeps its data in an external file; save the model"
          + " with its weights inside (onnx.save(..., save_as_external_data=False))");
    }
    if (t.getDataType() != TensorProto.DataType.FLOAT_VALUE) {
      throw new OnnxException(file, what + " has data type " + dataTypeName(t.getDataType())
          + "; Lamina's parameters are float32 (export the model in float32)");
    }
    long n = elements(t.getDimsList());
    if (n < 0) {
      throw new OnnxException(file, what + " declares dimensions " + t.getDimsList()
          + ", which exceed the " + MAX_ELEMENTS + " elements a tensor may hold");
    }
    if (t.hasRawData()) {
      long bytes = t.getRawData().size();
      if (bytes != n * 4) {
        throw new OnnxException(file, what + " declares " + dimsString(t) + " = " + n
            + " float32 values (" + n * 4 + " bytes) but its raw data holds " + bytes + " bytes");
      }
      float[] v = new float[(int) n];
      ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
      b.asFloatBuffer().get(v);
      return v;
    }
    if (t.getFloatDataCount() != n) {
      throw new OnnxException(file, what + " declares " + dimsString(t) + " = " + n
          + " float32 values but holds " + t.getFloatDataCount());
    }
    float[] v = new float[(int) n];
    for (int i = 0; i < n; i++) {
      v[i] = t.getFloatData(i);
    }
    return v;
  }

  /** An int64 (or int32) tensor's values, for shapes, pads and axes. */
  static long[] longs(Path file, TensorProto t) throws OnnxException {
    String what = "tensor '" + Names.printable(t.getName()) + "'";
    long n = elements(t.getDimsList());
    if (n < 0 || n > 4096) {
      throw new OnnxException(file, what + " declares dimensions " + t.getDimsList()
          + "; an integer tensor of shapes or pads holds at most 4096 values");
    }
    int type = t.getDataType();
    if (!isInteger(t)) {
      throw new OnnxException(file, what + " has data type " + dataTypeName(type)
          + "; expected int64 (a shape, pads or axes) or bool (a flag)");
    }
    int width = type == TensorProto.DataType.INT64_VALUE ? 8
        : type == TensorProto.DataType.BOOL_VALUE ? 1 : 4;
    long[] v = new long[(int) n];
    if (t.hasRawData()) {
      if (t.getRawData().size() != n * width) {
        throw new OnnxException(file, what + " declares " + dimsString(t) + " = " + n
            + " values (" + n * width + " bytes) but its raw data holds " + t.getRawData().size()
            + " bytes");
      }
      ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < n; i++) {
        v[i] = width == 8 ? b.getLong() : width == 4 ? b.getInt() : b.get();
      }
      return v;
    }
    int count = width == 8 ? t.getInt64DataCount() : t.getInt32DataCount();
    if (count != n) {
      throw new OnnxException(file, what + " declares " + dimsString(t) + " = " + n
          + " values but holds " + count);
    }
    for (int i = 0; i < n; i++) {
      v[i] = width == 8 ? t.getInt64Data(i) : t.getInt32Data(i);
    }
    return v;
  }

  /** Whether {@code t} holds int64, int32 or bool values (bool is stored as int32 data). */
  static boolean isInteger(TensorProto t) {
    return t.getDataType() == TensorProto.DataType.INT64_VALUE
        || t.getDataType() == TensorProto.DataType.INT32_VALUE
        || t.getDataType() == TensorProto.DataType.BOOL_VALUE;
  }

  static String dimsString(TensorProto t) {
    return t.getDimsCount() == 0 ? "a scalar"
        : Arrays.toString(t.getDimsList().stream().mapToLong(Long::longValue).toArray());
  }

  static String shapeString(TensorShapeProto shape) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < shape.getDimCount(); i++) {
      TensorShapeProto.Dimension d = shape.getDim(i);
      sb.append(i > 0 ? ", " : "").append(d.hasDimValue() ? String.valueOf(d.getDimValue())
          : d.hasDimParam() ? Names.printable(d.getDimParam()) : "?");
    }
    return sb.append(']').toString();
  }

  static String dataTypeName(int type) {
    TensorProto.DataType t = TensorProto.DataType.forNumber(type);
    return t == null ? "number " + type : t.name().toLowerCase(java.util.Locale.ROOT);
  }
}
