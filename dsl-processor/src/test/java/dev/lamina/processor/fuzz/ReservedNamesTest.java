package dev.lamina.processor.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import dev.lamina.processor.LaminaProcessor;
import java.util.Locale;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Found by the fuzzer: a layer member named like a method the generated class defines (its
 * accessor would clash) once compiled to a generated source that javac rejected. The checker now
 * rejects these names (the generator lists them in {@code NetworkGenerator.RESERVED_MEMBER_NAMES})
 * with an error on the member.
 */
class ReservedNamesTest {
  @ParameterizedTest
  @ValueSource(strings = {"summary", "layers", "parameters", "optimizer", "inputSize",
      "outputSize", "parameterCount", "createLayers", "createSummary", "hashCode", "toString",
      "getClass", "wait", "notify", "finalize", "clone", "forward", "predict", "newWorkspace",
      "trainStep", "setOptimizer"})
  void aLayerNamedLikeAGeneratedMethodIsAnErrorOnTheMember(String name) {
    String src = "package fz;\nimport dev.lamina.dsl.*;\n"
        + "@Network(input = 4, loss = Loss.MSE)\n"
        + "abstract class R {\n"
        + "  @Affine(units = 2) Layer " + name + ";\n"
        + "}\n";
    JavaFileObject file = JavaFileObjects.forSourceString("fz.R", src);
    Compilation c = Compiler.javac().withProcessors(new LaminaProcessor()).compile(file);
    assertEquals(Compilation.Status.FAILURE, c.status());
    for (Diagnostic<? extends JavaFileObject> d : c.errors()) {
      assertTrue(d.getSource() == file && d.getLineNumber() == 5
          && d.getMessage(Locale.ROOT).startsWith(name + ":"), "error not on the member: " + d);
    }
  }
}
