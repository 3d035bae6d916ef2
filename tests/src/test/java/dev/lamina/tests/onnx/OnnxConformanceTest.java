package dev.lamina.tests.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lamina.runtime.FloatNetwork;
import dev.lamina.runtime.ParameterTensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * ONNX backend node tests (the JSON vectors in the shared {@code conformance/onnx-node} folder):
 * every case Lamina's layers can express runs as a single-layer generated network and must match
 * ONNX's expected output within ONNX's own tolerance, {@code |actual - expected| <= 1e-7 + 1e-3 ·
 * |expected|}. Every other case is listed with the reason it cannot be expressed; a case in neither
 * list fails the build, so new vectors cannot go unnoticed. {@code tests/CONFORMANCE.md} is the
 * human-readable version of the two lists.
 */
class OnnxConformanceTest {
  static final double RTOL = 1e-3;
  static final double ATOL = 1e-7;

  // ---- what Lamina cannot express, by reason -----------------------------------------------------

  static final Map<String, List<String>> NOT_EXPRESSIBLE = new LinkedHashMap<>();

  static {
    NOT_EXPRESSIBLE.put("ceil_mode = 1 (Lamina's pooling rounds the output size down)", List.of(
        "test_maxpool_2d_ceil", "test_averagepool_2d_ceil",
        "test_averagepool_2d_ceil_last_window_starts_on_pad"));
    NOT_EXPRESSIBLE.put("dilated pooling (Lamina has dilation on Conv only)", List.of(
        "test_maxpool_2d_dilations", "test_averagepool_2d_dilations"));
    NOT_EXPRESSIBLE.put("asymmetric padding, explicit or from auto_pad SAME_UPPER/SAME_LOWER"
        + " (Lamina pads both sides equally)", List.of(
        "test_conv_with_strides_and_asymmetric_padding", "test_maxpool_2d_same_lower",
        "test_maxpool_2d_same_upper", "test_averagepool_2d_same_lower",
        "test_averagepool_2d_same_upper"));
    NOT_EXPRESSIBLE.put("pooling padding larger than half the window (Lamina rejects it at compile"
        + " time: a window could lie entirely in padding)", List.of(
        "test_maxpool_2d_pads", "test_averagepool_2d_pads",
        "test_averagepool_2d_pads_count_include_pad"));
    NOT_EXPRESSIBLE.put("a second output (MaxPool Indices, Dropout mask)", List.of(
        "test_maxpool_with_argmax_2d_precomputed_pads",
        "test_maxpool_with_argmax_2d_precomputed_strides", "test_dropout_default_mask",
        "test_dropout_default_mask_ratio", "test_training_dropout_zero_ratio_mask"));
    NOT_EXPRESSIBLE.put("Gemm with a full [M, N] bias matrix (Affine has one bias per unit)",
        List.of("test_gemm_default_matrix_bias"));
    NOT_EXPRESSIBLE.put("ELU activation", List.of("test_elu", "test_elu_default",
        "test_elu_example"));
    NOT_EXPRESSIBLE.put("Softmax / LogSoftmax as an output operation (Lamina applies softmax only"
        + " inside the SOFTMAX_CROSS_ENTROPY loss)", List.of(
        "test_softmax_axis_0", "test_softmax_axis_1", "test_softmax_axis_2",
        "test_softmax_default_axis", "test_softmax_example", "test_softmax_large_number",
        "test_softmax_negative_axis", "test_logsoftmax_axis_0", "test_logsoftmax_axis_1",
        "test_logsoftmax_axis_2", "test_logsoftmax_default_axis", "test_logsoftmax_example_1",
        "test_logsoftmax_large_number", "test_logsoftmax_negative_axis"));
    NOT_EXPRESSIBLE.put("two inputs: Add, Concat (no residual or concatenation layers)", List.of(
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

  record Expressible(Supplier<FloatNetwork> network, Weights weights, boolean transposeInput) {}

  static final Map<String, Expressible> EXPRESSIBLE = new LinkedHashMap<>();

  private static void add(String name, Supplier<FloatNetwork> net, Weights w) {
    EXPRESSIBLE.put(name, new Expressible(net, w, false));
  }

  static {
    Weights none = (json, net) -> { };
    Weights conv = (json, net) -> copy(input(json, 1), net, "conv.weight");
    add("test_basic_conv_with_padding", Lamina_OnnxNets_Conv5Pad1::new, conv);
    add("test_basic_conv_without_padding", Lamina_OnnxNets_Conv5::new, conv);
    // SAME_LOWER, 3x3, stride 2 on 5x5: total padding (3-1)·2 + 3 - 5 = 2, split 1 and 1.
    add("test_conv_with_autopad_same", Lamina_OnnxNets_Conv5Stride2Pad1::new, conv);
    add("test_conv_with_strides_no_padding", Lamina_OnnxNets_Conv7x5Stride2::new, conv);
    add("test_conv_with_strides_padding", Lamina_OnnxNets_Conv7x5Stride2Pad1::new, conv);

    add("test_maxpool_2d_default", Lamina_OnnxNets_Max32Size2Stride1::new, none);
    // ceil_mode = 1, but the extra window would start past the input: same size as floor mode.
    add("test_maxpool_2d_ceil_output_size_reduce_by_one", Lamina_OnnxNets_Max2Size1Stride2::new,
        none);
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
    add("test_globalaveragepool", Lamina_OnnxNets_GlobalAvg3x5::new, none);
    add("test_globalaveragepool_precomputed", Lamina_OnnxNets_GlobalAvg1x3::new, none);

    EXPRESSIBLE.put("test_gemm_all_attributes",
        new Expressible(Lamina_OnnxNets_Gemm4To5::new, OnnxConformanceTest::gemm, true));
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
        new Expressible(Lamina_OnnxNets_Gemm6To4::new, OnnxConformanceTest::gemm, true));
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
    add("test_identity", Lamina_OnnxNets_Identity122::new, none);
    // Inference-mode Dropout (or ratio 0) is the identity; Lamina has no Dropout layer.
    add("test_dropout_default", Lamina_OnnxNets_Identity345::new, none);
    add("test_dropout_default_old", Lamina_OnnxNets_Identity3::new, eye);
    add("test_dropout_default_ratio", Lamina_OnnxNets_Identity345::new, none);
    add("test_dropout_random_old", Lamina_OnnxNets_Identity345::new, none);
    add("test_training_dropout_zero_ratio", Lamina_OnnxNets_Identity345::new, none);

    add("test_batchnorm_epsilon", Lamina_OnnxNets_BatchNorm345::new,
        OnnxConformanceTest::batchNorm);
    add("test_batchnorm_example", Lamina_OnnxNets_BatchNorm345::new,
        OnnxConformanceTest::batchNorm);
  }

  // ---- the tests ---------------------------------------------------------------------------------

  @Test
  void everyCaseIsEitherRunOrListedWithAReason() throws IOException {
    TreeSet<String> files = new TreeSet<>();
    try (Stream<Path> s = Files.list(folder())) {
      s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json"))
          .forEach(n -> files.add(n.substring(0, n.length() - ".json".length())));
    }
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
  }

  @TestFactory
  Stream<DynamicTest> expressibleCasesMatchOnnx() {
    return EXPRESSIBLE.entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(),
        () -> check(e.getKey(), e.getValue())));
  }

