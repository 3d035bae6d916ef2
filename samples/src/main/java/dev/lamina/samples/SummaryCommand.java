package dev.lamina.samples;

import dev.lamina.runtime.NetworkSummary;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code summary MODEL [--batch N]}: the compile-time summary table, exactly as the compiler
 * computed it, and with {@code --batch} the workspace bytes for that batch.
 */
@Command(name = "summary", mixinStandardHelpOptions = true,
    description = "Print the compile-time summary of a model: shapes, parameters, connections,"
        + " receptive fields, memory.")
final class SummaryCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--batch", paramLabel = "N",
      description = "Also print the bytes of a workspace for N samples.")
  Integer batch;

  @Parameters(index = "0", paramLabel = "MODEL",
      description = "Model name (${COMPLETION-CANDIDATES}).", completionCandidates = ModelNames.class)
  String model;

  @Override
  public Integer call() {
    if (batch != null && batch < 1) {
      throw new ParameterException(spec.commandLine(), "--batch must be at least 1, got " + batch);
    }
    NetworkSummary summary = Models.get(model).summary();
    spec.commandLine().getOut().print(summary.toTable());
    if (batch != null) {
      spec.commandLine().getOut().printf(Locale.ROOT, "batch %d: inference %,d bytes, training"
          + " %,d bytes (%s workspace)%n", batch, summary.inferenceBytes(batch),
          summary.trainingBytes(batch),
          summary.workspacePrecision().name().toLowerCase(Locale.ROOT));
    }
    spec.commandLine().getOut().flush();
    return 0;
  }
}
