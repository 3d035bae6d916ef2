package dev.lamina.onnx.imports;

import dev.lamina.dsl.Activation;
import dev.lamina.dsl.Loss;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Writes the annotated {@code @Network} class of an imported model: one annotated field per layer,
 * a comment above each naming the ONNX nodes it stands for and its output shape. Every name in the
 * source is a validated identifier ({@link Names}); text from the file appears only in comments,
 * through {@link Names#printable}.
 */
final class SourceWriter {
  private SourceWriter() {}

  static String write(String packageName, String className, int[] input, Loss loss,
      String origin, List<LayerSpec> layers) {
    Set<String> imports = new TreeSet<>(List.of("Layer", "Network"));
    if (loss != Loss.NONE) {
      imports.add("Loss");
    }
    boolean activations = false;
    for (LayerSpec l : layers) {
      imports.add(l.kind);
      for (String literal : l.attributes.values()) {
        if (literal.startsWith("PoolKind.")) {
          imports.add("PoolKind");
        } else if (literal.startsWith("AutoPad.")) {
          imports.add("AutoPad");
        }
      }
      activations |= l.activation != Activation.IDENTITY;
    }
    StringBuilder sb = new StringBuilder();
    if (!packageName.isEmpty()) {
      sb.append("package ").append(packageName).append(";\n\n");
    }
    for (String i : imports) {
      sb.append("import dev.lamina.dsl.").append(i).append(";\n");
    }
    if (activations) {
      sb.append("\nimport static dev.lamina.dsl.Activation.*;\n");
    }
    long parameters = 0;
    for (LayerSpec l : layers) {
      for (float[] t : l.tensors.values()) {
        parameters += t.length;
      }
    }
    sb.append("\n/**\n * Imported from the ONNX model ").append(origin).append(".\n *\n")
        .append(" * <p>Written by Lamina's ONNX importer with a checkpoint of its ")
        .append(String.format(Locale.ROOT, "%,d", parameters)).append(" stored values, which\n")
        .append(" * {@code Checkpoints.load(new Lamina_").append(className)
        .append("(), file)} loads. Each comment names the ONNX nodes\n")
        .append(" * a layer stands for and its output shape per sample.\n */\n");
    int[] output = layers.get(layers.size() - 1).shape;
    sb.append("@Network(input = ").append(intArray(input));
    if (loss != Loss.NONE) {
      sb.append(", loss = Loss.").append(loss.name());
      if (loss == Loss.SOFTMAX_CROSS_ENTROPY && output.length == 1) {
        sb.append(", classes = ").append(output[0]);
      }
      sb.append(")\n");
    } else {
      sb.append(")\n@SuppressWarnings(\"lamina:no-loss\") // ONNX carries no loss: inference only\n");
    }
    sb.append("public abstract class ").append(className).append(" {\n");
    String previous = "input";
    for (int i = 0; i < layers.size(); i++) {
      LayerSpec l = layers.get(i);
      if (i > 0) {
        sb.append('\n');
      }
      sb.append("  // ").append(String.join(", ", l.origin)).append(" -> ")
          .append(shape(l.shape)).append('\n');
      List<String> a = new java.util.ArrayList<>();
      if (!l.from.equals(List.of(previous)) || l.kind.equals("Add") || l.kind.equals("Concat")) {
        a.add("from = " + from(l.from));
      }
      l.attributes.forEach((k, v) -> a.add(k + " = " + v));
      if (l.activation != Activation.IDENTITY) {
        a.add("activation = " + l.activation.name());
        if (l.activation == Activation.LEAKY_RELU && l.activationParameter != 0.01f) {
          a.add("negativeSlope = " + Literals.decimal(l.activationParameter));
        } else if (l.activation == Activation.ELU && l.activationParameter != 1f) {
          a.add("alpha = " + Literals.decimal(l.activationParameter));
        }
      }
      sb.append(declaration(l.kind, a, l.name));
      previous = l.name;
    }
    sb.append("}\n");
    return sb.toString();
  }

  /** {@code @Kind(a, b) Layer name;}, wrapped at attribute boundaries to 100 columns. */
  static String declaration(String kind, List<String> attributes, String name) {
    String field = " Layer " + name + ";";
    String head = "  @" + kind + (attributes.isEmpty() ? "" : "(");
    String one = head + String.join(", ", attributes) + (attributes.isEmpty() ? "" : ")") + field;
    if (one.length() <= 100) {
      return one + "\n";
    }
    StringBuilder sb = new StringBuilder();
    StringBuilder line = new StringBuilder(head);
    for (int i = 0; i < attributes.size(); i++) {
      String part = attributes.get(i) + (i < attributes.size() - 1 ? "," : ")");
      if (line.length() + part.length() + 1 > 100 && line.length() > head.length()) {
        sb.append(line.toString().stripTrailing()).append('\n');
        line = new StringBuilder("      ");
      }
      line.append(part).append(' ');
    }
    String last = line.toString().stripTrailing();
    if (last.length() + field.length() > 100) {
      return sb.append(last).append("\n ").append(field).append('\n').toString();
    }
    return sb.append(last).append(field).append('\n').toString();
  }

  private static String from(List<String> names) {
    StringBuilder sb = new StringBuilder(names.size() > 1 ? "{" : "");
    for (int i = 0; i < names.size(); i++) {
      String n = names.get(i);
      sb.append(i > 0 ? ", " : "").append(n.equals("input") ? "Network.INPUT" : '"' + n + '"');
    }
    return sb.append(names.size() > 1 ? "}" : "").toString();
  }

  static String intArray(int[] v) {
    if (v.length == 1) {
      return String.valueOf(v[0]);
    }
    StringBuilder sb = new StringBuilder("{");
    for (int i = 0; i < v.length; i++) {
      sb.append(i > 0 ? ", " : "").append(v[i]);
    }
    return sb.append('}').toString();
  }

  static String shape(int[] s) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length; i++) {
      sb.append(i > 0 ? "x" : "").append(s[i]);
    }
    return sb.toString();
  }
}
