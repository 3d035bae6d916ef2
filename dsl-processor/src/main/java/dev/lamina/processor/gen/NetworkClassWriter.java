package dev.lamina.processor.gen;

import com.palantir.javapoet.AnnotationSpec;
import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.lamina.dsl.Activation;
import dev.lamina.processor.model.GeneratedNames;
import dev.lamina.processor.model.NetworkModel;
import dev.lamina.processor.model.Node;
import dev.lamina.processor.model.Op;
import dev.lamina.runtime.LayerSummary;
import dev.lamina.runtime.ParameterTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.lang.model.element.Modifier;

/** Writes one generated class ({@code Lamina_<Name>} or {@code Lamina_<Name>_F64}). */
final class NetworkClassWriter {
  private static final String RT = Num.RUNTIME;

  /**
   * Spare floats at the end of every scratch row of the float variant: the widest vector of
   * floats on x86 (AVX-512). A Vector API kernel's last, masked vector then lies inside the array,
   * where the masked load is one instruction; past the end the Vector API checks it lane by lane,
   * which made those loads the most expensive of a training step.
   */
  static final int VECTOR_SPARE = 16;
  private static final ClassName ARRAYS = ClassName.get("java.util", "Arrays");
  private static final ClassName LIST = ClassName.get("java.util", "List");
  private static final ClassName ARRAY_LIST = ClassName.get("java.util", "ArrayList");
  private static final ClassName OBJECTS = ClassName.get("java.util", "Objects");
  private static final ClassName THREAD_LOCAL = ClassName.get("java.lang", "ThreadLocal");
  private static final ClassName LAYER = ClassName.get("dev.lamina.dsl", "Layer");
  private static final ClassName LOSS = ClassName.get("dev.lamina.dsl", "Loss");
  private static final ClassName LAYER_VIEW = ClassName.get(RT + ".view", "LayerView");
  private static final ClassName SUMMARY = ClassName.get(RT, "NetworkSummary");
  private static final ClassName LAYER_SUMMARY = ClassName.get(RT, "LayerSummary");
  private static final ClassName TENSOR = ClassName.get(RT, "ParameterTensor");
  private static final ClassName ROLE = TENSOR.nestedClass("Role");
  private static final ClassName INIT = TENSOR.nestedClass("Init");
  private static final ClassName INITIALIZERS = ClassName.get(RT, "Initializers");
  private static final ClassName LOSSES = ClassName.get(RT, "Losses");
  private static final ClassName OPTIMIZER = ClassName.get(RT, "Optimizer");
  private static final ClassName GENERATED =
      ClassName.get("javax.annotation.processing", "Generated");
  /** Summary rows and layer views per helper method, to stay far below the method size limit. */
  private static final int CHUNK = 24;

  private final NetworkModel model;
  private final Num num;
  private final ClassName self;
  private final ClassName workspace;
  private final ClassName declared;
  private final Map<ParameterTensor, String> offsets = new LinkedHashMap<>();
  private final List<LayerContext> layers = new ArrayList<>();
  private final List<LayerEmitter> emitters = new ArrayList<>();
  private final int inputSize;
  private final int outputSize;

  NetworkClassWriter(NetworkModel model, Num num, Function<Op, LayerEmitter> emitterOf) {
    this.model = model;
    this.num = num;
    this.self = ClassName.get(model.packageName(), model.generatedSimpleName(num.precision()));
    this.workspace = self.nestedClass("Workspace");
    String[] parts = model.declaredName().split("\\.");
    this.declared = ClassName.get(model.packageName(), parts[0],
        Arrays.copyOfRange(parts, 1, parts.length));
    Set<String> used = new HashSet<>(
        Set.of("INPUT_SIZE", "OUTPUT_SIZE", "PARAMETER_COUNT", "DEFAULT_SEED", "SUMMARY"));
    for (ParameterTensor t : model.parameterTensors()) {
      String base = GeneratedNames.constantPrefix(t.layer()) + "_"
          + GeneratedNames.upperSnake(t.name());
      String name = base;
      for (int i = 2; !used.add(name); i++) {
        name = base + "_" + i;
      }
      offsets.put(t, name);
    }
    for (Node n : model.nodes()) {
      layers.add(new LayerContext(num, n, offsets));
      emitters.add(emitterOf.apply(n.op()));
    }
    this.inputSize = (int) model.input().size();
    this.outputSize = (int) model.output().size();
  }

