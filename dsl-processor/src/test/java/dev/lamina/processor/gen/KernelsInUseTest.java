package dev.lamina.processor.gen;

import dev.lamina.testsupport.KernelsInUse;
import org.junit.jupiter.api.Test;

/**
 * This JVM runs the kernels its test execution is meant to: the build runs the PyTorch
 * conformance, the gradient checks (float twin against double), the naive references and the
 * fuzzer once as they come and once more on the Vector API kernels, and that second run proves
 * nothing if it silently fell back to the plain loops (see {@link KernelsInUse}).
 */
class KernelsInUseTest {
  @Test
  void theKernelsThisExecutionIsMeantToRun() {
    KernelsInUse.check();
  }
}
