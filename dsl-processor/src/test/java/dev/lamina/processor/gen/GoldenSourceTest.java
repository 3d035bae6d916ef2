package dev.lamina.processor.gen;

import dev.lamina.processor.kind.LayerKinds;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lamina.dsl.Activation;
import dev.lamina.dsl.Loss;
import dev.lamina.dsl.PoolKind;
import dev.lamina.dsl.Precision;
import dev.lamina.processor.model.ModelBuilder;
import dev.lamina.processor.model.NetworkModel;
import dev.lamina.processor.model.AffineOp;
import dev.lamina.processor.model.ConvOp;
import dev.lamina.processor.model.PoolOp;
import dev.lamina.processor.model.Shape;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/**
 * The generated source of a small network, compared byte for byte with {@code
 * src/test/resources/golden/Lamina_Tiny.java} so that reviewers can read what the generator emits.
 * Regenerate with {@code -Dlamina.updateGoldens=true}.
 */
class GoldenSourceTest {
  private static final NetworkGenerator GENERATOR =
      new NetworkGenerator(LayerKinds.STANDARD::emitterFor);

  static final Path GOLDEN = Paths.get("src/test/resources/golden/Lamina_Tiny.java");

  static NetworkModel tiny() {
    return new ModelBuilder("p", "Tiny", Shape.image(1, 6, 6))
        .add("c1", new ConvOp(2, 3, 3, 1, 1, 1, 1, 1, 1, true), Activation.RELU, 0)
        .add("s2", new PoolOp(PoolKind.MAX, 2, 2, 2, 2, 0, 0, true), Activation.IDENTITY, 0)
        .add("out", new AffineOp(3, true), Activation.IDENTITY, 0)
        .loss(Loss.SOFTMAX_CROSS_ENTROPY)
        .precisions(EnumSet.of(Precision.FLOAT))
        .build();
  }

  @Test
  void tinyNetworkSourceMatchesTheGoldenFile() throws IOException {
    String generated = GENERATOR.generate(tiny(), Precision.FLOAT).toString();
    if (Boolean.getBoolean("lamina.updateGoldens")) {
      Files.createDirectories(GOLDEN.getParent());
      Files.writeString(GOLDEN, generated, StandardCharsets.UTF_8);
    }
    assertEquals(Files.readString(GOLDEN, StandardCharsets.UTF_8), generated,
        "generated source changed; review it and rerun with -Dlamina.updateGoldens=true");
    Compiled.of(tiny()); // and it compiles without warnings
  }
}
