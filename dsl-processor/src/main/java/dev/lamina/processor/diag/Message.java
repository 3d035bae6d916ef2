package dev.lamina.processor.diag;

import java.util.Locale;

/**
 * Every diagnostic Lamina reports: one constant, one format string. Each message names the layer
 * (or class), what does not fit with the actual numbers, and one way to fix it.
 *
 * <p>Every entry has a stable {@link #id()}. Warning ids are public API: {@code
 * @SuppressWarnings("lamina:<id>")} on the member or on the class silences them, and every warning
 * is printed with its id, for example {@code [lamina:stride-remainder] c1: ...}.
 */
public enum Message {
  // ---- the @Network class ------------------------------------------------------------------
  NETWORK_NOT_A_CLASS(Severity.ERROR, "network-not-a-class",
      "%1$s: @Network needs a class that the generated %2$s can extend, but %1$s is %3$s; declare"
          + " it as `abstract class %1$s`"),
  NETWORK_FINAL(Severity.ERROR, "network-final",
      "%1$s: @Network class is final, so the generated %2$s cannot extend it; remove `final`"
          + " (declare it abstract)"),
  NETWORK_SEALED(Severity.ERROR, "network-sealed",
      "%1$s: @Network class is sealed, so the generated %2$s cannot extend it; remove `sealed`"
          + " and its permits clause"),
  NETWORK_PRIVATE(Severity.ERROR, "network-private",
      "%1$s: @Network class is %3$s, so the generated %2$s cannot extend it; make it"
          + " package-private or public"),
  NETWORK_INNER(Severity.ERROR, "network-inner",
      "%1$s: @Network class is an inner (non-static) class, so the generated %2$s cannot create it"
          + " without an enclosing instance; declare it `static`"),
  NETWORK_LOCAL(Severity.ERROR, "network-local",
      "%1$s: @Network class is a local or anonymous class, which the generated %2$s cannot"
          + " extend; move it to a top-level or static nested class"),
  NETWORK_GENERIC(Severity.ERROR, "network-generic",
      "%1$s: @Network class has type parameters %3$s, which the generated %2$s cannot choose;"
          + " remove them"),
  NETWORK_NO_CONSTRUCTOR(Severity.ERROR, "network-no-constructor",
      "%1$s: @Network class has no non-private constructor without parameters for the generated"
          + " %2$s to call; add `%1$s() {}`"),
  NETWORK_NO_LAYERS(Severity.ERROR, "network-no-layers",
      "%1$s: @Network declares no layers; add Layer fields annotated with @Conv, @Pool or @Affine,"
          + " e.g. `@Affine(units = 10) Layer out;`"),
  PRECISION_EMPTY(Severity.ERROR, "precision-empty",
      "%1$s: precision = {} would generate no class; use precision = FLOAT, DOUBLE or both"),
  INPUT_RANK(Severity.ERROR, "input-rank",
      "%1$s: input = %2$s has %3$d values; give {C, H, W} for images (e.g. {1, 28, 28}), {T, D}"
          + " for sequences of T steps of D values (e.g. {28, 28}) or {D} for flat vectors (e.g."
          + " {784})"),
  INPUT_NON_POSITIVE(Severity.ERROR, "input-non-positive",
      "%1$s: input = %2$s has %3$s %4$d; every input dimension must be >= 1"),
  CLASSES_NEGATIVE(Severity.ERROR, "classes-negative",
      "%1$s: classes = %2$d; give the number of classes (>= 2) or leave it 0 (not stated)"),
  CLASSES_MISMATCH(Severity.ERROR, "classes-mismatch",
      "%1$s: classes = %2$d but the last layer %3$s outputs %4$s (%5$d units); use units = %2$d"
          + " on %3$s or classes = %5$d"),

  // ---- losses --------------------------------------------------------------------------------
  LOSS_TWICE(Severity.ERROR, "loss-twice",
      "%1$s: loss is declared both on @Network (%2$s) and on the last layer (%3$s); keep only one"),
  LOSS_NOT_LAST(Severity.ERROR, "loss-not-last",
      "%1$s: loss = %2$s on a layer that is not the last (the last is %3$s); move it to %3$s or to"
          + " @Network(loss = %2$s)"),
  SOFTMAX_TOO_FEW_UNITS(Severity.ERROR, "softmax-too-few-units",
      "%1$s: SOFTMAX_CROSS_ENTROPY needs at least 2 output units, but %1$s outputs %2$s (%3$d"
          + " unit); use units >= 2 (2 for a yes/no choice), or loss = MSE for a single output"),

