package dev.lamina.processor.model;

import dev.lamina.dsl.PoolKind;

/**
 * What a node computes, with every attribute resolved to per-axis values (defaults applied, one
 * value expanded to {h, w}). Add a layer kind by adding a record here, a case to the checker and an
 * emitter to the generator.
 */
public sealed interface Op {
  /** The kind's name as users see it: {@code Conv}, {@code Pool}, {@code Affine}, ... */
  String kindName();

  /**
   * Convolution; weight [filters][inChannels][kh][kw], then bias [filters]. {@code ph}, {@code pw}
   * are the padding before the input (top, left), {@code pb}, {@code pr} after it (bottom, right).
   */
  record Conv(int filters, int kh, int kw, int sh, int sw, int ph, int pw, int pb, int pr, int dh,
      int dw, boolean bias) implements Op {
    /** Symmetric padding: {@code ph} on top and bottom, {@code pw} left and right. */
    public Conv(int filters, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw,
        boolean bias) {
      this(filters, kh, kw, sh, sw, ph, pw, ph, pw, dh, dw, bias);
    }

    /** Effective kernel height with dilation: {@code dh·(kh-1)+1}. */
    public int effectiveKh() {
      return dh * (kh - 1) + 1;
    }

    public int effectiveKw() {
      return dw * (kw - 1) + 1;
    }

    /** Whether each axis has the same padding on both sides. */
    public boolean symmetric() {
      return ph == pb && pw == pr;
    }

    @Override
    public String kindName() {
      return "Conv";
    }
  }

  /**
   * Pooling; SUBSAMPLE has coeff [channels], then bias [channels]. Padding as in {@link Conv};
   * {@code ceil} rounds the output size up (the output shape says how many windows there are).
   */
  record Pool(PoolKind kind, int kh, int kw, int sh, int sw, int ph, int pw, int pb, int pr,
      int dh, int dw, boolean ceil, boolean countPadding) implements Op {
    /** Symmetric padding, no dilation, floor mode. */
    public Pool(PoolKind kind, int kh, int kw, int sh, int sw, int ph, int pw,
        boolean countPadding) {
      this(kind, kh, kw, sh, sw, ph, pw, ph, pw, 1, 1, false, countPadding);
    }

    public int effectiveKh() {
      return dh * (kh - 1) + 1;
    }

    public int effectiveKw() {
      return dw * (kw - 1) + 1;
    }

    public boolean symmetric() {
      return ph == pb && pw == pr;
    }

    public boolean padded() {
      return ph > 0 || pw > 0 || pb > 0 || pr > 0;
    }

    @Override
    public String kindName() {
      return "Pool";
    }
  }

  /** Fully connected; weight [in][units] (Y = X·W), then bias [units]. Flattens image inputs. */
  record Affine(int units, boolean bias) implements Op {
    @Override
    public String kindName() {
      return "Affine";
    }
  }

  /** Element-wise sum of two or more inputs of one shape; no parameters. */
  record Add() implements Op {
    @Override
    public String kindName() {
      return "Add";
    }
  }

  /** Concatenation of two or more inputs along the channels (or features); no parameters. */
  record Concat() implements Op {
    @Override
    public String kindName() {
      return "Concat";
    }
  }

  /**
   * Batch normalization per channel (per feature for flat inputs); weight [C] (γ), bias [C] (β),
   * then the statistics running_mean [C] and running_var [C].
   */
  record BatchNorm(double eps, double momentum) implements Op {
    @Override
    public String kindName() {
      return "BatchNorm";
    }
  }

  /** Inverted dropout with drop probability {@code p}; masks seeded with {@code seed}. */
  record Dropout(double p, long seed) implements Op {
    @Override
    public String kindName() {
      return "Dropout";
    }
  }

  /** Mean of each channel: C×H×W to C. */
  record GlobalAvgPool() implements Op {
    @Override
    public String kindName() {
      return "GlobalAvgPool";
    }
  }
}
