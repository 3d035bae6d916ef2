package dev.lamina.processor.kind;

import dev.lamina.dsl.AutoPad;
import dev.lamina.dsl.PoolKind;
import dev.lamina.dsl.Recurrent;
import dev.lamina.processor.check.LayerRules;
import dev.lamina.processor.check.rules.AddRules;
import dev.lamina.processor.check.rules.AffineRules;
import dev.lamina.processor.check.rules.BatchNormRules;
import dev.lamina.processor.check.rules.ConcatRules;
import dev.lamina.processor.check.rules.ConvRules;
import dev.lamina.processor.check.rules.ConvTransposeRules;
import dev.lamina.processor.check.rules.DropoutRules;
import dev.lamina.processor.check.rules.GlobalAvgPoolRules;
import dev.lamina.processor.check.rules.LrnRules;
import dev.lamina.processor.check.rules.PoolRules;
import dev.lamina.processor.check.rules.RecurrentRules;
import dev.lamina.processor.check.rules.ReshapeRules;
import dev.lamina.processor.decl.AttrType;
import dev.lamina.processor.decl.LayerAnnotation;
import dev.lamina.processor.gen.AddEmitter;
import dev.lamina.processor.gen.AffineEmitter;
import dev.lamina.processor.gen.BatchNormEmitter;
import dev.lamina.processor.gen.ConcatEmitter;
import dev.lamina.processor.gen.ConvEmitter;
import dev.lamina.processor.gen.ConvTransposeEmitter;
import dev.lamina.processor.gen.DropoutEmitter;
import dev.lamina.processor.gen.GlobalAvgPoolEmitter;
import dev.lamina.processor.gen.GroupedConvEmitter;
import dev.lamina.processor.gen.LayerEmitter;
import dev.lamina.processor.gen.LrnEmitter;
import dev.lamina.processor.gen.PoolEmitter;
import dev.lamina.processor.gen.RecurrentEmitter;
import dev.lamina.processor.gen.ReshapeEmitter;
import dev.lamina.processor.model.AddOp;
import dev.lamina.processor.model.AffineOp;
import dev.lamina.processor.model.BatchNormOp;
import dev.lamina.processor.model.ConcatOp;
import dev.lamina.processor.model.ConvOp;
import dev.lamina.processor.model.ConvTransposeOp;
import dev.lamina.processor.model.DropoutOp;
import dev.lamina.processor.model.GlobalAvgPoolOp;
import dev.lamina.processor.model.LrnOp;
import dev.lamina.processor.model.Op;
import dev.lamina.processor.model.PoolOp;
import dev.lamina.processor.model.RecurrentOp;
import dev.lamina.processor.model.ReshapeOp;
import java.util.List;

/**
 * The registry of layer kinds: each kind registered once, here. The reader, the checker and the
 * generator find a kind's stages through it; none of them names a kind.
 */
