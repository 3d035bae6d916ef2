package dev.lamina.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.onnx.proto.Onnx.ModelProto;
import dev.lamina.runtime.FloatNetwork;
import dev.lamina.runtime.SeededRandom;
import dev.lamina.runtime.io.Checkpoints;
import dev.lamina.samples.export.OnnxRuntimeExportTest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code export}: a checkpoint to an ONNX file that ONNX Runtime runs as Lamina does. */
class ExportCommandTest {
  @TempDir Path dir;

  @Test
  void exportsLeNet5() throws Exception {
    FloatNetwork net = new Lamina_LeNet5(3);
    Path ckpt = dir.resolve("lenet5.ckpt");
    Checkpoints.save(net, ckpt);
    Path onnx = dir.resolve("out/lenet5.onnx");
    AppTest.Run r = AppTest.run("export", "--model", "LeNet5", "--checkpoint", ckpt.toString(),
        "--out", onnx.toString());
    assertEquals(0, r.status(), r.all());
    assertTrue(r.out().contains("ONNX opset 13") && r.out().contains("61,706 parameters"),
        r.out());
    ModelProto model = ModelProto.parseFrom(Files.readAllBytes(onnx));
    assertEquals("out", model.getGraph().getOutput(0).getName());
    float[] x = new float[2 * net.inputSize()];
    SeededRandom random = new SeededRandom(1);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextDouble();
    }
    float[] expected = new float[2 * net.outputSize()];
    net.forward(x, 2, expected);
    float[] actual = OnnxRuntimeExportTest.run(model, x, 2, net.summary().inputShape());
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], 1e-5 * Math.max(1, Math.abs(expected[i])),
          "output " + i);
    }
  }

  @Test
  void refusesACheckpointOfAnotherModel() throws Exception {
    Path ckpt = dir.resolve("mlp.ckpt");
    Checkpoints.save(new Lamina_Mlp(1), ckpt);
    Path onnx = dir.resolve("lenet5.onnx");
    AppTest.Run r = AppTest.run("export", "--model", "LeNet5", "--checkpoint", ckpt.toString(),
        "--out", onnx.toString());
    AppTest.assertOneLineError(r, "not of dev.lamina.samples.LeNet5");
    assertFalse(Files.exists(onnx));
  }

  @Test
  void refusesAMissingCheckpoint() {
    AppTest.Run r = AppTest.run("export", "--checkpoint", dir.resolve("none.ckpt").toString(),
        "--out", dir.resolve("x.onnx").toString());
    AppTest.assertOneLineError(r, "weights file not found");
  }
}
