package dev.lamina.processor.model;

import java.util.Set;

/**
 * The names a layer takes in the generated class, which the checker must know to reject clashes
 * before anything is generated.
 */
public final class GeneratedNames {
  private GeneratedNames() {}

  /**
   * Member names the generated class defines itself: a layer whose name is one of these would
   * clash with them (its accessor method has the layer's name).
   */
  public static final Set<String> RESERVED_MEMBER_NAMES = Set.of(
      "summary", "inputSize", "outputSize", "parameterCount", "parameters", "layers",
      "newWorkspace", "forward", "predict", "optimizer", "setOptimizer", "trainStep",
      "inferenceWorkspace", "trainingWorkspace", "createLayers", "createSummary",
      "equals", "hashCode", "toString", "getClass", "notify", "notifyAll", "wait", "clone",
      "finalize");

  /**
   * The layer's name as a Java identifier, the stem of its methods and buffers: the node's name,
   * with the dot of a block layer ({@code res3a.c1}) mangled to an underscore ({@code res3a_c1}).
   */
  public static String identifier(String nodeName) {
    return nodeName.replace('.', '_');
  }

  /**
   * Prefix of a layer's offset constants ({@code convBlock1} → {@code CONV_BLOCK1}, giving {@code
   * CONV_BLOCK1_WEIGHT}); two layers with the same prefix cannot coexist in one network.
   */
  public static String constantPrefix(String layerName) {
    return upperSnake(identifier(layerName));
  }

  /** {@code convBlock1} → {@code CONV_BLOCK1}. */
  public static String upperSnake(String camel) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < camel.length(); i++) {
      char ch = camel.charAt(i);
      char before = i > 0 ? camel.charAt(i - 1) : ' ';
      if (Character.isUpperCase(ch)
          && (Character.isLowerCase(before) || Character.isDigit(before))) {
        sb.append('_');
      }
      sb.append(Character.toUpperCase(ch));
    }
    return sb.toString();
  }
}
