package dev.lamina.processor.gen;

import static dev.lamina.processor.gen.NetworkClass.ARRAY_LIST;
import static dev.lamina.processor.gen.NetworkClass.LIST;
import static dev.lamina.processor.gen.NetworkClass.LOSS;
import static dev.lamina.processor.gen.NetworkClass.RT;
import static dev.lamina.processor.gen.NetworkClass.SUMMARY;
import static dev.lamina.processor.gen.NetworkClass.intArray;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.lamina.dsl.Precision;
import dev.lamina.processor.model.NetworkModel;
import dev.lamina.runtime.LayerMemory;
import dev.lamina.runtime.LayerSummary;
import dev.lamina.runtime.ParameterTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.lang.model.element.Modifier;

/**
 * The generated class's constants (sizes, seed, the offset of every parameter tensor) and its
 * {@code SUMMARY}: everything the compiler computed, rebuilt by {@code createSummary()}, with the
 * memory figures of this class's own workspace ({@link WorkspaceWriter#plan}).
 */
final class SummaryWriter {
  private static final ClassName LAYER_SUMMARY = ClassName.get(RT, "LayerSummary");
  private static final ClassName LAYER_MEMORY = ClassName.get(RT, "LayerMemory");
  private static final ClassName PRECISION = ClassName.get("dev.lamina.dsl", "Precision");
  private static final ClassName TENSOR = ClassName.get(RT, "ParameterTensor");
  private static final ClassName ROLE = TENSOR.nestedClass("Role");
  private static final ClassName INIT = TENSOR.nestedClass("Init");

  private final NetworkClass c;

  SummaryWriter(NetworkClass c) {
    this.c = c;
  }

  void constants(TypeSpec.Builder cls) {
    NetworkModel model = c.model();
    cls.addField(constant(TypeName.INT, "INPUT_SIZE", c.inputSize(),
        "Elements of one input sample (" + model.input() + ")."));
    cls.addField(constant(TypeName.INT, "OUTPUT_SIZE", c.outputSize(),
        "Elements of one output sample (" + model.output() + ")."));
    cls.addField(constant(TypeName.INT, "PARAMETER_COUNT", model.parameterCount(),
        "Length of the flat parameter array."));
    cls.addField(FieldSpec.builder(TypeName.LONG, "DEFAULT_SEED",
            Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
        .addJavadoc("Seed of the initial parameters of {@link #$L()}.\n", c.self().simpleName())
        .initializer("$LL", NetworkGenerator.DEFAULT_SEED).build());
    for (Map.Entry<ParameterTensor, String> e : c.offsets().entrySet()) {
      ParameterTensor t = e.getKey();
      cls.addField(constant(TypeName.INT, e.getValue(), t.offset(),
          "Offset of {@code " + t.qualifiedName() + "} " + dims(t.shape()) + ", " + t.size()
              + " values."));
    }
    cls.addField(FieldSpec.builder(SUMMARY, "SUMMARY",
            Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
        .addJavadoc("Everything the compiler computed about this network.\n")
        .initializer("createSummary()").build());
  }

  private static FieldSpec constant(TypeName type, String name, long value, String doc) {
    return FieldSpec.builder(type, name, Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
        .addJavadoc("$L\n", doc)
        .initializer("$L", value).build();
  }

  private static String dims(int[] shape) {
    return Arrays.stream(shape).mapToObj(d -> "[" + d + "]").collect(Collectors.joining());
  }

  private static String doubleArray(double[] values) {
    return "new double[] {" + Arrays.stream(values).mapToObj(Double::toString)
        .collect(Collectors.joining(", ")) + "}";
  }

  /** {@code createSummary()} and its helpers, a few rows each. */
  void summaryFactory(TypeSpec.Builder cls) {
    NetworkModel model = c.model();
    Precision precision = c.num().precision();
    if (!model.memory().containsKey(precision)) {
      model = model.withMemory(Map.of(precision, WorkspaceWriter.plan(c)));
    }
    List<CodeBlock> rows = new ArrayList<>();
    for (LayerSummary s : model.summary(precision).layers()) {
      LayerMemory m = s.memory();
      rows.add(CodeBlock.of("layers.add(new $T($S, $S, $S, $L, $LL, $LL, $LL, $L, $L, $L,\n"
              + "new $T($LL, $LL, $LL, $LL)))",
          LAYER_SUMMARY, s.name(), s.kind(), s.description(), intArray(s.outputShape()),
          s.parameters(), s.connections(), s.multiplyAdds(), intArray(s.receptiveField()),
          intArray(s.jump()), doubleArray(s.start()), LAYER_MEMORY, m.inferenceBytesPerSample(),
          m.inferenceFixedBytes(), m.trainingBytesPerSample(), m.trainingFixedBytes()));
    }
    List<CodeBlock> tensors = new ArrayList<>();
    for (Map.Entry<ParameterTensor, String> e : c.offsets().entrySet()) {
      ParameterTensor t = e.getKey();
      tensors.add(CodeBlock.of("tensors.add(new $T($S, $S, $T.$L, $L, $L, $L, $L, $T.$L))",
          TENSOR, t.layer(), t.name(), ROLE, t.role().name(), e.getValue(), intArray(t.shape()),
          t.fanIn(), t.fanOut(), INIT, t.init().name()));
    }
    MethodSpec.Builder m = MethodSpec.methodBuilder("createSummary")
        .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
        .returns(SUMMARY)
        .addStatement("$T<$T> layers = new $T<>($L)", LIST, LAYER_SUMMARY, ARRAY_LIST,
            rows.size())
        .addStatement("$T<$T> tensors = new $T<>($L)", LIST, TENSOR, ARRAY_LIST, tensors.size());
    List<MethodSpec> helpers = new ArrayList<>();
    NetworkClass.chunked(helpers, m, "addLayerSummaries", "layers",
        ParameterizedTypeName.get(LIST, LAYER_SUMMARY), rows, true);
    NetworkClass.chunked(helpers, m, "addParameterTensors", "tensors",
        ParameterizedTypeName.get(LIST, TENSOR), tensors, true);
    m.addStatement("return new $T($S, $L, $T.$L, layers, tensors, $T.$L)", SUMMARY,
        model.qualifiedName(), intArray(model.input().dims()), LOSS, model.loss().name(),
        PRECISION, precision.name());
    cls.addMethod(m.build());
    cls.addMethods(helpers);
  }
}
