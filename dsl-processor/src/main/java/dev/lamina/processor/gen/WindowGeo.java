package dev.lamina.processor.gen;

import dev.lamina.processor.model.Shape;
import dev.lamina.processor.model.SlidingWindow;

/**
 * The sizes a sliding-window layer's loops run over: input {@code c×h×w}, output {@code k×oh×ow},
 * each axis's taps, and whether the window's taps are unrolled (at most {@link
 * ConvEmitter#UNROLL_LIMIT}).
 */
record WindowGeo(int c, int h, int w, int k, int oh, int ow, Axis rows, Axis cols,
    boolean unroll) {
  static WindowGeo of(LayerContext ctx, SlidingWindow op) {
    Shape in = ctx.node().inputShape();
    Shape out = ctx.node().outputShape();
    return new WindowGeo(in.channels(), in.height(), in.width(), out.channels(), out.height(),
        out.width(),
        new Axis(in.height(), out.height(), op.kh(), op.sh(), op.ph(), op.dh()),
        new Axis(in.width(), out.width(), op.kw(), op.sw(), op.pw(), op.dw()),
        op.kh() * op.kw() <= ConvEmitter.UNROLL_LIMIT);
  }

  int hw() {
    return h * w;
  }

  int ohw() {
    return oh * ow;
  }
}