  // ---- layer members -------------------------------------------------------------------------
  LAYER_TWO_ANNOTATIONS(Severity.ERROR, "layer-two-annotations",
      "%1$s: member has %2$s, but a member is exactly one layer; keep one annotation and declare"
          + " another Layer field for the other layer"),
  LAYER_WRONG_TYPE(Severity.ERROR, "layer-wrong-type",
      "%1$s: a layer member must have type dev.lamina.dsl.Layer, not %2$s; declare it as"
          + " `Layer %1$s;`"),
  LAYER_STATIC(Severity.ERROR, "layer-static",
      "%1$s: layer member is static, but every network instance has its own layers; remove"
          + " `static`"),
  LAYER_PRIVATE(Severity.ERROR, "layer-private",
      "%1$s: layer member is private, so the generated %2$s cannot assign it; make it"
          + " package-private, protected or public"),
  LAYER_FINAL(Severity.ERROR, "layer-final",
      "%1$s: layer member is final, so the generated %2$s cannot assign it; remove `final`"),
  LAYER_RESERVED_NAME(Severity.ERROR, "layer-reserved-name",
      "%1$s: the generated %2$s already has a member %1$s() of its own, so a layer cannot be"
          + " named %1$s; rename the layer (for example %1$sLayer)"),
  LAYER_NAME_CLASH(Severity.ERROR, "layer-name-clash",
      "%1$s: layers %2$s and %1$s would both get the offset constants %3$s_* in the generated"
          + " %4$s; rename one of them"),
  LAYER_OUTSIDE_NETWORK(Severity.ERROR, "layer-outside-network",
      "%1$s: @%2$s on a field of %3$s, which has no @Network; annotate %3$s with"
          + " @Network(input = ...) or remove @%2$s"),

  // ---- layer attributes ----------------------------------------------------------------------
  SIZE_ARITY(Severity.ERROR, "size-arity",
      "%1$s: %2$s = %3$s has %4$d values; give {n} for both axes or {height, width}"),
  SIZE_NON_POSITIVE(Severity.ERROR, "size-non-positive",
      "%1$s: %2$s = %3$s; every %2$s value must be >= 1"),
  PADDING_NEGATIVE(Severity.ERROR, "padding-negative",
      "%1$s: padding = %2$s is negative; use padding >= 0"),
  COUNT_NON_POSITIVE(Severity.ERROR, "count-non-positive",
      "%1$s: %2$s = %3$d; a layer needs %2$s >= 1"),
  SLOPE_NOT_FINITE(Severity.ERROR, "slope-not-finite",
      "%1$s: negativeSlope = %2$s is not a finite number; use a small positive slope such as"
          + " 0.01"),

