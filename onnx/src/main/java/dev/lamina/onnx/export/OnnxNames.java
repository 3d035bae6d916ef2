package dev.lamina.onnx.export;

/**
 * Names of exported values, nodes and initializers, made from layer names. Layer names are Java
 * identifiers (with {@code .} between a block use and its member), which may hold {@code $} and
 * letters outside ASCII; exported names keep ASCII letters, digits, {@code _} and {@code .} and
 * write any other character as {@code _uXXXX_} (its UTF-16 code units in hex), so that every
 * exported name is a plain identifier-like string that tools print and parse safely.
 */
final class OnnxNames {
  private OnnxNames() {}

  /** {@code name} with every character outside {@code [A-Za-z0-9_.]} escaped. */
  static String of(String name) {
    if (name.isEmpty()) {
      throw new IllegalArgumentException("empty layer name");
    }
    StringBuilder sb = new StringBuilder(name.length());
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '_' || c == '.';
      if (plain) {
        sb.append(c);
      } else {
        sb.append(String.format("_u%04X_", (int) c));
      }
    }
    if (Character.isDigit(sb.charAt(0)) || sb.charAt(0) == '.') {
      sb.insert(0, '_');
    }
    return sb.toString();
  }
}
