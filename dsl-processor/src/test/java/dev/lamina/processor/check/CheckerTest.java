package dev.lamina.processor.check;

import dev.lamina.processor.kind.LayerKinds;
import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lamina.dsl.Activation;
import dev.lamina.dsl.Loss;
import dev.lamina.dsl.PoolKind;
import dev.lamina.processor.decl.ClassFacts;
import dev.lamina.processor.diag.Diagnostic;
import dev.lamina.processor.diag.Message;
import dev.lamina.processor.model.NetworkModel;
import dev.lamina.runtime.LayerSummary;
import dev.lamina.runtime.NetworkSummary;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The checker on plain declarations, without javac. */
class CheckerTest {
  private static Checker.Result check(Decls d) {
    return new Checker(LayerKinds.STANDARD::rulesOf).check(d.build());
  }

  private static List<String> texts(Checker.Result r) {
    return r.diagnostics().stream().map(Diagnostic::text).toList();
  }

  @Test
  void classicLeNet5Counts() {
    Checker.Result r = check(Decls.network(1, 32, 32).loss(Loss.MSE)
        .conv("c1", 6, 5, "activation", Activation.TANH)
        .pool("s2", 2, "kind", PoolKind.SUBSAMPLE, "activation", Activation.SIGMOID)
        .conv("c3", 16, 5, "activation", Activation.TANH)
        .pool("s4", 2, "kind", PoolKind.SUBSAMPLE, "activation", Activation.SIGMOID)
        .conv("c5", 120, 5, "activation", Activation.TANH)
        .affine("f6", 84, "activation", Activation.TANH)
        .affine("out", 10, "bias", false));
    assertThat(r.diagnostics()).isEmpty();
    NetworkSummary s = r.model().summary();
    long[][] expected = {{156, 122_304}, {12, 5_880}, {2_416, 241_600}, {32, 2_000},
        {48_120, 48_120}, {10_164, 10_164}, {840, 840}};
    for (int i = 0; i < expected.length; i++) {
      LayerSummary l = s.layers().get(i);
      assertThat(new long[] {l.parameters(), l.connections()}).isEqualTo(expected[i]);
    }
    assertThat(r.model().parameterCount()).isEqualTo(61_740);
  }

  @Test
  void modernLeNet5Totals() {
    Checker.Result r = check(Decls.network(1, 28, 28).loss(Loss.SOFTMAX_CROSS_ENTROPY)
        .conv("c1", 6, 5, "padding", 2, "activation", Activation.RELU)
        .pool("s2", 2)
        .conv("c3", 16, 5, "activation", Activation.RELU)
        .pool("s4", 2)
        .affine("f5", 120, "activation", Activation.RELU)
        .affine("f6", 84, "activation", Activation.RELU)
        .affine("out", 10));
    NetworkSummary s = r.model().summary();
    assertThat(s.totalParameters()).isEqualTo(61_706);
    assertThat(s.totalMultiplyAdds()).isEqualTo(416_520);
  }

  @Test
  void sevenLayerStackReceptiveFieldsAndJumps() {
    NetworkModel m = check(Decls.network(1, 62, 62).loss(Loss.MSE)
        .conv("conv1", 4, 3).pool("pool1", 2).conv("conv2", 4, 3).pool("pool2", 2)
        .conv("conv3", 4, 3).conv("conv4", 4, 3).pool("pool3", 2, "exactly", 30)).model();
    int[] rf = {3, 4, 8, 10, 18, 26, 30};
    int[] jump = {1, 2, 2, 4, 4, 4, 8};
    for (int i = 0; i < rf.length; i++) {
      LayerSummary l = m.nodes().get(i).summary();
      assertThat(l.receptiveField()).isEqualTo(new int[] {rf[i], rf[i]});
      assertThat(l.jump()).isEqualTo(new int[] {jump[i], jump[i]});
    }
  }

