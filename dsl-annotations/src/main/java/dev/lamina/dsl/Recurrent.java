package dev.lamina.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A recurrent layer: one cell applied at every step of a sequence input {@code {T, D}} (T steps of
 * D features), its weights shared across the steps, the hidden state (and an LSTM's cell state)
 * starting at zero for each sample. It may stack {@link #layers()} cells (each layer reads the
 * sequence of the one below) and run each layer in both directions ({@link #bidirectional()}),
 * the backward direction reading the sequence from its last step to its first.
 *
 * <p>Parameters, per layer {@code k} (and per direction, {@code _reverse} for the backward one),
 * with PyTorch's names, shapes and layouts so weights move between the two as they are: {@code
 * weight_ih_l<k>} {@code [G·H][D_k]}, {@code weight_hh_l<k>} {@code [G·H][H]}, {@code
 * bias_ih_l<k>} and {@code bias_hh_l<k>} {@code [G·H]}, where H is {@link #units()}, {@code D_0 =
 * D}, {@code D_k = dirs·H} above, and the G gate blocks are stacked in {@link Cell}'s order. All
 * start uniform in {@code [-1/√H, 1/√H]}, as PyTorch's.
 *
 * <p>Output: the last layer's hidden state at every step, {@code {T, dirs·H}} ({@link
 * Returns#SEQUENCE}; the directions side by side per step, forward first), or that sequence's
 * last step, {@code {dirs·H}} ({@link Returns#LAST}, PyTorch's {@code output[:, -1]}). No
 * activation: the cell's own nonlinearities are its output's.
 */
@Documented
@Retention(RetentionPolicy.SOURCE)
@Target(ElementType.FIELD)
public @interface Recurrent {
  /** The cell computed at each step. */
  enum Cell {
    /** {@code h_t = tanh(W_ih x_t + b_ih + W_hh h_(t-1) + b_hh)}; G = 1. */
    RNN_TANH,
    /** The same with ReLU instead of tanh. */
    RNN_RELU,
    /**
     * Long short-term memory (Hochreiter and Schmidhuber 1997), gates i, f, g, o (G = 4): {@code i
     * = σ(W_ii x + b_ii + W_hi h + b_hi)}, f and o alike, {@code g = tanh(…)}, {@code c_t = f ⊙
     * c_(t-1) + i ⊙ g}, {@code h_t = o ⊙ tanh(c_t)}.
     */
    LSTM,
    /**
     * Gated recurrent unit (Cho et al. 2014), gates r, z, n (G = 3): {@code r = σ(W_ir x + b_ir +
     * W_hr h + b_hr)}, z alike, {@code n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))}, {@code h_t
     * = (1 - z) ⊙ n + z ⊙ h_(t-1)}.
     */
    GRU,
    /**
     * Minimal gated unit (Zhou et al. 2016), one gate f and the candidate n (G = 2): {@code f =
     * σ(W_if x + b_if + W_hf h + b_hf)}, {@code n = tanh(W_in x + b_in + W_hn (f ⊙ h) + b_hn)},
     * {@code h_t = (1 - f) ⊙ h_(t-1) + f ⊙ n}. (The paper has one bias per gate; here it is the
     * sum {@code b_i + b_h}, as in the other cells.)
     */
    MGU
  }

  /** What the layer outputs. */
  enum Returns {
    /** The hidden state of every step: {@code {T, dirs·H}}. */
    SEQUENCE,
    /**
     * The last step of that sequence: {@code {dirs·H}}; for a bidirectional layer the forward
     * direction after step T-1 beside the backward direction at step T-1 (its first step), as
     * PyTorch's {@code output[:, -1]}.
     */
    LAST
  }

  Cell cell();

  /** Hidden size H (at least 1). */
  int units();

  /** What the layer outputs; see {@link Returns}. */
  Returns returns();

  /** Stacked layers (at least 1): layer k reads the output sequence of layer k-1. */
  int layers() default 1;

  /** Whether each layer also runs from the last step to the first; doubles the output width. */
  boolean bidirectional() default false;

  /** Whether the cells have the biases {@code bias_ih} and {@code bias_hh}. */
  boolean bias() default true;

  /** The layer read; see {@link Conv#from()}. */
  String[] from() default {};

  /** Receptive field this layer's units must have; unset means no requirement. */
  ReceptiveField receptiveField() default @ReceptiveField;
}