  JavaFile write() {
    TypeSpec.Builder cls = TypeSpec.classBuilder(self)
        .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
        .superclass(declared)
        .addSuperinterface(num.network())
        .addAnnotation(AnnotationSpec.builder(GENERATED)
            .addMember("value", "$S", NetworkGenerator.GENERATOR).build())
        .addJavadoc(classJavadoc());
    constants(cls);
    instanceFields(cls);
    constructors(cls);
    summaryFactory(cls);
    layerFactory(cls);
    networkMethods(cls);
    cls.addType(workspaceType());
    return JavaFile.builder(model.packageName(), cls.build())
        .skipJavaLangImports(true)
        .indent("  ")
        .build();
  }

  // ---------------------------------------------------------------- class level

  private CodeBlock classJavadoc() {
    CodeBlock.Builder d = CodeBlock.builder();
    d.add("The network declared by {@link $T}, generated by Lamina: a {@link $T} computing in "
        + "{@code $L}, with forward and backward\nspecialized to exactly these layers.\n",
        declared, num.network(), num.t());
    d.add("\n<p>Input $L, output $L, $L parameters, loss $L.\n", model.input(), model.output(),
        model.parameterCount(), model.loss());
    d.add("\n<pre>\n");
    for (LayerContext c : layers) {
      d.add("$L\n", c.header());
    }
    d.add("</pre>\n");
    d.add("\n<p>Parameters live in one flat array ({@link #parameters()}) at the offsets given by "
        + "the constants below;\nactivations and gradients live in a {@link Workspace}.\n");
    return d.build();
  }

