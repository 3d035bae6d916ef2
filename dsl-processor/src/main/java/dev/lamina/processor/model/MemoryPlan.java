package dev.lamina.processor.model;

import dev.lamina.dsl.Precision;
import dev.lamina.runtime.LayerMemory;
import java.util.List;

/**
 * The workspace memory of one generated class, per layer: what its {@code Workspace} allocates,
 * as the generator lays it out ({@code gen.WorkspaceWriter}). Free of {@code javax.lang.model}.
 *
 * @param precision the generated class's element type
 * @param layers one entry per node of the model, in its order
 */
public record MemoryPlan(Precision precision, List<LayerMemory> layers) {
  public MemoryPlan {
    layers = List.copyOf(layers);
  }

  /** Every layer's figures, summed. */
  public LayerMemory total() {
    LayerMemory sum = LayerMemory.NONE;
    for (LayerMemory m : layers) {
      sum = sum.plus(m);
    }
    return sum;
  }
}
