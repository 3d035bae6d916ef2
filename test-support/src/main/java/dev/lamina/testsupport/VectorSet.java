package dev.lamina.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The outside reference vectors this module ships as resources under {@code conformance/}, one
 * JSON file per case and a README that says what is in the set, how it was made and the file
 * format:
 *
 * <ul>
 *   <li>{@link #TORCH}: PyTorch forward and backward vectors of single layers, losses and whole
 *       networks, in float64;
 *   <li>{@link #TORCH_SEQ_GEN}: the same format for transposed convolution, local response
 *       normalization, binary cross-entropy on logits and recurrent layers;
 *   <li>{@link #ONNX_NODE}: ONNX backend node tests (ONNX v1.22.0, Apache-2.0, see its {@code
 *       NOTICE}), converted to JSON.
 * </ul>
 *
 * <p>The resources are read from the class path, from a folder or from this module's jar alike.
 * A set that is not there is an {@link IllegalStateException}, never an empty list: a test that
 * reads a set cannot pass without its vectors. Thread-safe.
 */
public enum VectorSet {
  TORCH("torch"),
  TORCH_SEQ_GEN("torch-seq-gen"),
  ONNX_NODE("onnx-node");

  private static final String ROOT = "conformance/";

  private final String folder;

  VectorSet(String folder) {
    this.folder = folder;
  }

  /** The folder name, for example {@code torch-seq-gen}. */
  public String folder() {
    return folder;
  }

  /** The case names (the file names without {@code .json}), sorted. */
  public List<String> cases() {
    try (Stream<Path> files = Files.list(directory())) {
      List<String> names = files.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".json"))
          .map(n -> n.substring(0, n.length() - ".json".length()))
          .sorted().toList();
      if (names.isEmpty()) {
        throw new IllegalStateException(ROOT + folder + " holds no .json case");
      }
      return names;
    } catch (IOException e) {
      throw new UncheckedIOException(ROOT + folder + ": " + e.getMessage(), e);
    }
  }

  /** The name errors give a case's file: {@code conformance/torch/conv_3x3_pad1.json}. */
  public String source(String caseName) {
    return ROOT + folder + "/" + caseName + ".json";
  }

  /**
   * A case parsed ({@link Json}): the top-level object of its file. An unknown case, or a file
   * that is not a JSON object, is an error naming the file.
   */
  @SuppressWarnings("unchecked")
  public Map<String, Object> read(String caseName) {
    Object v = Json.parse(text(caseName + ".json"), source(caseName));
    if (!(v instanceof Map<?, ?>)) {
      throw new JsonException(source(caseName), "the document",
          "expected an object, found " + Tensor.describe(v));
    }
    return (Map<String, Object>) v;
  }

  /** A case's file as text, for readers of their own (an unknown case is an error naming it). */
  public String json(String caseName) {
    return text(caseName + ".json");
  }

  /** The set's README.md. */
  public String readme() {
    return text("README.md");
  }

  private String text(String file) {
    Path p = directory().resolve(file);
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(ROOT + folder + "/" + file + " does not exist", e);
    } catch (IOException e) {
      throw new UncheckedIOException(ROOT + folder + "/" + file + ": " + e.getMessage(), e);
    }
  }

  /** The set's folder on the class path; a jar is opened as a file system once. */
  private Path directory() {
    String readme = ROOT + folder + "/README.md";
    URL url = VectorSet.class.getClassLoader().getResource(readme);
    if (url == null) {
      throw new IllegalStateException(readme + " is not on the class path: the vectors are"
          + " resources of lamina-test-support, which the reading module must depend on");
    }
    try {
      URI uri = url.toURI();
      if ("jar".equals(uri.getScheme())) {
        synchronized (VectorSet.class) {
          try {
            FileSystems.getFileSystem(uri);
          } catch (FileSystemNotFoundException e) {
            FileSystems.newFileSystem(uri, Map.of());
          }
        }
      }
      return Path.of(uri).getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(url + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(url + ": " + e.getMessage(), e);
    }
  }
}
