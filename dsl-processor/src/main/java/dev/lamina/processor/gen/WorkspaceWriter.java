package dev.lamina.processor.gen;

import static dev.lamina.processor.gen.NetworkClass.ARRAYS;
import static dev.lamina.processor.gen.NetworkClass.override;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.lamina.processor.model.MemoryPlan;
import dev.lamina.runtime.LayerMemory;
import dev.lamina.runtime.ParameterTensor;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.lang.model.element.Modifier;

/**
 * The nested {@code Workspace}: its fields (every layer's output, pre-activation, delta and
 * scratch buffers), its constructor, the interface's bookkeeping methods, the deferred batch-norm
 * statistics, the passes ({@link PassWriter}) and every layer's own methods.
 */
final class WorkspaceWriter {
  /**
   * Buffer allocations the constructor makes itself; past that, helper methods of this many each
   * (about 14 bytes of bytecode per allocation, far below the 8000-byte limit).
   */
  static final int ALLOCATIONS_PER_METHOD = 300;

  /**
   * Spare floats at the end of every scratch row of the float variant: the widest vector of
   * floats on x86 (AVX-512). A Vector API kernel's last, masked vector then lies inside the array,
   * where the masked load is one instruction; past the end the Vector API checks it lane by lane,
   * which made those loads the most expensive of a training step.
   */
  static final int VECTOR_SPARE = 16;

  /** The initializer of an array field: {@code new double[8]}. */
  private static final Pattern NEW_ARRAY = Pattern.compile("new (float|double)\\[(\\d+)\\]");

  private final NetworkClass c;
  private final Num num;

  WorkspaceWriter(NetworkClass c) {
    this.c = c;
    this.num = c.num();
  }

