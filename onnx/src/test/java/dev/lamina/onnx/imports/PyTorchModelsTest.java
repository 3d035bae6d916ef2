package dev.lamina.onnx.imports;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import dev.lamina.runtime.FloatNetwork;
import dev.lamina.runtime.io.Checkpoints;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The models PyTorch 1.13 exported (test resources {@code onnx-models/}, with PyTorch's output
 * for one input batch): each one whose operators Lamina expresses imports; the written source
 * compiles with javac and the real processor; the written checkpoint loads into the class that
 * compilation generates; and its outputs reproduce PyTorch's within 1e-5. {@code tiny_resnet} holds
 * 7,226 parameters, not the 7,282 of the PyTorch module: the exporter folded its batch norms into
 * the convolutions. {@code padded_plumbing} ({@code make_padded_plumbing.py} beside it, PyTorch
 * 1.13) adds what the shared models lack: Pads of zeros and of minus infinity with their folded
 * Slice/Transpose/ConstantOfShape plumbing, a view's Shape/Gather/Unsqueeze/Concat/Reshape,
 * asymmetric and ceil-mode padding, batch norm on images and on a MatMul's output, Elu's alpha.
 * {@code gelu_tanh_mlp} ({@code make_gelu_tanh_mlp.py}) has the tanh GELU written out as
 * Mul/Add/Tanh nodes, also after the last layer. {@code dcgan_generator} maps a vector to an
 * image: Linear, BatchNorm1d, a reshape to 32x7x7 and two transposed convolutions.
 */
class PyTorchModelsTest {
  private static final AtomicInteger RUN = new AtomicInteger();

  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "lenet5, 61706, 7, 0",
      "mlp_flatten_gelu, 52650, 3, 0",
      "tiny_resnet, 7226, 11, 0",
      "tiny_inception, 8422, 12, 0",
      "padded_plumbing, 2166, 8, 2",
      "gelu_tanh_mlp, 25450, 2, 0",
      "dcgan_generator, 38273, 6, 0",
      "row_lstm, 8266, 2, 0",
  })
  void importsCompilesAndReproducesPyTorch(String model, long parameters, int layers,
      int warnings) throws Exception {
    ImportedNetwork imported = OnnxImporter.forClass("com.acme", "Imported")
        .read(Models.model(model + ".onnx"));
    Path source = imported.writeSource(dir.resolve("src"));
    Path checkpoint = dir.resolve(model + ".ckpt");
    imported.writeCheckpoint(checkpoint);
    assertThat(source.toString()).endsWith("com/acme/Imported.java");

    // padded_plumbing's strided convolution and pooling leave a last row unread, as in PyTorch;
    // Lamina's checks warn about that, and the importer passes the warnings on.
    assertThat(imported.warnings()).hasSize(warnings);
    FloatNetwork net = Models.compile("com.acme.Imported", Files.readString(source), warnings);
    Checkpoints.load(net, checkpoint);
    assertWithMessage(imported.source()).that(net.summary().totalParameters())
        .isEqualTo(parameters);
    assertWithMessage(imported.source()).that(net.summary().layers()).hasSize(layers);

    Path json = Models.model(model + ".json");
    Models.Tensor input = Models.tensor(json, "input");
    Models.Tensor expected = Models.tensor(json, "output");
    int batch = input.dims()[0];
    float[] out = new float[batch * net.outputSize()];
    net.forward(input.data(), batch, out);
    assertThat(out.length).isEqualTo(expected.data().length);
    double worst = 0;
    for (int i = 0; i < out.length; i++) {
      worst = Math.max(worst, Math.abs(out[i] - expected.data()[i]));
    }
    assertWithMessage("largest difference from PyTorch\n" + imported.source()).that(worst)
        .isAtMost(1e-5);
    RUN.incrementAndGet();
  }

  @AfterAll
  static void everyExpressibleModelRan() {
    assertThat(RUN.get()).isEqualTo(List.of("lenet5", "mlp_flatten_gelu", "tiny_resnet",
        "tiny_inception", "padded_plumbing", "gelu_tanh_mlp", "dcgan_generator", "row_lstm")
        .size());
  }
}