public final class LayerKinds {
  /** Lamina's kinds, in the order the reference lists them. */
  public static final LayerKinds STANDARD = new LayerKinds(List.of(
      new LayerKind<>(LayerAnnotation.of("Conv").withCommon().withLoss()
          .with("filters", AttrType.INT)
          .with("kernel", AttrType.INTS)
          .with("stride", AttrType.INTS)
          .with("padding", AttrType.INTS)
          .with("autoPad", AttrType.of(AutoPad.class))
          .with("dilation", AttrType.INTS)
          .with("groups", AttrType.INT)
          .with("bias", AttrType.BOOL),
          new ConvRules(), ConvOp.class,
          op -> op.groups() == 1 ? new ConvEmitter(op) : new GroupedConvEmitter(op)),
      new LayerKind<>(LayerAnnotation.of("Pool").withCommon()
          .with("kind", AttrType.of(PoolKind.class))
          .with("size", AttrType.INTS)
          .with("stride", AttrType.INTS)
          .with("padding", AttrType.INTS)
          .with("autoPad", AttrType.of(AutoPad.class))
          .with("dilation", AttrType.INTS)
          .with("ceilMode", AttrType.BOOL)
          .with("countPadding", AttrType.BOOL),
          new PoolRules(), PoolOp.class, PoolEmitter::new),
      new LayerKind<>(LayerAnnotation.of("Affine").withCommon().withLoss()
          .with("units", AttrType.INT)
          .with("bias", AttrType.BOOL),
          new AffineRules(), AffineOp.class, AffineEmitter::new),
      new LayerKind<>(LayerAnnotation.of("Add").withCommon(),
          new AddRules(), AddOp.class, op -> new AddEmitter()),
      new LayerKind<>(LayerAnnotation.of("Concat").withCommon(),
          new ConcatRules(), ConcatOp.class, op -> new ConcatEmitter()),
      new LayerKind<>(LayerAnnotation.of("BatchNorm").withCommon()
          .with("eps", AttrType.NUMBER)
          .with("momentum", AttrType.NUMBER),
          new BatchNormRules(), BatchNormOp.class, BatchNormEmitter::new),
      new LayerKind<>(LayerAnnotation.of("Dropout").withCommon()
          .with("p", AttrType.NUMBER)
          .with("seed", AttrType.LONG),
          new DropoutRules(), DropoutOp.class, DropoutEmitter::new),
      new LayerKind<>(LayerAnnotation.of("GlobalAvgPool").withCommon(),
          new GlobalAvgPoolRules(), GlobalAvgPoolOp.class, op -> new GlobalAvgPoolEmitter()),
      new LayerKind<>(LayerAnnotation.of("LocalResponseNorm").withGraph()
          .with("size", AttrType.INT)
          .with("alpha", AttrType.NUMBER)
          .with("beta", AttrType.NUMBER)
          .with("k", AttrType.NUMBER),
          new LrnRules(), LrnOp.class, LrnEmitter::new),
      new LayerKind<>(LayerAnnotation.of("ConvTranspose").withCommon().withLoss()
          .with("filters", AttrType.INT)
          .with("kernel", AttrType.INTS)
          .with("stride", AttrType.INTS)
          .with("padding", AttrType.INTS)
          .with("outputPadding", AttrType.INTS)
          .with("dilation", AttrType.INTS)
          .with("bias", AttrType.BOOL),
          new ConvTransposeRules(), ConvTransposeOp.class, ConvTransposeEmitter::new),
      new LayerKind<>(LayerAnnotation.of("Reshape").withGraph()
          .with("shape", AttrType.INTS),
          new ReshapeRules(), ReshapeOp.class, op -> new ReshapeEmitter()),
      new LayerKind<>(LayerAnnotation.of("Recurrent").withGraph()
          .with("cell", AttrType.of(Recurrent.Cell.class))
          .with("units", AttrType.INT)
          .with("returns", AttrType.of(Recurrent.Returns.class))
          .with("layers", AttrType.INT)
          .with("bidirectional", AttrType.BOOL)
          .with("bias", AttrType.BOOL),
          new RecurrentRules(), RecurrentOp.class, RecurrentEmitter::new)));

  private final List<LayerKind<?>> kinds;

  /** A registry of these kinds (tests register others). */
  public LayerKinds(List<LayerKind<?>> kinds) {
    this.kinds = List.copyOf(kinds);
  }

  /** Every kind. */
  public List<LayerKind<?>> kinds() {
    return kinds;
  }

  /** Every layer annotation the reader decodes ({@code @Apply} aside). */
  public List<LayerAnnotation> annotations() {
    return kinds.stream().map(LayerKind::annotation).toList();
  }

  /** The rules of a kind's annotation. */
  public LayerRules rulesOf(LayerAnnotation annotation) {
    for (LayerKind<?> k : kinds) {
      if (k.annotation().qualifiedName().equals(annotation.qualifiedName())) {
        return k.rules();
      }
    }
    throw new IllegalArgumentException("no layer kind for @" + annotation.simpleName());
  }

  /** The emitter of an op. */
  public LayerEmitter emitterFor(Op op) {
    for (LayerKind<?> k : kinds) {
      if (k.op().isInstance(op)) {
        return k.emitterFor(op);
      }
    }
    throw new IllegalArgumentException("no layer kind for " + op);
  }
}
