package dev.lamina.processor.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Compiler fuzzing (issue #6): seeded random network declarations, valid and invalid, compiled in
 * memory with the processor. Every invalid one must end in clean errors on the right member, every
 * valid one in generated code that compiles, computes the shapes the summary predicts and passes a
 * double-precision gradient check. See {@link FuzzRunner} for exactly what is checked. The
 * declarations are graphs (from references, Add, Concat, BatchNorm, Dropout, GlobalAvgPool, blocks
 * applied with arguments); see {@link DeclarationGenerator}.
 *
 * <p>The normal suite runs 300 declarations. Long runs:
 *
 * <pre>
 * mvn -pl dsl-annotations,runtime,dsl-processor test -Dtest=CompilerFuzzTest \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dfuzz.count=10000 [-Dfuzz.seed=7] \
 *     [-Dfuzz.threads=4] [-Dfuzz.batch=25] [-Dfuzz.details=3]
 * </pre>
 *
 * <p>{@code -Dfuzz.details} is how many reproducers to print per kind of problem.
 *
 * <p>{@code -Dfuzz.index=N} runs case N of the seed alone and prints its source (to reproduce a
 * failure). Layer names that clash with the generated class's own members are covered by {@code
 * ReservedNamesTest}.
 */
class CompilerFuzzTest {
  static final long DEFAULT_SEED = 20260601L;

  @Test
  void randomDeclarationsCompileToCleanErrorsOrToCorrectNetworks() {
    long seed = Long.getLong("fuzz.seed", DEFAULT_SEED);
    int count = Integer.getInteger("fuzz.count", 300);
    int threads = Integer.getInteger("fuzz.threads",
        Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())));
    int batch = Integer.getInteger("fuzz.batch", 25);
    FuzzRunner runner = new FuzzRunner(seed);
    Integer index = Integer.getInteger("fuzz.index");
    long start = System.nanoTime();
    FuzzRunner.Report report = index != null ? runner.one(index) : runner.run(count, batch, threads);
    double seconds = (System.nanoTime() - start) / 1e9;
    if (index != null) {
      System.out.println(new DeclarationGenerator(seed).generate(index).reproducer());
    }
    System.out.printf("fuzz seed %d: %s(%.1f s)%n", seed, report.summary(), seconds);
    int details = Integer.getInteger("fuzz.details", 3);
    if (report.totalProblems() > 0) {
      System.out.println(report.details(details));
    }
    assertEquals(0, report.totalProblems(), () -> report.summary() + report.details(3));
    if (index == null) {
      assertEquals(count, report.cases);
      // The run must exercise both outcomes and the runtime checks, not pass vacuously.
      assertTrue(report.invalid > count / 4, report::summary);
      assertTrue(report.compiledAndRun > count / 4, report::summary);
      assertEquals(report.compiledAndRun, report.memoryChecks, report::summary);
      assertTrue(report.gradientValues > 5 * count / 4, report::summary);
      assertTrue(report.floatGradientValues > count, report::summary);
      // ... and the graph vocabulary.
      if (count >= 300) {
        for (String f : java.util.List.of("Add", "Concat", "BatchNorm", "Dropout", "GlobalAvgPool",
            "Apply", "projection")) {
          assertTrue(report.features.getOrDefault(f, 0) > count / 100, f + ": " + report.summary());
        }
        assertTrue(report.inferenceChecks > count / 50, report::summary);
      }
    }
  }
}
