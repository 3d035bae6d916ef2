package dev.lamina.tests.onnx;

import static dev.lamina.dsl.Activation.ELU;
import static dev.lamina.dsl.Activation.GELU;
import static dev.lamina.dsl.Activation.GELU_TANH;
import static dev.lamina.dsl.Activation.LEAKY_RELU;
import static dev.lamina.dsl.Activation.RELU;
import static dev.lamina.dsl.Activation.SIGMOID;
import static dev.lamina.dsl.Activation.TANH;
import static dev.lamina.dsl.PoolKind.AVG;
import static dev.lamina.dsl.PoolKind.MAX;

import dev.lamina.dsl.Affine;
import dev.lamina.dsl.AutoPad;
import dev.lamina.dsl.BatchNorm;
import dev.lamina.dsl.Conv;
import dev.lamina.dsl.Dropout;
import dev.lamina.dsl.GlobalAvgPool;
import dev.lamina.dsl.Layer;
import dev.lamina.dsl.Network;
import dev.lamina.dsl.Pool;

/**
 * Single-layer networks, one per ONNX node-test shape (and attribute value) that Lamina can
 * express (see {@code tests/CONFORMANCE.md}). They have no loss (the test only runs forward
 * passes), and some leave input rows unread exactly as ONNX does: both warnings are intended here.
 */
@SuppressWarnings({"lamina:no-loss", "lamina:stride-remainder"})
final class OnnxNets {
  private OnnxNets() {}

  // ---- Conv: one 3x3 filter, no bias -------------------------------------------------------------

  @Network(input = {1, 5, 5})
  abstract static class Conv5Pad1 {
    @Conv(filters = 1, kernel = 3, padding = 1, bias = false) Layer conv;
  }

  @Network(input = {1, 5, 5})
  abstract static class Conv5 {
    @Conv(filters = 1, kernel = 3, bias = false) Layer conv;
  }

  @Network(input = {1, 5, 5})
  abstract static class Conv5Stride2Pad1 {
    @Conv(filters = 1, kernel = 3, stride = 2, padding = 1, bias = false) Layer conv;
  }

  @Network(input = {1, 7, 5})
  abstract static class Conv7x5Stride2 {
    @Conv(filters = 1, kernel = 3, stride = 2, bias = false) Layer conv;
  }

  @Network(input = {1, 7, 5})
  abstract static class Conv7x5Stride2Pad1 {
    @Conv(filters = 1, kernel = 3, stride = 2, padding = 1, bias = false) Layer conv;
  }

  // pads [1, 0, 1, 0] in ONNX's order {top, left, bottom, right}
  @Network(input = {1, 7, 5})
  abstract static class Conv7x5Stride2Pad1010 {
    @Conv(filters = 1, kernel = 3, stride = 2, padding = {1, 0, 1, 0}, bias = false) Layer conv;
  }

  // ---- MaxPool (ONNX strides default to 1; Lamina's to the window) ------------------------------

  @Network(input = {1, 2, 2})
  abstract static class Max2Size1Stride2Ceil {
    @Pool(kind = MAX, size = 1, stride = 2, ceilMode = true) Layer pool;
  }

  @Network(input = {1, 4, 4})
  abstract static class Max4Size3Stride2Ceil {
    @Pool(kind = MAX, size = 3, stride = 2, ceilMode = true) Layer pool;
  }

  @Network(input = {1, 4, 4})
  abstract static class Max4Size2Dilation2 {
    @Pool(kind = MAX, size = 2, stride = 1, dilation = 2) Layer pool;
  }

  @Network(input = {3, 28, 28})
  abstract static class Max28Size3Pad2 {
    @Pool(kind = MAX, size = 3, stride = 1, padding = 2) Layer pool;
  }

  @Network(input = {3, 32, 32})
  abstract static class Max32Size2SameUpper {
    @Pool(kind = MAX, size = 2, stride = 1, autoPad = AutoPad.SAME_UPPER) Layer pool;
  }

  @Network(input = {3, 32, 32})
  abstract static class Max32Size2SameLower {
    @Pool(kind = MAX, size = 2, stride = 1, autoPad = AutoPad.SAME_LOWER) Layer pool;
  }

  @Network(input = {3, 32, 32})
  abstract static class Max32Size2Stride1 {
    @Pool(kind = MAX, size = 2, stride = 1) Layer pool;
  }

  @Network(input = {1, 5, 5})
  abstract static class Max5Size5Pad2 {
    @Pool(kind = MAX, size = 5, stride = 1, padding = 2) Layer pool;
  }

