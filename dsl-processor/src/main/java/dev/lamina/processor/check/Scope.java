package dev.lamina.processor.check;

import dev.lamina.processor.decl.NetworkDecl;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** The state of checking one network, shared by the rules that check its parts. */
final class Scope {
  final NetworkDecl net;
  final Diagnostics d = new Diagnostics();
  /** The declared class's simple name, as messages name the network. */
  final String cls;
  /** The generated class's simple name. */
  final String gen;
  /** Every layer checked so far (its kind and inputs), by node name. */
  final Map<String, Item> checked = new HashMap<>();
  /** Offset-constant prefix of each layer seen so far, to catch names that would clash. */
  final Map<String, String> constantPrefixes = new HashMap<>();
  /** Each {@code @Apply} member and the node it stands for (its block's output). */
  final Map<String, String> aliases = new LinkedHashMap<>();
  private boolean anyLayerUnplanned;

  Scope(NetworkDecl net) {
    this.net = net;
    this.cls = net.simpleName();
    this.gen = net.generatedName();
  }

  /** Notes that some layer cannot become part of a model (its error has been reported). */
  void unplanned() {
    anyLayerUnplanned = true;
  }

  /** Whether every layer so far can become part of a model. */
  boolean allPlanned() {
    return !anyLayerUnplanned;
  }
}
