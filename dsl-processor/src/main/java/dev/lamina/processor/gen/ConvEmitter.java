package dev.lamina.processor.gen;

import com.palantir.javapoet.MethodSpec;
import dev.lamina.processor.model.ConvOp;
import java.util.List;

/**
 * Convolution (cross-correlation, zero padding, stride, dilation, any kernel shape):
 * {@code z[k,i,j] = b[k] + Σ_c Σ_u Σ_v w[k,c,u,v] · x[c, i·sh - ph + u·dh, j·sw - pw + v·dw]}.
 *
 * <p>Each layer gets one {@link ConvPlan}, computed once from its op and shapes, which picks the
 * strategy that writes all its loops: {@link PlainConv}, {@link GridConv} or {@link
 * PatchRowConv}, each with its forward pass beside its gradients.
 */
public final class ConvEmitter implements LayerEmitter {
  /** Kernels with at most this many taps (7×7) are unrolled. */
  static final int UNROLL_LIMIT = 49;

  /**
   * Batches of at least this many samples take the weight gradient on per-lane partial sums
   * (reduced once per call); smaller ones keep one dot product per tap and sample.
   */
  static final int LANES_MIN_BATCH = 4;

  /**
   * Smallest patch row ({@code C·kh·kw}) for which the gradients run on transposed im2col rows:
   * shorter rows leave too little work per vectorized loop.
   */
  static final int COLS_MIN_ROW = 64;

  /**
   * The fewest output channels for which a patch-row convolution runs with the channels as
   * vector lanes on the Vector API (they then fill at least half of a 16-lane vector).
   */
  static final int CHANNEL_LANES_MIN = 8;

  /**
   * The most taps per channel for which a patch-row convolution's forward pass runs on im2col
   * columns without the Vector API: on JDK 17 SmallResNet's 3×3 convolutions ran 1.4–1.9× as fast
   * there as on the grid, LeNet-5's 5×5 c3 0.8× (alternating A/B on a loaded machine).
   */
  static final int COLUMNS_MAX_TAPS = 9;

  private final ConvOp op;
  private LayerContext planned;
  private ConvStrategy strategy;

  public ConvEmitter(ConvOp op) {
    this.op = op;
  }

  @Override
  public boolean hasParameters() {
    return true;
  }

  /** The strategy of the layer {@code ctx} describes, planned on its first use. */
  private ConvStrategy strategy(LayerContext ctx) {
    if (ctx != planned) {
      strategy = ConvStrategy.of(ConvPlan.of(ctx, op));
      planned = ctx;
    }
    return strategy;
  }

  @Override
  public List<Buffer> buffers(LayerContext ctx) {
    return strategy(ctx).buffers(ctx);
  }

  @Override
  public List<MethodSpec> forward(LayerContext ctx) {
    return strategy(ctx).forward(ctx);
  }

  @Override
  public List<MethodSpec> backwardParams(LayerContext ctx) {
    return strategy(ctx).backwardParams(ctx);
  }

  @Override
  public List<MethodSpec> backwardData(LayerContext ctx) {
    return strategy(ctx).backwardData(ctx);
  }
}
