package dev.lamina.samples;

import dev.lamina.runtime.FloatNetwork;
import dev.lamina.runtime.data.Dataset;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code predict}: the top 3 classes of images, or of test-set images. */
@Command(name = "predict", mixinStandardHelpOptions = true,
    description = "Classify PNG/JPEG images (or test-set images) and print the top 3 classes with"
        + " their probabilities.")
final class PredictCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--weights", paramLabel = "FILE",
      description = "Checkpoint written by 'train' (default: the one 'train' writes for --model,"
          + " <model>.ckpt in the working directory; lenet5.ckpt without --model).")
  Path weights;

  @Option(names = "--model", paramLabel = "MODEL",
      description = "Model of the checkpoint (${COMPLETION-CANDIDATES}); by default the one the"
          + " checkpoint was saved from.", completionCandidates = ModelNames.class)
  String model;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Inputs inputs;

  static final class Inputs {
    @Parameters(paramLabel = "IMAGE", arity = "1..*",
        description = "PNG or JPEG files. Pictures with a light background are inverted (the"
            + " training images show light garments on black).")
    List<Path> images;

    @Option(names = "--from-test", paramLabel = "N",
        description = "Classify the first N test-set images instead (shows the true labels).")
    Integer fromTest;
  }

  @Option(names = "--max-pixels", paramLabel = "N", defaultValue = "16777216",
      description = "Refuse images whose header declares more pixels, before decoding them"
          + " (default: ${DEFAULT-VALUE}, 4096x4096).")
  long maxPixels;

  @Option(names = "--data", paramLabel = "DIR", defaultValue = FashionData.DEFAULT_FOLDER,
      description = "Fashion-MNIST folder for --from-test (default: ${DEFAULT-VALUE}; the bundled"
          + " subset if missing).")
  Path data;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (inputs.fromTest != null && inputs.fromTest < 1) {
      throw new AppException("--from-test needs a positive count, got " + inputs.fromTest);
    }
    // Read every input first: a bad file fails before any output.
    List<ImageInput.Converted> pictures = inputs.images == null ? List.of()
        : inputs.images.stream().map(f -> ImageInput.read(f, maxPixels)).toList();
    Path file = weights != null ? weights : Weights.defaultFile(model);
    FloatNetwork net = Weights.load(file, model).network();
    int side = ImageInput.SIDE;
    if (net.inputSize() != side * side) {
      throw new AppException("model " + net.summary().networkName() + " takes "
          + net.inputSize() + " inputs, not a 28x28 image");
    }
    float[] in = new float[net.inputSize()];
    float[] logits = new float[net.outputSize()];
    if (inputs.fromTest != null) {
      Dataset test = FashionData.load(data, err).split().test();
      int n = Math.min(inputs.fromTest, test.size());
      int correct = 0;
      for (int i = 0; i < n; i++) {
        test.copySample(i, in, 0);
        net.forward(in, 1, logits);
        int label = test.label(i);
        int[] top = printTop(out, String.format(Locale.ROOT, "test image %d (true: %s)", i,
            FashionClasses.name(label)), logits);
        correct += top[0] == label ? 1 : 0;
      }
      out.printf(Locale.ROOT, "%d of %d correct%n", correct, n);
    } else {
      for (int i = 0; i < pictures.size(); i++) {
        ImageInput.Converted c = pictures.get(i);
        for (int p = 0; p < in.length; p++) {
          in[p] = c.pixels()[p] / 255f;
        }
        net.forward(in, 1, logits);
        String name = inputs.images.get(i).toString();
        if (c.inverted()) {
          name += String.format(Locale.ROOT,
              " (light background, border mean %.0f of 255: inverted)", c.borderMean());
        }
        printTop(out, name, logits);
      }
    }
    out.flush();
    return 0;
  }

  private static int[] printTop(PrintWriter out, String title, float[] logits) {
    double[] p = Softmax.of(logits, 0, logits.length);
    int[] top = Softmax.top(p, 3);
    out.println(title);
    for (int r = 0; r < top.length; r++) {
      out.printf(Locale.ROOT, "  %d. %-12s %6.2f%%%n", r + 1, FashionClasses.name(top[r]),
          100 * p[top[r]]);
    }
    return top;
  }
}
