package dev.lamina.samples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code train --resume} needs beside the checkpoint (which holds the parameters, the
 * optimizer's state, the epochs and steps done): the run's settings, to refuse a resume with other
 * ones; where early stopping stands; the epochs' figures for the chart. A text file of {@code
 * key=value} lines beside the checkpoint ({@code lenet5.ckpt} has {@code lenet5.run}), rewritten
 * after every epoch under a temporary name and renamed. Doubles are written in hexadecimal, so
 * they come back to the bit.
 *
 * @param settings the options that fix the run, by option name, in the order given
 * @param epochsDone epochs trained
 * @param finished whether the run is over (every epoch trained, or stopped early)
 * @param bestEpoch with early stopping: the epoch of the lowest validation loss so far, else 0
 * @param bestLoss that loss (infinite while there is none)
 * @param sinceBest epochs since then
 * @param points each epoch's figures, for the chart
 */
record RunFile(Map<String, String> settings, int epochsDone, boolean finished, int bestEpoch,
    double bestLoss, int sinceBest, List<Charts.EpochPoint> points) {

  /** The run file of {@code checkpoint}: its name with the extension {@code .run}. */
  static Path of(Path checkpoint) {
    return TrainCommand.sibling(checkpoint, ".run");
  }

  /** Where early stopping keeps the best epoch's parameters: {@code <checkpoint>-best.ckpt}. */
  static Path best(Path checkpoint) {
    return TrainCommand.sibling(checkpoint, "-best.ckpt");
  }

  void write(Path file) throws IOException {
    StringBuilder b = new StringBuilder();
    settings.forEach((k, v) -> b.append("setting ").append(k).append('=').append(v)
        .append('\n'));
    b.append("epochsDone=").append(epochsDone).append('\n');
    b.append("finished=").append(finished).append('\n');
    b.append("bestEpoch=").append(bestEpoch).append('\n');
    b.append("bestLoss=").append(Double.toHexString(bestLoss)).append('\n');
    b.append("sinceBest=").append(sinceBest).append('\n');
    for (Charts.EpochPoint p : points) {
      b.append("epoch=").append(p.epoch()).append(' ').append(Double.toHexString(p.trainLoss()))
          .append(' ').append(Double.toHexString(p.trainAccuracy())).append(' ')
          .append(Double.toHexString(p.testAccuracy())).append('\n');
    }
    Path temporary = file.resolveSibling(file.getFileName() + ".writing");
    Files.writeString(temporary, b, StandardCharsets.UTF_8);
    Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * Reads the run file {@code file}.
   *
   * @throws AppException if it is missing or not a run file (the message names it and the line)
   */
  static RunFile read(Path file) throws IOException {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new AppException("--resume: " + file + " does not exist; 'train' writes it beside"
          + " the checkpoint after every epoch");
    }
    Map<String, String> settings = new LinkedHashMap<>();
    Map<String, String> values = new LinkedHashMap<>();
    List<Charts.EpochPoint> points = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      int eq = line.indexOf('=');
      if (eq < 1) {
        throw bad(file, i, "expected key=value, found \"" + line + "\"");
      }
      String key = line.substring(0, eq);
      String value = line.substring(eq + 1);
      try {
        if (key.startsWith("setting ")) {
          settings.put(key.substring(8), value);
        } else if (key.equals("epoch")) {
          String[] f = value.split(" ");
          points.add(new Charts.EpochPoint(Integer.parseInt(f[0]), Double.parseDouble(f[1]),
              Double.parseDouble(f[2]), Double.parseDouble(f[3])));
        } else {
          values.put(key, value);
        }
      } catch (RuntimeException e) {
        throw bad(file, i, "cannot read \"" + line + "\"");
      }
    }
    try {
      return new RunFile(settings, Integer.parseInt(need(values, "epochsDone", file)),
          Boolean.parseBoolean(need(values, "finished", file)),
          Integer.parseInt(need(values, "bestEpoch", file)),
          Double.parseDouble(need(values, "bestLoss", file)),
          Integer.parseInt(need(values, "sinceBest", file)), points);
    } catch (NumberFormatException e) {
      throw new AppException(file + " is not a run file of 'train': " + e.getMessage());
    }
  }

  /**
   * Checks that {@code now} are this run's settings; the message names the first that differs.
   */
  void checkSettings(Map<String, String> now, Path file) {
    for (Map.Entry<String, String> e : now.entrySet()) {
      String was = settings.get(e.getKey());
      if (!e.getValue().equals(was)) {
        throw new AppException(String.format(Locale.ROOT, "--resume: the run in %s was trained"
            + " with %s %s, this command has %s: give the run's options to continue it", file,
            e.getKey(), was == null ? "(none)" : was, e.getValue()));
      }
    }
  }

  private static String need(Map<String, String> values, String key, Path file) {
    String v = values.get(key);
    if (v == null) {
      throw new AppException(file + " is not a run file of 'train': it has no " + key);
    }
    return v;
  }

  private static AppException bad(Path file, int line, String what) {
    return new AppException(file + ", line " + (line + 1) + ": " + what);
  }
}
