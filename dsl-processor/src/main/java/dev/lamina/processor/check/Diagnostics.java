package dev.lamina.processor.check;

import dev.lamina.processor.diag.Diagnostic;
import dev.lamina.processor.diag.Message;
import dev.lamina.processor.diag.Site;
import java.util.ArrayList;
import java.util.List;

/** Collects the diagnostics of one network, dropping warnings suppressed at their site. */
final class Diagnostics {
  private final List<Diagnostic> list = new ArrayList<>();
  private int errors;
  private String context = "";

  /**
   * Text put before every following message (after a warning's id), such as {@code "in res3a
   * (Basic with args {128, 2}): "}; empty for none.
   */
  void context(String context) {
    this.context = context;
  }

  void add(Message message, Site site, Object... args) {
    if (message.severity() == Message.Severity.WARNING && site != null
        && site.suppresses(message.id())) {
      return;
    }
    if (message.severity() == Message.Severity.ERROR) {
      errors++;
    }
    Diagnostic d = message.at(site, args);
    if (!context.isEmpty()) {
      String text = d.text();
      int at = text.startsWith("[lamina:") ? text.indexOf("] ") + 2 : 0;
      d = new Diagnostic(message, site, text.substring(0, at) + context + text.substring(at));
    }
    list.add(d);
  }

  int errorCount() {
    return errors;
  }

  List<Diagnostic> toList() {
    return List.copyOf(list);
  }
}
