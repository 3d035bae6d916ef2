package dev.lamina.samples;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** The model names, for picocli's help texts and completion. */
final class ModelNames implements Iterable<String> {
  @Override
  public Iterator<String> iterator() {
    List<String> names = new ArrayList<>();
    Models.all().forEach(e -> names.add(e.name()));
    return names.iterator();
  }
}