  private void constants(TypeSpec.Builder cls) {
    cls.addField(constant(TypeName.INT, "INPUT_SIZE", inputSize,
        "Elements of one input sample (" + model.input() + ")."));
    cls.addField(constant(TypeName.INT, "OUTPUT_SIZE", outputSize,
        "Elements of one output sample (" + model.output() + ")."));
    cls.addField(constant(TypeName.INT, "PARAMETER_COUNT", model.parameterCount(),
        "Length of the flat parameter array."));
    cls.addField(FieldSpec.builder(TypeName.LONG, "DEFAULT_SEED",
            Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
        .addJavadoc("Seed of the initial parameters of {@link #$L()}.\n", self.simpleName())
        .initializer("$LL", NetworkGenerator.DEFAULT_SEED).build());
    for (Map.Entry<ParameterTensor, String> e : offsets.entrySet()) {
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

  private static String intArray(int[] values) {
    return "new int[] {" + Arrays.stream(values).mapToObj(Integer::toString)
        .collect(Collectors.joining(", ")) + "}";
  }

  private static String doubleArray(double[] values) {
    return "new double[] {" + Arrays.stream(values).mapToObj(Double::toString)
        .collect(Collectors.joining(", ")) + "}";
  }

  private void instanceFields(TypeSpec.Builder cls) {
    cls.addField(FieldSpec.builder(num.array(), "parameters", Modifier.PRIVATE, Modifier.FINAL)
        .initializer("new $L[PARAMETER_COUNT]", num.t()).build());
    cls.addField(FieldSpec.builder(ParameterizedTypeName.get(LIST, LAYER), "layers",
        Modifier.PRIVATE, Modifier.FINAL).build());
    cls.addField(FieldSpec.builder(ParameterizedTypeName.get(THREAD_LOCAL, workspace),
            "inference", Modifier.PRIVATE, Modifier.FINAL)
        .addJavadoc("One inference workspace per thread, grown when a larger batch comes.\n")
        .initializer("new $T<>()", THREAD_LOCAL).build());
    if (num.isFloat()) {
      cls.addField(FieldSpec.builder(workspace, "training", Modifier.PRIVATE).build());
      cls.addField(FieldSpec.builder(OPTIMIZER, "optimizer", Modifier.PRIVATE).build());
    }
  }

  private void constructors(TypeSpec.Builder cls) {
    cls.addMethod(MethodSpec.constructorBuilder().addModifiers(Modifier.PUBLIC)
        .addJavadoc("A network with parameters drawn from {@link #DEFAULT_SEED}.\n")
        .addStatement("this(DEFAULT_SEED)").build());
    cls.addMethod(MethodSpec.constructorBuilder().addModifiers(Modifier.PUBLIC)
        .addJavadoc("A network with each tensor's default initializer, drawn from {@code seed}.\n")
        .addParameter(TypeName.LONG, "seed")
        .addStatement("$T.initialize(parameters, SUMMARY.parameterTensors(), seed)", INITIALIZERS)
        .addStatement("this.layers = createLayers()").build());
  }

  private void summaryFactory(TypeSpec.Builder cls) {
    List<CodeBlock> rows = new ArrayList<>();
    for (Node n : model.nodes()) {
      LayerSummary s = n.summary();
      rows.add(CodeBlock.of("layers.add(new $T($S, $S, $S, $L, $LL, $LL, $LL, $L, $L, $L))",
          LAYER_SUMMARY, s.name(), s.kind(), s.description(), intArray(s.outputShape()),
          s.parameters(), s.connections(), s.multiplyAdds(), intArray(s.receptiveField()),
          intArray(s.jump()), doubleArray(s.start())));
    }
    List<CodeBlock> tensors = new ArrayList<>();
    for (Map.Entry<ParameterTensor, String> e : offsets.entrySet()) {
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
    chunked(helpers, m, "addLayerSummaries", "layers",
        ParameterizedTypeName.get(LIST, LAYER_SUMMARY), rows, true);
    chunked(helpers, m, "addParameterTensors", "tensors",
        ParameterizedTypeName.get(LIST, TENSOR), tensors, true);
    m.addStatement("return new $T($S, $L, $T.$L, layers, tensors)", SUMMARY,
        model.qualifiedName(), intArray(model.input().dims()), LOSS, model.loss().name());
    cls.addMethod(m.build());
    cls.addMethods(helpers);
  }

  /** Puts {@code statements} into helper methods of {@value #CHUNK} each, called from {@code m}. */
  private void chunked(List<MethodSpec> helpers, MethodSpec.Builder m, String name, String param,
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

  private void layerFactory(TypeSpec.Builder cls) {
    List<CodeBlock> views = new ArrayList<>();
    for (LayerContext c : layers) {
      Node n = c.node();
      ParameterTensor w = n.parameters().isEmpty() ? null : n.parameters().get(0);
      ParameterTensor b = n.parameter("bias");
      CodeBlock view = CodeBlock.of("new $T($S, $S, $L, $L, $L)", LAYER_VIEW, n.name(),
          n.op().kindName(), intArray(n.outputShape().dims()), view(w), view(b));
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
        .addStatement("$T<$T> layers = new $T<>($L)", LIST, LAYER, ARRAY_LIST, layers.size());
    List<MethodSpec> helpers = new ArrayList<>();
    chunked(helpers, m, "createLayers", "layers", ParameterizedTypeName.get(LIST, LAYER), views,
        false);
    m.addStatement("return $T.copyOf(layers)", LIST);
    cls.addMethod(m.build());
    cls.addMethods(helpers);
    for (LayerContext c : layers) {
      if (NetworkModel.isMember(c.node())) {
        cls.addMethod(MethodSpec.methodBuilder(c.name())
            .addModifiers(Modifier.PUBLIC)
            .returns(LAYER)
            .addJavadoc("$L\n", c.header())
            .addStatement("return super.$N", c.name()).build());
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
    return CodeBlock.of("new $T($S, $L, parameters, $L)", num.tensorView(), t.qualifiedName(),
        intArray(t.shape()), offsets.get(t));
  }

  private void networkMethods(TypeSpec.Builder cls) {
    String t = num.t();
    cls.addMethod(override("summary", SUMMARY).addStatement("return SUMMARY").build());
    cls.addMethod(override("inputSize", TypeName.INT).addStatement("return INPUT_SIZE").build());
    cls.addMethod(override("outputSize", TypeName.INT).addStatement("return OUTPUT_SIZE").build());
    cls.addMethod(override("parameterCount", TypeName.INT)
        .addStatement("return PARAMETER_COUNT").build());
    cls.addMethod(override("parameters", num.array()).addStatement("return parameters").build());
    cls.addMethod(override("layers", ParameterizedTypeName.get(LIST, LAYER))
        .addStatement("return layers").build());
    cls.addMethod(override("newWorkspace", workspace)
        .addParameter(TypeName.INT, "maxBatch")
        .addStatement("return new $T(this, maxBatch)", workspace).build());
    cls.addMethod(override("forward", TypeName.VOID)
        .addParameter(num.array(), "input")
        .addParameter(TypeName.INT, "batch")
        .addParameter(num.array(), "output")
        .addStatement("$L[] out = inferenceWorkspace(batch).forward(input, 0, batch, false)", t)
        .addStatement("System.arraycopy(out, 0, output, 0, batch * OUTPUT_SIZE)").build());
    cls.addMethod(override("predict", TypeName.INT)
        .addParameter(num.array(), "sample")
        .addStatement("$L[] out = inferenceWorkspace(1).forward(sample, 0, 1, false)", t)
        .addStatement("int best = 0")
        .beginControlFlow("for (int o = 1; o < OUTPUT_SIZE; o++)")
        .beginControlFlow("if (out[o] > out[best])")
        .addStatement("best = o")
        .endControlFlow()
        .endControlFlow()
        .addStatement("return best").build());
    cls.addMethod(MethodSpec.methodBuilder("inferenceWorkspace")
        .addModifiers(Modifier.PRIVATE)
        .returns(workspace)
        .addParameter(TypeName.INT, "batch")
        .addStatement("$T ws = inference.get()", workspace)
        .beginControlFlow("if (ws == null || ws.maxBatch() < batch)")
        .addStatement("ws = new $T(this, Math.max(batch, ws == null ? 1 : ws.maxBatch()))",
            workspace)
        .addStatement("inference.set(ws)")
        .endControlFlow()
        .addStatement("return ws").build());
    if (!num.isFloat()) {
      return;
    }
    cls.addMethod(override("optimizer", OPTIMIZER).addStatement("return optimizer").build());
    cls.addMethod(override("setOptimizer", TypeName.VOID)
        .addParameter(OPTIMIZER, "optimizer")
        .addStatement("this.optimizer = optimizer").build());
    for (boolean labels : new boolean[] {true, false}) {
      cls.addMethod(override("trainStep", TypeName.FLOAT)
          .addParameter(num.array(), "input")
          .addParameter(labels ? TypeName.get(int[].class) : num.array(),
              labels ? "labels" : "targets")
          .addParameter(TypeName.INT, "batch")
          .addStatement("$T opt = optimizer", OPTIMIZER)
          .beginControlFlow("if (opt == null)")
          .addStatement("throw new IllegalStateException($S)",
              "no optimizer: call setOptimizer first")
          .endControlFlow()
          .addStatement("$T ws = trainingWorkspace(batch)", workspace)
          .addStatement("ws.zeroGradients()")
          .addStatement("float loss = ws.lossAndGradients(input, 0, $L, 0, batch, 1f / batch)",
              labels ? "labels" : "targets")
          .addStatement("opt.step(parameters, ws.gradients())")
          .addStatement("return loss / batch").build());
    }
    cls.addMethod(MethodSpec.methodBuilder("trainingWorkspace")
        .addModifiers(Modifier.PRIVATE)
        .returns(workspace)
        .addParameter(TypeName.INT, "batch")
        .beginControlFlow("if (batch < 1)")
        .addStatement("throw new IllegalArgumentException($S + batch)", "batch must be >= 1: ")
        .endControlFlow()
        .addStatement("$T ws = training", workspace)
        .beginControlFlow("if (ws == null || ws.maxBatch() < batch)")
        .addStatement("ws = new $T(this, batch)", workspace)
        .addStatement("training = ws")
        .endControlFlow()
        .addStatement("return ws").build());
  }

  private static MethodSpec.Builder override(String name, TypeName returns) {
    return MethodSpec.methodBuilder(name)
        .addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC)
        .returns(returns);
  }

  // ---------------------------------------------------------------- workspace

  private TypeSpec workspaceType() {
    String t = num.t();
    TypeSpec.Builder ws = TypeSpec.classBuilder(workspace)
        .addModifiers(Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
        .addSuperinterface(num.workspace())
        .addJavadoc("Activations, scratch and gradients of {@link $T} for batches of up to {@link "
            + "#maxBatch()} samples.\nNot thread-safe; forward and backward allocate nothing.\n",
            self);
    ws.addField(FieldSpec.builder(self, "network", Modifier.PRIVATE, Modifier.FINAL).build());
    ws.addField(FieldSpec.builder(num.array(), "p", Modifier.PRIVATE, Modifier.FINAL)
        .addJavadoc("The network's parameters.\n").build());
    ws.addField(FieldSpec.builder(num.array(), "g", Modifier.PRIVATE, Modifier.FINAL)
        .addJavadoc("Gradients, laid out like the parameters.\n").build());
    ws.addField(FieldSpec.builder(TypeName.INT, "maxBatch", Modifier.PRIVATE, Modifier.FINAL)
        .build());
    ws.addField(FieldSpec.builder(num.array(), "outputGradient", Modifier.PRIVATE,
        Modifier.FINAL).addJavadoc("[maxBatch][$L] scratch for the loss gradient.\n", outputSize)
        .build());
    ws.addField(FieldSpec.builder(num.array(), "inputGradient", Modifier.PRIVATE)
        .addJavadoc("[maxBatch][$L] dL/dinput, allocated when first enabled.\n", inputSize)
        .build());
    ws.addField(FieldSpec.builder(TypeName.BOOLEAN, "inputGradientEnabled", Modifier.PRIVATE)
        .build());
    ws.addField(FieldSpec.builder(num.array(), "input", Modifier.PRIVATE)
        .addJavadoc("The input of the last forward pass (read by the first layer's backward).\n")
        .build());
    ws.addField(FieldSpec.builder(TypeName.INT, "inputOffset", Modifier.PRIVATE).build());
    ws.addField(FieldSpec.builder(TypeName.BOOLEAN, "trainingPass", Modifier.PRIVATE)
        .addJavadoc("Whether the last forward pass ran in training mode.\n").build());
    if (hasDropout()) {
      ws.addField(FieldSpec.builder(TypeName.LONG, "seed", Modifier.PRIVATE)
          .addJavadoc("State of the dropout masks' generator (SplitMix64).\n").build());
      ws.addMethod(override("reseed", TypeName.VOID)
          .addJavadoc("Restarts the dropout masks from {@code seed}: the same seed and sequence of"
              + " training passes give the same masks.\n")
          .addParameter(TypeName.LONG, "seed")
          .addStatement("this.seed = seed").build());
    }
    if (!batchNorms().isEmpty()) {
      statisticMethods(ws);
    }

    MethodSpec.Builder ctor = MethodSpec.constructorBuilder()
        .addParameter(self, "network")
        .addParameter(TypeName.INT, "maxBatch")
        .beginControlFlow("if (maxBatch < 1)")
        .addStatement("throw new IllegalArgumentException($S + maxBatch)",
            "maxBatch must be >= 1: ")
        .endControlFlow()
        .addStatement("this.network = network")
        .addStatement("this.p = network.parameters")
        .addStatement("this.g = new $L[PARAMETER_COUNT]", t)
        .addStatement("this.maxBatch = maxBatch")
        .addStatement("this.outputGradient = new $L[$T.multiplyExact(maxBatch, OUTPUT_SIZE)]", t,
            Math.class);

    for (int i = 0; i < layers.size(); i++) {
      LayerContext c = layers.get(i);
      List<LayerEmitter.Buffer> buffers = new ArrayList<>();
      buffers.add(new LayerEmitter.Buffer(c.outBuffer(), false, c.outSize(), "output"));
      if (c.node().activation() != Activation.IDENTITY) {
        buffers.add(new LayerEmitter.Buffer(c.preBuffer(), false, c.outSize(),
            "output before the activation"));
      }
      buffers.add(new LayerEmitter.Buffer(c.deltaBuffer(), false, c.outSize(),
          "dL/doutput, then dL/d(pre-activation)"));
      buffers.addAll(emitters.get(i).buffers(c));
      for (LayerEmitter.Buffer b : buffers) {
        if (b.rows() > 0) {
          int spare = num.isFloat() ? VECTOR_SPARE : 0;
          ws.addField(FieldSpec.builder(ArrayTypeName.of(num.array()), b.name(), Modifier.PRIVATE,
                  Modifier.FINAL)
              .addJavadoc("$L: $L, [$L][$L]$L.\n", c.name(), b.comment(), b.rows(), b.perSample(),
                  spare > 0 ? " (+ " + spare + " spare: a vector's masked tail stays inside)" : "")
              .build());
          ctor.addStatement("this.$N = new $L[$L][$L]", b.name(), t, b.rows(),
              b.perSample() + spare);
          continue;
        }
        TypeName type = b.ints() ? TypeName.get(int[].class) : num.array();
        ws.addField(FieldSpec.builder(type, b.name(), Modifier.PRIVATE, Modifier.FINAL)
            .addJavadoc("$L: $L, [maxBatch][$L].\n", c.name(), b.comment(),
                c.node().outputShape().toString().replace("x", "]["))
            .build());
        ctor.addStatement("this.$N = new $L[$T.multiplyExact(maxBatch, $L)]", b.name(),
            b.ints() ? "int" : t, Math.class, b.perSample());
      }
    }
    if (hasDropout()) {
      ctor.addStatement("this.seed = $LL", NetworkGenerator.DEFAULT_SEED);
    }
    ws.addMethod(ctor.build());

    ws.addMethod(override("network", self).addStatement("return network").build());
    ws.addMethod(override("maxBatch", TypeName.INT).addStatement("return maxBatch").build());
    ws.addMethod(override("outputGradientBuffer", num.array())
        .addStatement("return outputGradient").build());
    ws.addMethod(override("gradients", num.array()).addStatement("return g").build());
    ws.addMethod(override("zeroGradients", TypeName.VOID)
        .addStatement("$T.fill(g, $L)", ARRAYS, num.lit(0)).build());
    ws.addMethod(override("setInputGradientEnabled", TypeName.VOID)
        .addParameter(TypeName.BOOLEAN, "enabled")
        .beginControlFlow("if (enabled && inputGradient == null)")
        .addStatement("inputGradient = new $L[$T.multiplyExact(maxBatch, INPUT_SIZE)]", t,
            Math.class)
        .endControlFlow()
        .addStatement("inputGradientEnabled = enabled").build());
    ws.addMethod(override("inputGradient", num.array())
        .addStatement("return inputGradient").build());
    ws.addMethod(MethodSpec.methodBuilder("checkBatch")
        .addModifiers(Modifier.PRIVATE)
        .addParameter(TypeName.INT, "batch")
        .beginControlFlow("if (batch < 0 || batch > maxBatch)")
        .addStatement("throw new IllegalArgumentException($S + batch + $S + maxBatch)",
            "batch ", " outside 0..")
        .endControlFlow().build());

    ws.addMethod(forwardMethod());
    ws.addMethod(backwardMethod());
    lossMethods(ws);

    for (int i = 0; i < layers.size(); i++) {
      LayerContext c = layers.get(i);
      LayerEmitter e = emitters.get(i);
      // a layer's passes may share a helper (the same tap loop): each identical method once
      Set<MethodSpec> methods = new LinkedHashSet<>();
      methods.addAll(e.forward(c));
      methods.addAll(ActivationEmitter.methods(c));
      methods.addAll(e.backwardParams(c));
      methods.addAll(e.backwardData(c));
      ws.addMethods(methods);
    }
    return ws.build();
  }

  /** The batch-norm layers, whose running statistics a workspace may defer. */
  private List<Integer> batchNorms() {
    List<Integer> found = new ArrayList<>();
    for (int i = 0; i < layers.size(); i++) {
      if (emitters.get(i) instanceof BatchNormEmitter) {
        found.add(i);
      }
    }
    return found;
  }

  /**
   * The deferred running statistics: the mode flag, each batch-norm layer's pending statistics,
   * and the workspace methods that switch, merge and commit them.
   */
  private void statisticMethods(TypeSpec.Builder ws) {
    ws.addField(FieldSpec.builder(TypeName.BOOLEAN, "deferredStatistics", Modifier.PRIVATE)
        .addJavadoc("Whether training passes keep their batch statistics pending rather than "
            + "update the running statistics.\n").build());
    MethodSpec.Builder mode = override("setDeferredStatistics", TypeName.VOID)
        .addParameter(TypeName.BOOLEAN, "deferred")
        .addStatement("this.deferredStatistics = deferred");
    MethodSpec.Builder merge = override("mergeStatistics", TypeName.VOID)
        .addParameter(num.workspace(), "other")
        .beginControlFlow("if (other == this || !(other instanceof $T) || (($T) other).network "
            + "!= network)", workspace, workspace)
        .addStatement("throw new IllegalArgumentException($S + other)",
            "can only merge the statistics of another workspace of the same network, not ")
        .endControlFlow()
        .addStatement("$T o = ($T) other", workspace, workspace);
    MethodSpec.Builder commit = override("commitStatistics", TypeName.VOID);
    for (int i : batchNorms()) {
      LayerContext c = layers.get(i);
      BatchNormEmitter e = (BatchNormEmitter) emitters.get(i);
      ws.addFields(BatchNormEmitter.statisticFields(c));
      mode.addStatement("$N()", c.buffer("DiscardStatistics"));
      merge.addStatement("$N(o)", c.buffer("MergeStatistics"));
      commit.addStatement("$N()", c.buffer("CommitStatistics"));
      ws.addMethod(BatchNormEmitter.mergeMethod(c, workspace));
      ws.addMethod(e.commitMethod(c));
      ws.addMethod(BatchNormEmitter.discardMethod(c));
    }
    ws.addMethod(mode.build());
    ws.addMethod(merge.build());
    ws.addMethod(commit.build());
  }

  /** Whether a layer draws random masks in training, from the workspace's seed. */
  private boolean hasDropout() {
    for (LayerEmitter e : emitters) {
      if (e.drawsMasks()) {
        return true;
      }
    }
    return false;
  }

  /** The buffer and offset a node reads as input {@code k}, in forward or backward. */
  private String inputArgs(LayerContext c, boolean backward) {
    StringBuilder sb = new StringBuilder();
    for (int source : c.node().inputs()) {
      if (source == Node.NETWORK_INPUT) {
        sb.append(backward ? "input, inputOffset, " : "input, offset, ");
      } else {
        sb.append(layers.get(source).outBuffer()).append(", 0, ");
      }
    }
    return sb.toString();
  }

  private MethodSpec forwardMethod() {
    MethodSpec.Builder m = override("forward", num.array())
        .addParameter(num.array(), "input")
        .addParameter(TypeName.INT, "offset")
        .addParameter(TypeName.INT, "batch")
        .addParameter(TypeName.BOOLEAN, "training")
        .addStatement("checkBatch(batch)")
        .addStatement("$T.checkFromIndexSize(offset, batch * INPUT_SIZE, input.length)", OBJECTS)
        .addStatement("this.input = input")
        .addStatement("this.inputOffset = offset")
        .addStatement("this.trainingPass = training");
    for (LayerContext c : layers) {
      m.addCode("\n");
      m.addComment("$L", c.header());
      m.addStatement("$LForward($Lbatch)", c.name(), inputArgs(c, false));
      if (c.node().activation() != Activation.IDENTITY) {
        m.addStatement("$LActivate(batch)", c.name());
      }
    }
    m.addStatement("return $L", layers.get(layers.size() - 1).outBuffer());
    return m.build();
  }

  /**
   * Backward in reverse order. A layer read by several others receives the sum of their
   * gradients: every delta buffer (and the input gradient) is zeroed first, each layer's backward
   * adds dL/d(input) into the delta buffer of each of its inputs, and a layer's own backward runs
   * only after all its readers' (they come later in the topological order).
   */
  private MethodSpec backwardMethod() {
    LayerContext last = layers.get(layers.size() - 1);
    MethodSpec.Builder m = override("backward", TypeName.VOID)
        .addParameter(num.array(), "gradOutput")
        .addParameter(TypeName.INT, "offset")
        .addParameter(TypeName.INT, "batch")
        .addStatement("checkBatch(batch)")
        .beginControlFlow("if (input == null)")
        .addStatement("throw new IllegalStateException($S)", "backward before forward")
        .endControlFlow();
    for (LayerContext c : layers) {
      if (c != last) {
        m.addStatement("$T.fill($L, 0, batch * $L, $L)", ARRAYS, c.deltaBuffer(), c.outSize(),
            num.lit(0));
      }
    }
    m.addStatement("$L[] dInput = inputGradientEnabled ? inputGradient : null", num.t());
    m.beginControlFlow("if (dInput != null)");
    m.addStatement("$T.fill(dInput, 0, batch * INPUT_SIZE, $L)", ARRAYS, num.lit(0));
    m.endControlFlow();
    m.addStatement("System.arraycopy(gradOutput, offset, $L, 0, batch * OUTPUT_SIZE)",
        last.deltaBuffer());
    for (int i = layers.size() - 1; i >= 0; i--) {
      LayerContext c = layers.get(i);
      LayerEmitter e = emitters.get(i);
      m.addCode("\n");
      m.addComment("$L", c.header());
      if (c.node().activation() != Activation.IDENTITY) {
        m.addStatement("$LActivateBackward(batch)", c.name());
      }
      if (e.hasParameters()) {
        m.addStatement("$LBackwardParams($Lbatch)", c.name(), inputArgs(c, true));
      }
      List<Integer> inputs = c.node().inputs();
      StringBuilder dx = new StringBuilder();
      for (int source : inputs) {
        dx.append(source == Node.NETWORK_INPUT ? "dInput" : layers.get(source).deltaBuffer())
            .append(", ");
      }
      if (inputs.size() == 1 && inputs.get(0) == Node.NETWORK_INPUT) {
        m.beginControlFlow("if (dInput != null)");
        m.addStatement("$LBackwardData($Lbatch)", c.name(), dx);
        m.endControlFlow();
      } else {
        m.addStatement("$LBackwardData($Lbatch)", c.name(), dx);
      }
    }
    return m.build();
  }

  /** Overrides the interface's loss defaults with literal sizes (the defaults allocate). */
  private void lossMethods(TypeSpec.Builder ws) {
    String t = num.t();
    for (boolean labels : new boolean[] {true, false}) {
      ws.addMethod(override("lossAndGradients", num.type())
          .addParameter(num.array(), "input")
          .addParameter(TypeName.INT, "offset")
          .addParameter(labels ? TypeName.get(int[].class) : num.array(),
              labels ? "labels" : "targets")
          .addParameter(TypeName.INT, labels ? "labelOffset" : "targetOffset")
          .addParameter(TypeName.INT, "batch")
          .addParameter(num.type(), "gradScale")
          .addStatement("$L[] out = forward(input, offset, batch, true)", t)
          .addStatement("$L loss = $T.forwardBackward($T.$L, out, batch, OUTPUT_SIZE, $L, $L, "
                  + "outputGradient, gradScale)", t, LOSSES, LOSS, model.loss().name(),
              labels ? "labels" : "targets", labels ? "labelOffset" : "targetOffset")
          .addStatement("backward(outputGradient, 0, batch)")
          .addStatement("return loss").build());
    }
  }
}
