package dev.lamina.runtime.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeSet;

/**
 * Labelled samples from a CSV file: one row per sample, one column the label, every other column a
 * numeric feature (samples get shape {@code {features}}).
 *
 * <p>Fields are separated by commas (or the {@link Builder#delimiter delimiter} given) and may be
 * quoted with {@code "} (a doubled quote inside stands for one); blank lines are skipped. The
 * first row is a header when {@link Builder#header} says so, or, by default, when one of its
 * feature fields is not a number. Labels that are all non-negative integers are the classes
 * themselves (classes {@code 0..max}); otherwise the distinct labels in sorted order are the
 * classes ({@code "setosa"} → 0, {@code "versicolor"} → 1, ...).
 *
 * <p>A malformed row (another number of fields than the first row, a feature that is not a finite
 * number, an empty label) is a {@link DatasetFormatException} naming the file, the line and the
 * column.
 */
public final class CsvData {
  /**
   * What a file held.
   *
   * @param dataset the samples in file order
   * @param classes the class names, index = label
   * @param features the feature columns' names (from the header, else {@code column <i>})
   */
  public record Loaded(Dataset dataset, List<String> classes, List<String> features) {}

  private CsvData() {}

  /** A loader for {@code file}. */
  public static Builder at(Path file) {
    return new Builder(file);
  }

  /** Settings of a load. Not thread-safe. */
  public static final class Builder {
    private final Path file;
    private String labelName;
    private int labelIndex = -1;
    private Boolean header;
    private char delimiter = ',';

    private Builder(Path file) {
      this.file = file;
    }

    /** The label column by its header name (the file needs a header). */
    public Builder label(String column) {
      this.labelName = column;
      this.labelIndex = -1;
      return this;
    }

    /** The label column by its 0-based index (default: the last column). */
    public Builder label(int column) {
      if (column < 0) {
        throw new IllegalArgumentException("column index must be >= 0, got " + column);
      }
      this.labelIndex = column;
      this.labelName = null;
      return this;
    }

    /** Whether the first row is a header (default: detected, see the class documentation). */
    public Builder header(boolean header) {
      this.header = header;
      return this;
    }

    /** The field separator (default {@code ','}). */
    public Builder delimiter(char delimiter) {
      if (delimiter == '"' || delimiter == '\n' || delimiter == '\r') {
        throw new IllegalArgumentException("cannot separate fields with " + delimiter);
      }
      this.delimiter = delimiter;
      return this;
    }

    /**
     * Reads the file.
     *
     * @throws DatasetFormatException naming the file and line: no rows, an unknown label column,
     *     a malformed row
     */
    public Loaded load() throws IOException {
      List<String[]> rows = new ArrayList<>();
      List<Integer> lineNumbers = new ArrayList<>();
      try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        int line = 0;
        for (String s; (s = in.readLine()) != null; ) {
          line++;
          if (!s.isBlank()) {
            rows.add(split(s, line));
            lineNumbers.add(line);
          }
        }
      }
      if (rows.isEmpty()) {
        throw new DatasetFormatException(file, -1, "no rows");
      }
      String[] first = rows.get(0);
      int columns = first.length;
      if (columns < 2) {
        throw new DatasetFormatException(file, -1, "line " + lineNumbers.get(0) + ": expected at"
            + " least 2 fields (features and a label), found " + columns);
      }
      boolean hasHeader = header != null ? header : looksLikeHeader(first);
      int label = labelColumn(hasHeader ? first : null, columns, lineNumbers.get(0));
      List<String> featureNames = new ArrayList<>();
      for (int c = 0; c < columns; c++) {
        if (c != label) {
          featureNames.add(hasHeader ? first[c] : "column " + c);
        }
      }
      int start = hasHeader ? 1 : 0;
      int n = rows.size() - start;
      if (n == 0) {
        throw new DatasetFormatException(file, -1, "a header and no rows");
      }
      int d = columns - 1;
      float[] features = new float[Math.multiplyExact(n, d)];
      String[] labelText = new String[n];
      for (int r = 0; r < n; r++) {
        String[] row = rows.get(start + r);
        int line = lineNumbers.get(start + r);
        if (row.length != columns) {
          throw new DatasetFormatException(file, -1, "line " + line + ": expected " + columns
              + " fields, found " + row.length);
        }
        int k = 0;
        for (int c = 0; c < columns; c++) {
          if (c == label) {
            labelText[r] = row[c].strip();
            if (labelText[r].isEmpty()) {
              throw new DatasetFormatException(file, -1, "line " + line + ", column " + (c + 1)
                  + " (" + columnName(first, hasHeader, c) + "): empty label");
            }
          } else {
            features[r * d + k++] = number(row[c], line, c, columnName(first, hasHeader, c));
          }
        }
      }
      List<String> classes = new ArrayList<>();
      int[] labels = classify(labelText, classes);
      return new Loaded(new Dataset(features, labels, new int[] {d}, classes.size()),
          List.copyOf(classes), List.copyOf(featureNames));
    }

