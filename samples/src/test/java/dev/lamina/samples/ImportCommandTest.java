package dev.lamina.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.runtime.io.CheckpointInfo;
import dev.lamina.runtime.io.Checkpoints;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code import}: writes the source and the checkpoint, or nothing with the reasons. */
class ImportCommandTest {
  /** The PyTorch models of the onnx module's tests (Maven runs tests in the module's folder). */
  private static final Path MODELS = Path.of("../onnx/src/test/resources/onnx-models");

  @TempDir Path dir;

  @Test
  void importsLeNet5() throws Exception {
    Path ckpt = dir.resolve("classifier.ckpt");
    AppTest.Run r = AppTest.run("import", MODELS.resolve("lenet5.onnx").toString(), "--package",
        "com.acme", "--class", "Classifier", "--out", dir.resolve("src").toString(),
        "--checkpoint", ckpt.toString(), "--loss", "SOFTMAX_CROSS_ENTROPY");
    assertEquals(0, r.status(), r.all());
    Path source = dir.resolve("src/com/acme/Classifier.java");
    String text = Files.readString(source);
    assertTrue(text.contains("@Network(input = {1, 28, 28}, loss = Loss.SOFTMAX_CROSS_ENTROPY,"
        + " classes = 10)"), text);
    assertTrue(text.contains("@Conv(filters = 6, kernel = 5, padding = 2, activation = RELU)"
        + " Layer c1;"), text);
    CheckpointInfo info = Checkpoints.read(ckpt);
    assertEquals("com.acme.Classifier", info.networkName());
    assertEquals(61_706, info.parameterCount());
    assertTrue(r.out().contains("total") && r.out().contains("61,706"), r.out());
  }

  @Test
  void refusesSoftmaxAndWritesNothing() throws Exception {
    Path out = dir.resolve("src");
    AppTest.Run r = AppTest.run("import", MODELS.resolve("unsupported_softmax.onnx").toString(),
        "--class", "Classifier", "--out", out.toString(), "--checkpoint",
        dir.resolve("c.ckpt").toString());
    assertEquals(App.EXIT_FAILURE, r.status(), r.all());
    assertTrue(r.err().contains("node '/Softmax' (Softmax): Lamina has no softmax layer"),
        r.err());
    assertTrue(r.err().contains("nothing was written"), r.err());
    assertFalse(r.err().contains("\tat "), r.err());
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(0, files.count());
    }
  }

  @Test
  void refusesAnInvalidClassName() {
    AppTest.Run r = AppTest.run("import", MODELS.resolve("lenet5.onnx").toString(), "--class",
        "Not A Name", "--out", dir.toString());
    AppTest.assertOneLineError(r, "is not a valid class name");
  }
}
