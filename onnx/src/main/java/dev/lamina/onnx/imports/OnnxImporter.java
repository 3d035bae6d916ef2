package dev.lamina.onnx.imports;

import dev.lamina.dsl.Loss;
import dev.lamina.onnx.OnnxException;
import dev.lamina.onnx.proto.Onnx.ModelProto;
import dev.lamina.runtime.FloatNetwork;
import dev.lamina.runtime.ParameterTensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.lang.model.SourceVersion;

/**
 * Imports an ONNX model as a Lamina network: the annotated source of the equivalent
 * {@code @Network} class (one annotated field per layer, named after the ONNX nodes) and its
 * weights in Lamina's layouts, ready to be saved as a checkpoint.
 *
 * <pre>{@code
 * ImportedNetwork net = OnnxImporter.forClass("com.acme", "Classifier").read(Path.of("m.onnx"));
 * net.writeSource(Path.of("src/main/java"));       // src/main/java/com/acme/Classifier.java
 * net.writeCheckpoint(Path.of("classifier.ckpt")); // loads into new Lamina_Classifier()
 * }</pre>
 *
 * <p>Reading translates the whole graph first and then compiles the written source in memory with
 * javac and Lamina's annotation processor, exactly as the user's build will: every compile-time
 * check applies, and the generated class gives the parameter layout and fingerprint the checkpoint
 * must carry. So it needs a JDK, and nothing is written unless the whole model imports. An
 * operator, attribute or graph shape Lamina cannot express, a damaged or truncated file, or absurd
 * sizes give an {@link OnnxException} that names the file and, for each problem, the node or
 * tensor, its operator and attribute, and what Lamina supports instead.
 *
 * <p>Immutable and thread-safe.
 */
public final class OnnxImporter {
  private final String packageName;
  private final String className;
  private final Loss loss;

  private OnnxImporter(String packageName, String className, Loss loss) {
    this.packageName = packageName;
    this.className = className;
    this.loss = loss;
  }

  /**
   * An importer writing class {@code className} in package {@code packageName} ({@code ""} for
   * the unnamed package).
   *
   * @throws IllegalArgumentException if either is not a valid Java name
   */
  public static OnnxImporter forClass(String packageName, String className) {
    Objects.requireNonNull(packageName, "packageName");
    Objects.requireNonNull(className, "className");
    if (!packageName.isEmpty() && !SourceVersion.isName(packageName)) {
      throw new IllegalArgumentException("package '" + Names.printable(packageName)
          + "' is not a valid Java package name (dot-separated identifiers, no keywords)");
    }
    if (!Names.isIdentifier(className) || className.startsWith("Lamina_")) {
      throw new IllegalArgumentException("class '" + Names.printable(className) + "' is not a"
          + " valid class name: an ASCII Java identifier of at most 48 characters, not a"
          + " keyword, not starting with Lamina_");
    }
    return new OnnxImporter(packageName, className, Loss.NONE);
  }

  /**
   * This importer with a training loss declared on the network ({@code @Network(loss = ...)},
   * with {@code classes} for {@code SOFTMAX_CROSS_ENTROPY} on a vector output), so the imported
   * network can be fine-tuned. ONNX models carry no loss; without one ({@link Loss#NONE}, the
   * default) the class is inference-only and says so with {@code
   * @SuppressWarnings("lamina:no-loss")}.
   */
  public OnnxImporter withLoss(Loss loss) {
    return new OnnxImporter(packageName, className, Objects.requireNonNull(loss, "loss"));
  }

  /** Reads and translates {@code file}; see the class comment. */
  public ImportedNetwork read(Path file) throws IOException {
    ModelProto model = ModelReader.read(file);
    GraphTranslator.Result r = new GraphTranslator(file, model).translate();
    String origin = "{@code " + Names.printable(file.getFileName().toString()) + "} ("
        + (r.producer().isEmpty() ? "" : r.producer() + ", ") + "opset " + r.opset() + ")";
    String source = SourceWriter.write(packageName, className, r.input(), loss, origin,
        r.layers());
    String qualified = packageName.isEmpty() ? className : packageName + "." + className;
    InMemoryCompiler.Compiled compiled;
    try {
      compiled = InMemoryCompiler.compile(qualified, source);
    } catch (InMemoryCompiler.CompileException e) {
      throw new OnnxException(file, "the Lamina source written for it does not compile: "
          + e.getMessage());
    }
    FloatNetwork network = compiled.network();
    fill(file, network, r.layers());
    return new ImportedNetwork(qualified, source, network, compiled.warnings());
  }

  /** Copies every layer's tensors to their offsets; each tensor must be matched exactly once. */
  private static void fill(Path file, FloatNetwork network, List<LayerSpec> layers)
      throws OnnxException {
    float[] p = network.parameters();
    List<String> problems = new ArrayList<>();
    int matched = 0;
    for (ParameterTensor t : network.summary().parameterTensors()) {
      LayerSpec layer = null;
      for (LayerSpec l : layers) {
        if (l.name.equals(t.layer())) {
          layer = l;
        }
      }
      float[] values = layer == null ? null : layer.tensors.get(t.name());
      if (values == null || values.length != t.size()) {
        problems.add("internal error: tensor " + t.qualifiedName() + " " + t.size()
            + " values, import holds " + (values == null ? "none" : values.length));
        continue;
      }
      System.arraycopy(values, 0, p, t.offset(), values.length);
      matched++;
    }
    int expected = 0;
    for (LayerSpec l : layers) {
      expected += l.tensors.size();
    }
    if (matched != expected) {
      problems.add("internal error: " + expected + " imported tensors but the network has "
          + matched + " matching ones");
    }
    if (!problems.isEmpty()) {
      throw new OnnxException(file, problems);
    }
  }
}
