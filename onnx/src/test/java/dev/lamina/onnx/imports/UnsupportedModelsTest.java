package dev.lamina.onnx.imports;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lamina.onnx.OnnxException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The PyTorch models that use operators Lamina has no layer for are refused with a message naming
 * the node, its operator and what Lamina supports instead.
 */
class UnsupportedModelsTest {
  private static OnnxException refused(String model) {
    Path file = Models.model(model);
    OnnxException e = assertThrows(OnnxException.class,
        () -> OnnxImporter.forClass("com.acme", "Imported").read(file));
    assertThat(e.getMessage()).startsWith(file.toString());
    assertThat(e.file()).isEqualTo(file);
    return e;
  }

  @Test
  void lstmHasNoLayerYet() {
    OnnxException e = refused("row_lstm.onnx");
    assertThat(e.problems()).contains("node '/lstm/LSTM' (LSTM): Lamina has no recurrent layer"
        + " (LSTM) yet");
    assertThat(e.getMessage()).endsWith("\n" + supported());
  }

  @Test
  void convTransposeHasNoLayerYet() {
    OnnxException e = refused("dcgan_generator.onnx");
    assertThat(e.problems()).hasSize(2);
    assertThat(e.problems().get(0)).isEqualTo("node '/up1/ConvTranspose' (ConvTranspose): Lamina"
        + " has no transposed convolution (ConvTranspose) yet");
    assertThat(e.problems().get(1)).startsWith("node '/up2/ConvTranspose' (ConvTranspose):");
    assertThat(e.getMessage()).endsWith("\n" + supported());
  }

  @Test
  void softmaxAsOutputIsRefused() {
    OnnxException e = refused("unsupported_softmax.onnx");
    assertThat(e.problems()).hasSize(1);
    assertThat(e.problems().get(0)).startsWith("node '/Softmax' (Softmax): Lamina has no softmax"
        + " layer: a network outputs logits, and softmax is applied only inside the loss"
        + " SOFTMAX_CROSS_ENTROPY");
  }

  @Test
  void elementWiseGateIsRefused() {
    OnnxException e = refused("unsupported_mul_gate.onnx");
    assertThat(e.problems()).hasSize(1);
    assertThat(e.problems().get(0)).startsWith("node '/Mul' (Mul): Lamina has no element-wise"
        + " arithmetic layer (Mul of two tensors, such as the gate x * sigmoid(x))");
  }

  private static String supported() {
    return "Lamina imports Conv, MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool, Gemm,"
        + " MatMul, BatchNormalization (inference), Dropout, Relu, LeakyRelu, Sigmoid, Tanh, Elu,"
        + " Gelu (also written out with Erf or Tanh), Add, Concat (channels), Flatten, Reshape"
        + " (flattening), Identity, Pad (into a Conv or pooling) and the integer plumbing of"
        + " shapes and pads (Shape, Gather, Unsqueeze, Squeeze, Concat, Reshape, Slice,"
        + " Transpose, ConstantOfShape, Cast on constants).";
  }
}