  @Test
  void receptiveFieldRequirementNotMetHasNoModel() {
    Checker.Result r = check(Decls.network(1, 9, 9).loss(Loss.MSE)
        .conv("c1", 4, 3).conv("c2", 4, 3, "exactly", 7));
    assertThat(r.clean()).isFalse();
    assertThat(texts(r)).containsExactly("c2: receptive field is 5x5 but @ReceptiveField(exactly"
        + " = 7) requires 7x7 (height 5 < 7, width 5 < 7); to grow it, add a layer (one more 3x3"
        + " conv after c2 adds 2), use a larger kernel (each extra row adds 1), or put a stride or"
        + " pooling earlier");
    assertThat(r.diagnostics().get(0).site().toString()).isEqualTo("c2.exactly");
  }

  @Test
  void checksResumeAfterAnAffineOnceAShapeIsUnknown() {
    Checker.Result r = check(Decls.network(1, 4, 4).loss(Loss.MSE)
        .conv("c1", 6, 5)            // does not fit: output unknown
        .pool("s2", 9)               // not checked: input unknown
        .affine("f3", 100)           // output known again
        .pool("s4", 2));             // Pool after Affine
    assertThat(r.clean()).isFalse();
    assertThat(texts(r)).hasSize(2);
    assertThat(texts(r).get(0)).startsWith("c1: kernel 5x5 does not fit input 1x4x4");
    assertThat(texts(r).get(1)).startsWith("s4: Pool needs a CxHxW input, but it follows the"
        + " Affine layer f3");
    assertThat(r.diagnostics().get(0).site().toString()).isEqualTo("c1.kernel");
  }

  @Test
  void warningsAreDroppedWhereSuppressed() {
    Decls d = Decls.network(1, 28, 28).loss(Loss.MSE)
        .conv("c1", 6, 5, "stride", 2)
        .conv("c2", 6, 5, "stride", 2, "suppress", "stride-remainder");
    Checker.Result r = check(d);
    assertThat(r.clean()).isTrue();
    assertThat(r.diagnostics()).hasSize(1);
    assertThat(r.diagnostics().get(0).message()).isEqualTo(Message.STRIDE_REMAINDER);
    assertThat(r.diagnostics().get(0).site().toString()).isEqualTo("c1.stride");
    assertThat(check(Decls.network(4).affine("out", 2).suppress("no-loss")).diagnostics())
        .isEmpty();
  }

  @Test
  void localClassCannotBeExtended() {
    ClassFacts local = new ClassFacts(ClassFacts.Form.CLASS, false, false, null, false, true, "",
        true);
    Checker.Result r = check(Decls.network(4).loss(Loss.MSE).facts(local).affine("out", 2));
    assertThat(texts(r)).containsExactly("Net: @Network class is a local or anonymous class, which"
        + " the generated Lamina_Net cannot extend; move it to a top-level or static nested"
        + " class");
  }

  @Test
  void unexpectedExceptionInALayerIsOneInternalError() {
    Checker checker = new Checker(LayerKinds.STANDARD::rulesOf, what -> {
      if (what.equals("Net.c2")) {
        throw new ArithmeticException("boom");
      }
    });
    Checker.Result r = checker.check(Decls.network(1, 8, 8).loss(Loss.MSE)
        .conv("c1", 0, 3).conv("c2", 2, 3).conv("c3", 0, 3).build());
    assertThat(r.clean()).isFalse();
    assertThat(texts(r)).hasSize(2);
    assertThat(texts(r).get(1)).startsWith("internal error in Lamina while processing layer c2"
        + " of Net: java.lang.ArithmeticException: boom");
  }

  @Test
  void everyWarningHasAnIdAndEveryIdIsUnique() {
    assertThat(java.util.Arrays.stream(Message.values()).map(Message::id).distinct().count())
        .isEqualTo(Message.values().length);
    assertThat(Message.NO_LOSS.text("Net")).startsWith("[lamina:no-loss] Net:");
    assertThat(Message.INPUT_RANK.text("Net", "{1}", 1)).doesNotContain("[lamina:");
  }

  @Test
  void resultHasNoModelWhenAnErrorRemains() {
    Checker.Result r = check(Decls.network(4).loss(Loss.SOFTMAX_CROSS_ENTROPY).affine("out", 1));
    assertThat(r.model()).isNull();
    assertThrows(UnsupportedOperationException.class, () -> r.diagnostics().add(null));
  }
}
