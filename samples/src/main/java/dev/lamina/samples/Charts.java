package dev.lamina.samples;

import dev.lamina.runtime.train.ConfusionMatrix;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The training chart (loss on the left axis and accuracy on the right, per epoch) and the
 * confusion matrix as PNG pictures.
 */
public final class Charts {
  private Charts() {}

  /** One epoch's figures. */
  public record EpochPoint(int epoch, double trainLoss, double trainAccuracy, double testAccuracy) {}

  /** Writes the chart to {@code file} (atomically: a reader never sees half a file). */
  public static void writeTrainingChart(String title, List<EpochPoint> points, Path file)
      throws IOException {
    writeTrainingChart(title, points, "test", file);
  }

  /**
   * As {@link #writeTrainingChart(String, List, Path)}, the evaluated accuracy labelled {@code
   * evaluated} ("test" or "validation").
   */
  public static void writeTrainingChart(String title, List<EpochPoint> points, String evaluated,
      Path file) throws IOException {
    XYChart chart = epochChart(title, "accuracy");
    int n = points.size();
    double[] x = new double[n];
    double[] loss = new double[n];
    double[] trainAcc = new double[n];
    double[] testAcc = new double[n];
    for (int i = 0; i < n; i++) {
      EpochPoint p = points.get(i);
      x[i] = p.epoch();
      loss[i] = p.trainLoss();
      trainAcc[i] = p.trainAccuracy();
      testAcc[i] = p.testAccuracy();
    }
    XYSeries s = chart.addSeries("train loss", x, loss);
    s.setMarker(SeriesMarkers.CIRCLE);
    s = chart.addSeries("train accuracy", x, trainAcc);
    s.setYAxisGroup(1);
    s.setMarker(SeriesMarkers.DIAMOND);
    s = chart.addSeries(evaluated + " accuracy", x, testAcc);
    s.setYAxisGroup(1);
    s.setMarker(SeriesMarkers.SQUARE);

    OutputFiles.writeAtomically(file,
        os -> BitmapEncoder.saveBitmap(chart, os, BitmapEncoder.BitmapFormat.PNG));
  }

  /**
   * One epoch of adversarial training: the mean losses and the {@link ClassifierScore} of the
   * generator at the epoch's end.
   */
  public record GanPoint(int epoch, double discriminatorLoss, double generatorLoss,
      double meanTopProbability, int classesPresent) {}

  /**
   * Writes the GAN's chart to {@code file}: D's and G's mean loss per epoch on the left axis, the
   * classifier score's mean top-class probability and share of classes present on the right.
   */
  public static void writeGanChart(String title, List<GanPoint> points, int classes, Path file)
      throws IOException {
    XYChart chart = epochChart(title, "classifier score");
    int n = points.size();
    double[] x = new double[n];
    double[] dLoss = new double[n];
    double[] gLoss = new double[n];
    double[] top = new double[n];
    double[] present = new double[n];
    for (int i = 0; i < n; i++) {
      GanPoint p = points.get(i);
      x[i] = p.epoch();
      dLoss[i] = p.discriminatorLoss();
      gLoss[i] = p.generatorLoss();
      top[i] = p.meanTopProbability();
      present[i] = (double) p.classesPresent() / classes;
    }
    chart.addSeries("D loss (real + fake)", x, dLoss).setMarker(SeriesMarkers.CIRCLE);
    chart.addSeries("G loss", x, gLoss).setMarker(SeriesMarkers.DIAMOND);
    XYSeries s = chart.addSeries("mean top-class probability", x, top);
    s.setYAxisGroup(1);
    s.setMarker(SeriesMarkers.SQUARE);
    s = chart.addSeries("share of classes present", x, present);
    s.setYAxisGroup(1);
    s.setMarker(SeriesMarkers.TRIANGLE_UP);
    OutputFiles.writeAtomically(file,
        os -> BitmapEncoder.saveBitmap(chart, os, BitmapEncoder.BitmapFormat.PNG));
  }

  /** A chart over epochs: loss on the left axis, {@code right} on the right, legend below. */
  private static XYChart epochChart(String title, String right) {
    System.setProperty("java.awt.headless", "true");
    XYChart chart = new XYChartBuilder().width(800).height(500).title(title)
        .xAxisTitle("epoch").yAxisTitle("loss").build();
    var styler = chart.getStyler();
    styler.setLegendPosition(Styler.LegendPosition.OutsideS);
    styler.setLegendLayout(Styler.LegendLayout.Horizontal);
    styler.setYAxisGroupPosition(0, Styler.YAxisPosition.Left);
    styler.setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
    styler.setXAxisDecimalPattern("0");
    chart.setYAxisGroupTitle(1, right);
    return chart;
  }

  /** Side of a cell of the confusion picture, in pixels. */
  static final int CELL = 44;

  /**
   * Writes {@code matrix} as a picture: one cell per (true, predicted) pair, rows the true
   * classes, columns the predicted ones, shaded by the cell's share of its row (white 0 to dark
   * blue 1) with its count written in it; class names down the left and as indices along the
   * top.
   */
  public static void writeConfusionChart(String title, ConfusionMatrix matrix,
      List<String> classNames, Path file) throws IOException {
    System.setProperty("java.awt.headless", "true");
    int k = matrix.classes();
    int left = 20 + 8 * classNames.stream().mapToInt(n -> (k + " " + n).length()).max()
        .orElse(4);
    int top = 70;
    BufferedImage image = new BufferedImage(left + k * CELL + 20, top + k * CELL + 40,
        BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING,
          RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, image.getWidth(), image.getHeight());
      g.setColor(Color.BLACK);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
      g.drawString(title, 10, 22);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      g.drawString("rows: true class; columns: predicted class", 10, 42);
      for (int a = 0; a < k; a++) {
        g.setColor(Color.BLACK);
        g.drawString(a + " " + classNames.get(a), 10, top + a * CELL + CELL / 2 + 5);
        g.drawString(Integer.toString(a), left + a * CELL + CELL / 2 - 4, top - 6);
        long row = matrix.actualCount(a);
        for (int p = 0; p < k; p++) {
          long c = matrix.count(a, p);
          double share = row == 0 ? 0 : (double) c / row;
          g.setColor(shade(share));
          g.fillRect(left + p * CELL, top + a * CELL, CELL, CELL);
          g.setColor(share > 0.5 ? Color.WHITE : Color.BLACK);
          String text = Long.toString(c);
          int w = g.getFontMetrics().stringWidth(text);
          g.drawString(text, left + p * CELL + (CELL - w) / 2, top + a * CELL + CELL / 2 + 5);
        }
      }
      g.setColor(Color.GRAY);
      g.drawRect(left, top, k * CELL, k * CELL);
    } finally {
      g.dispose();
    }
    OutputFiles.writeAtomically(file, os -> ImageIO.write(image, "png", os));
  }

  /** White for 0 to dark blue (31, 63, 143) for 1. */
  static Color shade(double share) {
    double s = Math.max(0, Math.min(1, share));
    return new Color((int) Math.round(255 - s * (255 - 31)), (int) Math.round(255 - s * (255 - 63)),
        (int) Math.round(255 - s * (255 - 143)));
  }
}
