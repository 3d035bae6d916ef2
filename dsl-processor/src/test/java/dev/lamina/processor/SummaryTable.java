package dev.lamina.processor;

import java.util.LinkedHashMap;
import java.util.Map;

/** Reads back the summary resource: one row of cells per layer name (and "total"). */
final class SummaryTable {
  /** Column indices. */
  static final int KIND = 1;
  static final int OUTPUT = 2;
  static final int PARAMS = 3;
  static final int CONNECTIONS = 4;
  static final int MULT_ADDS = 5;
  static final int RF = 6;
  static final int JUMP = 7;
  static final int START = 8;

  private final Map<String, String[]> rows = new LinkedHashMap<>();

  SummaryTable(String text) {
    for (String line : text.split("\n")) {
      if (line.startsWith("-") || line.isBlank()) {
        continue;
      }
      String[] cells = line.trim().split("\\s{2,}");
      rows.putIfAbsent(cells[0], cells);
    }
  }

  String cell(String layer, int column) {
    String[] row = rows.get(layer);
    if (row == null) {
      throw new AssertionError("no row " + layer + " in " + rows.keySet());
    }
    return row[column];
  }

  /** The totals row: params, connections, mult-adds. */
  String total(int column) {
    return rows.get("total")[column - 2];
  }
}
