package dev.lamina.processor.gen;

import static dev.lamina.processor.gen.NetworkClass.ARRAY_LIST;
import static dev.lamina.processor.gen.NetworkClass.LIST;
import static dev.lamina.processor.gen.NetworkClass.RT;
import static dev.lamina.processor.gen.NetworkClass.intArray;
import static dev.lamina.processor.gen.NetworkClass.override;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeSpec;
import dev.lamina.processor.model.NetworkModel;
import dev.lamina.processor.model.Node;
import dev.lamina.processor.model.Op;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * The generated class's {@code STRUCTURE}: each layer's kind, the values of its op (the record
 * components of the kind's {@link Op}, as the model resolved them), its inputs, shapes and
 * activation, so that tools such as the ONNX exporter can rebuild the network. The values are read
 * from the op generically: a new kind needs nothing here.
 */
final class StructureWriter {
  private static final ClassName STRUCTURE = ClassName.get(RT, "NetworkStructure");
  private static final ClassName STRUCTURED = ClassName.get(RT, "StructuredNetwork");
  private static final ClassName NODE = STRUCTURE.nestedClass("Node");
  private static final ClassName ACTIVATION = ClassName.get("dev.lamina.dsl", "Activation");

  private final NetworkClass c;

  StructureWriter(NetworkClass c) {
    this.c = c;
  }

  /** Adds the interface, the {@code STRUCTURE} constant, its factory and {@code structure()}. */
  void addTo(TypeSpec.Builder cls) {
    NetworkModel model = c.model();
    cls.addSuperinterface(STRUCTURED);
    cls.addField(FieldSpec.builder(STRUCTURE, "STRUCTURE",
            Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
        .addJavadoc("What each layer computes, for tools that rebuild the network.\n")
        .initializer("createStructure()").build());
    List<CodeBlock> rows = new ArrayList<>();
    for (Node n : model.nodes()) {
      rows.add(node(model, n));
    }
    MethodSpec.Builder m = MethodSpec.methodBuilder("createStructure")
        .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
        .returns(STRUCTURE)
        .addStatement("$T<$T> nodes = new $T<>($L)", LIST, NODE, ARRAY_LIST, rows.size());
    List<MethodSpec> helpers = new ArrayList<>();
    NetworkClass.chunked(helpers, m, "addStructureNodes", "nodes",
        ParameterizedTypeName.get(LIST, NODE), rows, true);
    m.addStatement("return new $T(SUMMARY, nodes)", STRUCTURE);
    cls.addMethod(m.build());
    cls.addMethods(helpers);
    cls.addMethod(override("structure", STRUCTURE).addStatement("return STRUCTURE").build());
  }

  private static CodeBlock node(NetworkModel model, Node n) {
    CodeBlock.Builder inputs = CodeBlock.builder();
    CodeBlock.Builder shapes = CodeBlock.builder();
    for (int i = 0; i < n.inputs().size(); i++) {
      int in = n.inputs().get(i);
      String sep = i == 0 ? "" : ", ";
      inputs.add("$L$S", sep, in == Node.NETWORK_INPUT ? "input" : model.nodes().get(in).name());
      shapes.add("$L$L", sep, intArray(n.inputShapes().get(i).dims()));
    }
    return CodeBlock.of("nodes.add(new $T($S, $S, $T.attributes($L), $T.of($L), $T.of($L), $L, "
            + "$T.$L, $L))",
        NODE, n.name(), n.op().kindName(), STRUCTURE, attributes(n.op()), LIST, inputs.build(),
        LIST, shapes.build(), intArray(n.outputShape().dims()), ACTIVATION, n.activation().name(),
        literal(n.activationParameter()));
  }

  /** {@code "filters", 6, "kh", 5, ...}: every record component of the op, in order. */
  static CodeBlock attributes(Op op) {
    RecordComponent[] components = op.getClass().getRecordComponents();
    if (components == null) {
      throw new IllegalStateException(op.getClass().getName() + " is not a record");
    }
    CodeBlock.Builder b = CodeBlock.builder();
    for (int i = 0; i < components.length; i++) {
      RecordComponent rc = components[i];
      Object v;
      try {
        v = rc.getAccessor().invoke(op);
      } catch (IllegalAccessException | InvocationTargetException e) {
        throw new IllegalStateException("cannot read " + op.getClass().getSimpleName() + "."
            + rc.getName(), e);
      }
      b.add("$L$S, $L", i == 0 ? "" : ", ", rc.getName(), value(op, rc.getName(), v));
    }
    return b.build();
  }

  private static CodeBlock value(Op op, String name, Object v) {
    if (v instanceof Integer i) {
      return CodeBlock.of("$L", i);
    } else if (v instanceof Long l) {
      return CodeBlock.of("$LL", l);
    } else if (v instanceof Double d) {
      return CodeBlock.of("$L", literal(d));
    } else if (v instanceof Boolean z) {
      return CodeBlock.of("$L", z);
    } else if (v instanceof Enum<?> e) {
      return CodeBlock.of("$S", e.name());
    }
    throw new IllegalStateException(op.getClass().getSimpleName() + "." + name + " is a "
        + (v == null ? "null" : v.getClass().getName())
        + ": a structure holds ints, longs, doubles, booleans and enum constants");
  }

  /** A double literal that reads back to the same value ({@code 1.0E-5}, {@code 0.0}). */
  private static String literal(double d) {
    if (!Double.isFinite(d)) {
      throw new IllegalStateException("not a finite value: " + d);
    }
    return Double.toString(d);
  }
}
