package dev.lamina.processor.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
    String src = "package fz;\n" + "import dev.lamina.dsl.*;\n"
        + "import static dev.lamina.dsl.Activation.*;\n"
        + "@Network(input = {2, 6, 6}, loss = Loss.SOFTMAX_CROSS_ENTROPY,"
        + " precision = Precision.DOUBLE)\n"
        + "abstract class Oracle {\n"
        + "  @Conv(filters = 3, kernel = 3, padding = 1, activation = TANH) Layer c1;\n"
        + "  @Pool(kind = PoolKind.AVG, size = 2) Layer s2;\n"
        + "  @Affine(units = 4) Layer out;\n"
        + "}\n";
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
      };
    }
  }
}
