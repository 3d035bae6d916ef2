package dev.lamina.samples.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.lamina.onnx.export.OnnxExporter;
import dev.lamina.onnx.proto.Onnx.ModelProto;
import dev.lamina.runtime.FloatNetwork;
import dev.lamina.runtime.data.Dataset;
import dev.lamina.runtime.data.FashionMnist;
import dev.lamina.runtime.optim.Optimizers;
import dev.lamina.samples.FashionData;
import dev.lamina.samples.Models;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every sample network, and {@link ExportKinds} (the kinds and activations the samples leave
 * out), trained for a few steps on real Fashion-MNIST images, exported to ONNX and run by ONNX
 * Runtime: its outputs on a batch of test images agree with Lamina's own forward pass within
 * 1e-5 (relative to the logit's size, when that is above 1).
 */
public class OnnxRuntimeExportTest {
  private static final int STEPS = 3;
  private static final int TRAIN_BATCH = 32;
  private static final int BATCH = 16;
  private static final double TOLERANCE = 1e-5;
  private static final int CLASSES = 10;

  private static FashionMnist.Split data;

  @BeforeAll
  static void load() throws Exception {
    // The full set where Debian's dataset-fashion-mnist is installed, else the real images of
    // the subset bundled with the app.
    data = FashionData.load(Path.of(FashionData.DEFAULT_FOLDER),
        new PrintWriter(new StringWriter())).split();
  }

  @Test
  void everySampleNetworkAgreesWithOnnxRuntime() throws Exception {
    List<String> checked = new ArrayList<>();
    for (Models.Entry e : Models.all()) {
      checked.add(e.name());
      assertAgrees(e.name(), trained(e.create(11)));
    }
    assertEquals(List.of("LeNet5", "LeNet5Classic", "Mlp", "RowLstm", "RowGru", "SmallResNet",
        "SmallInception", "CompactCnn"), checked);
  }

  @Test
  void everyOtherKindAndActivationAgreesWithOnnxRuntime() throws Exception {
    FloatNetwork net = trained(new Lamina_ExportKinds(5));
    List<String> kinds = net.summary().layers().stream().map(l -> l.kind()).distinct().sorted()
        .toList();
    assertEquals(List.of("Affine", "BatchNorm", "Concat", "Conv", "ConvTranspose", "Dropout",
        "GlobalAvgPool", "LocalResponseNorm", "Pool", "Reshape"), kinds);
    assertAgrees("ExportKinds", net);
  }

  @Test
  void recurrentNetworksAgreeWithOnnxRuntime() throws Exception {
    List<FloatNetwork> nets = List.of(new Lamina_RecurrentExports_RowLstm(5),
        new Lamina_RecurrentExports_RowGru(5), new Lamina_RecurrentExports_RowRnn(5),
        new Lamina_RecurrentExports_RowGruStack(5), new Lamina_RecurrentExports_RowTagger(5));
    List<String> cells = new ArrayList<>();
    for (FloatNetwork net : nets) {
      String name = net.summary().networkName();
      assertAgrees(name, trained(net));
      for (var n : ((dev.lamina.runtime.StructuredNetwork) net).structure().nodes()) {
        if (n.kind().equals("Recurrent")) {
          cells.add(n.stringAttr("cell") + (n.boolAttr("bidirectional") ? " bidirectional" : "")
              + " " + n.intAttr("layers") + " " + n.stringAttr("returns"));
        }
      }
    }
    assertEquals(List.of("LSTM 1 LAST", "GRU bidirectional 1 SEQUENCE",
        "LSTM bidirectional 2 LAST", "RNN_TANH 2 SEQUENCE", "RNN_RELU bidirectional 2 LAST",
        "GRU 2 LAST", "LSTM bidirectional 1 SEQUENCE"), cells);
  }

  /** {@code net} after {@value #STEPS} SGD steps on the first training images. */
  private static FloatNetwork trained(FloatNetwork net) {
    Dataset train = data.train();
    net.setOptimizer(Optimizers.sgd(0.05f).momentum(0.9f).build(net.summary()));
    float[] x = new float[TRAIN_BATCH * net.inputSize()];
    // a network returning a sequence of class scores takes a label per step: the image's
    int steps = net.outputSize() / CLASSES;
    int[] labels = new int[TRAIN_BATCH * steps];
    for (int step = 0; step < STEPS; step++) {
      for (int i = 0; i < TRAIN_BATCH; i++) {
        int k = step * TRAIN_BATCH + i;
        train.copySample(k, x, i * net.inputSize());
        java.util.Arrays.fill(labels, i * steps, (i + 1) * steps, train.label(k));
      }
      float loss = net.trainStep(x, labels, TRAIN_BATCH);
      assertTrue(Float.isFinite(loss), "loss " + loss);
    }
    return net;
  }

  private static void assertAgrees(String name, FloatNetwork net) throws Exception {
    ModelProto model = OnnxExporter.toModel(net);
    int in = net.inputSize();
    int out = net.outputSize();
    float[] x = new float[BATCH * in];
    for (int i = 0; i < BATCH; i++) {
      data.test().copySample(i, x, i * in);
    }
    float[] expected = new float[BATCH * out];
    net.forward(x, BATCH, expected);
    float[] actual = run(model, x, BATCH, net.summary().inputShape());
    assertEquals(expected.length, actual.length, name + ": output size");
    double worst = 0;
    for (int i = 0; i < expected.length; i++) {
      double err = Math.abs(actual[i] - expected[i]) / Math.max(1, Math.abs(expected[i]));
      worst = Math.max(worst, err);
    }
    System.out.printf(java.util.Locale.ROOT, "%s: %d ONNX nodes, largest difference from ONNX"
        + " Runtime %.2e%n", name, model.getGraph().getNodeCount(), worst);
    assertTrue(worst <= TOLERANCE, name + ": ONNX Runtime differs from Lamina by " + worst
        + "\nLamina: " + Arrays.toString(Arrays.copyOf(expected, out))
        + "\nORT:    " + Arrays.toString(Arrays.copyOf(actual, out)));
    // the outputs are not all alike: the comparison had something to compare
    assertTrue(!Arrays.equals(Arrays.copyOf(expected, out),
        Arrays.copyOfRange(expected, out, 2 * out)), name + ": two samples give one output");
  }

  /** ONNX Runtime's output for {@code batch} samples of shape {@code sample}. */
  public static float[] run(ModelProto model, float[] x, int batch, int[] sample) throws Exception {
    long[] shape = new long[sample.length + 1];
    shape[0] = batch;
    for (int i = 0; i < sample.length; i++) {
      shape[i + 1] = sample[i];
    }
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(1);
      try (OrtSession session = env.createSession(model.toByteArray(), options);
          OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
          OrtSession.Result r = session.run(Map.of(OnnxExporter.INPUT, input))) {
        OnnxTensor y = (OnnxTensor) r.get(0);
        long[] dims = y.getInfo().getShape();
        assertEquals(batch, dims[0], "ONNX Runtime's batch dimension");
        FloatBuffer b = y.getFloatBuffer();
        float[] out = new float[b.remaining()];
        b.get(out);
        return out;
      }
    }
  }
}