    private int labelColumn(String[] headerRow, int columns, int line)
        throws DatasetFormatException {
      if (labelName != null) {
        if (headerRow == null) {
          throw new DatasetFormatException(file, -1, "the label column is named '" + labelName
              + "' but the file has no header row");
        }
        for (int c = 0; c < columns; c++) {
          if (headerRow[c].strip().equals(labelName)) {
            return c;
          }
        }
        throw new DatasetFormatException(file, -1, "line " + line + ": no column named '"
            + labelName + "' in the header (columns: " + String.join(", ", headerRow) + ")");
      }
      int c = labelIndex >= 0 ? labelIndex : columns - 1;
      if (c >= columns) {
        throw new DatasetFormatException(file, -1, "line " + line + ": label column " + c
            + " does not exist; the rows have " + columns + " fields (columns 0.." + (columns - 1)
            + ")");
      }
      return c;
    }

    /**
     * Whether the first row is a header: always with a named label column, else when a field
     * other than the label is not a number (the label field alone decides nothing).
     */
    private boolean looksLikeHeader(String[] row) {
      if (labelName != null) {
        return true;
      }
      int label = labelIndex >= 0 ? labelIndex : row.length - 1;
      for (int c = 0; c < row.length; c++) {
        if (c != label && !isNumber(row[c])) {
          return true;
        }
      }
      return false;
    }

    private float number(String field, int line, int column, String name)
        throws DatasetFormatException {
      String s = field.strip();
      double v;
      try {
        v = Double.parseDouble(s);
      } catch (NumberFormatException e) {
        v = Double.NaN;
      }
      if (!Double.isFinite(v) || Float.isInfinite((float) v)) {
        throw new DatasetFormatException(file, -1, "line " + line + ", column " + (column + 1)
            + " (" + name + "): expected a finite number, found \"" + s + "\"");
      }
      return (float) v;
    }

    /** Splits a line into fields, honouring quotes. */
    private String[] split(String line, int lineNumber) throws DatasetFormatException {
      List<String> fields = new ArrayList<>();
      StringBuilder field = new StringBuilder();
      boolean quoted = false;
      for (int i = 0; i < line.length(); i++) {
        char ch = line.charAt(i);
        if (quoted) {
          if (ch == '"') {
            if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
              field.append('"');
              i++;
            } else {
              quoted = false;
            }
          } else {
            field.append(ch);
          }
        } else if (ch == '"') {
          quoted = true;
        } else if (ch == delimiter) {
          fields.add(field.toString());
          field.setLength(0);
        } else {
          field.append(ch);
        }
      }
      if (quoted) {
        throw new DatasetFormatException(file, -1, "line " + lineNumber + ": a quote opened and"
            + " not closed");
      }
      fields.add(field.toString());
      return fields.toArray(new String[0]);
    }
  }

  private static String columnName(String[] first, boolean header, int c) {
    return header ? first[c].strip() : "column " + c;
  }

  private static boolean isNumber(String field) {
    try {
      return Double.isFinite(Double.parseDouble(field.strip()));
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** Class indices for the label texts; fills {@code classes} with their names. */
  private static int[] classify(String[] text, List<String> classes) {
    int[] labels = new int[text.length];
    boolean integers = true;
    int max = -1;
    for (int i = 0; i < text.length && integers; i++) {
      try {
        labels[i] = Integer.parseInt(text[i]);
        integers = labels[i] >= 0;
        max = Math.max(max, labels[i]);
      } catch (NumberFormatException e) {
        integers = false;
      }
    }
    if (integers) {
      for (int k = 0; k <= max; k++) {
        classes.add(Integer.toString(k));
      }
      return labels;
    }
    classes.addAll(new TreeSet<>(List.of(text)));
    for (int i = 0; i < text.length; i++) {
      labels[i] = Collections.binarySearch(classes, text[i]);
    }
    return labels;
  }
}
