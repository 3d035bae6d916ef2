package dev.lamina.samples;

import dev.lamina.dsl.Loss;
import dev.lamina.onnx.OnnxException;
import dev.lamina.onnx.imports.ImportedNetwork;
import dev.lamina.onnx.imports.OnnxImporter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code import MODEL.onnx --package P --class C --out DIR}: the annotated source of the
 * equivalent Lamina network and a checkpoint of its weights.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
    description = {"Import an ONNX model: write the annotated @Network source of the equivalent"
        + " Lamina network and a checkpoint of its weights.",
        "Nothing is written when the model uses an operator or attribute Lamina cannot express;"
            + " every such node is listed. Needs a JDK (the source is compiled in memory to"
            + " check it and to lay out the checkpoint)."})
final class ImportCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MODEL", description = "The ONNX file.")
  Path model;

  @Option(names = "--package", paramLabel = "NAME", defaultValue = "",
      description = "Package of the written class (default: the unnamed package).")
  String packageName;

  @Option(names = "--class", paramLabel = "NAME", required = true,
      description = "Name of the written class; the processor generates Lamina_<NAME>.")
  String className;

  @Option(names = "--out", paramLabel = "DIR", defaultValue = ".",
      description = "Source root to write <package path>/<NAME>.java under (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--checkpoint", paramLabel = "FILE",
      description = "Where to write the weights (default: <NAME>.ckpt in the working folder).")
  Path checkpoint;

  @Option(names = "--loss", paramLabel = "LOSS", defaultValue = "NONE",
      description = "Training loss to declare, for fine-tuning (${COMPLETION-CANDIDATES};"
          + " default: ${DEFAULT-VALUE}, inference only).")
  Loss loss;

  @Override
  public Integer call() throws IOException {
    OnnxImporter importer;
    try {
      importer = OnnxImporter.forClass(packageName, className).withLoss(loss);
    } catch (IllegalArgumentException e) {
      throw new AppException(e.getMessage());
    }
    PrintWriter err = spec.commandLine().getErr();
    ImportedNetwork imported;
    try {
      imported = importer.read(model);
    } catch (OnnxException e) {
      err.println("error: " + e.getMessage());
      err.println("nothing was written");
      err.flush();
      return App.EXIT_FAILURE;
    }
    Path ckpt = checkpoint != null ? checkpoint : Path.of(className + ".ckpt");
    Path source = imported.writeSource(out);
    imported.writeCheckpoint(ckpt);
    PrintWriter o = spec.commandLine().getOut();
    o.println("source:     " + source);
    o.println("checkpoint: " + ckpt + " (load it with Checkpoints.load(new Lamina_" + className
        + "(), path))");
    for (String w : imported.warnings()) {
      o.println("warning: " + w);
    }
    o.println();
    o.print(imported.network().summary().toTable());
    o.flush();
    return 0;
  }
}
