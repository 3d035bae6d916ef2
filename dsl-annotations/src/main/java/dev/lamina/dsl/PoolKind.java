package dev.lamina.dsl;

/** The kind of a {@link Pool} layer. */
public enum PoolKind {
  /** Maximum over each window; no parameters. */
  MAX,
  /** Mean over each window; no parameters. */
  AVG,
  /**
   * LeNet-5's trainable subsampling: the sum of each window times one learned coefficient per
   * channel, plus one learned bias per channel.
   */
  SUBSAMPLE
}