  // ---- shapes --------------------------------------------------------------------------------
  NEEDS_IMAGE_INPUT(Severity.ERROR, "needs-image-input",
      "%1$s: %2$s needs a CxHxW input, but the network input is the flat vector %3$s; declare"
          + " @Network(input = {C, H, W}) or use @Affine"),
  NEEDS_IMAGE_AFTER_AFFINE(Severity.ERROR, "needs-image-after-affine",
      "%1$s: %2$s needs a CxHxW input, but it follows the Affine layer %3$s, whose output %4$s is"
          + " flat; put every Conv and Pool layer before the first Affine layer"),
  NEEDS_IMAGE_AFTER_FLAT(Severity.ERROR, "needs-image-after-flat",
      "%1$s: %2$s needs a CxHxW input, but it reads the %3$s layer %4$s, whose output %5$s is"
          + " flat%6$s; read an image layer%7$s or use @Affine"),
  NEEDS_IMAGE_GOT_SEQUENCE(Severity.ERROR, "needs-image-got-sequence",
      "%1$s: %2$s needs a CxHxW input, but it reads %3$s, %4$s; sequences are read by @Recurrent"
          + " and, step by step, by @Affine; for an image declare @Network(input = {C, H, W}),"
          + " e.g. {1, %5$d, %6$d} for one channel"),
  NEEDS_SEQUENCE(Severity.ERROR, "needs-sequence",
      "%1$s: @Recurrent needs a sequence {T, D} (T steps of D values), but it reads %2$s, %3$s;"
          + " %4$s"),
  NOT_ON_SEQUENCE(Severity.ERROR, "not-on-sequence",
      "%1$s: %2$s does not read sequences, but it reads %3$s, %4$s; %5$s"),
  WINDOW_TOO_LARGE(Severity.ERROR, "window-too-large",
      "%1$s: %2$s does not fit input %3$s (padding %4$s gives output %5$s; %6$s); use %7$s"),
  PADDING_TOO_LARGE(Severity.ERROR, "padding-too-large",
      "%1$s: padding %2$s is not smaller than the %3$s, so the outermost outputs would see only"
          + " zero padding; use padding <= %4$s"),
  POOL_PADDING_TOO_LARGE(Severity.ERROR, "pool-padding-too-large",
      "%1$s: padding %2$s is not smaller than the %3$s, so a window could lie entirely in"
          + " padding; use padding <= %4$s"),
  POOL_WINDOW_IN_PADDING(Severity.ERROR, "pool-window-in-padding",
      "%1$s: the window of output %2$s %3$d (%4$s) spans input %2$ss %5$d..%6$d, but its taps,"
          + " %7$d apart, all miss the input's %9$s %10$d (input %8$s), so it would read only"
          + " padding; use a smaller dilation or less padding"),
  PADDING_ARITY(Severity.ERROR, "padding-arity",
      "%1$s: padding = %2$s has %3$d values; give {p} for every side, {ph, pw} for both sides"
          + " of each axis, or {top, left, bottom, right}"),
  PADDING_WITH_AUTO_PAD(Severity.ERROR, "padding-with-auto-pad",
      "%1$s: padding = %2$s and autoPad = %3$s both set the padding; remove padding (autoPad"
          + " computes it) or autoPad"),
  CEIL_WITH_AUTO_PAD(Severity.ERROR, "ceil-with-auto-pad",
      "%1$s: ceilMode = true has no effect with autoPad = %2$s, which fixes the output size at"
          + " %3$s; remove ceilMode or autoPad"),
  ALPHA_NOT_FINITE(Severity.ERROR, "alpha-not-finite",
      "%1$s: alpha = %2$s is not a finite number; use a finite alpha such as 1.0 (PyTorch's and"
          + " ONNX's default)"),
  ACTIVATION_TOO_LARGE(Severity.ERROR, "activation-too-large",
      "%1$s: output %2$s has %3$,d values, more than a Java array can hold (%4$,d); use fewer"
          + " filters or units, or a larger stride or pooling earlier"),
  PARAMETERS_TOO_LARGE(Severity.ERROR, "parameters-too-large",
      "%1$s: this layer has %2$,d parameters and brings the network to %3$,d, more than a Java"
          + " array can hold (%4$,d); use fewer units or filters, or pool before an Affine layer"),

