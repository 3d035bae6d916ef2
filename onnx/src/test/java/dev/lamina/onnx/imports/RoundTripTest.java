package dev.lamina.onnx.imports;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import dev.lamina.dsl.Loss;
import dev.lamina.onnx.export.OnnxExporter;
import dev.lamina.runtime.FloatNetwork;
import dev.lamina.runtime.ParameterTensor;
import dev.lamina.runtime.SeededRandom;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Export, then import: the importer writes the declaration the network was compiled from (the
 * same annotations, attributes and layer names; only the class name, the comments and the
 * Javadoc differ), and the imported parameters are the exported ones bit for bit (every
 * parameter drawn at random first, batch normalization's statistics included). LeNet-5's
 * subsampling comes back from the window-sum Conv, Mul and Add the exporter writes for it.
 */
class RoundTripTest {
  private static final List<String> RAN = new ArrayList<>();

  @TempDir Path dir;

  /** The declarations, written as the importer writes them (defaults left out). */
  private static final String[] NETWORKS = {
      """
      @Network(input = {1, 28, 28}, loss = Loss.SOFTMAX_CROSS_ENTROPY, classes = 10)
      public abstract class LeNet5 {
        @Conv(filters = 6, kernel = 5, padding = 2, activation = RELU) Layer c1;
        @Pool(size = 2) Layer s2;
        @Conv(filters = 16, kernel = 5, activation = RELU) Layer c3;
        @Pool(size = 2) Layer s4;
        @Affine(units = 120, activation = RELU) Layer f5;
        @Affine(units = 84, activation = RELU) Layer f6;
        @Affine(units = 10) Layer out;
      }
      """,
      """
      @Network(input = {1, 28, 28}, loss = Loss.SOFTMAX_CROSS_ENTROPY, classes = 10)
      public abstract class LeNet5Classic {
        @Conv(filters = 6, kernel = 5, padding = 2) Layer c1;
        @Pool(kind = PoolKind.SUBSAMPLE, size = 2, activation = SIGMOID) Layer s2;
        @Conv(filters = 16, kernel = 5) Layer c3;
        @Pool(kind = PoolKind.SUBSAMPLE, size = 2, activation = SIGMOID) Layer s4;
        @Conv(filters = 120, kernel = 5, activation = TANH) Layer c5;
        @Affine(units = 84, activation = TANH) Layer f6;
        @Affine(units = 10, bias = false) Layer out;
      }
      """,
      """
      @Network(input = {3, 12, 12}, loss = Loss.SOFTMAX_CROSS_ENTROPY, classes = 5)
      public abstract class Graph {
        @Conv(filters = 8, kernel = 3, padding = 1, bias = false) Layer c1;
        @BatchNorm(eps = 0.001, momentum = 0.2, activation = RELU) Layer bn1;
        @Conv(from = Network.INPUT, filters = 8, kernel = 1) Layer proj;
        @Add(from = {"bn1", "proj"}, activation = RELU) Layer sum;
        @Pool(size = 3, stride = 2, ceilMode = true) Layer max;
        @Pool(from = "sum", kind = PoolKind.AVG, size = 3, stride = 2, padding = 1,
            countPadding = false) Layer avg;
        @Concat(from = {"max", "avg"}) Layer cat;
        @GlobalAvgPool Layer gap;
        @Dropout(p = 0.25) Layer drop;
        @Affine(units = 5) Layer out;
      }
      """,
      """
      @Network(input = {1, 16, 16}, loss = Loss.SOFTMAX_CROSS_ENTROPY, classes = 4)
      public abstract class Kinds {
        @Conv(filters = 8, kernel = 3, padding = 1, activation = RELU6) Layer c1;
        @LocalResponseNorm(size = 3, alpha = 0.001, beta = 0.5, k = 2.0) Layer lrn;
        @Conv(filters = 8, kernel = 4, stride = 2, groups = 4, activation = GELU) Layer g2;
        @ConvTranspose(filters = 4, kernel = 3, stride = 2, padding = 1, outputPadding = 1,
            activation = LEAKY_RELU, negativeSlope = 0.2) Layer up;
        @Conv(filters = 6, kernel = 3, padding = 2, dilation = 2, activation = ELU, alpha = 0.5)
            Layer dil;
        @Affine(units = 48, activation = GELU_TANH) Layer f1;
        @BatchNorm(activation = SIGMOID) Layer bn;
        @Reshape(shape = {3, 4, 4}) Layer r;
        @Conv(filters = 16, kernel = 3, padding = 1, activation = TANH) Layer c2;
        @GlobalAvgPool Layer gap;
        @Affine(units = 4, bias = false) Layer out;
      }
      """,
      """
      @Network(input = {6, 4}, loss = Loss.SOFTMAX_CROSS_ENTROPY, classes = 3)
      public abstract class Gated {
        @Recurrent(cell = Recurrent.Cell.GRU, units = 5, returns = Recurrent.Returns.SEQUENCE,
            bidirectional = true) Layer gru;
        @Affine(units = 4, activation = TANH) Layer step;
        @Recurrent(cell = Recurrent.Cell.LSTM, units = 3, returns = Recurrent.Returns.LAST,
            layers = 2, bidirectional = true, bias = false) Layer lstm;
        @Affine(units = 3) Layer out;
      }
      """,
      """
      @Network(input = {5, 3}, loss = Loss.SOFTMAX_CROSS_ENTROPY, classes = 2)
      public abstract class Simple {
        @Recurrent(cell = Recurrent.Cell.RNN_TANH, units = 4, returns = Recurrent.Returns.SEQUENCE,
            layers = 3) Layer tanh;
        @Recurrent(cell = Recurrent.Cell.RNN_RELU, units = 3, returns = Recurrent.Returns.LAST,
            bidirectional = true) Layer relu;
        @Affine(units = 2) Layer out;
      }
      """};

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2, 3, 4, 5})
  void exportThenImportGivesTheDeclarationAndTheParameters(int which) throws Exception {
    String body = NETWORKS[which];
    int at = body.indexOf("abstract class ") + "abstract class ".length();
    String className = body.substring(at, body.indexOf(" {", at));
    String source = "package com.acme;\n\nimport dev.lamina.dsl.*;\n"
        + "import static dev.lamina.dsl.Activation.*;\n\n" + body;
    FloatNetwork original = Models.compile("com.acme." + className, source);
    randomize(original);
    Path file = dir.resolve(className + ".onnx");
    OnnxExporter.write(original, file);

    ImportedNetwork imported = OnnxImporter.forClass("com.acme", "Imported")
        .withLoss(Loss.SOFTMAX_CROSS_ENTROPY).read(file);
    assertWithMessage(imported.source()).that(declaration(imported.source(), "Imported"))
        .isEqualTo(declaration(source, className));
    float[] a = original.parameters();
    float[] b = imported.network().parameters();
    assertThat(b.length).isEqualTo(a.length);
    for (int i = 0; i < a.length; i++) {
      if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
        throw new AssertionError(className + ": parameter " + i + " is " + b[i] + " after the"
            + " round trip, " + a[i] + " before");
      }
    }
    RAN.add(className);
  }

  @AfterAll
  static void everyNetworkRan() {
    assertThat(RAN).containsExactly("LeNet5", "LeNet5Classic", "Graph", "Kinds", "Gated",
        "Simple");
  }

  /** Every parameter drawn from [-1, 1); variances from [0.5, 1.5). */
  private static void randomize(FloatNetwork net) {
    SeededRandom random = new SeededRandom(17);
    float[] p = net.parameters();
    for (ParameterTensor t : net.summary().parameterTensors()) {
      boolean variance = t.name().equals("running_var");
      for (int i = t.offset(); i < t.offset() + t.size(); i++) {
        double u = random.nextDouble();
        p[i] = (float) (variance ? 0.5 + u : 2 * u - 1);
      }
    }
  }

  /**
   * The {@code @Network} line and each field's annotation and name, whitespace collapsed: the
   * source without its package, imports, comments, Javadoc and {@code @SuppressWarnings}, and
   * with the class called {@code C}.
   */
  static String declaration(String source, String className) {
    String s = source.substring(source.indexOf("@Network("));
    StringBuilder sb = new StringBuilder();
    for (String line : s.split("\n")) {
      String t = line.strip();
      if (t.isEmpty() || t.startsWith("//") || t.startsWith("@SuppressWarnings")) {
        continue;
      }
      sb.append(t).append(' ');
    }
    return sb.toString().replaceAll("\\s+", " ").strip()
        .replace("class " + className + " ", "class C ");
  }
}
