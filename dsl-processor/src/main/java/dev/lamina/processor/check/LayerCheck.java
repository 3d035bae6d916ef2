package dev.lamina.processor.check;

import dev.lamina.dsl.AutoPad;
import dev.lamina.processor.decl.LayerDecl;
import dev.lamina.processor.decl.Value;
import dev.lamina.processor.diag.Message;
import dev.lamina.processor.diag.Site;
import dev.lamina.processor.model.ModelBuilder;
import dev.lamina.processor.model.Shape;
import java.util.List;

/**
 * What a kind's {@link LayerRules} see of the layer being checked: its declaration, its inputs'
 * shapes, the reporter, and the attribute rules several kinds share (counts, size pairs, padding,
 * {@code autoPad}, sliding windows, image inputs). Every error points at the attribute's value.
 */
public final class LayerCheck {
  /** Largest array the JVM reliably allocates. */
  public static final long MAX_ARRAY = Checker.MAX_ARRAY;

  private final Scope s;
  private final Item item;
  private final List<Shape> ins;

  LayerCheck(Scope s, Item item, List<Shape> ins) {
    this.s = s;
    this.item = item;
    this.ins = ins;
  }

  /** The layer, under its node name. */
  public LayerDecl layer() {
    return item.decl();
  }

  /** The layer's node name, as messages name it. */
  public String name() {
    return item.decl().name();
  }

  /**
   * The shapes of the layer's inputs, in order: null when its references are bad or their number
   * does not fit the kind (reported); an element is null when that input's shape is unknown.
   */
  public List<Shape> ins() {
    return ins;
  }

  /** The first input's shape; null when unknown. */
  public Shape in() {
    return ins == null ? null : ins.get(0);
  }

  /** The node names the layer reads ({@link ModelBuilder#INPUT} for the network input). */
  public List<String> from() {
    return item.from();
  }

  /** Where {@code from} is written (the member when it is not). */
  public Site fromSite() {
    return item.fromSite();
  }

  /** Reports a diagnostic. */
  public void report(Message message, Site site, Object... args) {
    s.d.add(message, site, args);
  }

  /** The shape checks of a sliding window; see {@link WindowRules#window}. */
  public WindowRules.Window window(String kind, int[] k, int[] stride, int[] padding, int[] dil,
      AutoPad auto, boolean ceil, int filters) {
    return new WindowRules(this).window(kind, k, stride, padding, dil, auto, ceil, filters);
  }

  /**
   * Reports a layer that needs an image but reads the flat value {@code in}, naming the layer
   * that produced it (the network input, an Affine layer, GlobalAvgPool, ...).
   */
  public void needsImage(String kind, Shape in) {
    LayerDecl layer = item.decl();
    String producer = item.from().get(0);
    Item source = s.checked.get(producer);
    if (in.isSequence()) {
      s.d.add(Message.NEEDS_IMAGE_GOT_SEQUENCE, layer.site(), layer.name(), kind,
          producerPhrase(), in.phrase(), in.steps(), in.features());
    } else if (source == null) {
      s.d.add(Message.NEEDS_IMAGE_INPUT, layer().site(), layer().name(), kind, in);
    } else if (source.decl().kind().simpleName().equals("Affine")) {
      s.d.add(Message.NEEDS_IMAGE_AFTER_AFFINE, layer().site(), layer().name(), kind, producer, in);
    } else {
      boolean gap = source.decl().kind().simpleName().equals("GlobalAvgPool");
      List<String> reads = source.from();
      String hint = gap && reads != null && reads.size() == 1
          ? " (" + producer + " reads " + (reads.get(0).equals(ModelBuilder.INPUT)
              ? "the network input" : reads.get(0)) + ")" : "";
      s.d.add(Message.NEEDS_IMAGE_AFTER_FLAT, layer().site(), layer().name(), kind,
          source.decl().kind().simpleName(), producer, in,
          gap ? " (one value per channel)" : "", hint);
    }
  }

  /**
   * Reports a layer that needs a sequence but reads the image or vector {@code in}, with the
   * declaration that would give it one.
   */
  public void needsSequence(Shape in) {
    String fix;
    if (in.isImage() && in.channels() == 1) {
      fix = from().get(0).equals(ModelBuilder.INPUT)
          ? "to read the image row by row, declare @Network(input = {" + in.height() + ", "
              + in.width() + "}) (" + in.height() + " steps of " + in.width() + " values)"
          : "read the network input {T, D} or a layer that outputs a sequence";
    } else if (in.isImage()) {
      fix = "a sequence input is declared as @Network(input = {T, D}); to read an image row by"
          + " row, give its rows as steps of C·W values, {" + in.height() + ", "
          + (long) in.channels() * in.width() + "}";
    } else {
      fix = from().get(0).equals(ModelBuilder.INPUT)
          ? "declare @Network(input = {T, D}) for T steps of D values"
          : "a layer before it returns only the last step or is flat; keep the sequence"
              + " (returns = SEQUENCE) up to this layer";
    }
    s.d.add(Message.NEEDS_SEQUENCE, layer().site(), name(), producerPhrase(), in.phrase(), fix);
  }

