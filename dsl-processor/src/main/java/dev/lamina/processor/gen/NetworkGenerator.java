package dev.lamina.processor.gen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.TypeSpec;
import dev.lamina.dsl.Precision;
import dev.lamina.processor.model.NetworkModel;
import javax.lang.model.element.Modifier;

/**
 * Turns a checked {@link NetworkModel} into the source of its generated class. (Interim version
 * that emits an empty subclass; the forward/backward generator replaces it.)
 */
public final class NetworkGenerator {
  /** The generated class for one precision. */
  public JavaFile generate(NetworkModel model, Precision precision) {
    ClassName declared = ClassName.get(model.packageName(), model.declaredName().split("\\.")[0],
        java.util.Arrays.copyOfRange(model.declaredName().split("\\."), 1,
            model.declaredName().split("\\.").length));
    TypeSpec type = TypeSpec.classBuilder(model.generatedSimpleName(precision))
        .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
        .superclass(declared)
        .build();
    return JavaFile.builder(model.packageName(), type).build();
  }
}