  @Network(input = {1, 5, 5})
  abstract static class Max5Size3Stride2Pad1 {
    @Pool(kind = MAX, size = 3, stride = 2, padding = 1) Layer pool;
  }

  @Network(input = {1, 5, 5})
  abstract static class Max5Size2Stride2 {
    @Pool(kind = MAX, size = 2, stride = 2) Layer pool;
  }

  @Network(input = {3, 32, 32})
  abstract static class Max32Size5Stride3 {
    @Pool(kind = MAX, size = 5, stride = 3) Layer pool;
  }

  @Network(input = {3, 5, 5})
  abstract static class GlobalMax3x5 {
    @Pool(kind = MAX, size = 5) Layer pool;
  }

  @Network(input = {1, 3, 3})
  abstract static class GlobalMax1x3 {
    @Pool(kind = MAX, size = 3) Layer pool;
  }

  // ---- AveragePool ------------------------------------------------------------------------------

  @Network(input = {3, 32, 32})
  abstract static class Avg32Size2Stride1 {
    @Pool(kind = AVG, size = 2, stride = 1) Layer pool;
  }

  @Network(input = {1, 5, 5})
  abstract static class Avg5Size5Pad2Exclude {
    @Pool(kind = AVG, size = 5, stride = 1, padding = 2, countPadding = false) Layer pool;
  }

  @Network(input = {1, 5, 5})
  abstract static class Avg5Size5Pad2Include {
    @Pool(kind = AVG, size = 5, stride = 1, padding = 2, countPadding = true) Layer pool;
  }

  @Network(input = {1, 5, 5})
  abstract static class Avg5Size3Stride2Pad1Exclude {
    @Pool(kind = AVG, size = 3, stride = 2, padding = 1, countPadding = false) Layer pool;
  }

  @Network(input = {1, 5, 5})
  abstract static class Avg5Size2Stride2 {
    @Pool(kind = AVG, size = 2, stride = 2) Layer pool;
  }

  @Network(input = {3, 32, 32})
  abstract static class Avg32Size5Stride3 {
    @Pool(kind = AVG, size = 5, stride = 3) Layer pool;
  }

  @Network(input = {1, 4, 4})
  abstract static class Avg4Size3Stride2CeilExclude {
    @Pool(kind = AVG, size = 3, stride = 2, ceilMode = true, countPadding = false) Layer pool;
  }

  @Network(input = {3, 2, 2})
  abstract static class Avg2Size3Stride3Pad1CeilInclude {
    @Pool(kind = AVG, size = 3, stride = 3, padding = 1, ceilMode = true, countPadding = true)
    Layer pool;
  }

  @Network(input = {1, 4, 4})
  abstract static class Avg4Size2Dilation2CeilExclude {
    @Pool(kind = AVG, size = 2, stride = 1, dilation = 2, ceilMode = true, countPadding = false)
    Layer pool;
  }

  @Network(input = {3, 28, 28})
  abstract static class Avg28Size3Pad2Exclude {
    @Pool(kind = AVG, size = 3, stride = 1, padding = 2, countPadding = false) Layer pool;
  }

  @Network(input = {3, 28, 28})
  abstract static class Avg28Size3Pad2Include {
    @Pool(kind = AVG, size = 3, stride = 1, padding = 2, countPadding = true) Layer pool;
  }

  @Network(input = {3, 32, 32})
  abstract static class Avg32Size2SameUpperExclude {
    @Pool(kind = AVG, size = 2, stride = 1, autoPad = AutoPad.SAME_UPPER, countPadding = false)
    Layer pool;
  }

  @Network(input = {3, 32, 32})
  abstract static class Avg32Size2SameLowerExclude {
    @Pool(kind = AVG, size = 2, stride = 1, autoPad = AutoPad.SAME_LOWER, countPadding = false)
    Layer pool;
  }

  // GlobalAveragePool: C×H×W to C (ONNX keeps [N, C, 1, 1]: the same values).

  @Network(input = {3, 5, 5})
  abstract static class GlobalAvg3x5 {
    @GlobalAvgPool Layer pool;
  }

  @Network(input = {1, 3, 3})
  abstract static class GlobalAvg1x3 {
    @GlobalAvgPool Layer pool;
  }

  // ---- Gemm and MatMul: Affine with W = alpha·B' ([in][out]) and bias = beta·C --------------------

  @Network(input = 4)
  abstract static class Gemm4To5 {
    @Affine(units = 5) Layer gemm;
  }

  @Network(input = 5)
  abstract static class Gemm5To4 {
    @Affine(units = 4) Layer gemm;
  }

  @Network(input = 7)
  abstract static class Gemm7To4 {
    @Affine(units = 4) Layer gemm;
  }

