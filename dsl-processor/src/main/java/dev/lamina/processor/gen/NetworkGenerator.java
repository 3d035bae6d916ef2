package dev.lamina.processor.gen;

import com.palantir.javapoet.JavaFile;
import dev.lamina.dsl.Precision;
import dev.lamina.processor.model.MemoryPlan;
import dev.lamina.processor.model.NetworkModel;
import dev.lamina.processor.model.Op;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Turns a checked {@link NetworkModel} into the source of its generated classes: {@code
 * Lamina_<Name>} (float) and {@code Lamina_<Name>_F64} (double), both written by one template
 * parameterized by the element type. The output is a pure function of the model: the same model
 * gives byte-identical source.
 */
public final class NetworkGenerator {
  /** The value of the generated classes' {@code @Generated} annotation. */
  public static final String GENERATOR = "dev.lamina.processor.LaminaProcessor";

  /** The seed the generated no-argument constructors initialize the parameters with. */
  public static final long DEFAULT_SEED = 42L;

  private final Function<Op, LayerEmitter> emitters;

  /** A generator writing each layer with the emitter {@code emitters} gives for its op. */
  public NetworkGenerator(Function<Op, LayerEmitter> emitters) {
    this.emitters = emitters;
  }

  /** The generated class for one precision. */
  public JavaFile generate(NetworkModel model, Precision precision) {
    return new NetworkClassWriter(model, new Num(precision), emitters).write();
  }

  /**
   * The memory of the workspace the generated class of this precision allocates, per layer: the
   * layout {@link #generate} writes.
   */
  public MemoryPlan memoryPlan(NetworkModel model, Precision precision) {
    return WorkspaceWriter.plan(NetworkClass.of(model, new Num(precision), emitters));
  }

  /** The generated classes for every precision the model asks for, float first. */
  public List<JavaFile> generateAll(NetworkModel model) {
    List<JavaFile> files = new ArrayList<>();
    for (Precision p : Precision.values()) {
      if (model.precisions().contains(p)) {
        files.add(generate(model, p));
      }
    }
    return files;
  }
}
