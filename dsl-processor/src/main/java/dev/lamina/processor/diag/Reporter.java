package dev.lamina.processor.diag;

import javax.annotation.processing.Messager;
import javax.tools.Diagnostic.Kind;

/**
 * The processor's only way to speak to the user: prints diagnostics through the {@link Messager},
 * counts errors and warnings, and never throws.
 */
public final class Reporter {
  private final Messager messager;
  private int errors;
  private int warnings;

  public Reporter(Messager messager) {
    this.messager = messager;
  }

  /** Prints one diagnostic at its site. Suppression has already been applied by the checker. */
  public void report(Diagnostic d) {
    Kind kind = d.isError() ? Kind.ERROR : Kind.WARNING;
    if (d.isError()) {
      errors++;
    } else {
      warnings++;
    }
    print(kind, d.text(), d.site());
  }

  /** Formats a catalogue entry and prints it at a site. */
  public void report(Message message, Site site, Object... args) {
    report(message.at(site, args));
  }

  public void reportAll(Iterable<Diagnostic> diagnostics) {
    for (Diagnostic d : diagnostics) {
      report(d);
    }
  }

  public int errorCount() {
    return errors;
  }

  public int warningCount() {
    return warnings;
  }

  private void print(Kind kind, String text, Site site) {
    try {
      if (site instanceof ElementSite s && s.element() != null) {
        if (s.mirror() != null && s.value() != null) {
          messager.printMessage(kind, text, s.element(), s.mirror(), s.value());
        } else if (s.mirror() != null) {
          messager.printMessage(kind, text, s.element(), s.mirror());
        } else {
          messager.printMessage(kind, text, s.element());
        }
      } else {
        messager.printMessage(kind, text);
      }
    } catch (RuntimeException e) {
      // A site javac cannot map back to source must not lose the message.
      messager.printMessage(kind, text);
    }
  }
}
