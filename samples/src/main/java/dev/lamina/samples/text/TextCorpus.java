package dev.lamina.samples.text;

import dev.lamina.samples.AppException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Text in fortune-file format (entries separated by lines holding only {@code %}, as in Debian's
 * {@code fortunes} package under {@code /usr/share/games/fortunes}), split by entry into training
 * and held-out text and encoded over {@link Alphabet}. Every {@value #HELD_OUT_EVERY}th entry is
 * held out. Each entry is kept followed by the {@code %} line, so a model learns where an entry
 * ends. Tabs become spaces, carriage returns and backspace overstrikes are dropped; a file in
 * which more than 5% of the characters are outside the alphabet is refused as not text.
 *
 * @param source what was read, for messages
 * @param train the training text, as symbol indexes
 * @param heldOut the held-out text, as symbol indexes
 * @param entries entries read
 */
public record TextCorpus(String source, byte[] train, byte[] heldOut, int entries) {
  /** One entry in this many is held out. */
  public static final int HELD_OUT_EVERY = 10;
  /** Largest file read, in bytes. */
  static final long MAX_FILE_BYTES = 64L << 20;

  /**
   * Reads {@code path}: one fortune file, or every regular file of a folder whose name has no
   * extension (the fortune files beside their {@code .dat} indexes), in name order.
   */
  public static TextCorpus read(Path path) throws IOException {
    List<Path> files = new ArrayList<>();
    if (Files.isDirectory(path)) {
      try (Stream<Path> s = Files.list(path)) {
        s.filter(p -> Files.isRegularFile(p) && !Files.isSymbolicLink(p)
                && !p.getFileName().toString().contains("."))
            .sorted().forEach(files::add);
      }
      if (files.isEmpty()) {
        throw new AppException(path + " holds no fortune files (files without an extension,"
            + " entries separated by lines of %)");
      }
    } else if (Files.isRegularFile(path)) {
      files.add(path);
    } else {
      throw new AppException("text corpus not found: " + path);
    }
    StringBuilder train = new StringBuilder();
    StringBuilder heldOut = new StringBuilder();
    int entries = 0;
    for (Path f : files) {
      for (String entry : entries(f)) {
        StringBuilder to = entries % HELD_OUT_EVERY == HELD_OUT_EVERY - 1 ? heldOut : train;
        to.append(entry).append("%\n");
        entries++;
      }
    }
    String name = files.size() == 1 ? files.get(0).toString()
        : path + " (" + files.size() + " files)";
    TextCorpus c = new TextCorpus(name, encode(train), encode(heldOut), entries);
    if (c.train.length < 2 * CharLstm.STEPS || c.heldOut.length < CharLstm.STEPS + 1) {
      throw new AppException(name + " has " + entries + " entries, " + c.train.length
          + " training and " + c.heldOut.length + " held-out characters; at least "
          + 2 * CharLstm.STEPS + " and " + (CharLstm.STEPS + 1) + " are needed (one entry in "
          + HELD_OUT_EVERY + " is held out)");
    }
    return c;
  }

  /** The entries of one fortune file, normalized: each ends with a line feed. */
  static List<String> entries(Path file) throws IOException {
    long size = Files.size(file);
    if (size > MAX_FILE_BYTES) {
      throw new AppException(file + " has " + size + " bytes; text files of at most "
          + MAX_FILE_BYTES + " bytes are read");
    }
    String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    StringBuilder clean = new StringBuilder(text.length());
    long foreign = 0;
    for (int i = 0; i < text.length(); i++) {
      char ch = text.charAt(i);
      if (ch == '\t') {
        clean.append(' ');
      } else if (ch == '\b') {
        // An overstrike "x\b_" or "_\bx" shows one character: keep the one after the backspace.
        if (clean.length() > 0) {
          clean.setLength(clean.length() - 1);
        }
      } else if (ch == '\r') {
        continue;
      } else if (Alphabet.index(ch) >= 0) {
        clean.append(ch);
      } else {
        foreign++;
      }
    }
    if (foreign > 0.05 * Math.max(1, text.length())) {
      throw new AppException(String.format(Locale.ROOT, "%s: %,d of %,d characters (%.0f%%) are"
          + " not printable ASCII; expected plain text such as a fortune file", file, foreign,
          text.length(), 100.0 * foreign / text.length()));
    }
    List<String> entries = new ArrayList<>();
    StringBuilder entry = new StringBuilder();
    for (String line : clean.toString().split("\n", -1)) {
      if (line.equals("%")) {
        addEntry(entries, entry);
      } else {
        entry.append(line).append('\n');
      }
    }
    addEntry(entries, entry);
    return entries;
  }

  private static void addEntry(List<String> entries, StringBuilder entry) {
    if (!entry.toString().isBlank()) {
      entries.add(entry.toString().strip() + "\n");
    }
    entry.setLength(0);
  }

  /** {@code text} as symbol indexes; every character must be in the alphabet. */
  public static byte[] encode(CharSequence text) {
    byte[] b = new byte[text.length()];
    for (int i = 0; i < b.length; i++) {
      int k = Alphabet.index(text.charAt(i));
      if (k < 0) {
        throw new IllegalArgumentException("character U+" + String.format("%04X",
            (int) text.charAt(i)) + " at " + i + " is not in the alphabet");
      }
      b[i] = (byte) k;
    }
    return b;
  }

  /**
   * The unigram baseline: the cross-entropy, in nats per character, of the held-out text under
   * the training text's character frequencies (add-one smoothed over the alphabet, so a character
   * unseen in training costs a finite amount).
   */
  public double unigramNats() {
    double[] count = new double[Alphabet.SIZE];
    java.util.Arrays.fill(count, 1);
    for (byte b : train) {
      count[b]++;
    }
    double total = train.length + Alphabet.SIZE;
    double nats = 0;
    for (byte b : heldOut) {
      nats -= Math.log(count[b] / total);
    }
    return nats / heldOut.length;
  }
}
