package dev.lamina.processor.kind;

import dev.lamina.processor.check.LayerRules;
import dev.lamina.processor.decl.LayerAnnotation;
import dev.lamina.processor.gen.LayerEmitter;
import dev.lamina.processor.model.Op;
import java.util.function.Function;

/**
 * One layer kind, one place per stage: how its annotation is read, its rules, its op (whose
 * arithmetic serves checking and the model alike) and its emitter.
 *
 * @param annotation the annotation and every attribute the reader decodes
 * @param rules the checks of the kind's own attributes and input, which build its op
 * @param op the class of the op its rules build
 * @param emitter the generation stage, made from the op
 */
public record LayerKind<O extends Op>(LayerAnnotation annotation, LayerRules rules,
    Class<O> op, Function<O, LayerEmitter> emitter) {
  /** The emitter of {@code o}, an op of this kind. */
  LayerEmitter emitterFor(Op o) {
    return emitter.apply(op.cast(o));
  }
}
