package dev.lamina.processor.gen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import dev.lamina.processor.model.GeneratedNames;
import dev.lamina.processor.model.NetworkModel;
import dev.lamina.processor.model.Node;
import dev.lamina.processor.model.Op;
import dev.lamina.runtime.ParameterTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.lang.model.element.Modifier;

/**
 * What every part of one generated class shares: the model, the precision, the class names, the
 * offset constant of each parameter tensor, and each layer's context and emitter (in the model's
 * order).
 *
 * @param self the generated class
 * @param workspace its nested {@code Workspace}
 * @param declared the user's abstract class it extends
 */
record NetworkClass(NetworkModel model, Num num, ClassName self, ClassName workspace,
    ClassName declared, Map<ParameterTensor, String> offsets, List<LayerContext> layers,
    List<LayerEmitter> emitters) {
  static final String RT = Num.RUNTIME;
  static final ClassName ARRAYS = ClassName.get("java.util", "Arrays");
  static final ClassName LIST = ClassName.get("java.util", "List");
  static final ClassName ARRAY_LIST = ClassName.get("java.util", "ArrayList");
  static final ClassName LAYER = ClassName.get("dev.lamina.dsl", "Layer");
  static final ClassName LOSS = ClassName.get("dev.lamina.dsl", "Loss");
  static final ClassName SUMMARY = ClassName.get(RT, "NetworkSummary");
  static final ClassName OPTIMIZER = ClassName.get(RT, "Optimizer");

  /** Statements per helper method of {@link #chunked}, to stay far below the method size limit. */
  static final int CHUNK = 24;

  static NetworkClass of(NetworkModel model, Num num, Function<Op, LayerEmitter> emitterOf) {
    ClassName self = ClassName.get(model.packageName(), model.generatedSimpleName(num.precision()));
    String[] parts = model.declaredName().split("\\.");
    ClassName declared = ClassName.get(model.packageName(), parts[0],
        Arrays.copyOfRange(parts, 1, parts.length));
    Set<String> used = new HashSet<>(
        Set.of("INPUT_SIZE", "OUTPUT_SIZE", "PARAMETER_COUNT", "DEFAULT_SEED", "SUMMARY"));
    Map<ParameterTensor, String> offsets = new LinkedHashMap<>();
    for (ParameterTensor t : model.parameterTensors()) {
      String base = GeneratedNames.constantPrefix(t.layer()) + "_"
          + GeneratedNames.upperSnake(t.name());
      String name = base;
      for (int i = 2; !used.add(name); i++) {
        name = base + "_" + i;
      }
      offsets.put(t, name);
    }
    List<LayerContext> layers = new ArrayList<>();
    List<LayerEmitter> emitters = new ArrayList<>();
    Map<Integer, Integer> folds = model.foldedNorms();
    for (int i = 0; i < model.nodes().size(); i++) {
      Node n = model.nodes().get(i);
      Integer norm = folds.get(i);
      List<Boolean> assigns = new ArrayList<>();
      for (int k = 0; k < n.inputs().size(); k++) {
        assigns.add(model.assignsInputGradient(i, k));
      }
      layers.add(new LayerContext(num, n, offsets,
          norm == null ? null : model.nodes().get(norm), model.fusesActivation(i), assigns));
      emitters.add(emitterOf.apply(n.op()));
    }
    return new NetworkClass(model, num, self, self.nestedClass("Workspace"), declared,
        Collections.unmodifiableMap(offsets), List.copyOf(layers), List.copyOf(emitters));
  }

  int inputSize() {
    return (int) model.input().size();
  }

  int outputSize() {
    return (int) model.output().size();
  }

  LayerContext last() {
    return layers.get(layers.size() - 1);
  }

  /** A public method overriding the interface's. */
  static MethodSpec.Builder override(String name, TypeName returns) {
    return MethodSpec.methodBuilder(name)
        .addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC)
        .returns(returns);
  }

  /** {@code new int[] {1, 28, 28}}. */
  static String intArray(int[] values) {
    return "new int[] {" + Arrays.stream(values).mapToObj(Integer::toString)
        .collect(Collectors.joining(", ")) + "}";
  }

  /**
   * Puts {@code statements} into helper methods {@code <name>0, <name>1, ...} of {@value #CHUNK}
   * statements each, each taking {@code param}, and calls them in order from {@code m}.
   */
  static void chunked(List<MethodSpec> helpers, MethodSpec.Builder m, String name, String param,
      TypeName paramType, List<CodeBlock> statements, boolean isStatic) {
    for (int from = 0, k = 0; from < statements.size(); from += CHUNK, k++) {
      MethodSpec.Builder h = MethodSpec.methodBuilder(name + k)
          .addModifiers(Modifier.PRIVATE)
          .addParameter(paramType, param);
      if (isStatic) {
        h.addModifiers(Modifier.STATIC);
      }
      for (CodeBlock s : statements.subList(from, Math.min(statements.size(), from + CHUNK))) {
        h.addStatement(s);
      }
      helpers.add(h.build());
      m.addStatement("$L$L($L)", name, k, param);
    }
  }
}
