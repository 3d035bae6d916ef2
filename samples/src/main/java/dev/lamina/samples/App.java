package dev.lamina.samples;

import dev.lamina.runtime.kernel.Kernels;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;

/**
 * The Lamina sample app: trains, evaluates and runs the sample networks on Fashion-MNIST.
 *
 * <p>Exit status: 0 on success, 1 when a command fails (missing file, mismatched checkpoint, ...),
 * 2 on a wrong command line. Every failure is one line on stderr; {@code --verbose} adds the stack
 * trace.
 */
@Command(name = "lamina", mixinStandardHelpOptions = true,
    versionProvider = App.Version.class,
    description = "Compile-time neural networks for Java: the sample networks on Fashion-MNIST,"
        + " a character-level text model, a DCGAN, and ONNX import and export.",
    subcommands = {TrainCommand.class, EvalCommand.class, PredictCommand.class,
        SummaryCommand.class, TrainTextCommand.class, SampleTextCommand.class,
        GanTrainCommand.class, GanSampleCommand.class, ImportCommand.class, ExportCommand.class,
        dev.lamina.samples.bench.BenchCommand.class,
        CommandLine.HelpCommand.class})
public final class App implements Runnable {
  /** Exit status of a failed command. */
  public static final int EXIT_FAILURE = 1;
  /** Exit status of a wrong command line. */
  public static final int EXIT_USAGE = 2;

  @Option(names = "--verbose", scope = ScopeType.INHERIT,
      description = "Show stack traces of errors.")
  boolean verbose;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    // No subcommand: show the usage.
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  public static void main(String[] args) {
    int relaunched = VectorLaunch.relaunch(args);
    if (relaunched >= 0) {
      System.exit(relaunched);
    }
    System.setProperty("java.awt.headless", "true");
    System.exit(commandLine().execute(args));
  }

  /** The configured command line, with the app's error handling. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new App());
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setParameterExceptionHandler(new UsageErrors());
    cl.setExecutionExceptionHandler(new ExecutionErrors());
    return cl;
  }

  /** One line per wrong command line: the problem and where to find help. */
  static final class UsageErrors implements IParameterExceptionHandler {
    @Override
    public int handleParseException(ParameterException ex, String[] args) {
      CommandLine cl = ex.getCommandLine();
      PrintWriter err = cl.getErr();
      String where = cl.getCommandSpec().qualifiedName();
      String msg = oneLine(ex.getMessage());
      if (msg.startsWith("Error: ")) {
        msg = msg.substring("Error: ".length());
      }
      err.println("error: " + msg + " (see '" + where + " --help')");
      if (java.util.Arrays.asList(args).contains("--verbose")) {
        ex.printStackTrace(err);
      }
      err.flush();
      return EXIT_USAGE;
    }
  }

  /** One line per failed command; stack traces only with {@code --verbose}. */
  static final class ExecutionErrors implements IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, ParseResult parsed) {
      PrintWriter err = cl.getErr();
      err.println("error: " + message(ex));
      if (isVerbose(parsed)) {
        ex.printStackTrace(err);
      }
      err.flush();
      return EXIT_FAILURE;
    }
  }

  /** The user-facing text of a failure. */
  static String message(Throwable ex) {
    Throwable t = ex;
    if (t instanceof UncheckedIOException u && u.getCause() != null) {
      t = u.getCause();
    }
    String msg = t.getMessage();
    if (t instanceof NoSuchFileException || t instanceof FileNotFoundException) {
      return "file not found: " + msg;
    }
    if (t instanceof AccessDeniedException) {
      return "permission denied: " + msg;
    }
    if (t instanceof AppException) {
      return oneLine(msg);
    }
    if (t instanceof IOException) {
      return oneLine(msg == null ? t.getClass().getSimpleName() : msg);
    }
    if (t instanceof OutOfMemoryError) {
      return "out of memory; give the JVM more heap (for example java -Xmx2g -jar ...)";
    }
    // Runtime errors (bad checkpoint, NaN loss, ...) carry their own explanations.
    return oneLine(msg == null ? t.getClass().getName() : msg);
  }

  static String oneLine(String s) {
    if (s == null) {
      return "";
    }
    String line = s.strip();
    int nl = line.indexOf('\n');
    return nl < 0 ? line : line.substring(0, nl).strip();
  }

  private static boolean isVerbose(ParseResult parsed) {
    for (ParseResult pr = parsed; pr != null; pr = pr.subcommand()) {
      if (pr.hasMatchedOption("--verbose")) {
        return true;
      }
    }
    return false;
  }

  /** The version from the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = App.class.getPackage().getImplementationVersion();
      return new String[] {"lamina " + (v == null ? "(development build)" : v),
          "kernels: " + Kernels.BACKEND + " (Java " + Runtime.version() + ")"};
    }
  }
}