  TypeSpec write() {
    String t = num.t();
    ClassName workspace = c.workspace();
    TypeSpec.Builder ws = TypeSpec.classBuilder(workspace)
        .addModifiers(Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
        .addSuperinterface(num.workspace())
        .addJavadoc("Activations, scratch and gradients of {@link $T}\nfor batches of up to {@link "
            + "#maxBatch()} samples. Not thread-safe; forward and backward\nallocate nothing.\n",
            c.self());
    ws.addField(FieldSpec.builder(c.self(), "network", Modifier.PRIVATE, Modifier.FINAL).build());
    ws.addField(FieldSpec.builder(num.array(), "p", Modifier.PRIVATE, Modifier.FINAL)
        .addJavadoc("The network's parameters.\n").build());
    ws.addField(FieldSpec.builder(num.array(), "g", Modifier.PRIVATE, Modifier.FINAL)
        .addJavadoc("Gradients, laid out like the parameters.\n").build());
    ws.addField(FieldSpec.builder(TypeName.INT, "maxBatch", Modifier.PRIVATE, Modifier.FINAL)
        .build());
    ws.addField(FieldSpec.builder(num.array(), "outputGradient", Modifier.PRIVATE,
        Modifier.FINAL).addJavadoc("[maxBatch][$L] scratch for the loss gradient.\n",
            c.outputSize()).build());
    ws.addField(FieldSpec.builder(num.array(), "inputGradient", Modifier.PRIVATE)
        .addJavadoc("[maxBatch][$L] dL/dinput, allocated when first enabled.\n", c.inputSize())
        .build());
    ws.addField(FieldSpec.builder(TypeName.BOOLEAN, "inputGradientEnabled", Modifier.PRIVATE)
        .build());
    ws.addField(FieldSpec.builder(num.array(), "input", Modifier.PRIVATE)
        .addJavadoc("The input of the last forward pass (read by the first layer's backward).\n")
        .build());
    ws.addField(FieldSpec.builder(TypeName.INT, "inputOffset", Modifier.PRIVATE).build());
    ws.addField(FieldSpec.builder(TypeName.BOOLEAN, "trainingPass", Modifier.PRIVATE)
        .addJavadoc("Whether the last forward pass ran in training mode.\n").build());
    int folded = foldedLength(c);
    if (folded > 0) {
      ws.addField(FieldSpec.builder(num.array(), "folded", Modifier.PRIVATE, Modifier.FINAL)
          .addJavadoc("The parameters [0, $L) as inference passes run them: each convolution "
              + "with a batch\nnormalization folded into it, its weights and shift (at the batch "
              + "normalization's bias);\nwritten at the start of every inference pass.\n", folded)
          .build());
      ws.addField(FieldSpec.builder(TypeName.BOOLEAN, "foldedPass", Modifier.PRIVATE)
          .addJavadoc("Whether the last forward pass ran with the batch normalizations folded "
              + "(an inference\npass): their own buffers then hold nothing of it.\n").build());
    }
    if (hasDropout()) {
      ws.addField(FieldSpec.builder(TypeName.LONG, "seed", Modifier.PRIVATE)
          .addJavadoc("State of the dropout masks' generator (SplitMix64).\n").build());
      ws.addMethod(override("reseed", TypeName.VOID)
          .addJavadoc("Restarts the dropout masks from {@code seed}: the same seed and sequence of"
              + " training\npasses give the same masks.\n")
          .addParameter(TypeName.LONG, "seed")
          .addStatement("this.seed = seed").build());
    }
    if (!batchNorms().isEmpty()) {
      statisticMethods(ws);
    }

    MethodSpec.Builder ctor = MethodSpec.constructorBuilder()
        .addParameter(c.self(), "network")
        .addParameter(TypeName.INT, "maxBatch")
        .beginControlFlow("if (maxBatch < 1)")
        .addStatement("throw new IllegalArgumentException($S + maxBatch)",
            "maxBatch must be >= 1: ")
        .endControlFlow()
        .addStatement("this.network = network")
        .addStatement("this.p = network.parameters")
        .addStatement("this.g = new $L[PARAMETER_COUNT]", t)
        .addCode(folded > 0 ? CodeBlock.of("this.folded = new $L[$L];\n", t, folded)
            : CodeBlock.of(""))
        .addStatement("this.maxBatch = maxBatch")
        .addStatement("this.outputGradient = new $L[$T.multiplyExact(maxBatch, OUTPUT_SIZE)]", t,
            Math.class);
    List<CodeBlock> allocations = new ArrayList<>();
    int layersCount = c.layers().size();
    int buffersCount = 0;
    for (int i = 0; i < layersCount; i++) {
      buffersCount += bufferList(c.layers().get(i), c.emitters().get(i)).size();
    }
    // A large network's allocations go to helper methods, so that the constructor stays under
    // HotSpot's 8000-byte limit too; the buffer fields are then assigned outside the constructor
    // and cannot be final.
    boolean split = buffersCount > ALLOCATIONS_PER_METHOD;
    for (int i = 0; i < layersCount; i++) {
      layerBuffers(ws, allocations, c.layers().get(i), c.emitters().get(i), !split);
    }
    if (!split) {
      allocations.forEach(ctor::addStatement);
    } else {
      for (int from = 0, k = 0; from < allocations.size(); from += ALLOCATIONS_PER_METHOD, k++) {
        MethodSpec.Builder h = MethodSpec.methodBuilder("allocateBuffers" + k)
            .addModifiers(Modifier.PRIVATE)
            .addJavadoc("Allocates buffers $L to $L for {@link #maxBatch} samples.\n", from,
                Math.min(allocations.size(), from + ALLOCATIONS_PER_METHOD) - 1);
        allocations.subList(from, Math.min(allocations.size(), from + ALLOCATIONS_PER_METHOD))
            .forEach(h::addStatement);
        ws.addMethod(h.build());
        ctor.addStatement("allocateBuffers$L()", k);
      }
    }
    if (hasDropout()) {
      ctor.addStatement("this.seed = $LL", NetworkGenerator.DEFAULT_SEED);
    }
    ws.addMethod(ctor.build());

    bookkeeping(ws);
    new PassWriter(c).addTo(ws);

    for (int i = 0; i < c.layers().size(); i++) {
      LayerContext l = c.layers().get(i);
      LayerEmitter e = c.emitters().get(i);
      // a layer's passes may share a helper (the same tap loop): each identical method once
      Set<MethodSpec> methods = new LinkedHashSet<>();
      methods.addAll(e.forward(l));
      Integer conv = foldedConv(c, i);
      if (conv != null) {
        methods.add(((BatchNormEmitter) e).foldMethod(l, c.layers().get(conv)));
      }
      methods.addAll(ActivationEmitter.methods(l, l.fusesActivation()));
      methods.addAll(e.backwardParams(l));
      methods.addAll(e.backwardData(l));
      for (MethodSpec m : methods) {
        ws.addMethod(Docs.wrapped(m));
      }
    }
    return ws.build();
  }

  /**
   * The memory of the workspace {@link #write()} lays out, per layer, from the same buffer lists:
   * a layer's buffers (scratch rows with their spare floats), its share of the gradient array
   * {@code g} (its tensors' values), its pending batch-norm statistics, and for the last layer
   * the loss gradient. The forward pass's buffers are the output, the pre-activation and every
   * other buffer the layer's forward methods name.
   */
  static MemoryPlan plan(NetworkClass c) {
    int value = c.num().isFloat() ? Float.BYTES : Double.BYTES;
    int spare = c.num().isFloat() ? VECTOR_SPARE : 0;
    List<LayerMemory> layers = new ArrayList<>();
    for (int i = 0; i < c.layers().size(); i++) {
      LayerContext l = c.layers().get(i);
      LayerEmitter e = c.emitters().get(i);
      String forward = e.forward(l).stream().map(MethodSpec::toString)
          .collect(Collectors.joining("\n"));
      long[] sums = new long[4]; // inference per sample, fixed; training per sample, fixed
      for (LayerEmitter.Buffer b : bufferList(l, e)) {
        boolean rows = b.rows() > 0;
        long bytes = rows ? (long) b.rows() * (b.perSample() + spare) * value
            : (long) b.perSample() * (b.ints() ? Integer.BYTES : value);
        boolean inForward = b.name().equals(l.outBuffer()) || b.name().equals(l.preBuffer())
            || Pattern.compile("\\b" + Pattern.quote(b.name()) + "\\b").matcher(forward).find();
        int at = rows ? 1 : 0;
        sums[2 + at] += bytes;
        if (inForward) {
          sums[at] += bytes;
        }
      }
      for (ParameterTensor t : l.node().parameters()) {
        sums[3] += (long) t.size() * value;
        if (t.offset() < foldedLength(c)) {
          // this tensor's share of the folded parameters, which inference passes read
          sums[1] += (long) t.size() * value;
          sums[3] += (long) t.size() * value;
        }
      }
      if (e instanceof BatchNormEmitter) {
        for (FieldSpec f : BatchNormEmitter.statisticFields(l)) {
          Matcher m = NEW_ARRAY.matcher(f.initializer().toString());
          if (m.matches()) {
            sums[3] += Long.parseLong(m.group(2)) * (m.group(1).equals("double") ? Double.BYTES
                : Float.BYTES);
          }
        }
      }
      if (i == c.layers().size() - 1) {
        sums[2] += (long) c.outputSize() * value;
      }
      layers.add(new LayerMemory(sums[0], sums[1], sums[2], sums[3]));
    }
    return new MemoryPlan(c.num().precision(), layers);
  }

  /**
   * Length of the workspace's folded parameters: up to the end of the last batch-norm layer folded
   * into a convolution (every folded weight and shift lies below), or 0 without folds.
   */
  static int foldedLength(NetworkClass c) {
    int end = 0;
    for (int norm : c.model().foldedNorms().values()) {
      ParameterTensor bias = c.model().nodes().get(norm).parameter("bias");
      end = Math.max(end, bias.offset() + bias.size());
    }
    return end;
  }

  /** The convolution batch-norm layer {@code norm} is folded into at inference, or null. */
  static Integer foldedConv(NetworkClass c, int norm) {
    for (var e : c.model().foldedNorms().entrySet()) {
      if (e.getValue() == norm) {
        return e.getKey();
      }
    }
    return null;
  }

  /** One layer's buffers: its output, pre-activation and delta, then the emitter's own. */
  private static List<LayerEmitter.Buffer> bufferList(LayerContext l, LayerEmitter e) {
    List<LayerEmitter.Buffer> buffers = new ArrayList<>();
    buffers.add(new LayerEmitter.Buffer(l.outBuffer(), false, l.outSize(), "output"));
    if (!l.preBuffer().equals(l.outBuffer())) {
      buffers.add(new LayerEmitter.Buffer(l.preBuffer(), false, l.outSize(),
          "output before the activation"));
    }
    buffers.add(new LayerEmitter.Buffer(l.deltaBuffer(), false, l.outSize(),
        "dL/doutput, then dL/d(pre-activation)"));
    buffers.addAll(e.buffers(l));
    return buffers;
  }

  /**
   * One layer's buffers: a field each ({@code final} when the constructor allocates it), and its
   * allocation statement added to {@code allocations}.
   */
  private void layerBuffers(TypeSpec.Builder ws, List<CodeBlock> allocations, LayerContext l,
      LayerEmitter e, boolean finalFields) {
    String t = num.t();
    Modifier[] mods = finalFields ? new Modifier[] {Modifier.PRIVATE, Modifier.FINAL}
        : new Modifier[] {Modifier.PRIVATE};
    for (LayerEmitter.Buffer b : bufferList(l, e)) {
      if (b.rows() > 0) {
        int spare = num.isFloat() ? VECTOR_SPARE : 0;
        ws.addField(FieldSpec.builder(ArrayTypeName.of(num.array()), b.name(), mods)
            .addJavadoc("$L\n", Docs.wrap(l.name() + ": " + b.comment() + ", [" + b.rows() + "]["
                + b.perSample() + "]" + (spare > 0 ? " (+ " + spare + " spare: a vector's masked "
                + "tail stays inside)" : "") + ".", Docs.MEMBER))
            .build());
        allocations.add(CodeBlock.of("this.$N = new $L[$L][$L]", b.name(), t, b.rows(),
            b.perSample() + spare));
        continue;
      }
      TypeName type = b.ints() ? TypeName.get(int[].class) : num.array();
      ws.addField(FieldSpec.builder(type, b.name(), mods)
          .addJavadoc("$L\n", Docs.wrap(l.name() + ": " + b.comment() + ", [maxBatch]["
              + l.node().outputShape().toString().replace("x", "][") + "].", Docs.MEMBER))
          .build());
      allocations.add(CodeBlock.of("this.$N = new $L[$T.multiplyExact(maxBatch, $L)]", b.name(),
          b.ints() ? "int" : t, Math.class, b.perSample()));
    }
  }

  /** The interface's accessors, gradient switches and the batch check. */
  private void bookkeeping(TypeSpec.Builder ws) {
    String t = num.t();
    ws.addMethod(override("network", c.self()).addStatement("return network").build());
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
  }

  /** The batch-norm layers, whose running statistics a workspace may defer. */
  private List<Integer> batchNorms() {
    List<Integer> found = new ArrayList<>();
    for (int i = 0; i < c.layers().size(); i++) {
      if (c.emitters().get(i) instanceof BatchNormEmitter) {
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
    ClassName workspace = c.workspace();
    ws.addField(FieldSpec.builder(TypeName.BOOLEAN, "deferredStatistics", Modifier.PRIVATE)
        .addJavadoc("Whether training passes keep their batch statistics pending rather than "
            + "update the\nrunning statistics.\n").build());
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
    CodeBlock.Builder export = CodeBlock.builder();
    CodeBlock.Builder checks = CodeBlock.builder();
    CodeBlock.Builder merges = CodeBlock.builder();
    StringBuilder layout = new StringBuilder();
    int at = 0;
    for (int i : batchNorms()) {
      LayerContext l = c.layers().get(i);
      BatchNormEmitter e = (BatchNormEmitter) c.emitters().get(i);
      ws.addFields(BatchNormEmitter.statisticFields(l));
      mode.addStatement("$N()", l.buffer("DiscardStatistics"));
      merge.addStatement("$N(o)", l.buffer("MergeStatistics"));
      commit.addStatement("$N()", l.buffer("CommitStatistics"));
      int block = BatchNormEmitter.exportedLength(l);
      int ch = (block - 1) / 2;
      String from = at == 0 ? "offset" : "offset + " + at;
      export.addStatement("$N(into, $L)", l.buffer("ExportStatistics"), from);
      checks.addStatement("checkStatisticsCount(exported, $L, $S)", from, l.name());
      merges.addStatement("$N(exported, $L)", l.buffer("MergeStatistics"), from);
      layout.append(String.format("\n%s: [%d] count, [%d, %d) means, [%d, %d) M2.", l.name(), at,
          at + 1, at + 1 + ch, at + 1 + ch, at + block));
      at += block;
      ws.addMethod(Docs.wrapped(BatchNormEmitter.mergeMethod(l, workspace)));
      ws.addMethod(Docs.wrapped(BatchNormEmitter.exportMethod(l)));
      ws.addMethod(Docs.wrapped(BatchNormEmitter.mergeExportedMethod(l)));
      ws.addMethod(Docs.wrapped(e.commitMethod(l)));
      ws.addMethod(Docs.wrapped(BatchNormEmitter.discardMethod(l)));
    }
    ws.addMethod(mode.build());
    ws.addMethod(merge.build());
    ws.addMethod(commit.build());
    exportedStatistics(ws, at, layout.toString(), export.build(), checks.build(),
        merges.build());
  }

  /**
   * The exported statistics: their length, the export, the merge of an exported array, and the
   * checks of its range and counts. {@code layout} has a line per layer with its offsets.
   */
  private void exportedStatistics(TypeSpec.Builder ws, int length, String layout,
      CodeBlock export, CodeBlock checks, CodeBlock merges) {
    ws.addMethod(override("pendingStatisticsLength", TypeName.INT)
        .addJavadoc("$L doubles: see {@link #exportStatistics}.\n", length)
        .addStatement("return $L", length).build());
    ws.addMethod(Docs.wrapped(override("exportStatistics", TypeName.VOID)
        .addJavadoc("Copies the pending statistics to into[offset..offset + $L); they stay "
            + "pending. Offsets from offset, one block per batch-norm layer:$L\n", length,
            layout)
        .addParameter(double[].class, "into")
        .addParameter(TypeName.INT, "offset")
        .addStatement("checkStatisticsRange(into, offset)")
        .addCode(export).build()));
    ws.addMethod(override("mergeStatistics", TypeName.VOID)
        .addJavadoc("Adds statistics {@link #exportStatistics} wrote; checks every count "
            + "first.\n")
        .addParameter(double[].class, "exported")
        .addParameter(TypeName.INT, "offset")
        .addStatement("checkStatisticsRange(exported, offset)")
        .addCode(checks)
        .addCode(merges).build());
    ws.addMethod(MethodSpec.methodBuilder("checkStatisticsRange")
        .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
        .addParameter(double[].class, "a")
        .addParameter(TypeName.INT, "offset")
        .beginControlFlow("if (offset < 0 || offset > a.length - $L)", length)
        .addStatement("throw new IllegalArgumentException($S + offset + $S + a.length)",
            "pending statistics take " + length + " doubles from offset ", "; the array has ")
        .endControlFlow().build());
    ws.addMethod(MethodSpec.methodBuilder("checkStatisticsCount")
        .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
        .addParameter(double[].class, "a")
        .addParameter(TypeName.INT, "i")
        .addParameter(String.class, "layer")
        .addStatement("double m = a[i]")
        .beginControlFlow("if (!(m >= 0 && m <= 0x1p53 && m == Math.rint(m)))")
        .addStatement("throw new IllegalArgumentException(layer + $S + i + $S + m + $S)",
            ": the count of exported statistics at index ", " is ",
            "; expected a whole number in 0..2^53")
        .endControlFlow().build());
  }

  /** Whether a layer draws random masks in training, from the workspace's seed. */
  private boolean hasDropout() {
    for (LayerEmitter e : c.emitters()) {
      if (e.drawsMasks()) {
        return true;
      }
    }
    return false;
  }
}
