package dev.lamina.samples;

import dev.lamina.runtime.FloatNetwork;
import dev.lamina.runtime.NetworkSummary;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongFunction;

/** The networks the app knows, by name (case-insensitive). */
public final class Models {
  /**
   * A known network.
   *
   * @param name the declaring class's simple name, as users type it
   * @param summary the compile-time summary of its generated class
   * @param factory a new instance, initialized from a seed
   */
  public record Entry(String name, NetworkSummary summary, LongFunction<FloatNetwork> factory) {
    /** A new network initialized from {@code seed}. */
    public FloatNetwork create(long seed) {
      return factory.apply(seed);
    }
  }

  private static final Map<String, Entry> BY_KEY = new LinkedHashMap<>();

  static {
    add(new Entry("LeNet5", Lamina_LeNet5.SUMMARY, Lamina_LeNet5::new));
    add(new Entry("LeNet5Classic", Lamina_LeNet5Classic.SUMMARY, Lamina_LeNet5Classic::new));
    add(new Entry("Mlp", Lamina_Mlp.SUMMARY, Lamina_Mlp::new));
  }

  private Models() {}

  private static void add(Entry e) {
    BY_KEY.put(e.name().toLowerCase(Locale.ROOT), e);
  }

  /** The model with this name, ignoring case; an unknown name is an {@link AppException}. */
  public static Entry get(String name) {
    Entry e = BY_KEY.get(name.toLowerCase(Locale.ROOT));
    if (e == null) {
      throw new AppException("unknown model '" + name + "'; valid models: " + names());
    }
    return e;
  }

  /** The model whose generated summary has this fingerprint, or {@code null}. */
  public static Entry byFingerprint(String fingerprint) {
    for (Entry e : BY_KEY.values()) {
      if (e.summary().fingerprint().equals(fingerprint)) {
        return e;
      }
    }
    return null;
  }

  /** The valid names, comma-separated. */
  public static String names() {
    return String.join(", ", BY_KEY.values().stream().map(Entry::name).toList());
  }

  /** The entries, in registration order. */
  public static Iterable<Entry> all() {
    return BY_KEY.values();
  }
}
