package dev.lamina.samples.text;

import dev.lamina.dsl.Affine;
import dev.lamina.dsl.Layer;
import dev.lamina.dsl.Loss;
import dev.lamina.dsl.Network;
import dev.lamina.dsl.Recurrent;
import dev.lamina.dsl.Recurrent.Cell;
import dev.lamina.dsl.Recurrent.Returns;

/**
 * A character-level language model: {@value #STEPS} characters, each one-hot over the {@value
 * Alphabet#SIZE} symbols of {@link Alphabet}, into an LSTM of 96 units whose state at every step
 * scores the next character. Trained with one label per step (the character that follows), the
 * loss of a window being the mean over its steps. 83,808 parameters.
 */
@Network(input = {CharLstm.STEPS, Alphabet.SIZE}, loss = Loss.SOFTMAX_CROSS_ENTROPY,
    classes = Alphabet.SIZE)
public abstract class CharLstm {
  /** Characters per training window. */
  public static final int STEPS = 48;

  @Recurrent(cell = Cell.LSTM, units = 96, returns = Returns.SEQUENCE) Layer lstm;
  @Affine(units = Alphabet.SIZE) Layer next;
}
