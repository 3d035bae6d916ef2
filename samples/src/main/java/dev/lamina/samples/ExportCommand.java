package dev.lamina.samples;

import dev.lamina.onnx.export.OnnxExporter;
import dev.lamina.onnx.proto.Onnx.ModelProto;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code export --model M --checkpoint FILE --out FILE.onnx}: a trained network as ONNX. */
@Command(name = "export", mixinStandardHelpOptions = true,
    description = {"Export a trained network to an ONNX model (opset " + OnnxExporter.OPSET
        + "): input 'input' of shape [N, C, H, W] (or [N, D]) with a free batch size N, the"
        + " logits as output (the loss is not exported), operators and initializers named after"
        + " the layers.",
        "Runs with ONNX Runtime and any other ONNX consumer."})
final class ExportCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--model", paramLabel = "MODEL",
      description = "Model of the checkpoint (${COMPLETION-CANDIDATES}); by default the one the"
          + " checkpoint was saved from.", completionCandidates = ModelNames.class)
  String model;

  @Option(names = "--checkpoint", paramLabel = "FILE",
      description = "Checkpoint written by 'train' (default: <model>.ckpt in the working"
          + " directory; lenet5.ckpt without --model).")
  Path checkpoint;

  @Option(names = "--out", paramLabel = "FILE", required = true,
      description = "The ONNX file to write.")
  Path out;

  @Override
  public Integer call() throws Exception {
    Path file = checkpoint != null ? checkpoint : Weights.defaultFile(model);
    OutputFiles.checkWritable(out, "ONNX model");
    Weights.Loaded loaded = Weights.load(file, model);
    ModelProto onnx;
    try {
      onnx = OnnxExporter.toModel(loaded.network());
    } catch (IllegalArgumentException e) {
      throw new AppException(e.getMessage(), e);
    }
    OutputFiles.writeAtomically(out, onnx::writeTo);
    PrintWriter o = spec.commandLine().getOut();
    o.printf(Locale.ROOT, "%s (%s, %,d parameters) -> %s: ONNX opset %d, %d nodes, %d"
            + " initializers, %,d bytes%n", loaded.model().name(), file,
        loaded.network().summary().totalParameters(), out, OnnxExporter.OPSET,
        onnx.getGraph().getNodeCount(), onnx.getGraph().getInitializerCount(),
        onnx.getSerializedSize());
    o.printf(Locale.ROOT, "input '%s' [N, %s], output '%s' [N, %s]%n", OnnxExporter.INPUT,
        dims(loaded.network().summary().inputShape()), onnx.getGraph().getOutput(0).getName(),
        dims(loaded.network().summary().outputShape()));
    o.flush();
    return 0;
  }

  private static String dims(int[] shape) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < shape.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(shape[i]);
    }
    return sb.toString();
  }
}
