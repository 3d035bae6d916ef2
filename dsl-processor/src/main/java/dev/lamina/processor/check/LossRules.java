package dev.lamina.processor.check;

import dev.lamina.dsl.Activation;
import dev.lamina.dsl.Loss;
import dev.lamina.processor.decl.LayerAnnotation;
import dev.lamina.processor.decl.LayerDecl;
import dev.lamina.processor.decl.Value;
import dev.lamina.processor.diag.Message;
import dev.lamina.processor.diag.Site;
import dev.lamina.processor.model.Shape;
import java.util.List;
import java.util.function.Function;

/**
 * The rules of losses and classes: one loss, on the network or its last layer, that fits the
 * last layer's output, and {@code classes} that agree with it.
 */
final class LossRules {
  private final Scope s;
  private final Function<LayerAnnotation, LayerRules> rulesOf;

  LossRules(Scope s, Function<LayerAnnotation, LayerRules> rulesOf) {
    this.s = s;
    this.rulesOf = rulesOf;
  }

  Loss check(List<LayerDecl> layers, Shape lastOut) {
    LayerDecl last = layers.get(layers.size() - 1);
    for (LayerDecl layer : layers) {
      Value<Loss> l = layer.loss();
      if (layer != last && l.known() && l.value() != Loss.NONE) {
        s.d.add(Message.LOSS_NOT_LAST, l.site(), layer.name(), l.value(), last.name());
      }
    }
    Value<Loss> onNet = s.net.loss();
    Value<Loss> onLast = last.loss();
    if (!onNet.known() || !onLast.known()) {
      return Loss.NONE;
    }
    Loss loss = onNet.value() != Loss.NONE ? onNet.value() : onLast.value();
    Site lossSite = onNet.value() != Loss.NONE ? onNet.site() : onLast.site();
    if (onNet.value() != Loss.NONE && onLast.value() != Loss.NONE) {
      s.d.add(Message.LOSS_TWICE, onLast.site(), last.name(), onNet.value(), onLast.value());
    }
    // Silenced on the class, or on the last layer (where a loss would be declared).
    if (loss == Loss.NONE && (last.site() == null
        || !last.site().suppresses(Message.NO_LOSS.id()))) {
      s.d.add(Message.NO_LOSS, s.net.site(), s.cls);
    }
    String unitsAttr = rulesOf.apply(last.kind()).unitsAttribute();
    Site unitsSite = unitsAttr == null ? last.site() : last.integer(unitsAttr).site();
    // on a sequence the loss applies at every step: its classes are the values of one step
    long perStep = lastOut == null ? 0 : lastOut.isSequence() ? lastOut.features()
        : lastOut.size();
    if (loss == Loss.SOFTMAX_CROSS_ENTROPY) {
      if (lastOut != null && perStep < 2) {
        s.d.add(Message.SOFTMAX_TOO_FEW_UNITS, unitsSite, last.name(), lastOut, perStep);
      }
      Value<Activation> act = last.activation();
      if (act.known() && act.value() != Activation.IDENTITY) {
        s.d.add(Message.ACTIVATION_BEFORE_SOFTMAX, act.site(), last.name(), act.value());
      }
    }
    Value<Integer> classes = s.net.classes();
    if (classes.known() && classes.value() > 0 && lastOut != null
        && perStep != classes.value()) {
      s.d.add(Message.CLASSES_MISMATCH, classes.site(), s.cls, classes.value(), last.name(),
          lastOut, perStep);
    }
    return loss;
  }
}
