package dev.lamina.onnx.imports;

import dev.lamina.runtime.FloatNetwork;
import dev.lamina.runtime.io.Checkpoints;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The result of an import: the annotated source and the network compiled from it in memory,
 * holding the model's weights.
 *
 * <p>Not thread-safe: the network's parameters are live.
 */
public final class ImportedNetwork {
  private final String qualifiedName;
  private final String source;
  private final FloatNetwork network;
  private final List<String> warnings;

  ImportedNetwork(String qualifiedName, String source, FloatNetwork network,
      List<String> warnings) {
    this.qualifiedName = qualifiedName;
    this.source = source;
    this.network = network;
    this.warnings = List.copyOf(warnings);
  }

  /** The declared class's qualified name, for example {@code com.acme.Classifier}. */
  public String qualifiedName() {
    return qualifiedName;
  }

  /** The annotated {@code @Network} class. */
  public String source() {
    return source;
  }

  /**
   * The network generated from {@link #source()}, with the model's weights: an instance of
   * {@code Lamina_<Name>} from a class loader of its own. The class the user's build generates
   * from the same source has the same layout, so {@link #writeCheckpoint} files load into it.
   */
  public FloatNetwork network() {
    return network;
  }

  /** Warnings of Lamina's compile-time checks on the source (for example unread input rows). */
  public List<String> warnings() {
    return warnings;
  }

  /**
   * Writes the source under {@code sourceRoot} in its package's folders (created as needed),
   * replacing an existing file, and returns its path.
   */
  public Path writeSource(Path sourceRoot) throws IOException {
    int dot = qualifiedName.lastIndexOf('.');
    Path dir = dot < 0 ? sourceRoot
        : sourceRoot.resolve(qualifiedName.substring(0, dot).replace('.', '/'));
    Files.createDirectories(dir);
    Path file = dir.resolve(qualifiedName.substring(dot + 1) + ".java");
    Files.writeString(file, source, StandardCharsets.UTF_8);
    return file;
  }

  /** Saves the weights as a Lamina checkpoint (atomically; see {@link Checkpoints}). */
  public void writeCheckpoint(Path file) throws IOException {
    Checkpoints.save(network, file);
  }
}
