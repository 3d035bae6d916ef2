package dev.lamina.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.testing.compile.CompilationSubject.assertThat;
import static com.google.testing.compile.Compiler.javac;
import static dev.lamina.processor.NetworkTester.source;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.RoundEnvironment;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.Element;
import javax.lang.model.element.TypeElement;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/** A user's build with {@code -Xlint:all}: no warning that the user's own source did not cause. */
class LintTest {
  private static final JavaFileObject NET = source("test.Net", """
      @Network(input = {1, 12, 12}, loss = SOFTMAX_CROSS_ENTROPY, precision = {FLOAT, DOUBLE})
      public abstract class Net {
        @Conv(filters = 4, kernel = 3, padding = 1, bias = false) Layer c1;
        @BatchNorm(activation = RELU) Layer bn;
        @Pool(size = 2) Layer s2;
        @Conv(filters = 4, kernel = 3, padding = 1, from = "s2", activation = GELU) Layer c3;
        @Add(from = {"s2", "c3"}) Layer sum;
        @Concat(from = {"sum", "s2"}) Layer cat;
        @Pool(kind = SUBSAMPLE, size = 2, activation = TANH) Layer sub;
        @Pool(kind = AVG, size = 3, stride = 1, padding = 1) Layer avg;
        @GlobalAvgPool Layer gap;
        @Dropout(p = 0.25) Layer drop;
        @Affine(units = 10) Layer out;
      }
      """);

  @Test
  void networkAndGeneratedClassesCompileWithoutWarnings() {
    Compilation c = javac().withProcessors(new LaminaProcessor()).withOptions("-Xlint:all")
        .compile(NET);
    assertThat(c).succeededWithoutWarnings();
    assertThat(c).generatedSourceFile("test.Lamina_Net");
    assertThat(c).generatedSourceFile("test.Lamina_Net_F64");
  }

  @Test
  void leavesOtherGeneratedClassesToLaterProcessors() {
    JavaFileObject other = JavaFileObjects.forSourceString("test.Other", """
        package test;

        @javax.annotation.processing.Generated("elsewhere")
        public class Other {}
        """);
    GeneratedRecorder later = new GeneratedRecorder();
    Compilation c = javac().withProcessors(new LaminaProcessor(), later).compile(NET, other);
    assertThat(c).succeeded();
    // Round 1 offers test.Other on: it is not Lamina's. Round 2's @Generated classes are all
    // Lamina's, so Lamina claims them.
    assertThat(later.seen).containsExactly("test.Other");
  }

  /** A processor after Lamina's that records the classes with {@code @Generated} it is offered. */
  private static final class GeneratedRecorder extends AbstractProcessor {
    final List<String> seen = new ArrayList<>();

    @Override
    public Set<String> getSupportedAnnotationTypes() {
      return Set.of("javax.annotation.processing.Generated");
    }

    @Override
    public SourceVersion getSupportedSourceVersion() {
      return SourceVersion.latestSupported();
    }

    @Override
    public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
      for (TypeElement annotation : annotations) {
        for (Element e : round.getElementsAnnotatedWith(annotation)) {
          seen.add(((TypeElement) e).getQualifiedName().toString());
        }
      }
      return false;
    }
  }
}
