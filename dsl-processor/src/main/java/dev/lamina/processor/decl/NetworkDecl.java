package dev.lamina.processor.decl;

import dev.lamina.dsl.Loss;
import dev.lamina.dsl.Precision;
import dev.lamina.processor.diag.Site;
import java.util.List;

/**
 * A {@code @Network} class as declared, free of {@code javax.lang.model} types: the checker's only
 * input.
 *
 * @param packageName the package ("" for the default package)
 * @param declaredName the name relative to the package ({@code Outer.Inner})
 * @param site the class with its {@code @Network} annotation
 * @param facts what decides whether the class can be extended
 * @param input {@code @Network.input}
 * @param loss {@code @Network.loss}
 * @param classes {@code @Network.classes}
 * @param receptiveField {@code @Network.receptiveField}
 * @param precision {@code @Network.precision}
 * @param budget {@code @Network.budget}
 * @param layers the layer members in source order
 */
public record NetworkDecl(
    String packageName,
    String declaredName,
    Site site,
    ClassFacts facts,
    Value<List<Integer>> input,
    Value<Loss> loss,
    Value<Integer> classes,
    ReceptiveFieldDecl receptiveField,
    Value<List<Precision>> precision,
    List<LayerDecl> layers,
    BudgetDecl budget) {

  public NetworkDecl {
    layers = List.copyOf(layers);
  }

  /** The simple name of the generated (float) class: {@code Lamina_Outer_Inner}. */
  public String generatedName() {
    return "Lamina_" + declaredName.replace('.', '_');
  }

  /** The class's simple name. */
  public String simpleName() {
    int dot = declaredName.lastIndexOf('.');
    return dot < 0 ? declaredName : declaredName.substring(dot + 1);
  }
}
