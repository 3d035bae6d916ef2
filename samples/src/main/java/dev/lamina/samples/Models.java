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
    add(new Entry("RowLstm", Lamina_RowLstm.SUMMARY, Lamina_RowLstm::new));
    add(new Entry("RowGru", Lamina_RowGru.SUMMARY, Lamina_RowGru::new));
    add(new Entry("SmallResNet", dev.lamina.samples.zoo.Lamina_SmallResNet.SUMMARY,
        dev.lamina.samples.zoo.Lamina_SmallResNet::new));
    add(new Entry("SmallInception", dev.lamina.samples.zoo.Lamina_SmallInception.SUMMARY,
        dev.lamina.samples.zoo.Lamina_SmallInception::new));
    add(new Entry("CompactCnn", dev.lamina.samples.zoo.Lamina_CompactCnn.SUMMARY,
        dev.lamina.samples.zoo.Lamina_CompactCnn::new));
  }

  private Models() {}

  private static void add(Entry e) {
    BY_KEY.put(e.name().toLowerCase(Locale.ROOT), e);
  }

  /**
   * The model with this name, ignoring case, or any generated network on the class path by the
   * qualified name of its declaring class (for example {@code dev.lamina.example.Garments}, whose
   * generated class is {@code dev.lamina.example.Lamina_Garments}). An unknown name is an {@link
   * AppException}.
   */
  public static Entry get(String name) {
    Entry e = BY_KEY.get(name.toLowerCase(Locale.ROOT));
    if (e == null && name.contains(".")) {
      e = onClassPath(name);
    }
    if (e == null) {
      throw new AppException("unknown model '" + name + "'; valid models: " + names()
          + " (or the qualified name of a @Network class on the class path)");
    }
    return e;
  }

  /** A generated network found by its declaring class's qualified name, or {@code null}. */
  private static Entry onClassPath(String qualifiedName) {
    int dot = qualifiedName.lastIndexOf('.');
    String generated = qualifiedName.substring(0, dot + 1) + "Lamina_"
        + qualifiedName.substring(dot + 1).replace('$', '_');
    try {
      Class<?> c = Class.forName(generated, true, Models.class.getClassLoader());
      if (!FloatNetwork.class.isAssignableFrom(c)) {
        return null;
      }
      var ctor = c.getConstructor(long.class);
      NetworkSummary summary = (NetworkSummary) c.getField("SUMMARY").get(null);
      return new Entry(qualifiedName, summary, seed -> {
        try {
          return (FloatNetwork) ctor.newInstance(seed);
        } catch (ReflectiveOperationException ex) {
          throw new IllegalStateException("cannot create " + generated + ": " + ex, ex);
        }
      });
    } catch (ReflectiveOperationException | ClassCastException | LinkageError ex) {
      return null;
    }
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
