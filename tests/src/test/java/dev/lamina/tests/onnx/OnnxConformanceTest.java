package dev.lamina.tests.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lamina.runtime.FloatNetwork;
import dev.lamina.runtime.FloatWorkspace;
import dev.lamina.runtime.ParameterTensor;
import dev.lamina.runtime.ParameterTensor.Role;
import dev.lamina.runtime.kernel.Kernels;
import dev.lamina.testsupport.Tensor;
import dev.lamina.testsupport.VectorSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * ONNX backend node tests (the vectors of {@link VectorSet#ONNX_NODE}): every case Lamina's
 * layers can express runs as a single-layer generated network (in inference mode unless the case
 * is a training-mode one, on the kernels this JVM uses) and must match ONNX's expected output
 * within ONNX's own tolerance, {@code |actual - expected| <= 1e-7 + 1e-3 · |expected|}. Every
 * other case is listed with the reason it cannot be expressed; a case in neither list fails the
 * build, so new vectors cannot go unnoticed, and the counts are asserted. {@code
 * tests/CONFORMANCE.md} is the human-readable version of the two lists.
 */
class OnnxConformanceTest {
  static final double RTOL = 1e-3;
  static final double ATOL = 1e-7;

  /** Cases in the set, run, and listed as not expressible. */
  static final int CASES = 103;
  static final int RUN = 68;
  static final int NOT_RUN = 35;

  // ---- what Lamina cannot express, by reason -----------------------------------------------------

  static final Map<String, List<String>> NOT_EXPRESSIBLE = new LinkedHashMap<>();

  static {
    NOT_EXPRESSIBLE.put("a second output (MaxPool Indices, Dropout mask)", List.of(
        "test_maxpool_with_argmax_2d_precomputed_pads",
        "test_maxpool_with_argmax_2d_precomputed_strides", "test_dropout_default_mask",
        "test_dropout_default_mask_ratio", "test_training_dropout_zero_ratio_mask"));
    NOT_EXPRESSIBLE.put("Gemm with a full [M, N] bias matrix (Affine has one bias per unit)",
        List.of("test_gemm_default_matrix_bias"));
    NOT_EXPRESSIBLE.put("Softmax / LogSoftmax as an output operation (Lamina applies softmax only"
        + " inside the SOFTMAX_CROSS_ENTROPY loss)", List.of(
        "test_softmax_axis_0", "test_softmax_axis_1", "test_softmax_axis_2",
        "test_softmax_default_axis", "test_softmax_example", "test_softmax_large_number",
        "test_softmax_negative_axis", "test_logsoftmax_axis_0", "test_logsoftmax_axis_1",
        "test_logsoftmax_axis_2", "test_logsoftmax_default_axis", "test_logsoftmax_example_1",
        "test_logsoftmax_large_number", "test_logsoftmax_negative_axis"));
    NOT_EXPRESSIBLE.put("two network inputs: Add, Concat (a Lamina network has one input;"
        + " @Add and @Concat join layers computed from it)", List.of(
        "test_add", "test_add_bcast", "test_concat_2d_axis_0", "test_concat_2d_axis_1",
        "test_concat_2d_axis_negative_1", "test_concat_2d_axis_negative_2"));
    NOT_EXPRESSIBLE.put("Flatten as an operation of its own (no reshape layer; Affine flattens"
        + " C×H×W implicitly)", List.of(
        "test_flatten_axis0", "test_flatten_axis1", "test_flatten_axis2", "test_flatten_axis3",
        "test_flatten_default_axis", "test_flatten_negative_axis1", "test_flatten_negative_axis2",
        "test_flatten_negative_axis3", "test_flatten_negative_axis4"));
  }

  // ---- what it can, and how ----------------------------------------------------------------------

  /** Puts a case's weights into the network's parameters. */
  interface Weights {
    void load(Map<String, Object> json, FloatNetwork net);
  }

  /**
   * How a case runs: the network, its weights, whether the input matrix is transposed first
   * (Gemm's {@code transA}), and whether the forward pass is a training pass.
   */
  record Expressible(Supplier<FloatNetwork> network, Weights weights, boolean transposeInput,
      boolean training) {}

  static final Map<String, Expressible> EXPRESSIBLE = new LinkedHashMap<>();

  private static void add(String name, Supplier<FloatNetwork> net, Weights w) {
    EXPRESSIBLE.put(name, new Expressible(net, w, false, false));
  }

  static {
    Weights none = (json, net) -> { };
    Weights conv = (json, net) -> copy(input(json, 1), net, "conv.weight", Role.WEIGHT);
    add("test_basic_conv_with_padding", Lamina_OnnxNets_Conv5Pad1::new, conv);
    add("test_basic_conv_without_padding", Lamina_OnnxNets_Conv5::new, conv);
    // SAME_LOWER, 3x3, stride 2 on 5x5: total padding (3-1)·2 + 3 - 5 = 2, split 1 and 1.
    add("test_conv_with_autopad_same", Lamina_OnnxNets_Conv5Stride2Pad1::new, conv);
    add("test_conv_with_strides_no_padding", Lamina_OnnxNets_Conv7x5Stride2::new, conv);
    add("test_conv_with_strides_padding", Lamina_OnnxNets_Conv7x5Stride2Pad1::new, conv);
    // pads [1, 0, 1, 0] are {top, left, bottom, right}: different per axis, equal per side.
    add("test_conv_with_strides_and_asymmetric_padding",
        Lamina_OnnxNets_Conv7x5Stride2Pad1010::new, conv);

    add("test_maxpool_2d_default", Lamina_OnnxNets_Max32Size2Stride1::new, none);
    // ceil_mode = 1, but the extra window would start past the input: it is dropped.
    add("test_maxpool_2d_ceil_output_size_reduce_by_one",
        Lamina_OnnxNets_Max2Size1Stride2Ceil::new, none);
    add("test_maxpool_2d_ceil", Lamina_OnnxNets_Max4Size3Stride2Ceil::new, none);
    add("test_maxpool_2d_dilations", Lamina_OnnxNets_Max4Size2Dilation2::new, none);
    add("test_maxpool_2d_pads", Lamina_OnnxNets_Max28Size3Pad2::new, none);
    // auto_pad SAME_UPPER / SAME_LOWER, 2x2 stride 1: one pixel after / before the input.
    add("test_maxpool_2d_same_upper", Lamina_OnnxNets_Max32Size2SameUpper::new, none);
    add("test_maxpool_2d_same_lower", Lamina_OnnxNets_Max32Size2SameLower::new, none);
    add("test_maxpool_2d_precomputed_pads", Lamina_OnnxNets_Max5Size5Pad2::new, none);
    // SAME_UPPER, 3x3, stride 2 on 5x5: padding 1 on both sides.
    add("test_maxpool_2d_precomputed_same_upper", Lamina_OnnxNets_Max5Size3Stride2Pad1::new, none);
    add("test_maxpool_2d_precomputed_strides", Lamina_OnnxNets_Max5Size2Stride2::new, none);
    add("test_maxpool_2d_strides", Lamina_OnnxNets_Max32Size5Stride3::new, none);
    add("test_globalmaxpool", Lamina_OnnxNets_GlobalMax3x5::new, none);
    add("test_globalmaxpool_precomputed", Lamina_OnnxNets_GlobalMax1x3::new, none);

    add("test_averagepool_2d_default", Lamina_OnnxNets_Avg32Size2Stride1::new, none);
    add("test_averagepool_2d_precomputed_pads", Lamina_OnnxNets_Avg5Size5Pad2Exclude::new, none);
    add("test_averagepool_2d_precomputed_pads_count_include_pad",
        Lamina_OnnxNets_Avg5Size5Pad2Include::new, none);
    add("test_averagepool_2d_precomputed_same_upper",
        Lamina_OnnxNets_Avg5Size3Stride2Pad1Exclude::new, none);
    add("test_averagepool_2d_precomputed_strides", Lamina_OnnxNets_Avg5Size2Stride2::new, none);
    add("test_averagepool_2d_strides", Lamina_OnnxNets_Avg32Size5Stride3::new, none);
    add("test_averagepool_2d_ceil", Lamina_OnnxNets_Avg4Size3Stride2CeilExclude::new, none);
    // The window at 3 would start on the end padding: dropped; the one kept divides by 3x3.
    add("test_averagepool_2d_ceil_last_window_starts_on_pad",
        Lamina_OnnxNets_Avg2Size3Stride3Pad1CeilInclude::new, none);
    add("test_averagepool_2d_dilations", Lamina_OnnxNets_Avg4Size2Dilation2CeilExclude::new,
        none);
    add("test_averagepool_2d_pads", Lamina_OnnxNets_Avg28Size3Pad2Exclude::new, none);
    add("test_averagepool_2d_pads_count_include_pad", Lamina_OnnxNets_Avg28Size3Pad2Include::new,
        none);
    add("test_averagepool_2d_same_upper", Lamina_OnnxNets_Avg32Size2SameUpperExclude::new, none);
    add("test_averagepool_2d_same_lower", Lamina_OnnxNets_Avg32Size2SameLowerExclude::new, none);
    add("test_globalaveragepool", Lamina_OnnxNets_GlobalAvg3x5::new, none);
    add("test_globalaveragepool_precomputed", Lamina_OnnxNets_GlobalAvg1x3::new, none);

    EXPRESSIBLE.put("test_gemm_all_attributes",
        new Expressible(Lamina_OnnxNets_Gemm4To5::new, OnnxConformanceTest::gemm, true, false));
    add("test_gemm_alpha", Lamina_OnnxNets_Gemm5To4::new, OnnxConformanceTest::gemm);
    add("test_gemm_beta", Lamina_OnnxNets_Gemm7To4::new, OnnxConformanceTest::gemm);
    add("test_gemm_default_no_bias", Lamina_OnnxNets_Gemm10To3NoBias::new,
        OnnxConformanceTest::gemm);
    add("test_gemm_default_scalar_bias", Lamina_OnnxNets_Gemm3To4::new, OnnxConformanceTest::gemm);
    add("test_gemm_default_single_elem_vector_bias", Lamina_OnnxNets_Gemm7To3::new,
        OnnxConformanceTest::gemm);
    add("test_gemm_default_vector_bias", Lamina_OnnxNets_Gemm7To4::new, OnnxConformanceTest::gemm);
    add("test_gemm_default_zero_bias", Lamina_OnnxNets_Gemm5To4::new, OnnxConformanceTest::gemm);
    EXPRESSIBLE.put("test_gemm_transposeA",
        new Expressible(Lamina_OnnxNets_Gemm6To4::new, OnnxConformanceTest::gemm, true, false));
    add("test_gemm_transposeB", Lamina_OnnxNets_Gemm6To4::new, OnnxConformanceTest::gemm);
    add("test_matmul_2d", Lamina_OnnxNets_MatMul4To3::new, OnnxConformanceTest::gemm);

    Weights eye = (json, net) -> identity(net);
    add("test_relu", Lamina_OnnxNets_Relu345::new, none);
    add("test_leakyrelu", Lamina_OnnxNets_LeakyRelu345::new, none);
    add("test_leakyrelu_default", Lamina_OnnxNets_LeakyReluDefault345::new, none);
    add("test_leakyrelu_example", Lamina_OnnxNets_LeakyRelu3::new, eye);
    add("test_sigmoid", Lamina_OnnxNets_Sigmoid345::new, none);
    add("test_sigmoid_example", Lamina_OnnxNets_Sigmoid3::new, eye);
    add("test_tanh", Lamina_OnnxNets_Tanh345::new, none);
    add("test_tanh_example", Lamina_OnnxNets_Tanh3::new, eye);
    add("test_gelu_default_1", Lamina_OnnxNets_Gelu3::new, eye);
    add("test_gelu_default_2", Lamina_OnnxNets_Gelu345::new, none);
    add("test_gelu_tanh_1", Lamina_OnnxNets_GeluTanh3::new, eye);
    add("test_gelu_tanh_2", Lamina_OnnxNets_GeluTanh345::new, none);
    add("test_elu", Lamina_OnnxNets_Elu345Alpha2::new, elu(2.0));
    add("test_elu_default", Lamina_OnnxNets_EluDefault345::new, elu(1.0));
    add("test_elu_example", Lamina_OnnxNets_Elu3Alpha2::new, (json, net) -> {
      elu(2.0).load(json, net);
      identity(net);
    });
    add("test_identity", Lamina_OnnxNets_Identity122::new, none);

    // @Dropout(p = the case's ratio) in inference mode: the identity, as ONNX's Dropout there.
    add("test_dropout_default", Lamina_OnnxNets_Dropout345P05::new, dropout(0.5));
    add("test_dropout_default_old", Lamina_OnnxNets_Dropout3P05::new, dropout(0.5));
    add("test_dropout_default_ratio", Lamina_OnnxNets_Dropout345P01::new, dropout(0.1f));
    add("test_dropout_random_old", Lamina_OnnxNets_Dropout345P02::new, dropout(0.2f));
    // Training mode with ratio 0: a training pass of @Dropout(p = 0) keeps every value (× 1).
    EXPRESSIBLE.put("test_training_dropout_zero_ratio",
        new Expressible(Lamina_OnnxNets_Dropout345P0::new, dropout(0), false, true));

    // @BatchNorm in inference mode: scale, B, mean and var go into weight, bias, running_mean
    // and running_var.
    add("test_batchnorm_epsilon", Lamina_OnnxNets_BatchNorm345Eps001::new, batchNorm(0.01f));
    add("test_batchnorm_example", Lamina_OnnxNets_BatchNorm345::new, batchNorm(1e-5f));
  }

  // ---- the tests ---------------------------------------------------------------------------------

  @Test
  void everyCaseIsEitherRunOrListedWithAReason() {
    TreeSet<String> files = new TreeSet<>(VectorSet.ONNX_NODE.cases());
    TreeSet<String> listed = new TreeSet<>(EXPRESSIBLE.keySet());
    int notExpressible = 0;
    for (List<String> l : NOT_EXPRESSIBLE.values()) {
      for (String c : l) {
        assertTrue(listed.add(c), c + " is listed twice");
        notExpressible++;
      }
    }
    TreeSet<String> unlisted = new TreeSet<>(files);
    unlisted.removeAll(listed);
    TreeSet<String> missing = new TreeSet<>(listed);
    missing.removeAll(files);
    assertTrue(unlisted.isEmpty(), "cases neither run nor explained: " + unlisted);
    assertTrue(missing.isEmpty(), "listed cases without a file: " + missing);
    System.out.printf("ONNX node tests: %d cases, %d expressible, %d not%n", files.size(),
        EXPRESSIBLE.size(), notExpressible);
    assertEquals(List.of(CASES, RUN, NOT_RUN),
        List.of(files.size(), EXPRESSIBLE.size(), notExpressible), "cases, run, not expressible");
  }

  @TestFactory
  Stream<DynamicTest> expressibleCasesMatchOnnx() {
    List<DynamicTest> tests = EXPRESSIBLE.entrySet().stream().map(e -> DynamicTest.dynamicTest(
        e.getKey(), () -> check(e.getKey(), e.getValue()))).toList();
    System.out.printf("ONNX node tests: %d run on the %s kernels%n", tests.size(),
        Kernels.BACKEND);
    assertEquals(RUN, tests.size(), "cases run");
    return tests.stream();
  }

  private static void check(String name, Expressible c) {
    Map<String, Object> json = VectorSet.ONNX_NODE.read(name);
    FloatNetwork net = c.network().get();
    c.weights().load(json, net);
    Tensor x = input(json, 0);
    float[] in = x.floats();
    int[] dims = x.dims();
    if (c.transposeInput()) {
      in = transpose(in, dims[0], dims[1]);
      dims = new int[] {dims[1], dims[0]};
    }
    // Images and matrices are batch-first; the element-wise cases ([3], [3, 4, 5]) are one sample.
    int batch = in.length / net.inputSize();
    assertEquals(in.length, batch * net.inputSize(), "input " + List.of(dims) + " vs network");
    float[] expected = value(json, "outputs", 0).floats();
    assertEquals(expected.length, batch * net.outputSize(), name + ": output size");
    FloatWorkspace ws = net.newWorkspace(batch);
    float[] out = Arrays.copyOf(ws.forward(in, 0, batch, c.training()), expected.length);
    List<String> bad = new ArrayList<>();
    for (int i = 0; i < out.length; i++) {
      if (!(Math.abs(out[i] - expected[i]) <= ATOL + RTOL * Math.abs(expected[i]))) {
        bad.add("[" + i + "] " + out[i] + " expected " + expected[i]);
      }
    }
    if (!bad.isEmpty()) {
      fail(name + ": " + bad.size() + " of " + out.length + " values outside ONNX's tolerance, e.g. "
          + bad.subList(0, Math.min(5, bad.size())));
    }
  }

  // ---- weights -----------------------------------------------------------------------------------

  /** Gemm / MatMul: W[k][n] = alpha · B'[k][n], bias[n] = beta · C broadcast. */
  private static void gemm(Map<String, Object> json, FloatNetwork net) {
    @SuppressWarnings("unchecked")
    Map<String, Object> attrs = (Map<String, Object>) json.get("attributes");
    double alpha = ((Number) attrs.getOrDefault("alpha", 1.0)).doubleValue();
    double beta = ((Number) attrs.getOrDefault("beta", 1.0)).doubleValue();
    boolean transB = ((Number) attrs.getOrDefault("transB", 0.0)).intValue() == 1;
    Tensor b = input(json, 1);
    float[] bd = b.floats();
    int[] bdims = b.dims();
    int k = transB ? bdims[1] : bdims[0];
    int n = transB ? bdims[0] : bdims[1];
    ParameterTensor w = tensor(net, 0);
    assertEquals(List.of(k, n), List.of(w.shape()[0], w.shape()[1]), "Affine weight [in][out]");
    float[] p = net.parameters();
    for (int i = 0; i < k; i++) {
      for (int j = 0; j < n; j++) {
        double v = transB ? bd[j * k + i] : bd[i * n + j];
        p[w.offset() + i * n + j] = (float) (alpha * v);
      }
    }
    @SuppressWarnings("unchecked")
    List<Object> inputs = (List<Object>) json.get("inputs");
    if (inputs.size() > 2) {
      float[] c = input(json, 2).floats();
      ParameterTensor bias = tensor(net, 1);
      for (int j = 0; j < n; j++) {
        p[bias.offset() + j] = (float) (beta * c[c.length == 1 ? 0 : j]);
      }
    }
  }

  /** W = I (an Affine layer as the identity before its activation). */
  private static void identity(FloatNetwork net) {
    ParameterTensor w = tensor(net, 0);
    int n = w.shape()[1];
    float[] p = net.parameters();
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        p[w.offset() + i * n + j] = i == j ? 1f : 0f;
      }
    }
  }

  /**
   * Inference BatchNormalization: scale, B, mean and var into the {@code @BatchNorm} layer's
   * weight, bias and running statistics. {@code eps} is the one the network declares; it must be
   * the case's epsilon (ONNX's default 1e-5 when absent), as float32.
   */
  private static Weights batchNorm(double eps) {
    return (json, net) -> {
      assertEquals((float) attribute(json, "epsilon", 1e-5), (float) eps, "declared eps");
      // γ has role BIAS in Lamina: it is not weight-decayed.
      copy(input(json, 1), net, "bn.weight", Role.BIAS);
      copy(input(json, 2), net, "bn.bias", Role.BIAS);
      copy(input(json, 3), net, "bn.running_mean", Role.STATISTIC);
      copy(input(json, 4), net, "bn.running_var", Role.STATISTIC);
    };
  }

  /** ELU has no weights; {@code alpha} is the one the network declares, the case's (default 1). */
  private static Weights elu(double alpha) {
    return (json, net) -> assertEquals((float) attribute(json, "alpha", 1.0), (float) alpha,
        "declared alpha");
  }

  /**
   * Dropout has no weights; {@code p} is the ratio the network declares, which must be the case's
   * (the {@code ratio} input, else the opset-11 attribute, else ONNX's default 0.5), as float32.
   */
  private static Weights dropout(double p) {
    return (json, net) -> {
      @SuppressWarnings("unchecked")
      List<Object> inputs = (List<Object>) json.get("inputs");
      double ratio = inputs.size() > 1 ? input(json, 1).floats()[0]
          : attribute(json, "ratio", 0.5);
      assertEquals((float) ratio, (float) p, "declared p");
    };
  }

  private static double attribute(Map<String, Object> json, String name, double otherwise) {
    @SuppressWarnings("unchecked")
    Map<String, Object> attrs = (Map<String, Object>) json.get("attributes");
    return ((Number) attrs.getOrDefault(name, otherwise)).doubleValue();
  }

  private static void copy(Tensor tensor, FloatNetwork net, String name, Role role) {
    float[] v = tensor.floats();
    ParameterTensor t = net.summary().parameterTensors().stream()
        .filter(p -> p.qualifiedName().equals(name)).findFirst().orElseThrow();
    assertEquals(role, t.role(), name);
    assertEquals(t.size(), v.length, name);
    System.arraycopy(v, 0, net.parameters(), t.offset(), v.length);
  }

  // ---- case helpers ------------------------------------------------------------------------------

  private static ParameterTensor tensor(FloatNetwork net, int i) {
    return net.summary().parameterTensors().get(i);
  }

  private static Tensor input(Map<String, Object> json, int i) {
    return value(json, "inputs", i);
  }

  /** Input or output {@code i} of a case as a {@link Tensor}; errors name the file. */
  @SuppressWarnings("unchecked")
  private static Tensor value(Map<String, Object> json, String list, int i) {
    String name = (String) json.get("case");
    return Tensor.of(((List<Object>) json.get(list)).get(i), VectorSet.ONNX_NODE.source(name),
        list + "[" + i + "]");
  }

  private static float[] transpose(float[] a, int rows, int cols) {
    float[] t = new float[a.length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        t[c * rows + r] = a[r * cols + c];
      }
    }
    return t;
  }
}
