package dev.lamina.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static dev.lamina.processor.NetworkTester.assertThatNetwork;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lamina.processor.fuzz.FuzzRunner;
import dev.lamina.runtime.FloatNetwork;
import dev.lamina.runtime.LayerSummary;
import dev.lamina.runtime.NetworkSummary;
import dev.lamina.testsupport.AllocatedBytes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.Test;

/**
 * {@code @Budget}: every bound over (the error on its value, with the numbers and the three
 * largest layers), at the bound and near it (the warning, and its suppression), and well within.
 *
 * <p>The network's parameters (1,250: c1 40, f3 1,040, out 170) and multiply-adds (3,488: c1
 * 2,304, f3 1,024, out 160) are counted by hand from its shapes; its memory is what the generated
 * workspace really holds, measured by reflection on a workspace of the compiled class.
 */
class BudgetTest {
  private static final String[] LAYERS = {
      "@Conv(filters = 4, kernel = 3, padding = 1, activation = RELU) Layer c1;",
      "@Pool(size = 2) Layer s2;",
      "@Affine(units = 16, activation = RELU) Layer f3;",
      "@Affine(units = 10) Layer out;"};
  private static final String PARAMETERS_LARGEST =
      "the largest: f3 1,040 (83.2%), out 170 (13.6%), c1 40 (3.2%)";
  private static final String MULTIPLY_ADDS_LARGEST =
      "the largest: c1 2,304 (66.1%), f3 1,024 (29.4%), out 160 (4.6%)";

  private static NetworkTester withBudget(String budget) {
    return assertThatNetwork(LAYERS).network(
        "input = {1, 8, 8}, loss = SOFTMAX_CROSS_ENTROPY, budget = @Budget(" + budget + ")");
  }

  // ---- parameters -------------------------------------------------------------------------------

  @Test
  void parametersOver() {
    withBudget("parameters = 1_000").failsAt("Net: the network has 1,250 trainable parameters,"
        + " 250 more than @Budget(parameters = 1,000) allows (25.0% over); " + PARAMETERS_LARGEST
        + "; use fewer units or filters in them (or pool before an Affine layer), or raise the"
        + " bound", "budget =", "1_000");
  }

  @Test
  void parametersAtTheBoundWarnsOnly() {
    withBudget("parameters = 1_250").warns("[lamina:budget] Net: the network has 1,250 trainable"
        + " parameters, 100.0% of @Budget(parameters = 1,250), within 10% of the bound; "
        + PARAMETERS_LARGEST + "; shrink them to keep a margin, or raise the bound", "budget =");
  }

  @Test
  void parametersNear() {
    withBudget("parameters = 1_388").warns("Net: the network has 1,250 trainable parameters,"
        + " 90.1% of @Budget(parameters = 1,388), within 10% of the bound", "budget =");
  }

  @Test
  void parametersNearSuppressedOnTheClass() {
    withBudget("parameters = 1_300").classAnnotatedWith("@SuppressWarnings(\"lamina:budget\")")
        .compilesWithoutWarnings();
  }

  @Test
  void parametersWellWithin() {
    // 1,250 is 89.99% of 1,389: not within 10%.
    withBudget("parameters = 1_389").compilesWithoutWarnings();
  }

  // ---- multiply-adds ----------------------------------------------------------------------------

  @Test
  void multiplyAddsOver() {
    withBudget("multiplyAdds = 3_000").failsAt("Net: a forward pass of one sample takes 3,488"
        + " multiply-adds, 488 more than @Budget(multiplyAdds = 3,000) allows (16.3% over); "
        + MULTIPLY_ADDS_LARGEST + "; use fewer filters or units in them, or a stride or pooling"
        + " before them, or raise the bound", "budget =", "3_000");
  }

  @Test
  void multiplyAddsAtTheBoundWarnsOnly() {
    withBudget("multiplyAdds = 3_488").warns("Net: a forward pass of one sample takes 3,488"
        + " multiply-adds, 100.0% of @Budget(multiplyAdds = 3,488), within 10% of the bound; "
        + MULTIPLY_ADDS_LARGEST, "budget =");
  }

  @Test
  void multiplyAddsNearAndSuppressed() {
    withBudget("multiplyAdds = 3_800").warns("a forward pass of one sample takes 3,488"
        + " multiply-adds, 91.8% of @Budget(multiplyAdds = 3,800)", "budget =");
    withBudget("multiplyAdds = 3_800").classAnnotatedWith("@SuppressWarnings(\"lamina:all\")")
        .compilesWithoutWarnings();
    withBudget("multiplyAdds = 3_876").compilesWithoutWarnings();
  }

  // ---- memory -----------------------------------------------------------------------------------

  @Test
  void trainingBytesOver() {
    Measured m = measure(1);
    long bound = m.training - 1_000;
    withBudget("trainingBytes = " + bound).failsAt(String.format(Locale.ROOT,
        "Net: a float workspace for 1 sample allocates %,d bytes, 1,000 more than"
            + " @Budget(trainingBytes = %,d) allows (%.1f%% over); the largest: %s; use fewer"
            + " filters or units in them, a stride or pooling before them, or a smaller batch, or"
            + " raise the bound", m.training, bound, 100_000.0 / bound,
        largest(m.summary, l -> l.memory().trainingBytes(1))), "budget =", "" + bound);
  }

  @Test
  void trainingBytesOfABatch() {
    Measured m = measure(8);
    withBudget("trainingBytes = " + (m.training - 1) + ", batch = 8").failsAt(
        String.format(Locale.ROOT, "a float workspace for 8 samples allocates %,d bytes, 1 more",
            m.training), "budget =", "" + (m.training - 1));
    withBudget("trainingBytes = " + m.training + ", batch = 8").warns(String.format(Locale.ROOT,
        "a float workspace for 8 samples allocates %,d bytes, 100.0%% of"
            + " @Budget(trainingBytes = %,d)", m.training, m.training), "budget =");
  }