  // ---- graphs --------------------------------------------------------------------------------
  UNKNOWN_REFERENCE(Severity.ERROR, "unknown-reference",
      "%1$s: from = \"%2$s\" names no layer; the layers declared above %1$s are %3$s (use"
          + " \"input\" for the %4$s input)"),
  FORWARD_REFERENCE(Severity.ERROR, "forward-reference",
      "%1$s: from = \"%2$s\" names a layer declared below %1$s, but a layer may only read layers"
          + " declared above it; move %2$s above %1$s"),
  CYCLE(Severity.ERROR, "cycle",
      "%1$s: from = \"%2$s\" closes a cycle (%3$s), but a network is acyclic; read a layer"
          + " declared above %1$s instead"),
  TOO_FEW_INPUTS(Severity.ERROR, "too-few-inputs",
      "%1$s: @%2$s needs at least two inputs but from = %3$s names %4$d; list the layers to"
          + " %5$s, e.g. from = {\"a\", \"b\"}"),
  TOO_MANY_INPUTS(Severity.ERROR, "too-many-inputs",
      "%1$s: @%2$s reads one layer but from = %3$s names %4$d; merge them first with @Add or"
          + " @Concat"),
  ADD_SHAPE_MISMATCH(Severity.ERROR, "add-shape-mismatch",
      "%1$s: @Add needs inputs of one shape, but %2$s outputs %3$s and %4$s outputs %5$s; %6$s"),
  CONCAT_SHAPE_MISMATCH(Severity.ERROR, "concat-shape-mismatch",
      "%1$s: @Concat joins along the channels, so spatial sizes must match, but %2$s outputs %3$s"
          + " and %4$s outputs %5$s; %6$s"),
  JUMP_MISMATCH(Severity.ERROR, "jump-mismatch",
      "%1$s: inputs %2$s (jump %3$s) and %4$s (jump %5$s) have different effective strides, so"
          + " their units at the same position look at different places of the input; give both"
          + " paths the same product of strides"),
  RESHAPE_SIZE(Severity.ERROR, "reshape-size",
      "%1$s: shape = %2$s holds %3$d values, but its input %4$s (%5$s) has %6$d; use %7$s, or"
          + " change %4$s to give %3$d values"),
  ATTRIBUTE_RANGE(Severity.ERROR, "attribute-range",
      "%1$s: %2$s = %3$s; %2$s must be %4$s"),
  DROPOUT_P_RANGE(Severity.ERROR, "dropout-p-range",
      "%1$s: p = %2$s; the drop probability must be in [0, 1) (0.5 is common)"),
  BATCH_NORM_EPS(Severity.ERROR, "batch-norm-eps",
      "%1$s: eps = %2$s; eps must be a finite number > 0 (PyTorch's default is 1e-5)"),
  BATCH_NORM_MOMENTUM(Severity.ERROR, "batch-norm-momentum",
      "%1$s: momentum = %2$s; momentum must be in [0, 1] (PyTorch's default is 0.1)"),
  NOT_A_BLOCK(Severity.ERROR, "not-a-block",
      "%1$s: @Apply(block = %2$s.class) but %2$s is not annotated with @Block; annotate it"
          + " @Block and give it Layer fields"),
  BLOCK_NO_LAYERS(Severity.ERROR, "block-no-layers",
      "%1$s: block %2$s declares no layers; add Layer fields with layer annotations to %2$s"),
  BLOCK_IN_BLOCK(Severity.ERROR, "block-in-block",
      "%1$s: @Apply inside a block is not supported; apply %2$s in the network itself"),
  ARG_OUTSIDE_BLOCK(Severity.ERROR, "arg-outside-block",
      "%1$s: %2$s = Block.ARG%3$d is a block argument, but %1$s is not in a @Block class; give"
          + " a number"),
  ARG_MISSING(Severity.ERROR, "arg-missing",
      "%1$s: %2$s = Block.ARG%3$d but this use passes %4$d argument%5$s; add it to args"),

  // ---- receptive fields ----------------------------------------------------------------------
  RF_ARITY(Severity.ERROR, "rf-arity",
      "%1$s: @ReceptiveField(%2$s = %3$s) has %4$d values; give {n} for both axes or"
          + " {height, width}"),
  RF_NON_POSITIVE(Severity.ERROR, "rf-non-positive",
      "%1$s: @ReceptiveField(%2$s = %3$s); receptive-field sizes must be >= 1"),
  RF_TOO_SMALL(Severity.ERROR, "rf-too-small",
      "%1$s: receptive field is %2$s but @ReceptiveField(atLeast = %3$s) requires at least %4$s"
          + " (%5$s); %6$s"),
  RF_NOT_EXACT(Severity.ERROR, "rf-not-exact",
      "%1$s: receptive field is %2$s but @ReceptiveField(exactly = %3$s) requires %4$s (%5$s);"
          + " %6$s"),
  RF_NOT_COVERING(Severity.ERROR, "rf-not-covering",
      "%1$s: receptive field is %2$s, which does not cover the input %3$s"
          + " (@ReceptiveField(coversInput = true); %4$s); %5$s"),