  /**
   * Reports a layer of a kind that does not read sequences; {@code fix} says what to do instead.
   */
  public void notOnSequence(String kind, Shape in, String fix) {
    s.d.add(Message.NOT_ON_SEQUENCE, layer().site(), name(), kind, producerPhrase(), in.phrase(),
        fix);
  }

  /** {@code the network input} or {@code layer r1}: what the layer's first input is. */
  private String producerPhrase() {
    String producer = from().get(0);
    return producer.equals(ModelBuilder.INPUT) ? "the network input" : "layer " + producer;
  }

  /**
   * A number attribute that {@code valid} accepts, or null after reporting it with {@code rule}
   * ({@code "a finite number > 0"}, {@code "in [0, 1)"}) completing "{@code attr} must be ...".
   */
  public Double number(String attr, java.util.function.DoublePredicate valid, String rule) {
    Value<Double> v = layer().attr(attr);
    if (!v.known()) {
      return null;
    }
    if (!valid.test(v.value())) {
      s.d.add(Message.ATTRIBUTE_RANGE, v.site(), name(), attr, Formats.num(v.value()), rule);
      return null;
    }
    return v.value();
  }

  /** A positive count ({@code filters}, {@code units}, ...), or null after reporting it. */
  public Integer count(String attr) {
    Value<Integer> v = layer().integer(attr);
    if (!v.known()) {
      return null;
    }
    if (v.value() < 1) {
      s.d.add(Message.COUNT_NON_POSITIVE, v.site(), layer().name(), attr, v.value());
      return null;
    }
    return v.value();
  }

  /** {h, w} from {n} or {h, w}; an empty array when empty and allowed; null when invalid. */
  public int[] sizes(String attr, boolean emptyAllowed) {
    Value<List<Integer>> v = layer().ints(attr);
    List<Integer> l = v.value();
    if (l == null) {
      return null;
    }
    if (l.isEmpty() && emptyAllowed) {
      return new int[0];
    }
    if (l.isEmpty() || l.size() > 2) {
      s.d.add(Message.SIZE_ARITY, v.site(), layer().name(), attr, Formats.list(l), l.size());
      return null;
    }
    for (int x : l) {
      if (x < 1) {
        s.d.add(Message.SIZE_NON_POSITIVE, v.site(), layer().name(), attr, Formats.value(l));
        return null;
      }
    }
    return new int[] {l.get(0), l.get(l.size() - 1)};
  }

  /** {top, left, bottom, right} from {p}, {ph, pw} or {t, l, b, r}; null when invalid. */
  public int[] paddings() {
    Value<List<Integer>> v = layer().ints("padding");
    List<Integer> l = v.value();
    if (l == null) {
      return null;
    }
    if (l.size() != 1 && l.size() != 2 && l.size() != 4) {
      s.d.add(Message.PADDING_ARITY, v.site(), layer().name(), Formats.list(l), l.size());
      return null;
    }
    for (int x : l) {
      if (x < 0) {
        s.d.add(Message.PADDING_NEGATIVE, v.site(), layer().name(), Formats.value(l));
        return null;
      }
    }
    return switch (l.size()) {
      case 1 -> new int[] {l.get(0), l.get(0), l.get(0), l.get(0)};
      case 2 -> new int[] {l.get(0), l.get(1), l.get(0), l.get(1)};
      default -> new int[] {l.get(0), l.get(1), l.get(2), l.get(3)};
    };
  }

  /**
   * The layer's {@code autoPad}; null (after reporting) when it is combined with an explicit
   * {@code padding}, or for Pool with {@code ceilMode = true}.
   */
  public AutoPad autoPad(boolean pool) {
    Value<AutoPad> auto = layer().attr("autoPad");
    if (!auto.known()) {
      return null;
    }
    if (auto.value() == AutoPad.EXPLICIT) {
      return AutoPad.EXPLICIT;
    }
    Value<List<Integer>> padding = layer().ints("padding");
    if (padding.explicit() && padding.known()) {
      s.d.add(Message.PADDING_WITH_AUTO_PAD, padding.site(), layer().name(),
          Formats.value(padding.value()), auto.value());
      return null;
    }
    Value<Boolean> ceil = layer().bool("ceilMode");
    if (pool && ceil.known() && ceil.value()) {
      s.d.add(Message.CEIL_WITH_AUTO_PAD, ceil.site(), layer().name(), auto.value(),
          auto.value() == AutoPad.VALID ? "floor((in - window) / stride) + 1"
              : "ceil(in / stride)");
      return null;
    }
    return auto.value();
  }
}
