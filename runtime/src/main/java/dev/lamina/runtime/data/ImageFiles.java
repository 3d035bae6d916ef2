package dev.lamina.runtime.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Reads image files (PNG, JPEG, GIF, BMP: whatever {@link ImageIO} has a reader for) that may come
 * from untrusted sources. The dimensions are read from the file's header first, and an image that
 * declares more pixels than a limit is refused before anything is decoded, so a small file that
 * declares a huge image (a decompression bomb) costs no memory. Every failure is a {@link
 * DatasetFormatException} naming the file and the reason.
 *
 * <p>Thread-safe (stateless).
 */
public final class ImageFiles {
  /**
   * Most pixels an image may declare unless the caller says otherwise: 4096 × 4096. Decoding an
   * image of that size takes at most 128 MiB (16-bit RGBA); pictures for small networks are far
   * smaller.
   */
  public static final long DEFAULT_MAX_PIXELS = 4096L * 4096;

  private ImageFiles() {}

  /**
   * The width and height {@code file}'s header declares, without decoding the image.
   *
   * @throws DatasetFormatException if the file is missing, not an image format ImageIO knows, or
   *     its header is unreadable or truncated
   */
  public static int[] dimensions(Path file) throws DatasetFormatException {
    try (ImageInputStream in = open(file)) {
      ImageReader reader = readerFor(file, in);
      try {
        return dimensions(file, reader);
      } finally {
        reader.dispose();
      }
    } catch (DatasetFormatException e) {
      throw e;
    } catch (IOException e) {
      throw unreadable(file, "cannot read the header", e);
    }
  }

  /**
   * Decodes {@code file} after checking its declared size against {@code maxPixels}.
   *
   * @throws DatasetFormatException if the file is missing or not an image; if it declares more
   *     than {@code maxPixels} pixels (the message gives the declared size and the limit); if its
   *     header or data is unreadable or truncated
   */
  public static BufferedImage read(Path file, long maxPixels) throws DatasetFormatException {
    if (maxPixels < 1) {
      throw new IllegalArgumentException("the pixel limit must be >= 1, got " + maxPixels);
    }
    try (ImageInputStream in = open(file)) {
      ImageReader reader = readerFor(file, in);
      try {
        int[] wh = dimensions(file, reader);
        long pixels = (long) wh[0] * wh[1];
        if (pixels > maxPixels) {
          throw new DatasetFormatException(file, -1, String.format(Locale.ROOT,
              "the %s header declares %,d × %,d pixels (%,d), more than the limit of %,d pixels;"
                  + " not decoded (raise the limit to read it)", format(reader), wh[0], wh[1],
              pixels, maxPixels));
        }
        try {
          return reader.read(0);
        } catch (IOException | RuntimeException e) {
          throw unreadable(file, "the " + format(reader) + " image data is truncated or corrupt",
              e);
        }
      } finally {
        reader.dispose();
      }
    } catch (DatasetFormatException e) {
      throw e;
    } catch (IOException e) {
      throw unreadable(file, "cannot read the file", e);
    }
  }

  private static ImageInputStream open(Path file) throws DatasetFormatException {
    if (!Files.isRegularFile(file)) {
      throw new DatasetFormatException(file, -1, "no such file");
    }
    try {
      ImageInputStream in = ImageIO.createImageInputStream(file.toFile());
      if (in == null) {
        throw new DatasetFormatException(file, -1, "cannot open the file as an image stream");
      }
      return in;
    } catch (IOException e) {
      throw unreadable(file, "cannot open the file", e);
    }
  }

  private static ImageReader readerFor(Path file, ImageInputStream in)
      throws DatasetFormatException {
    Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
    if (!readers.hasNext()) {
      throw new DatasetFormatException(file, 0, "not an image: no reader recognises its first"
          + " bytes (expected PNG, JPEG, GIF or BMP)");
    }
    ImageReader reader = readers.next();
    reader.setInput(in, true, true);
    return reader;
  }

  private static int[] dimensions(Path file, ImageReader reader) throws DatasetFormatException {
    try {
      int w = reader.getWidth(0);
      int h = reader.getHeight(0);
      if (w < 1 || h < 1) {
        throw new DatasetFormatException(file, -1, "the " + format(reader)
            + " header declares " + w + " × " + h + " pixels");
      }
      return new int[] {w, h};
    } catch (IOException | RuntimeException e) {
      if (e instanceof DatasetFormatException) {
        throw (DatasetFormatException) e;
      }
      throw unreadable(file, "the " + format(reader) + " header is truncated or corrupt", e);
    }
  }

  private static String format(ImageReader reader) {
    try {
      return reader.getFormatName().toUpperCase(Locale.ROOT);
    } catch (IOException e) {
      return "image";
    }
  }

  /** A failure with the reasons of the whole cause chain (ImageIO wraps the useful one). */
  private static DatasetFormatException unreadable(Path file, String what, Throwable e) {
    StringBuilder reason = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
      if (reason.indexOf(m) < 0) {
        reason.append(reason.length() == 0 ? "" : ": ").append(m);
      }
    }
    return new DatasetFormatException(file, -1, what + ": " + reason, e);
  }
}