  @Test
  void trainingBytesNearAndSuppressed() {
    long training = measure(1).training;
    long near = training * 100 / 95;
    withBudget("trainingBytes = " + near).warns(String.format(Locale.ROOT,
        "a float workspace for 1 sample allocates %,d bytes, %.1f%% of @Budget(trainingBytes ="
            + " %,d), within 10%% of the bound", training, 100.0 * training / near, near),
        "budget =");
    withBudget("trainingBytes = " + near).classAnnotatedWith("@SuppressWarnings(\"lamina:budget\")")
        .compilesWithoutWarnings();
    withBudget("trainingBytes = " + training * 2).compilesWithoutWarnings();
  }

  @Test
  void inferenceBytesOver() {
    Measured m = measure(1);
    long inference = m.summary.inferenceBytes(1);
    long bound = inference / 2;
    withBudget("inferenceBytes = " + bound).failsAt(String.format(Locale.ROOT,
        "Net: a forward pass over 1 sample uses %,d bytes of float workspace buffers, %,d more"
            + " than @Budget(inferenceBytes = %,d) allows (%.1f%% over); the largest: %s;",
        inference, inference - bound, bound, 100.0 * (inference - bound) / bound,
        largest(m.summary, l -> l.memory().inferenceBytes(1))), "budget =", "" + bound);
  }

  @Test
  void inferenceBytesAtTheBoundAndNear() {
    long inference = measure(1).summary.inferenceBytes(1);
    withBudget("inferenceBytes = " + inference).warns("100.0% of @Budget(inferenceBytes",
        "budget =");
    withBudget("inferenceBytes = " + (inference * 100 / 92)).warns("@Budget(inferenceBytes",
        "budget =");
    withBudget("inferenceBytes = " + (inference * 100 / 92))
        .classAnnotatedWith("@SuppressWarnings(\"lamina:budget\")").compilesWithoutWarnings();
  }

  @Test
  void everyBoundAtOnce() {
    long training = measure(1).training;
    NetworkTester t = withBudget("parameters = 1_000, multiplyAdds = 3_000, trainingBytes = 10")
        .failsWithErrors(3, "250 more than @Budget(parameters = 1,000)", "budget =");
    t.andError("488 more than @Budget(multiplyAdds = 3,000)", "budget =")
        .andError(String.format(Locale.ROOT, "%,d more than @Budget(trainingBytes = 10)",
            training - 10), "budget =");
  }

  @Test
  void hugeBatchIsAnErrorNotAnOverflow() {
    // 8 MB per sample of c1's output alone: times Integer.MAX_VALUE past what a long holds.
    assertThatNetwork("@Conv(filters = 8, kernel = 3, padding = 1) Layer c1;",
        "@Affine(units = 2) Layer out;").network("input = {1, 512, 512}, loss = MSE, budget ="
            + " @Budget(trainingBytes = 1_000_000, batch = Integer.MAX_VALUE)")
        .failsAt("a float workspace for 2147483647 samples allocates", "budget =", "1_000_000")
        .andError("more than @Budget(trainingBytes = 1,000,000) allows", "budget =");
  }

  // ---- the budget's own values ------------------------------------------------------------------

  @Test
  void negativeBound() {
    withBudget("multiplyAdds = -5").failsAt("Net: @Budget(multiplyAdds = -5); a bound must be >= 0,"
        + " or Budget.UNSET (-1) for none", "budget =", "-5");
  }

  @Test
  void unsetIsMinusOne() {
    withBudget("parameters = Budget.UNSET, multiplyAdds = -1").compilesWithoutWarnings();
  }

  @Test
  void batchBelowOne() {
    withBudget("trainingBytes = 100_000, batch = 0").failsAt("Net: @Budget(batch = 0); the memory"
        + " bounds apply to a batch of at least 1 sample; use batch >= 1", "budget =", "0)");
  }

  // ---- helpers ----------------------------------------------------------------------------------

  /** The network compiled without a budget: its summary and a real workspace's bytes. */
  private record Measured(NetworkSummary summary, long training) {}

  private static Measured measure(int batch) {
    NetworkTester t = assertThatNetwork(LAYERS).network(
        "input = {1, 8, 8}, loss = SOFTMAX_CROSS_ENTROPY");
    assertThat(t.compilation()).succeededWithoutWarnings();
    try {
      FloatNetwork net = (FloatNetwork) FuzzRunner.classLoader(t.compilation())
          .loadClass("test.Lamina_Net").getConstructor().newInstance();
      long allocated = AllocatedBytes.total(net.newWorkspace(batch), net.parameters());
      assertEquals(allocated, net.summary().trainingBytes(batch), "summary against workspace");
      return new Measured(net.summary(), allocated);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }

  /** The three largest layers by a figure, as the messages list them. */
  private static String largest(NetworkSummary s, ToLongFunction<LayerSummary> figure) {
    List<LayerSummary> layers = new ArrayList<>(s.layers());
    long total = layers.stream().mapToLong(figure).sum();
    layers.sort(Comparator.comparingLong(figure).reversed());
    List<String> parts = new ArrayList<>();
    for (LayerSummary l : layers.subList(0, 3)) {
      parts.add(String.format(Locale.ROOT, "%s %,d (%.1f%%)", l.name(), figure.applyAsLong(l),
          100.0 * figure.applyAsLong(l) / total));
    }
    return String.join(", ", parts);
  }
}