  @Network(input = 10)
  abstract static class Gemm10To3NoBias {
    @Affine(units = 3, bias = false) Layer gemm;
  }

  @Network(input = 3)
  abstract static class Gemm3To4 {
    @Affine(units = 4) Layer gemm;
  }

  @Network(input = 7)
  abstract static class Gemm7To3 {
    @Affine(units = 3) Layer gemm;
  }

  @Network(input = 6)
  abstract static class Gemm6To4 {
    @Affine(units = 4) Layer gemm;
  }

  @Network(input = 4)
  abstract static class MatMul4To3 {
    @Affine(units = 3, bias = false) Layer matmul;
  }

  // ---- Element-wise on 3x4x5: a 1x1 pooling window is the identity ------------------------------

  @Network(input = {3, 4, 5})
  abstract static class Relu345 {
    @Pool(size = 1, activation = RELU) Layer act;
  }

  @Network(input = {3, 4, 5})
  abstract static class LeakyRelu345 {
    @Pool(size = 1, activation = LEAKY_RELU, negativeSlope = 0.1) Layer act;
  }

  @Network(input = {3, 4, 5})
  abstract static class LeakyReluDefault345 {
    @Pool(size = 1, activation = LEAKY_RELU) Layer act;
  }

  @Network(input = {3, 4, 5})
  abstract static class Sigmoid345 {
    @Pool(size = 1, activation = SIGMOID) Layer act;
  }

  @Network(input = {3, 4, 5})
  abstract static class Tanh345 {
    @Pool(size = 1, activation = TANH) Layer act;
  }

  @Network(input = {3, 4, 5})
  abstract static class Gelu345 {
    @Pool(size = 1, activation = GELU) Layer act;
  }

  @Network(input = {3, 4, 5})
  abstract static class GeluTanh345 {
    @Pool(size = 1, activation = GELU_TANH) Layer act;
  }

  @Network(input = {3, 4, 5})
  abstract static class Elu345Alpha2 {
    @Pool(size = 1, activation = ELU, alpha = 2.0) Layer act;
  }

  @Network(input = {3, 4, 5})
  abstract static class EluDefault345 {
    @Pool(size = 1, activation = ELU) Layer act;
  }

  @Network(input = {1, 2, 2})
  abstract static class Identity122 {
    @Pool(size = 1) Layer identity;
  }

  // ---- Element-wise on a vector of 3: Affine with W = I, no bias --------------------------------

  @Network(input = 3)
  abstract static class LeakyRelu3 {
    @Affine(units = 3, bias = false, activation = LEAKY_RELU, negativeSlope = 0.1) Layer act;
  }

  @Network(input = 3)
  abstract static class Sigmoid3 {
    @Affine(units = 3, bias = false, activation = SIGMOID) Layer act;
  }

  @Network(input = 3)
  abstract static class Tanh3 {
    @Affine(units = 3, bias = false, activation = TANH) Layer act;
  }

  @Network(input = 3)
  abstract static class Gelu3 {
    @Affine(units = 3, bias = false, activation = GELU) Layer act;
  }

  @Network(input = 3)
  abstract static class GeluTanh3 {
    @Affine(units = 3, bias = false, activation = GELU_TANH) Layer act;
  }

  @Network(input = 3)
  abstract static class Elu3Alpha2 {
    @Affine(units = 3, bias = false, activation = ELU, alpha = 2.0) Layer act;
  }

  // ---- Dropout: p is the case's ratio (attribute, input or ONNX's default 0.5) ------------------

  @Network(input = {3, 4, 5})
  abstract static class Dropout345P05 {
    @Dropout(p = 0.5) Layer dropout;
  }

  @Network(input = 3)
  abstract static class Dropout3P05 {
    @Dropout(p = 0.5) Layer dropout;
  }

  @Network(input = {3, 4, 5})
  abstract static class Dropout345P01 {
    @Dropout(p = 0.1f) Layer dropout;
  }

  @Network(input = {3, 4, 5})
  abstract static class Dropout345P02 {
    @Dropout(p = 0.2f) Layer dropout;
  }

  @Network(input = {3, 4, 5})
  abstract static class Dropout345P0 {
    @Dropout(p = 0) Layer dropout;
  }

  // ---- BatchNormalization (inference): eps is the case's float32 epsilon ------------------------

  @Network(input = {3, 4, 5})
  abstract static class BatchNorm345 {
    @BatchNorm(eps = 1e-5f) Layer bn;
  }

  @Network(input = {3, 4, 5})
  abstract static class BatchNorm345Eps001 {
    @BatchNorm(eps = 0.01f) Layer bn;
  }
}