  // ---- budgets -------------------------------------------------------------------------------
  BUDGET_NEGATIVE(Severity.ERROR, "budget-negative",
      "%1$s: @Budget(%2$s = %3$d); a bound must be >= 0, or Budget.UNSET (-1) for none"),
  BUDGET_BATCH(Severity.ERROR, "budget-batch",
      "%1$s: @Budget(batch = %2$d); the memory bounds apply to a batch of at least 1 sample; use"
          + " batch >= 1"),
  BUDGET_EXCEEDED(Severity.ERROR, "budget-exceeded",
      "%1$s: %2$s, %3$,d more than @Budget(%4$s = %5$,d) allows (%6$s); the largest: %7$s; %8$s"),

  // ---- the processor itself ------------------------------------------------------------------
  INTERNAL_ERROR(Severity.ERROR, "internal-error",
      "internal error in Lamina while processing %1$s: %2$s"),
  WRITE_FAILED(Severity.ERROR, "write-failed",
      "%1$s: could not write %2$s: %3$s"),

  // ---- warnings (suppressible) ---------------------------------------------------------------
  STRIDE_REMAINDER(Severity.WARNING, "stride-remainder",
      "%1$s: stride %2$s leaves %3$s of input %4$s unread (%5$s); use %6$s"),
  ACTIVATION_BEFORE_SOFTMAX(Severity.WARNING, "activation-before-softmax",
      "%1$s: activation %2$s on the last layer is applied before SOFTMAX_CROSS_ENTROPY, which"
          + " expects raw scores (logits); use activation = IDENTITY on %1$s"),
  NO_LOSS(Severity.WARNING, "no-loss",
      "%1$s: no loss is declared on @Network or on the last layer, so %1$s is inference-only"
          + " (it cannot train); declare e.g. @Network(loss = SOFTMAX_CROSS_ENTROPY), or"
          + " @SuppressWarnings(\"lamina:no-loss\") if that is intended"),
  UNUSED_OUTPUT(Severity.WARNING, "unused-output",
      "%1$s: the output of %1$s reaches neither the network's output (%2$s) nor its loss, so it"
          + " is computed for nothing; read it with from = \"%1$s\" or remove the layer"),
  UNUSED_NEGATIVE_SLOPE(Severity.WARNING, "unused-negative-slope",
      "%1$s: negativeSlope = %2$s has no effect with activation %3$s; use activation = LEAKY_RELU"
          + " or remove negativeSlope"),
  UNUSED_ALPHA(Severity.WARNING, "unused-alpha",
      "%1$s: alpha = %2$s has no effect with activation %3$s; use activation = ELU or remove"
          + " alpha"),
  BUDGET_NEAR(Severity.WARNING, "budget",
      "%1$s: %2$s, %3$s of @Budget(%4$s = %5$,d), within 10%% of the bound; the largest: %6$s;"
          + " shrink them to keep a margin, or raise the bound");

  /** Error or warning. */
  public enum Severity {
    ERROR,
    WARNING
  }

  private final Severity severity;
  private final String id;
  private final String format;

  Message(Severity severity, String id, String format) {
    this.severity = severity;
    this.id = id;
    this.format = format;
  }

  public Severity severity() {
    return severity;
  }

  /** Stable id; for warnings, {@code @SuppressWarnings("lamina:" + id)} silences it. */
  public String id() {
    return id;
  }

  public String format() {
    return format;
  }

  /** The formatted text; warnings start with {@code [lamina:<id>]}. */
  public String text(Object... args) {
    String body = String.format(Locale.ROOT, format, args);
    return severity == Severity.WARNING ? "[lamina:" + id + "] " + body : body;
  }

  /**
   * An exception as the last argument of {@link #INTERNAL_ERROR}: its text and the frame that threw
   * it, which is what a bug report needs.
   */
  public static String describe(Throwable e) {
    StackTraceElement[] trace = e.getStackTrace();
    return e + (trace.length == 0 ? "" : " (at " + trace[0] + ")");
  }

  /** This message, formatted, at a site. */
  public Diagnostic at(Site site, Object... args) {
    return new Diagnostic(this, site, text(args));
  }
}
