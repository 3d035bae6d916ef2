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

  void add(Message message, Site site, Object... args) {
    if (message.severity() == Message.Severity.WARNING && site != null
        && site.suppresses(message.id())) {
      return;
    }
    if (message.severity() == Message.Severity.ERROR) {
      errors++;
    }
    list.add(message.at(site, args));
  }

  int errorCount() {
    return errors;
  }

  List<Diagnostic> toList() {
    return List.copyOf(list);
  }
}
