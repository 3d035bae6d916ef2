package dev.lamina.runtime.io;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Where a training run stands, saved in a checkpoint beside the parameters so that a resumed run
 * continues bit for bit ({@link dev.lamina.runtime.train.Trainer#saveCheckpoint}): the epochs
 * done, the training steps taken (which with the seed fix the dropout streams), the seed (which
 * with the epoch fixes the data order and the augmentation), and the optimizer's state. The
 * schedule's position is the epoch. Arrays are not copied: treat them as read-only.
 *
 * @param epochs epochs completed; the run resumes at epoch {@code epochs} (0-based)
 * @param steps training steps taken since the trainer was built
 * @param seed the trainer's seed
 * @param optimizer the optimizer's class name, for example {@code Adam}
 * @param optimizerSteps the optimizer's step count (Adam's bias corrections)
 * @param optimizerState the optimizer's state arrays (Adam's two moments, SGD's momentum
 *     buffer), each as long as the parameter array
 */
public record TrainingState(int epochs, long steps, long seed, String optimizer,
    long optimizerSteps, float[][] optimizerState) {

  /** The encoded length in bytes. */
  int encodedLength() {
    long n = 4 + 8 + 8 + 4 + optimizer.getBytes(StandardCharsets.UTF_8).length + 8 + 4;
    for (float[] a : optimizerState) {
      n += 4 + 4L * a.length;
    }
    if (n > Integer.MAX_VALUE / 2) {
      throw new IllegalArgumentException("a training state of " + n + " bytes is too large");
    }
    return (int) n;
  }

  /**
   * Writes the state: u32 epochs, u64 steps, u64 seed, string optimizer, u64 optimizer steps, u32
   * array count, then each array as u32 length and its float bits.
   */
  void encode(ByteBuffer buf) {
    byte[] name = optimizer.getBytes(StandardCharsets.UTF_8);
    buf.putInt(epochs).putLong(steps).putLong(seed).putInt(name.length).put(name)
        .putLong(optimizerSteps).putInt(optimizerState.length);
    for (float[] a : optimizerState) {
      buf.putInt(a.length);
      for (float v : a) {
        buf.putFloat(v);
      }
    }
  }

  /** Reads a state written by {@link #encode} from {@code buf}'s {@code length} next bytes. */
  static TrainingState decode(Path file, ByteBuffer buf, int length) throws CheckpointException {
    int start = buf.position();
    int end = start + length;
    buf.limit(end);
    try {
      int epochs = buf.getInt();
      long steps = buf.getLong();
      long seed = buf.getLong();
      int n = buf.getInt();
      if (n < 0 || n > end - buf.position()) {
        throw corrupt(file, start, "its optimizer name of " + n + " bytes does not fit");
      }
      String optimizer = new String(buf.array(), buf.position(), n, StandardCharsets.UTF_8);
      buf.position(buf.position() + n);
      long optimizerSteps = buf.getLong();
      int arrays = buf.getInt();
      if (arrays < 0 || arrays > (end - buf.position()) / 4) {
        throw corrupt(file, start, arrays + " optimizer arrays cannot fit");
      }
      float[][] state = new float[arrays][];
      for (int k = 0; k < arrays; k++) {
        int len = buf.getInt();
        if (len < 0 || len > (end - buf.position()) / 4) {
          throw corrupt(file, start, "optimizer array " + k + " of " + len + " floats does not"
              + " fit");
        }
        state[k] = new float[len];
        for (int i = 0; i < len; i++) {
          state[k][i] = buf.getFloat();
        }
      }
      if (buf.position() != end || epochs < 0 || steps < 0 || optimizerSteps < 0) {
        throw corrupt(file, start, "inconsistent fields (epochs " + epochs + ", steps " + steps
            + ", " + (end - buf.position()) + " bytes left over)");
      }
      return new TrainingState(epochs, steps, seed, optimizer, optimizerSteps, state);
    } catch (java.nio.BufferUnderflowException e) {
      throw corrupt(file, start, "it ends early");
    }
  }

  private static CheckpointException corrupt(Path file, int at, String what) {
    return new CheckpointException(file, CheckpointException.Kind.CORRUPT,
        "the training state at byte " + at + " is inconsistent: " + what);
  }
}
