package dev.lamina.processor.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import dev.lamina.dsl.Layer;
import dev.lamina.processor.LaminaProcessor;
import dev.lamina.runtime.DoubleNetwork;
import dev.lamina.runtime.DoubleWorkspace;
import dev.lamina.runtime.NetworkSummary;
import dev.lamina.runtime.ParameterTensor;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The fuzzer's oracles are not vacuous: they reject what they must reject. */
class FuzzOracleTest {

  private static DoubleNetwork compileSmallNetwork() throws Exception {
    return compile("input = {2, 6, 6}, loss = Loss.SOFTMAX_CROSS_ENTROPY",
        "  @Conv(filters = 3, kernel = 3, padding = 1, activation = TANH) Layer c1;\n"
        + "  @Pool(kind = PoolKind.AVG, size = 2) Layer s2;\n"
        + "  @Affine(units = 4) Layer out;\n");
  }

  /** c1, bn (training: batch statistics), drop (p = 0.3), gap, out. */
  private static DoubleNetwork compileGraphNetwork() throws Exception {
    return compile("input = {2, 5, 4}, loss = Loss.MSE",
        "  @Conv(filters = 3, kernel = 3, padding = 1) Layer c1;\n"
        + "  @BatchNorm(activation = TANH) Layer bn;\n"
        + "  @Dropout(p = 0.3) Layer drop;\n"
        + "  @Add(from = {\"drop\", \"c1\"}) Layer sum;\n"
        + "  @GlobalAvgPool Layer gap;\n"
        + "  @Affine(units = 3) Layer out;\n");
  }

  private static DoubleNetwork compile(String network, String layers) throws Exception {
    String src = "package fz;\n" + "import dev.lamina.dsl.*;\n"
        + "import static dev.lamina.dsl.Activation.*;\n"
        + "@Network(" + network + ", precision = Precision.DOUBLE)\n"
        + "abstract class Oracle {\n" + layers + "}\n";
    Compilation c = Compiler.javac().withProcessors(new LaminaProcessor())
        .compile(JavaFileObjects.forSourceString("fz.Oracle", src));
    assertEquals(Compilation.Status.SUCCESS, c.status(), c.diagnostics().toString());
    ClassLoader loader = FuzzRunner.classLoader(c);
    return (DoubleNetwork) loader.loadClass("fz.Lamina_Oracle_F64").getConstructor(long.class)
        .newInstance(1L);
  }

  @Test
  void gradientCheckPassesTheRealNetwork() throws Exception {
    GradientCheck check = new GradientCheck(compileSmallNetwork(), new SplittableRandom(1))
        .run(3, 5);
    assertTrue(check.failures.isEmpty(), check.failures::toString);
    assertEquals(4 * 3 + 5, check.checked, "values checked (4 tensors, 5 inputs)");
  }

  @Test
  void gradientCheckCatchesAGradientOffByOnePartInAThousand() throws Exception {
    DoubleNetwork net = compileSmallNetwork();
    ParameterTensor c1 = net.summary().parameterTensors().get(0);
    DoubleNetwork broken = new Damaged(net, c1.offset(), c1.offset() + c1.size(), 1.001);
    GradientCheck check = new GradientCheck(broken, new SplittableRandom(1)).run(3, 0);
    assertFalse(check.failures.isEmpty(), "a 0.1% error in c1's gradient went unnoticed");
    assertTrue(check.failures.get(0).startsWith("c1.weight"), check.failures::toString);
  }

  @Test
  void gradientCheckCatchesAZeroedGradient() throws Exception {
    DoubleNetwork net = compileSmallNetwork();
    ParameterTensor out = net.summary().parameterTensors().get(3);
    DoubleNetwork broken = new Damaged(net, out.offset(), out.offset() + out.size(), 0);
    GradientCheck check = new GradientCheck(broken, new SplittableRandom(2)).run(2, 0);
    assertFalse(check.failures.isEmpty(), "a zeroed gradient of " + out + " went unnoticed");
  }

  @Test
  void gradientCheckPassesBatchNormAndDropoutInBothModes() throws Exception {
    for (boolean training : new boolean[] {true, false}) {
      GradientCheck check = new GradientCheck(compileGraphNetwork(), new SplittableRandom(3),
          training).run(3, 5);
      assertTrue(check.failures.isEmpty(), check.failures::toString);
      // c1 (weight, bias), bn (weight, bias; not the running statistics), out (weight, bias)
      assertEquals(6 * 3 + 5, check.checked, "values checked, training " + training);
    }
  }

