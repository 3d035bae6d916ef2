package dev.lamina.onnx.imports;

import dev.lamina.processor.model.GeneratedNames;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import javax.lang.model.SourceVersion;

/**
 * Layer names for the generated source. A name from the file reaches the source only as a
 * validated ASCII Java identifier; anything else in the file (node and tensor names in comments
 * and messages) goes through {@link #printable}, which keeps a small set of harmless characters.
 *
 * <p>Not thread-safe: one instance names the layers of one network.
 */
final class Names {
  /**
   * Members of every generated network class, which a layer may not be named after (the
   * processor's own list), and {@code input}, the network input's name in {@code from}.
   */
  private static final Set<String> RESERVED = reserved();
  private static final int MAX_LENGTH = 48;

  /** Upper-snake keys of the names given so far: two names with one key would clash. */
  private final Set<String> keys = new HashSet<>();
  /** The next suffix to try per base name, so that many equal names take linear time. */
  private final java.util.Map<String, Integer> next = new java.util.HashMap<>();

  private static Set<String> reserved() {
    Set<String> names = new HashSet<>(GeneratedNames.RESERVED_MEMBER_NAMES);
    names.add("input");
    return Set.copyOf(names);
  }

  /** Whether {@code s} is an ASCII Java identifier (not a keyword), at most 48 characters. */
  static boolean isIdentifier(String s) {
    if (s.isEmpty() || s.length() > MAX_LENGTH || !SourceVersion.isName(s)
        || s.contains(".") || s.equals("_")) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'
          || (i > 0 && c >= '0' && c <= '9');
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /**
   * A unique layer name for an ONNX node: its name when that is a valid identifier, else one
   * derived from PyTorch's scope path ({@code /b1/conv1/Conv} gives {@code b1_conv1},
   * {@code /net/net.2/Gemm} gives {@code net_2}, {@code /MaxPool_1} gives {@code maxPool_1}),
   * else from the operator.
   */
  String layerName(String nodeName, String opType) {
    String base = isIdentifier(nodeName) ? nodeName : derive(nodeName, opType);
    if (RESERVED.contains(base)) {
      base = base + "Layer";
    }
    String name = base;
    int i = next.getOrDefault(base, 2);
    while (!keys.add(key(name))) {
      name = base + "_" + i++;
    }
    next.put(base, i);
    return name;
  }

  static String derive(String nodeName, String opType) {
    String[] parts = nodeName.split("/");
    java.util.List<String> segments = new java.util.ArrayList<>();
    for (String p : parts) {
      if (!p.isEmpty()) {
        segments.add(p);
      }
    }
    if (segments.size() > 1 && segments.get(segments.size() - 1).matches(
        java.util.regex.Pattern.quote(opType) + "(_[0-9]+)?")) {
      segments.remove(segments.size() - 1);
    }
    for (int i = segments.size() - 1; i > 0; i--) {
      if (segments.get(i).startsWith(segments.get(i - 1) + ".")) {
        segments.remove(i - 1);
      }
    }
    StringBuilder sb = new StringBuilder();
    for (String s : segments) {
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (ok) {
          sb.append(c);
        } else if (sb.length() > 0 && sb.charAt(sb.length() - 1) != '_') {
          sb.append('_');
        }
      }
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != '_') {
        sb.append('_');
      }
    }
    while (sb.length() > 0 && sb.charAt(sb.length() - 1) == '_') {
      sb.setLength(sb.length() - 1);
    }
    String op = lowerFirst(identifierPart(opType));
    if (sb.length() == 0) {
      sb.append(op.isEmpty() ? "layer" : op);
    } else if (Character.isDigit(sb.charAt(0))) {
      sb.insert(0, (op.isEmpty() ? "layer" : op) + "_");
    }
    String s = lowerFirst(sb.toString());
    if (s.length() > MAX_LENGTH) {
      s = s.substring(0, MAX_LENGTH);
    }
    return SourceVersion.isKeyword(s) || !isIdentifier(s) ? s + "_" : s;
  }

  private static String identifierPart(String s) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length() && sb.length() < 24; i++) {
      char c = s.charAt(i);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  private static String lowerFirst(String s) {
    return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
  }

  /** The prefix of a layer's constants in the generated class: maxPool1 gives MAX_POOL1. */
  static String key(String name) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < name.length(); i++) {
      char ch = name.charAt(i);
      if (Character.isUpperCase(ch) && i > 0 && (Character.isLowerCase(name.charAt(i - 1))
          || Character.isDigit(name.charAt(i - 1)))) {
        sb.append('_');
      }
      sb.append(Character.toUpperCase(ch));
    }
    return sb.toString().toUpperCase(Locale.ROOT);
  }

  /**
   * {@code s} with every character outside letters, digits, space and {@code _ . / : - + ( ) [ ]
   * , = #} replaced by {@code ?}, at most 80 characters: safe in a comment of the generated source
   * (no line break, no {@code *}, no backslash for a unicode escape) and in a one-line message.
   */
  static String printable(String s) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length() && i < 80; i++) {
      char c = s.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || " _./:-+()[],=#".indexOf(c) >= 0;
      sb.append(ok ? c : '?');
    }
    if (s.length() > 80) {
      sb.append("...");
    }
    return sb.toString();
  }
}
