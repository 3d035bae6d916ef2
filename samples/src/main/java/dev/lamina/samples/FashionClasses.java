package dev.lamina.samples;

import dev.lamina.runtime.data.FashionMnist;
import java.util.List;

/** The ten Fashion-MNIST classes, by label. */
public final class FashionClasses {
  private FashionClasses() {}

  public static final List<String> NAMES = FashionMnist.CLASS_NAMES;

  /** The name of a label, or {@code class N} outside 0..9. */
  public static String name(int label) {
    return label >= 0 && label < NAMES.size() ? NAMES.get(label) : "class " + label;
  }
}