  @Test
  void gradientCheckCatchesAWrongBatchNormGradientInBothModes() throws Exception {
    for (boolean training : new boolean[] {true, false}) {
      DoubleNetwork net = compileGraphNetwork();
      ParameterTensor gamma = net.summary().parameterTensors().get(2);
      assertEquals("bn.weight", gamma.qualifiedName());
      DoubleNetwork broken = new Damaged(net, gamma.offset(), gamma.offset() + gamma.size(),
          1.001);
      GradientCheck check = new GradientCheck(broken, new SplittableRandom(4), training)
          .run(3, 0);
      assertFalse(check.failures.isEmpty(), "a 0.1% error in bn.weight's gradient went"
          + " unnoticed, training " + training);
    }
  }

  @Test
  void theGeneratorsModelFollowsTheDocumentedGraphRules() {
    int[] input = {2, 8, 8};
    DeclarationGenerator.Node in = new DeclarationGenerator.Node("input", input, 1, 1, 1, 1, 0);
    DeclarationGenerator.Node a = eval(conv(2, 3, 1, 1), input, in);
    DeclarationGenerator.Node b = eval(conv(2, 3, 1, 1), input, a);
    // Residual: the receptive field is the largest over the paths (GraphDslTest: 5x5).
    DeclarationGenerator.Node sum = eval(layer("Add"), input, b, in);
    assertArrayEquals(new int[] {2, 8, 8}, sum.shape);
    assertArrayEquals(new int[] {5, 5}, sum.rf());
    // Shapes must match for Add, spatial sizes for Concat; jumps for both.
    DeclarationGenerator.Node down = eval(conv(4, 3, 2, 1), input, in);
    assertNull(eval(layer("Add"), input, down, in));
    assertNull(eval(layer("Concat"), input, down, in));
    DeclarationGenerator.Node shrunk = eval(conv(4, 5, 1, 0), input, in);
    assertArrayEquals(down.shape, shrunk.shape);
    assertNull(eval(layer("Add"), input, down, shrunk), "4x4x4 at jump 2 and at jump 1");
    DeclarationGenerator.Node cat = eval(layer("Concat"), input, b, in, a);
    assertArrayEquals(new int[] {6, 8, 8}, cat.shape);
    // BatchNorm: 2 parameters per channel, 2 running statistics beside them.
    DeclarationGenerator.Node bn = eval(layer("BatchNorm"), input, down);
    assertEquals(8, bn.params);
    assertEquals(8, bn.statistics);
    // GlobalAvgPool covers the map: 3 + (4 - 1)·2 = 9.
    DeclarationGenerator.Node gap = eval(layer("GlobalAvgPool"), input, down);
    assertArrayEquals(new int[] {4}, gap.shape);
    assertArrayEquals(new int[] {9, 9}, gap.rf());
    // On a flat input of D values, an Affine layer sees all D, even through BatchNorm.
    int[] flat = {6};
    DeclarationGenerator.Node x = new DeclarationGenerator.Node("input", flat, 1, 1, 1, 1, 0);
    DeclarationGenerator.Node norm = eval(layer("BatchNorm"), flat, x);
    DeclarationGenerator.LayerSpec affine = layer("Affine");
    affine.nums.put("units", new int[] {3});
    assertArrayEquals(new int[] {1, 6}, eval(affine, flat, norm).rf());
    assertEquals(21, eval(affine, flat, norm).params);
    // A placeholder takes its argument; without one the layer is unknown.
    DeclarationGenerator.LayerSpec c = conv(DeclarationGenerator.ARG0, 3, 1, 1);
    assertEquals(5, DeclarationGenerator.eval(c, List.of(in), new int[] {5}, "c", input)
        .shape[0]);
    assertNull(DeclarationGenerator.eval(c, List.of(in), new int[0], "c", input));
  }

  private static DeclarationGenerator.LayerSpec layer(String kind) {
    DeclarationGenerator.LayerSpec l = new DeclarationGenerator.LayerSpec();
    l.kind = kind;
    l.name = kind.toLowerCase(java.util.Locale.ROOT);
    return l;
  }

