package dev.lamina.processor.gen;

import com.palantir.javapoet.JavaFile;
import dev.lamina.dsl.Precision;
import dev.lamina.processor.model.NetworkModel;
import dev.lamina.processor.model.Op;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

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

  /**
   * Member names the generated class defines itself: a layer whose name is one of these would
   * clash with them (its accessor method has the layer's name).
   */
  public static final Set<String> RESERVED_MEMBER_NAMES = Set.of(
      "summary", "inputSize", "outputSize", "parameterCount", "parameters", "layers",
      "newWorkspace", "forward", "predict", "optimizer", "setOptimizer", "trainStep",
      "inferenceWorkspace", "trainingWorkspace", "createLayers", "createSummary",
      "equals", "hashCode", "toString", "getClass", "notify", "notifyAll", "wait", "clone",
      "finalize");

  /**
   * Prefix of a layer's offset constants ({@code convBlock1} → {@code CONV_BLOCK1}, giving {@code
   * CONV_BLOCK1_WEIGHT}); two layers with the same prefix cannot coexist in one network.
   */
  public static String constantPrefix(String layerName) {
    return Src.upperSnake(LayerContext.identifier(layerName));
  }

  /** The Java identifier of a layer's methods and buffers ({@code res3a.c1} → {@code res3a_c1}). */
  public static String identifier(String layerName) {
    return LayerContext.identifier(layerName);
  }

  /** The generated class for one precision. */
  public JavaFile generate(NetworkModel model, Precision precision) {
    return new NetworkClassWriter(model, new Num(precision)).write();
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

  /** The emitter of one layer kind. */
  static LayerEmitter emitterFor(Op op) {
    if (op instanceof Op.Conv c) {
      return new ConvEmitter(c);
    } else if (op instanceof Op.Pool p) {
      return new PoolEmitter(p);
    } else if (op instanceof Op.Affine a) {
      return new AffineEmitter(a);
    } else if (op instanceof Op.Add) {
      return new AddEmitter();
    } else if (op instanceof Op.Concat) {
      return new ConcatEmitter();
    } else if (op instanceof Op.BatchNorm b) {
      return new BatchNormEmitter(b);
    } else if (op instanceof Op.Dropout d) {
      return new DropoutEmitter(d);
    } else if (op instanceof Op.GlobalAvgPool) {
      return new GlobalAvgPoolEmitter();
    }
    throw new IllegalArgumentException("no emitter for " + op);
  }
}
