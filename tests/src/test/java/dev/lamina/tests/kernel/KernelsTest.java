package dev.lamina.tests.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.runtime.kernel.Kernels;
import dev.lamina.tests.VectorJvm;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The convolution kernels ({@link Kernels}) on both paths: {@link KernelChecks} in this JVM, and
 * again in a JDK 21+ JVM started with {@code --add-modules jdk.incubator.vector}, where the Vector
 * API kernels must be the ones in use (the JDK {@link VectorJvm} finds; without one the vector
 * test is skipped, and says so).
 */
class KernelsTest {
  @Test
  void accumulateMatchesDirectSums() {
    KernelChecks.accumulateMatchesDirectSums();
  }

  @Test
  void accumulateLeavesOtherValuesAlone() {
    KernelChecks.accumulateLeavesOtherValuesAlone();
  }

  @Test
  void dotsMatchDirectSums() {
    KernelChecks.dotsMatchDirectSums();
  }

  @Test
  void dotsAreReproducible() {
    KernelChecks.dotsAreReproducible();
  }

  @Test
  void accumulateRowMatchesDirectSums() {
    KernelChecks.accumulateRowMatchesDirectSums();
  }

  @Test
  void accumulateWindowsMatchesDirectSums() {
    KernelChecks.accumulateWindowsMatchesDirectSums();
  }

  @Test
  void dotsWindowsMatchDirectSums() {
    KernelChecks.dotsWindowsMatchDirectSums();
  }

  @Test
  void outputDoesNotDependOnTheBatch() {
    KernelChecks.outputDoesNotDependOnTheBatch();
  }

  @Test
  void floatLeNetAgreesWithDoubleAtBatch64() {
    KernelChecks.floatLeNetAgreesWithDouble(64);
  }

  @Test
  void floatLeNetAgreesWithDoubleAtBatch7() {
    KernelChecks.floatLeNetAgreesWithDouble(7);
  }

  @Test
  void floatLeNetAgreesWithDoubleAtBatch2() {
    KernelChecks.floatLeNetAgreesWithDouble(2);
  }

  @Test
  void dotsWindowsOfManyRowsMatchDirectSums() {
    KernelChecks.dotsWindowsOfManyRowsMatchDirectSums();
  }

  @Test
  void outerWindowsMatchesDirectSums() {
    KernelChecks.outerWindowsMatchesDirectSums();
  }

  @Test
  void windowProductsMatchDirectSums() {
    KernelChecks.windowProductsMatchDirectSums();
  }

  @Test
  void maxPool2x2MatchesDirectMaxima() {
    KernelChecks.maxPool2x2MatchesDirectMaxima();
  }

  @Test
  void sumMatchesDirectSums() {
    KernelChecks.sumMatchesDirectSums();
  }

  @Test
  void batchNormReductionsMatchDirectSums() {
    KernelChecks.batchNormReductionsMatchDirectSums();
  }

  @Test
  void maskedDotAndSumMatchesDirectSums() {
    KernelChecks.maskedDotAndSumMatchesDirectSums();
  }

  @Test
  void addWindowProductsMatchesDirectSums() {
    KernelChecks.addWindowProductsMatchesDirectSums();
  }

  @Test
  void floatPatchConvsAgreeWithDouble() {
    KernelChecks.floatPatchConvsAgreeWithDouble(9);
  }

  @Test
  void rowDotsAndOuterMatchDirectSums() {
    KernelChecks.rowDotsAndOuterMatchDirectSums();
  }

  @Test
  void plainKernelsOnJdk17() {
    if (Runtime.version().feature() < 21) {
      assertEquals("plain", Kernels.BACKEND);
    }
  }

  @Test
  void everyCheckPassesOnTheVectorApi() throws Exception {
    String output = VectorJvm.run(List.of(), KernelChecks.class, "vector");
    assertTrue(output.contains("kernel checks passed on the vector kernels"), output);
  }
}
