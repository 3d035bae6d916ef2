package dev.lamina.samples;

import java.io.PrintWriter;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.time.Duration;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of one training epoch: a live bar (images/s, loss, ETA) on a terminal, a few plain log
 * lines otherwise (when output goes to a file, a pipe or a test).
 */
public interface Progress extends AutoCloseable {
  /** Starts an epoch of {@code images} images. */
  void start(int epoch, int epochs, long images);

  /** {@code done} images of the epoch are through; {@code loss} is the mean loss so far. */
  void update(long done, double loss);

  /** Ends the epoch (the bar stays on screen). */
  @Override
  void close();

  /** The bar when {@code terminal}, plain lines to {@code out} otherwise. */
  static Progress create(boolean terminal, PrintWriter out) {
    return terminal ? new Bar() : new Lines(out);
  }

  /** The me.tongfei progress bar, on stderr so stdout stays clean. */
  final class Bar implements Progress {
    private ProgressBar bar;

    @Override
    public void start(int epoch, int epochs, long images) {
      bar = new ProgressBarBuilder()
          .setTaskName(String.format(Locale.ROOT, "epoch %d/%d", epoch, epochs))
          .setInitialMax(images)
          .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
          .setUnit(" img", 1)
          .showSpeed(new DecimalFormat("#,##0", DecimalFormatSymbols.getInstance(Locale.ROOT)))
          .setUpdateIntervalMillis(250)
          .setConsumer(new ConsoleProgressBarConsumer(System.err))
          .build();
    }

    @Override
    public void update(long done, double loss) {
      bar.stepTo(done);
      bar.setExtraMessage(String.format(Locale.ROOT, "  loss %.4f", loss));
    }

    @Override
    public void close() {
      if (bar != null) {
        bar.close();
        bar = null;
      }
    }
  }

  /** Plain lines at each quarter of an epoch. */
  final class Lines implements Progress {
    private final PrintWriter out;
    private int epoch;
    private int epochs;
    private long images;
    private long startNanos;
    private int quartersShown;

    Lines(PrintWriter out) {
      this.out = out;
    }

    @Override
    public void start(int epoch, int epochs, long images) {
      this.epoch = epoch;
      this.epochs = epochs;
      this.images = images;
      this.startNanos = System.nanoTime();
      this.quartersShown = 0;
    }

    @Override
    public void update(long done, double loss) {
      int quarter = (int) (4 * done / Math.max(1, images));
      if (quarter <= quartersShown || quarter >= 4) {
        return;
      }
      quartersShown = quarter;
      double seconds = (System.nanoTime() - startNanos) / 1e9;
      double rate = done / Math.max(seconds, 1e-9);
      long eta = Math.round((images - done) / Math.max(rate, 1e-9));
      out.printf(Locale.ROOT, "epoch %d/%d %3d%% %,d/%,d images  loss %.4f  %,.0f img/s  ETA %s%n",
          epoch, epochs, 25 * quarter, done, images, loss, rate, clock(Duration.ofSeconds(eta)));
      out.flush();
    }

    @Override
    public void close() {}
  }

  /** {@code m:ss} or {@code h:mm:ss}. */
  static String clock(Duration d) {
    long s = d.getSeconds();
    return s >= 3600
        ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }
}