  private static DeclarationGenerator.LayerSpec conv(int filters, int k, int s, int p) {
    DeclarationGenerator.LayerSpec l = layer("Conv");
    l.nums.put("filters", new int[] {filters});
    l.nums.put("kernel", new int[] {k, k});
    l.nums.put("stride", new int[] {s, s});
    l.nums.put("padding", new int[] {p, p});
    return l;
  }

  private static DeclarationGenerator.Node eval(DeclarationGenerator.LayerSpec l, int[] input,
      DeclarationGenerator.Node... ins) {
    return DeclarationGenerator.eval(l, List.of(ins), null, l.name, input);
  }

  @Test
  void messagesInsideABlockUseMustNameTheUsesLayer() {
    List<String> prefixes = List.of("Net", "input", "c1", "u", "u.c", "u.out");
    assertTrue(FuzzRunner.named(prefixes,
        "in u (B with args {3, 1}): u.c: kernel 5x5 does not fit input 2x4x4"));
    assertTrue(FuzzRunner.named(prefixes,
        "[lamina:unused-output] in u (B): u.out: the output of u.out reaches neither"));
    assertTrue(FuzzRunner.named(prefixes, "c1: filters = 0; a layer needs filters >= 1"));
    assertFalse(FuzzRunner.named(prefixes, "in u (B): c: from = \"zz\" names no layer"));
    assertFalse(FuzzRunner.named(prefixes, "in v (B): u.c: kernel 5x5 does not fit"));
    assertFalse(FuzzRunner.named(prefixes, "in u (B): c1: filters = 0"));
  }

  @Test
  void cleanDiagnosticsCheckRejectsExceptionsAndInternalErrors() {
    assertTrue(FuzzRunner.looksLikeException(
        "internal error in Lamina while processing Net: java.lang.NullPointerException"));
    assertTrue(FuzzRunner.looksLikeException("c1: java.lang.ArithmeticException: / by zero"));
    assertFalse(FuzzRunner.looksLikeException(
        "c1: filters = 0; a layer needs filters >= 1"));
  }

  /** A network whose backward pass scales the gradient of parameters [from, to) by a factor. */
  private record Damaged(DoubleNetwork net, int from, int to, double factor)
      implements DoubleNetwork {
    @Override
    public NetworkSummary summary() {
      return net.summary();
    }

    @Override
    public double[] parameters() {
      return net.parameters();
    }

    @Override
    public List<Layer> layers() {
      return net.layers();
    }

    @Override
    public void forward(double[] input, int batch, double[] output) {
      net.forward(input, batch, output);
    }

    @Override
    public int predict(double[] sample) {
      return net.predict(sample);
    }

    @Override
    public DoubleWorkspace newWorkspace(int maxBatch) {
      DoubleWorkspace ws = net.newWorkspace(maxBatch);
      DoubleNetwork self = this;
      return new DoubleWorkspace() {
        @Override
        public DoubleNetwork network() {
          return self;
        }

        @Override
        public int maxBatch() {
          return ws.maxBatch();
        }

        @Override
        public double[] forward(double[] input, int offset, int batch, boolean training) {
          return ws.forward(input, offset, batch, training);
        }

        @Override
        public void backward(double[] gradOutput, int offset, int batch) {
          double[] before = ws.gradients().clone();
          ws.backward(gradOutput, offset, batch);
          double[] g = ws.gradients();
          for (int i = from; i < to; i++) {
            g[i] = before[i] + (g[i] - before[i]) * factor;
          }
        }

        @Override
        public double[] outputGradientBuffer() {
          return ws.outputGradientBuffer();
        }

        @Override
        public double[] gradients() {
          return ws.gradients();
        }

        @Override
        public void zeroGradients() {
          ws.zeroGradients();
        }

        @Override
        public void setInputGradientEnabled(boolean enabled) {
          ws.setInputGradientEnabled(enabled);
        }

        @Override
        public double[] inputGradient() {
          return ws.inputGradient();
        }

        /** The generated workspace's dropout reseeding, which the gradient check calls. */
        @Override
        public void reseed(long seed) {
          ws.reseed(seed);
        }
      };
    }
  }
}