  private static void check(String name, Expressible c) throws IOException {
    @SuppressWarnings("unchecked")
    Map<String, Object> json = (Map<String, Object>) Json.parse(
        Files.readString(folder().resolve(name + ".json"), StandardCharsets.UTF_8));
    FloatNetwork net = c.network().get();
    c.weights().load(json, net);
    Map<String, Object> x = input(json, 0);
    float[] in = data(x);
    int[] dims = dims(x);
    if (c.transposeInput()) {
      in = transpose(in, dims[0], dims[1]);
      dims = new int[] {dims[1], dims[0]};
    }
    // Images and matrices are batch-first; the element-wise cases ([3], [3, 4, 5]) are one sample.
    int batch = in.length / net.inputSize();
    assertEquals(in.length, batch * net.inputSize(), "input " + List.of(dims) + " vs network");
    @SuppressWarnings("unchecked")
    Map<String, Object> y = ((List<Map<String, Object>>) json.get("outputs")).get(0);
    float[] expected = data(y);
    assertEquals(expected.length, batch * net.outputSize(), name + ": output size");
    float[] out = new float[expected.length];
    net.forward(in, batch, out);
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
    Map<String, Object> b = input(json, 1);
    float[] bd = data(b);
    int[] bdims = dims(b);
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
      float[] c = data(input(json, 2));
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

  /** Inference BatchNormalization as a 1x1 convolution: w = s/√(var+ε) on the diagonal. */
  private static void batchNorm(Map<String, Object> json, FloatNetwork net) {
    @SuppressWarnings("unchecked")
    Map<String, Object> attrs = (Map<String, Object>) json.get("attributes");
    double eps = ((Number) attrs.getOrDefault("epsilon", 1e-5)).doubleValue();
    float[] s = data(input(json, 1));
    float[] bias = data(input(json, 2));
    float[] mean = data(input(json, 3));
    float[] var = data(input(json, 4));
    ParameterTensor w = tensor(net, 0);
    ParameterTensor b = tensor(net, 1);
    float[] p = net.parameters();
    int c = s.length;
    for (int i = 0; i < c; i++) {
      double scale = s[i] / Math.sqrt(var[i] + eps);
      for (int j = 0; j < c; j++) {
        p[w.offset() + i * c + j] = i == j ? (float) scale : 0f;
      }
      p[b.offset() + i] = (float) (bias[i] - mean[i] * scale);
    }
  }

  private static void copy(Map<String, Object> tensor, FloatNetwork net, String name) {
    float[] v = data(tensor);
    ParameterTensor t = net.summary().parameterTensors().stream()
        .filter(p -> p.qualifiedName().equals(name)).findFirst().orElseThrow();
    assertEquals(t.size(), v.length, name);
    System.arraycopy(v, 0, net.parameters(), t.offset(), v.length);
  }

  // ---- JSON helpers ------------------------------------------------------------------------------

  private static ParameterTensor tensor(FloatNetwork net, int i) {
    return net.summary().parameterTensors().get(i);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> input(Map<String, Object> json, int i) {
    return ((List<Map<String, Object>>) json.get("inputs")).get(i);
  }

  @SuppressWarnings("unchecked")
  private static float[] data(Map<String, Object> tensor) {
    List<Object> d = (List<Object>) tensor.get("data");
    float[] v = new float[d.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) ((Number) d.get(i)).doubleValue();
    }
    return v;
  }

  @SuppressWarnings("unchecked")
  private static int[] dims(Map<String, Object> tensor) {
    List<Object> d = (List<Object>) tensor.get("dims");
    return d.stream().mapToInt(o -> ((Number) o).intValue()).toArray();
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

  /** The {@code onnx-node} folder: the system property, else found walking up from here. */
  static Path folder() {
    String prop = System.getProperty("lamina.conformance.dir");
    if (prop != null && Files.isDirectory(Path.of(prop, "onnx-node"))) {
      return Path.of(prop, "onnx-node");
    }
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      for (Path candidate : List.of(p.resolve("shared/conformance/onnx-node"),
          p.resolve("conformance/onnx-node"))) {
        if (Files.isDirectory(candidate)) {
          return candidate;
        }
      }
    }
    throw new UncheckedIOException(new IOException("conformance/onnx-node not found (system"
        + " property lamina.conformance.dir = " + prop + ", nor above " + Path.of("")
        .toAbsolutePath() + ")"));
  }
}
