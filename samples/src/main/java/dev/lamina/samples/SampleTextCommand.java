package dev.lamina.samples;

import dev.lamina.runtime.io.Checkpoints;
import dev.lamina.samples.text.Alphabet;
import dev.lamina.samples.text.CharModel;
import dev.lamina.samples.text.Lamina_CharLstm;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code sample-text}: text drawn character by character from a trained {@code CharLstm}. */
@Command(name = "sample-text", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Sample text from a CharLstm checkpoint written by train-text, one character"
        + " at a time.")
final class SampleTextCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--weights", paramLabel = "FILE", defaultValue = "charlstm.ckpt",
      description = "Checkpoint (default: ${DEFAULT-VALUE}).")
  Path weights;

  @Option(names = "--temperature", paramLabel = "X", defaultValue = "0.7",
      description = "Divides the scores before the softmax: lower is more conservative, 1 is"
          + " the model's distribution (default: ${DEFAULT-VALUE}).")
  double temperature;

  @Option(names = "--length", paramLabel = "N", defaultValue = "600",
      description = "Characters to generate at most (default: ${DEFAULT-VALUE}).")
  int length;

  @Option(names = "--prompt", paramLabel = "TEXT", defaultValue = "",
      description = "Text to continue (printable ASCII; default: the start of an entry).")
  String prompt;

  @Option(names = "--entries", paramLabel = "N", defaultValue = "0",
      description = "Stop after N complete entries (a line of %%); 0: after --length characters"
          + " (default: ${DEFAULT-VALUE}).")
  int entries;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "1",
      description = "Seed for the draws (default: ${DEFAULT-VALUE}).")
  long seed;

  @Override
  public Integer call() throws Exception {
    var cl = spec.commandLine();
    if (!(temperature > 0) || Double.isInfinite(temperature)) {
      throw new ParameterException(cl, "--temperature must be a positive number, got "
          + temperature);
    }
    if (length < 1 || entries < 0) {
      throw new ParameterException(cl, "--length must be at least 1 and --entries at least 0");
    }
    String p = prompt.replace("\\n", "\n");
    for (int i = 0; i < p.length(); i++) {
      if (Alphabet.index(p.charAt(i)) < 0) {
        throw new ParameterException(cl, String.format("--prompt: character U+%04X at %d is"
            + " not printable ASCII (the model's alphabet)", (int) p.charAt(i), i));
      }
    }
    if (!Files.isRegularFile(weights)) {
      throw new AppException("weights file not found: " + weights + " (train-text writes it)");
    }
    Lamina_CharLstm net = new Lamina_CharLstm(0);
    Checkpoints.load(net, weights);
    CharModel model = new CharModel(net, 1);
    SplittableRandom random = new SplittableRandom(seed);
    PrintWriter o = cl.getOut();
    o.print(p);
    int left = length;
    for (int e = 0; left > 0 && (entries == 0 ? e < 1 : e < entries); e++) {
      String s = model.sample(p, left, temperature, entries > 0, random);
      o.print(s);
      o.flush();
      left -= s.length();
      p = s;
    }
    o.println();
    o.flush();
    return 0;
  }
}
