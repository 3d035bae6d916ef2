package dev.lamina.samples;

import dev.lamina.runtime.FloatNetwork;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code eval}: accuracy, per-class accuracy and confusion matrix on the test set. */
@Command(name = "eval", mixinStandardHelpOptions = true,
    description = "Evaluate a checkpoint on the Fashion-MNIST test set: accuracy, the confusion"
        + " matrix and per-class precision and recall.")
final class EvalCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--weights", paramLabel = "FILE",
      description = "Checkpoint written by 'train' (default: the one 'train' writes for --model,"
          + " <model>.ckpt in the working directory; lenet5.ckpt without --model).")
  Path weights;

  @Option(names = "--model", paramLabel = "MODEL",
      description = "Model of the checkpoint (${COMPLETION-CANDIDATES}); by default the one the"
          + " checkpoint was saved from.", completionCandidates = ModelNames.class)
  String model;

  @Option(names = "--data", paramLabel = "DIR", defaultValue = FashionData.DEFAULT_FOLDER,
      description = "Fashion-MNIST folder (default: ${DEFAULT-VALUE}; the bundled subset if"
          + " missing).")
  Path data;

  @Option(names = "--threads", paramLabel = "T", description = "Threads (default: all"
      + " processors).")
  Integer threads;

  @Option(names = "--tta", description = "Test-time augmentation: classify each image by the mean"
      + " of its own and its mirror image's class probabilities (for networks trained with"
      + " --flip).")
  boolean tta;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Path file = weights != null ? weights : Weights.defaultFile(model);
    Weights.Loaded loaded = Weights.load(file, model);
    FloatNetwork net = loaded.network();
    FashionData.Loaded d = FashionData.load(data, err);
    int t = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
    if (t < 1) {
      throw new AppException("--threads must be at least 1, got " + t);
    }
    out.printf(Locale.ROOT, "model %s, weights %s, test set from %s (%,d images)%s%n",
        loaded.model().name(), file, d.source(), d.split().test().size(),
        tta ? ", each with its mirror image" : "");
    Evaluation.run(net, d.split().test(), 256, t, tta).print(out);
    return 0;
  }
}
