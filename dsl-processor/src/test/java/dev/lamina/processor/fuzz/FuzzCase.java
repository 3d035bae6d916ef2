package dev.lamina.processor.fuzz;

import java.util.List;

/**
 * One generated network declaration: its source and what the generator knows about it.
 *
 * @param index position in the run (with the run's seed, enough to regenerate it)
 * @param qualifiedName the declaring class, e.g. {@code fz.N17} or {@code fz.Outer17.Inner}
 * @param generatedName the float class the processor should generate, e.g. {@code fz.Lamina_N17}
 * @param declaringBinaryName binary name of the declaring class ({@code fz.Outer17$Inner})
 * @param fileName the compilation unit's qualified name ({@code fz.N17} or {@code fz.Outer17})
 * @param source the whole compilation unit
 * @param valid whether the declaration is valid by construction (else a mutation broke it)
 * @param mutation what was broken, for invalid declarations ({@code ""} for valid ones)
 * @param expected fragments one error on {@link #targetLine} must all contain (invalid only); a
 *     fragment starting with {@code !} must not be in it
 * @param targetLine the 1-based line that must carry an error (invalid only; 0 for valid)
 * @param firstLine first line of the network class (its {@code @Network} line)
 * @param lastLine last line of the network class (its closing brace)
 * @param prefixes the names a Lamina message may start with (members, class, {@code input},
 *     {@code use.member} for the layers of block uses)
 * @param outputShape the output shape the generator's own model predicts (valid only)
 * @param parameters the parameter count the generator's own model predicts (valid only)
 * @param statistics values of the parameter array that are batch-norm running statistics, not
 *     parameters (valid only)
 * @param activations total activation values per sample over all layers (valid only)
 * @param hasFloat whether {@code Lamina_X} is generated
 * @param hasDouble whether {@code Lamina_X_F64} is generated
 * @param loss the loss name ({@code NONE}, {@code SOFTMAX_CROSS_ENTROPY}, ...)
 * @param layers number of layers of the model (block uses expanded)
 * @param layerShapes per layer, the output shape the generator's model predicts (valid only)
 * @param layerFields per layer, the receptive field {h, w} the generator's model predicts
 * @param features the layer kinds and graph structures the declaration uses
 */
record FuzzCase(
    int index,
    String qualifiedName,
    String generatedName,
    String declaringBinaryName,
    String fileName,
    String source,
    boolean valid,
    String mutation,
    List<String> expected,
    int targetLine,
    int firstLine,
    int lastLine,
    List<String> prefixes,
    int[] outputShape,
    long parameters,
    long statistics,
    long activations,
    boolean hasFloat,
    boolean hasDouble,
    String loss,
    int layers,
    List<int[]> layerShapes,
    List<int[]> layerFields,
    List<String> features) {

  /** Qualified name of the double class. */
  String generatedDoubleName() {
    return generatedName + "_F64";
  }

  /** The source with a header naming the case, for reports. */
  String reproducer() {
    return "// fuzz case " + index + (valid ? " (valid)" : " (invalid: " + mutation + ")") + "\n"
        + source;
  }
}
