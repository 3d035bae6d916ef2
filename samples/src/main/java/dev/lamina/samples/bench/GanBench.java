package dev.lamina.samples.bench;

import dev.lamina.runtime.SeededRandom;
import dev.lamina.runtime.gan.GanTrainer;
import dev.lamina.samples.FashionGan;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The Lamina side of the DCGAN benchmark: {@link FashionGan}'s training steps ({@link GanTrainer}:
 * noise, G forward, D on the real and the generated batch, D's Adam step, G's step through D) timed
 * in rounds that a driving script asks for, so that it can alternate them with PyTorch's rounds
 * over the same stretch of time ({@code samples/bench/gan_bench.py}).
 *
 * <p>Usage: {@code java -cp lamina-samples.jar dev.lamina.samples.bench.GanBench BATCH THREADS};
 * then one command per line on stdin: {@code warmup S} (steps for at least S seconds, then while
 * the rate still improves; answers {@code ok}), {@code round S} (steps for at least S seconds;
 * answers the seconds per step), {@code quit}. The real batch is uniform noise in [-1, 1]: a
 * step's work does not depend on the pixels.
 */
public final class GanBench {
  private GanBench() {}

  public static void main(String[] args) throws Throwable {
    if (args.length != 2) {
      System.err.println("usage: GanBench BATCH THREADS");
      System.exit(2);
    }
    int batch = Integer.parseInt(args[0]);
    int threads = Integer.parseInt(args[1]);
    var g = new dev.lamina.samples.Lamina_FashionGan_Generator(1);
    var d = new dev.lamina.samples.Lamina_FashionGan_Discriminator(2);
    float[] real = new float[batch * d.inputSize()];
    SeededRandom r = new SeededRandom(3);
    for (int i = 0; i < real.length; i++) {
      real[i] = (float) (2 * r.nextDouble() - 1);
    }
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in,
        StandardCharsets.UTF_8));
    try (GanTrainer trainer = GanTrainer.builder(g, d).batchSize(batch).threads(threads).seed(4)
        .build()) {
      Timing.Body step = () -> trainer.step(real, 0);
      for (String line; (line = in.readLine()) != null; ) {
        String[] w = line.trim().split("\\s+");
        if (w[0].equals("quit")) {
          break;
        }
        double seconds = Double.parseDouble(w[1]);
        if (w[0].equals("warmup")) {
          Timing.warmUp(step, seconds);
          System.out.println("ok");
        } else if (w[0].equals("round")) {
          System.out.println(String.format(Locale.ROOT, "%.9f", Timing.timedRun(step, seconds)));
        } else {
          throw new IOException("unknown command: " + line);
        }
        System.out.flush();
      }
    }
  }
}
