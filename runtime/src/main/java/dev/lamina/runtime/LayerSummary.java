package dev.lamina.runtime;

import java.util.Arrays;
import java.util.Objects;

/**
 * One row of a network's compile-time summary. Immutable and thread-safe.
 *
 * @param name the layer's member name
 * @param kind {@code Conv}, {@code Pool}, {@code Affine}, ...
 * @param description the layer's attributes in short form, for example {@code 6@5x5 pad 2 relu}
 * @param outputShape output shape of one sample
 * @param parameters number of trainable parameters
 * @param connections multiply-adds per sample including the bias term (LeCun's "connections")
 * @param multiplyAdds multiply-adds per sample excluding bias terms
 * @param receptiveField receptive field {@code {h, w}} of one output unit, in input pixels
 * @param jump effective stride {@code {h, w}}: distance in input pixels between adjacent units
 * @param start input coordinate {@code {h, w}} of the centre of the first unit's receptive field
 * @param memory the workspace memory of the layer in the generated class whose summary this is
 *     ({@link LayerMemory#NONE} when the summary was built without one)
 */
public record LayerSummary(
    String name,
    String kind,
    String description,
    int[] outputShape,
    long parameters,
    long connections,
    long multiplyAdds,
    int[] receptiveField,
    int[] jump,
    double[] start,
    LayerMemory memory) {

  public LayerSummary {
    outputShape = outputShape.clone();
    receptiveField = receptiveField.clone();
    jump = jump.clone();
    start = start.clone();
    Objects.requireNonNull(memory, "memory");
  }

  /** A row without workspace figures ({@link LayerMemory#NONE}). */
  public LayerSummary(String name, String kind, String description, int[] outputShape,
      long parameters, long connections, long multiplyAdds, int[] receptiveField, int[] jump,
      double[] start) {
    this(name, kind, description, outputShape, parameters, connections, multiplyAdds,
        receptiveField, jump, start, LayerMemory.NONE);
  }

  /** This row with other workspace figures. */
  public LayerSummary withMemory(LayerMemory memory) {
    return new LayerSummary(name, kind, description, outputShape, parameters, connections,
        multiplyAdds, receptiveField, jump, start, memory);
  }

  @Override
  public int[] outputShape() {
    return outputShape.clone();
  }

  @Override
  public int[] receptiveField() {
    return receptiveField.clone();
  }

  @Override
  public int[] jump() {
    return jump.clone();
  }

  @Override
  public double[] start() {
    return start.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LayerSummary s
        && name.equals(s.name)
        && kind.equals(s.kind)
        && description.equals(s.description)
        && Arrays.equals(outputShape, s.outputShape)
        && parameters == s.parameters
        && connections == s.connections
        && multiplyAdds == s.multiplyAdds
        && Arrays.equals(receptiveField, s.receptiveField)
        && Arrays.equals(jump, s.jump)
        && Arrays.equals(start, s.start)
        && memory.equals(s.memory);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(outputShape);
  }

  @Override
  public String toString() {
    return name + " " + kind + " " + NetworkSummary.shapeString(outputShape);
  }
}
