package dev.lamina.onnx.imports;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lamina.onnx.export.OnnxExporter;
import dev.lamina.onnx.proto.Onnx.ModelProto;
import dev.lamina.onnx.proto.Onnx.NodeProto;
import dev.lamina.onnx.proto.Onnx.TensorProto;
import dev.lamina.runtime.FloatNetwork;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exporter's names and refusals: layer names that are not plain ASCII identifiers are
 * escaped in every exported name (and import back as Java identifiers), two layers whose escaped
 * names collide are refused, as is every layer the opset cannot express, all in one message.
 */
class ExportChecksTest {
  private static final String PLAIN = "[A-Za-z_][A-Za-z0-9_./]*";

  @TempDir Path dir;

  private static FloatNetwork compile(String className, String body) throws Exception {
    return Models.compile("com.acme." + className, "package com.acme;\n\n"
        + "import dev.lamina.dsl.*;\nimport static dev.lamina.dsl.Activation.*;\n\n"
        + "@Network(input = {1, 8, 8}, loss = Loss.SOFTMAX_CROSS_ENTROPY, classes = 3)\n"
        + "public abstract class " + className + " {\n" + body + "}\n");
  }

  @Test
  void namesOutsidePlainAsciiAreEscaped() throws Exception {
    FloatNetwork net = compile("Odd", """
          @Conv(filters = 2, kernel = 3, activation = RELU) Layer c$1;
          @Affine(units = 3) Layer größe;
        """);
    ModelProto model = OnnxExporter.toModel(net);
    List<String> names = new ArrayList<>();
    for (NodeProto n : model.getGraph().getNodeList()) {
      names.add(n.getName());
      names.addAll(n.getInputList());
      names.addAll(n.getOutputList());
    }
    for (TensorProto t : model.getGraph().getInitializerList()) {
      names.add(t.getName());
    }
    for (String name : names) {
      assertThat(name).matches(PLAIN);
    }
    assertThat(names).containsAtLeast("c_u0024_1", "c_u0024_1.weight", "c_u0024_1.bias",
        "gr_u00F6__u00DF_e", "gr_u00F6__u00DF_e.weight");
    assertThat(model.getGraph().getOutput(0).getName()).isEqualTo("gr_u00F6__u00DF_e");

    Path file = dir.resolve("odd.onnx");
    OnnxExporter.write(net, file);
    ImportedNetwork imported = OnnxImporter.forClass("com.acme", "Back").read(file);
    assertThat(imported.source()).contains("Layer c_u0024_1;");
    assertThat(imported.source()).contains("Layer gr_u00F6__u00DF_e;");
  }

  @Test
  void collidingEscapedNamesAreRefused() throws Exception {
    FloatNetwork net = compile("Collide", """
          @Conv(filters = 2, kernel = 3) Layer a$b;
          @Conv(filters = 2, kernel = 3) Layer a_u0024_b;
          @Affine(units = 3) Layer out;
        """);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> OnnxExporter.toModel(net));
    assertThat(e).hasMessageThat().isEqualTo("cannot export com.acme.Collide to ONNX opset 13:"
        + " layer a_u0024_b: its exported name a_u0024_b is also the name of layer a$b");
  }

  @Test
  void everyLayerTheOpsetCannotExpressIsListed() throws Exception {
    FloatNetwork net = compile("Inexpressible", """
          @Conv(filters = 4, kernel = 3, padding = 1) Layer c1;
          @Pool(kind = PoolKind.AVG, size = 2, stride = 2, dilation = 2, ceilMode = true)
          Layer a;
          @Pool(kind = PoolKind.AVG, size = 2, stride = 1, dilation = 2, padding = 1,
              countPadding = false) Layer b;
          @Affine(units = 3) Layer out;
        """);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> OnnxExporter.toModel(net));
    assertThat(e).hasMessageThat().isEqualTo("cannot export com.acme.Inexpressible to ONNX"
        + " opset 13: layer a (Pool): average pooling with dilation 2x2 and ceil mode: ONNX's"
        + " AveragePool has dilations only from opset 19 (opset 13 is written), and a"
        + " convolution averages only windows of one size; layer b (Pool): average pooling with"
        + " dilation 2x2 and padding left out of the count: ONNX's AveragePool has dilations"
        + " only from opset 19 (opset 13 is written), and a convolution averages only windows"
        + " of one size");
  }

  @Test
  void theMinimalGatedUnitIsRefused() throws Exception {
    FloatNetwork net = Models.compile("com.acme.Minimal", """
        package com.acme;

        import dev.lamina.dsl.*;

        @Network(input = {6, 4}, loss = Loss.SOFTMAX_CROSS_ENTROPY, classes = 3)
        public abstract class Minimal {
          @Recurrent(cell = Recurrent.Cell.MGU, units = 5, returns = Recurrent.Returns.LAST)
          Layer mgu;
          @Affine(units = 3) Layer out;
        }
        """);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> OnnxExporter.toModel(net));
    assertThat(e).hasMessageThat().isEqualTo("cannot export com.acme.Minimal to ONNX opset 13:"
        + " layer mgu (Recurrent): ONNX has no operator for the MGU cell (it has RNN, LSTM and"
        + " GRU)");
  }

  @Test
  void aNetworkWithoutStructureIsRefused() {
    FloatNetwork handWritten = (FloatNetwork) Proxy.newProxyInstance(
        FloatNetwork.class.getClassLoader(), new Class<?>[] {FloatNetwork.class},
        (proxy, method, args) -> {
          throw new UnsupportedOperationException(method.getName());
        });
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> OnnxExporter.toModel(handWritten));
    assertThat(e).hasMessageThat().endsWith(" does not describe its structure: only classes"
        + " generated by the Lamina processor can be exported");
  }
}
