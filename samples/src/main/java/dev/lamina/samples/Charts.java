package dev.lamina.samples;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The training chart: loss (left axis) and accuracy (right axis) per epoch, as a PNG. */
public final class Charts {
  private Charts() {}

  /** One epoch's figures. */
  public record EpochPoint(int epoch, double trainLoss, double trainAccuracy, double testAccuracy) {}

  /** Writes the chart to {@code file} (atomically: a reader never sees half a file). */
  public static void writeTrainingChart(String title, List<EpochPoint> points, Path file)
      throws IOException {
    System.setProperty("java.awt.headless", "true");
    XYChart chart = new XYChartBuilder().width(800).height(500).title(title)
        .xAxisTitle("epoch").yAxisTitle("loss").build();
    Styler styler = chart.getStyler();
    styler.setLegendPosition(Styler.LegendPosition.OutsideS);
    styler.setLegendLayout(Styler.LegendLayout.Horizontal);
    chart.getStyler().setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
    chart.setYAxisGroupTitle(1, "accuracy");
    chart.getStyler().setXAxisDecimalPattern("0");
    chart.getStyler().setYAxisGroupPosition(0, Styler.YAxisPosition.Left);

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
    s = chart.addSeries("test accuracy", x, testAcc);
    s.setYAxisGroup(1);
    s.setMarker(SeriesMarkers.SQUARE);

    OutputFiles.writeAtomically(file,
        os -> BitmapEncoder.saveBitmap(chart, os, BitmapEncoder.BitmapFormat.PNG));
  }
}
