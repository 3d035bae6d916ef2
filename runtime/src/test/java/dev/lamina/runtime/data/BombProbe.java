package dev.lamina.runtime.data;

import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Run in a JVM of a small heap by {@code ImageFolderTest}: reads one image with {@link
 * ImageFiles} ({@code lamina}) or with plain {@link ImageIO} ({@code imageio}, the control that
 * shows the file is a real bomb for that heap) and prints what happened on one line.
 */
final class BombProbe {
  private BombProbe() {}

  public static void main(String[] args) {
    Path file = Path.of(args[1]);
    try {
      if (args[0].equals("lamina")) {
        ImageFiles.read(file, ImageFiles.DEFAULT_MAX_PIXELS);
      } else {
        ImageIO.read(file.toFile());
      }
      System.out.println("decoded");
    } catch (OutOfMemoryError e) {
      System.out.println("OutOfMemoryError");
    } catch (Exception e) {
      Throwable root = e;
      while (root.getCause() != null) {
        root = root.getCause();
      }
      System.out.println((root instanceof OutOfMemoryError ? "OutOfMemoryError " : "refused ")
          + e.getMessage());
    }
  }
}
