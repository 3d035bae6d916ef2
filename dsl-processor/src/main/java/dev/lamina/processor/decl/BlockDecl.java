package dev.lamina.processor.decl;

import java.util.List;

/**
 * The class an {@code @Apply} member names as its block, as declared.
 *
 * @param name the class's simple name, for messages
 * @param annotated whether it carries {@code @Block}
 * @param layers its layer members in source order (an {@code @Apply} among them is an error)
 */
public record BlockDecl(String name, boolean annotated, List<LayerDecl> layers) {
  public BlockDecl {
    layers = List.copyOf(layers);
  }
}
