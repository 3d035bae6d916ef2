package dev.lamina.processor.gen;

import static dev.lamina.processor.gen.NetworkClass.ARRAY_LIST;
import static dev.lamina.processor.gen.NetworkClass.LAYER;
import static dev.lamina.processor.gen.NetworkClass.LIST;
import static dev.lamina.processor.gen.NetworkClass.RT;
import static dev.lamina.processor.gen.NetworkClass.intArray;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeSpec;
import dev.lamina.processor.model.NetworkModel;
import dev.lamina.processor.model.Node;
import dev.lamina.runtime.ParameterTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.lang.model.element.Modifier;

/**
 * The layer views: {@code createLayers()}, which fills the declared {@code Layer} fields (and the
 * block uses' aliases) with live views of the flat parameters, and one accessor per field.
 */
final class LayerViewsWriter {
  private static final ClassName LAYER_VIEW = ClassName.get(RT + ".view", "LayerView");

  private final NetworkClass c;

  LayerViewsWriter(NetworkClass c) {
    this.c = c;
  }

  void addTo(TypeSpec.Builder cls) {
    NetworkModel model = c.model();
    List<CodeBlock> views = new ArrayList<>();
    for (LayerContext l : c.layers()) {
      Node n = l.node();
      ParameterTensor w = n.parameters().isEmpty() ? null : n.parameters().get(0);
      ParameterTensor b = n.parameter("bias");
      List<ParameterTensor> trained = n.parameters().stream()
          .filter(t -> t.role() != ParameterTensor.Role.STATISTIC).toList();
      CodeBlock view;
      if (trained.stream().allMatch(t -> t == w || t == b)) {
        view = CodeBlock.of("new $T($S, $S, $L, $L, $L)", LAYER_VIEW, n.name(),
            n.op().kindName(), intArray(n.outputShape().dims()), view(w), view(b));
      } else {
        // more trained tensors than a weight and a bias: each in the list, in storage order
        view = CodeBlock.of("new $T($S, $S, $L, $L, $L, $T.of($L))", LAYER_VIEW, n.name(),
            n.op().kindName(), intArray(n.outputShape().dims()), view(w), view(b), LIST,
            trained.stream().map(this::view).collect(CodeBlock.joining(", ")));
      }
      if (NetworkModel.isMember(n)) {
        views.add(CodeBlock.of("super.$N = $L", n.name(), view));
        views.add(CodeBlock.of("layers.add(super.$N)", n.name()));
      } else {
        views.add(CodeBlock.of("layers.add($L)", view));
      }
    }
    for (Map.Entry<String, String> a : model.aliases().entrySet()) {
      views.add(CodeBlock.of("super.$N = layers.get($L)", a.getKey(),
          model.indexOf(a.getValue())));
    }
    MethodSpec.Builder m = MethodSpec.methodBuilder("createLayers")
        .addModifiers(Modifier.PRIVATE)
        .returns(ParameterizedTypeName.get(LIST, LAYER))
        .addJavadoc("Fills the declared layer fields with live views of the parameters.\n")
        .addStatement("$T<$T> layers = new $T<>($L)", LIST, LAYER, ARRAY_LIST, c.layers().size());
    List<MethodSpec> helpers = new ArrayList<>();
    NetworkClass.chunked(helpers, m, "createLayers", "layers",
        ParameterizedTypeName.get(LIST, LAYER), views, false);
    m.addStatement("return $T.copyOf(layers)", LIST);
    cls.addMethod(m.build());
    cls.addMethods(helpers);
    for (LayerContext l : c.layers()) {
      if (NetworkModel.isMember(l.node())) {
        cls.addMethod(MethodSpec.methodBuilder(l.name())
            .addModifiers(Modifier.PUBLIC)
            .returns(LAYER)
            .addJavadoc("$L\n", l.header())
            .addStatement("return super.$N", l.name()).build());
      }
    }
    for (Map.Entry<String, String> a : model.aliases().entrySet()) {
      cls.addMethod(MethodSpec.methodBuilder(a.getKey())
          .addModifiers(Modifier.PUBLIC)
          .returns(LAYER)
          .addJavadoc("The output layer $L of the block use $L.\n", a.getValue(), a.getKey())
          .addStatement("return super.$N", a.getKey()).build());
    }
  }

  private CodeBlock view(ParameterTensor t) {
    if (t == null) {
      return CodeBlock.of("null");
    }
    return CodeBlock.of("new $T($S, $L, parameters, $L)", c.num().tensorView(),
        t.qualifiedName(), intArray(t.shape()), c.offsets().get(t));
  }
}
