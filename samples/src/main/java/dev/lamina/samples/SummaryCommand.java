package dev.lamina.samples;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code summary MODEL}: the compile-time summary table, exactly as the compiler computed it. */
@Command(name = "summary", mixinStandardHelpOptions = true,
    description = "Print the compile-time summary of a model: shapes, parameters, connections,"
        + " receptive fields.")
final class SummaryCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MODEL",
      description = "Model name (${COMPLETION-CANDIDATES}).", completionCandidates = ModelNames.class)
  String model;

  @Override
  public Integer call() {
    Models.Entry entry = Models.get(model);
    spec.commandLine().getOut().print(entry.summary().toTable());
    spec.commandLine().getOut().flush();
    return 0;
  }
}
