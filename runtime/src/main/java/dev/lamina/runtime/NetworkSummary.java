package dev.lamina.runtime;

import dev.lamina.dsl.Loss;
import dev.lamina.dsl.Precision;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Everything the compiler computed about a network: shapes, parameter tensors, counts, receptive
 * fields and workspace memory per layer. The processor builds it, writes {@link #toTable()} to
 * {@code META-INF/lamina/<name>.txt}, and the generated class holds the same structure as a
 * constant.
 *
 * <p>Immutable and thread-safe.
 *
 * @param networkName the declaring class's qualified name
 * @param inputShape shape of one input sample
 * @param loss the training loss
 * @param layers one row per layer, in execution order
 * @param parameterTensors every parameter tensor, in storage order
 * @param workspacePrecision the element type of the generated class whose workspace the layers'
 *     {@link LayerSummary#memory() memory} figures describe
 */
public record NetworkSummary(
    String networkName,
    int[] inputShape,
    Loss loss,
    List<LayerSummary> layers,
    List<ParameterTensor> parameterTensors,
    Precision workspacePrecision) {

  /** Batches the table's memory lines show. */
  private static final int[] TABLE_BATCHES = {1, 32, 256};

  public NetworkSummary {
    inputShape = inputShape.clone();
    layers = List.copyOf(layers);
    parameterTensors = List.copyOf(parameterTensors);
    Objects.requireNonNull(workspacePrecision, "workspacePrecision");
  }

  /** A summary whose layers' memory figures, if any, describe the float class. */
  public NetworkSummary(String networkName, int[] inputShape, Loss loss, List<LayerSummary> layers,
      List<ParameterTensor> parameterTensors) {
    this(networkName, inputShape, loss, layers, parameterTensors, Precision.FLOAT);
  }

  @Override
  public int[] inputShape() {
    return inputShape.clone();
  }

  /** Elements of one input sample. */
  public int inputSize() {
    return product(inputShape);
  }

  /** Shape of one output sample (the last layer's). */
  public int[] outputShape() {
    return layers.get(layers.size() - 1).outputShape();
  }

  /** Elements of one output sample. */
  public int outputSize() {
    return product(outputShape());
  }

  /** The layer row with this name. */
  public LayerSummary layer(String name) {
    for (LayerSummary l : layers) {
      if (l.name().equals(name)) {
        return l;
      }
    }
    throw new IllegalArgumentException("no layer named '" + name + "' in " + networkName);
  }

  /** Total trainable parameters. */
  public long totalParameters() {
    return layers.stream().mapToLong(LayerSummary::parameters).sum();
  }

  /** Total connections per sample (multiply-adds including bias terms). */
  public long totalConnections() {
    return layers.stream().mapToLong(LayerSummary::connections).sum();
  }

  /** Total multiply-adds per sample of one forward pass. */
  public long totalMultiplyAdds() {
    return layers.stream().mapToLong(LayerSummary::multiplyAdds).sum();
  }

  /** Values of the flat parameter array: the trainable parameters and the statistics. */
  public long storedValues() {
    return parameterTensors.stream().mapToLong(ParameterTensor::size).sum();
  }

  /** Bytes of the flat parameter array in a class of this precision (4 or 8 per value). */
  public long parameterBytes(Precision precision) {
    return storedValues() * (precision == Precision.DOUBLE ? Double.BYTES : Float.BYTES);
  }

  /** The workspace memory of every layer, summed. */
  public LayerMemory memory() {
    LayerMemory sum = LayerMemory.NONE;
    for (LayerSummary l : layers) {
      sum = sum.plus(l.memory());
    }
    return sum;
  }

  /**
   * Bytes of the workspace buffers a forward pass uses for {@code batch} samples, in the class of
   * {@link #workspacePrecision()}.
   */
  public long inferenceBytes(int batch) {
    return memory().inferenceBytes(batch);
  }

  /**
   * Bytes of the array elements a workspace for {@code batch} samples allocates (what {@code
   * newWorkspace(batch)} allocates, the input gradient excepted), in the class of
   * {@link #workspacePrecision()}.
   */
  public long trainingBytes(int batch) {
    return memory().trainingBytes(batch);
  }

  /**
   * Whether a training-mode forward pass couples the samples of a batch: true when a layer
   * normalizes over the batch (batch normalization), so that the outputs and gradients of a batch
   * depend on how it is cut into passes. Without such a layer each sample's loss and gradient
   * depend on that sample alone.
   */
  public boolean couplesBatchSamples() {
    return layers.stream().anyMatch(l -> l.kind().equals("BatchNorm"));
  }

  /**
   * A stable identity of the network's structure: its name, layer kinds, descriptions and shapes,
   * and its parameter layout. Checkpoints carry it so that loading into another network fails.
   */
  public String fingerprint() {
    StringBuilder sb = new StringBuilder(networkName).append('|').append(shapeString(inputShape));
    for (LayerSummary l : layers) {
      sb.append('|').append(l.name()).append(':').append(l.kind()).append(':')
          .append(l.description()).append(':').append(shapeString(l.outputShape()));
    }
    for (ParameterTensor t : parameterTensors) {
      sb.append('|').append(t.qualifiedName()).append(shapeString(t.shape())).append('@')
          .append(t.offset());
    }
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }

  /** A short human-readable structure line: {@code LeNet5 1x28x28 -> c1 Conv 6x28x28 -> ...}. */
  public String structure() {
    StringBuilder sb = new StringBuilder(networkName).append(' ').append(shapeString(inputShape));
    for (LayerSummary l : layers) {
      sb.append(" -> ").append(l.name()).append(' ').append(l.kind()).append(' ')
          .append(shapeString(l.outputShape()));
    }
    return sb.toString();
  }

  /**
   * The summary as a fixed-width text table with a totals row; with workspace figures, three more
   * columns (bytes per sample of the forward pass's buffers and of all buffers, and the bytes that
   * do not grow with the batch) and lines of the parameters' and workspaces' memory.
   */
  public String toTable() {
    boolean memory = layers.stream().anyMatch(l -> !l.memory().equals(LayerMemory.NONE));
    List<String[]> rows = new ArrayList<>();
    rows.add(columns(memory, new String[] {
        "layer", "kind", "output", "params", "connections", "mult-adds", "RF", "jump", "start"},
        "fwd B/sample", "train B/sample", "fixed B"));
    rows.add(columns(memory, new String[] {"input", "Input", shapeString(inputShape), "", "", "",
        "1x1", "1x1", "0,0"}, "", "", ""));
    for (LayerSummary l : layers) {
      LayerMemory m = l.memory();
      rows.add(columns(memory, new String[] {
          l.name(),
          l.kind() + (l.description().isEmpty() ? "" : " " + l.description()),
          shapeString(l.outputShape()),
          group(l.parameters()),
          group(l.connections()),
          group(l.multiplyAdds()),
          l.receptiveField()[0] + "x" + l.receptiveField()[1],
          l.jump()[0] + "x" + l.jump()[1],
          num(l.start()[0]) + "," + num(l.start()[1])
      }, group(m.inferenceBytesPerSample()), group(m.trainingBytesPerSample()),
          group(m.trainingFixedBytes())));
    }
    LayerMemory sum = memory();
    rows.add(columns(memory, new String[] {"total", "", "", group(totalParameters()),
        group(totalConnections()), group(totalMultiplyAdds()), "", "", ""},
        group(sum.inferenceBytesPerSample()), group(sum.trainingBytesPerSample()),
        group(sum.trainingFixedBytes())));
    int cols = rows.get(0).length;
    int[] width = new int[cols];
    for (String[] r : rows) {
      for (int c = 0; c < cols; c++) {
        width[c] = Math.max(width[c], r[c].length());
      }
    }
    StringBuilder sb = new StringBuilder();
    sb.append(networkName).append(": input ").append(shapeString(inputShape)).append(", loss ")
        .append(loss).append('\n');
    for (int r = 0; r < rows.size(); r++) {
      String[] row = rows.get(r);
      StringBuilder line = new StringBuilder();
      for (int c = 0; c < cols; c++) {
        boolean numeric = (c >= 3 && c <= 5) || c >= 9;
        String cell = row[c];
        String pad = " ".repeat(width[c] - cell.length());
        line.append(numeric ? pad + cell : cell + pad);
        if (c < cols - 1) {
          line.append("  ");
        }
      }
      sb.append(line.toString().stripTrailing()).append('\n');
      if (r == 0 || r == rows.size() - 2) {
        int total = 0;
        for (int w : width) {
          total += w;
        }
        sb.append("-".repeat(total + 2 * (cols - 1))).append('\n');
      }
    }
    if (memory) {
      memoryLines(sb, sum);
    }
    return sb.toString();
  }

  /** A table row, with the memory columns when there are figures. */
  private static String[] columns(boolean memory, String[] row, String... memoryCells) {
    if (!memory) {
      return row;
    }
    String[] out = Arrays.copyOf(row, row.length + memoryCells.length);
    System.arraycopy(memoryCells, 0, out, row.length, memoryCells.length);
    return out;
  }

  /** The parameters' bytes in both precisions, and the workspace at a few batches. */
  private void memoryLines(StringBuilder sb, LayerMemory total) {
    sb.append(String.format(Locale.ROOT,
        "parameters: %s values, %s bytes as float, %s as double\n",
        group(storedValues()), group(parameterBytes(Precision.FLOAT)),
        group(parameterBytes(Precision.DOUBLE))));
    sb.append(String.format(Locale.ROOT, "workspace (%s), bytes: inference %s + %s per sample,"
            + " training %s + %s per sample\n", workspacePrecision.name().toLowerCase(Locale.ROOT),
        group(total.inferenceFixedBytes()), group(total.inferenceBytesPerSample()),
        group(total.trainingFixedBytes()), group(total.trainingBytesPerSample())));
    StringBuilder line = new StringBuilder("  ");
    for (int b : TABLE_BATCHES) {
      line.append(line.length() > 2 ? "; " : "").append("batch ").append(b).append(": ")
          .append(group(total.inferenceBytes(b))).append(" / ")
          .append(group(total.trainingBytes(b)));
    }
    sb.append(line).append(" (inference / training)").append('\n');
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NetworkSummary s
        && networkName.equals(s.networkName)
        && Arrays.equals(inputShape, s.inputShape)
        && loss == s.loss
        && layers.equals(s.layers)
        && parameterTensors.equals(s.parameterTensors)
        && workspacePrecision == s.workspacePrecision;
  }

  @Override
  public int hashCode() {
    return networkName.hashCode() * 31 + layers.hashCode();
  }

  @Override
  public String toString() {
    return structure();
  }

  /** {@code 16x5x5}. */
  public static String shapeString(int[] shape) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < shape.length; i++) {
      if (i > 0) {
        sb.append('x');
      }
      sb.append(shape[i]);
    }
    return sb.toString();
  }

  private static String group(long v) {
    return String.format(Locale.ROOT, "%,d", v);
  }

  private static String num(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : String.valueOf(v);
  }

  private static int product(int[] shape) {
    int n = 1;
    for (int d : shape) {
      n *= d;
    }
    return n;
  }
}
