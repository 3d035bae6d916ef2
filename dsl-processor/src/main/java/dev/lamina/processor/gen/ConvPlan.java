package dev.lamina.processor.gen;

import dev.lamina.processor.model.ConvOp;

/**
 * How one convolution layer runs, decided once from its op, its shapes and the precision: which
 * strategy writes its loops and with which parameters.
 *
 * <ul>
 *   <li>{@link Strategy#PLAIN}: loops over samples, output and input channels and the kernel's
 *       taps (any stride, dilation and padding);
 *   <li>{@link Strategy#GRID}: a stride-1 convolution with symmetric padding whose scratch fits
 *       {@link Grid#BUDGET}: the forward pass and the weight gradient on the {@link #grid()}, the
 *       input gradient on the {@link #backGrid()} when there is one, else plain loops;
 *   <li>{@link Strategy#PATCH_ROWS}: a grid convolution whose kernels have at least {@link
 *       ConvEmitter#COLS_MIN_ROW} weights per output channel: the forward pass on the grid, both
 *       gradients on patch rows.
 * </ul>
 *
 * @param geo the sizes the loops run over
 * @param grid the forward pass's grid, or null for plain loops
 * @param backGrid the input gradient's grid (a stride-1 correlation of dz with the kernel
 *     rotated by 180°), or null
 * @param lanes whether the weight gradient of a grid convolution may run on per-lane partial
 *     sums (their scratch fits the budget)
 * @param channelLanes whether, on the Vector API, a patch-row convolution runs its forward pass
 *     and weight gradient with the output channels as vector lanes
 * @param columns whether, in the float variant, a plain-loop convolution (strided or
 *     asymmetrically padded) runs all three passes as matrix products on im2col columns of groups
 *     of samples instead ({@link ColumnConv}), on the Vector API or on loops C2 vectorizes; for a
 *     patch-row convolution with {@code channelLanes} and at most {@link
 *     ConvEmitter#COLUMNS_MAX_TAPS} taps per channel, whether its forward pass runs on those
 *     columns without the Vector API (instead of the grid)
 * @param winograd whether, without the Vector API, the forward pass and the input gradient of a
 *     float 3×3 stride-1 convolution run on Winograd F(2×2, 3×3) tiles ({@link WinogradConv});
 *     on the Vector API, and for the weight gradient, the strategy's own loops run
 */
record ConvPlan(ConvOp op, WindowGeo geo, Strategy strategy, Grid grid, Grid backGrid,
    boolean lanes, boolean channelLanes, boolean columns, boolean winograd) {
  /** This plan without Winograd tiles: the strategy's own loops for every pass. */
  ConvPlan direct() {
    return new ConvPlan(op, geo, strategy, grid, backGrid, lanes, channelLanes, columns, false);
  }

  /** The three ways a convolution's loops are written. */
  enum Strategy {
    PLAIN, GRID, PATCH_ROWS
  }

  static ConvPlan of(LayerContext ctx, ConvOp op) {
    WindowGeo g = WindowGeo.of(ctx, op);
    Grid grid = forwardGrid(g, op);
    if (grid == null) {
      long row = (long) g.c() * op.kh() * op.kw();
      boolean columns = ctx.num().isFloat() && g.k() >= ConvEmitter.CHANNEL_LANES_MIN
          && (row + g.k()) * g.ohw() <= Grid.BUDGET;
      return new ConvPlan(op, g, Strategy.PLAIN, null, null, false, false, columns, false);
    }
    long row = (long) g.c() * op.kh() * op.kw();
    if (row >= ConvEmitter.COLS_MIN_ROW && (g.ohw() + (long) g.k()) * row <= Grid.BUDGET) {
      boolean channelLanes = ctx.num().isFloat() && g.k() >= ConvEmitter.CHANNEL_LANES_MIN;
      boolean columns = channelLanes && op.kh() * op.kw() <= ConvEmitter.COLUMNS_MAX_TAPS
          && (row + g.k()) * g.ohw() <= Grid.BUDGET;
      return new ConvPlan(op, g, Strategy.PATCH_ROWS, grid, null, false, channelLanes, columns,
          winograd(ctx, op, g));
    }
    boolean lanes = (long) g.k() * g.c() * grid.taps() * grid.length() <= Grid.BUDGET;
    return new ConvPlan(op, g, Strategy.GRID, grid, backwardGrid(g, op), lanes, false, false,
        winograd(ctx, op, g));
  }

  /**
   * Whether the forward pass and the input gradient run on Winograd F(2×2, 3×3) tiles without
   * the Vector API, chosen from same-process A/B measurements of SmallResNet's 3×3 stride-1
   * convolutions at batch 64 on a shared 2-core machine (load average 2 to 5; BENCHMARKS.md,
   * "Winograd F(2×2, 3×3)"):
   *
   * <ul>
   *   <li>On the Vector API the direct kernels run at two thirds of the FMA peak and the tiles
   *       lost everywhere (thread CPU time, best of 15 × 10 calls): 16 channels at 14×14, forward
   *       0.75×, input gradient 0.8×; 32 channels at 7×7, 0.59× and 0.77×. The 16 products alone
   *       take about half the direct time (2.25× fewer multiplies at the same rate); the
   *       transforms, whose copies into and out of the even/odd planes are strided, the rest and
   *       more. So nothing runs on tiles there.
   *   <li>On the plain loops (JDK 17), SmallResNet's 16-channel 14×14 convolutions ran their
   *       forward pass 1.26× and 1.21× as fast and their input gradient 1.62× and 1.48× ({@code
   *       LayerAB}, medians of 9 alternating rounds); at 32 channels on 7×7 the input gradient
   *       lost (0.5–0.9×, every round).
   * </ul>
   *
   * The 7×7 planes lose because their tiles do more work: 4×4 tiles of 2×2 blocks cover 8×8
   * positions, and each tile row carries one spare slot, so the products run over {@code
   * 4·slots = 80} positions per plane of 49 (1.63×) against 224 of 196 at 14×14 (1.14×). The plan
   * therefore takes the tiles without the Vector API when that ratio is at most {@value
   * #WINOGRAD_MAX_WASTE} (between the two measured ratios) and both channel counts are at least
   * {@value #WINOGRAD_MIN_CHANNELS} (the smallest measured; with fewer the transforms, which scale
   * with one channel count, weigh more against the products, which scale with both).
   */
  private static boolean winograd(LayerContext ctx, ConvOp op, WindowGeo g) {
    if (!ctx.num().isFloat() || op.groups() != 1 || op.kh() != 3 || op.kw() != 3
        || op.sh() != 1 || op.sw() != 1 || op.dh() != 1 || op.dw() != 1 || op.ph() != op.pw()
        || op.ph() > 1 || !op.symmetric()) {
      return false;
    }
    // the input gradient's result plane is the input's, h×w, in blocks of 2×2
    int th = (g.h() + 1) / 2;
    int tw = (g.w() + 1) / 2;
    double waste = 4.0 * th * (tw + 1) / g.hw();
    return g.c() >= WINOGRAD_MIN_CHANNELS && g.k() >= WINOGRAD_MIN_CHANNELS
        && waste <= WINOGRAD_MAX_WASTE;
  }

  /** The stride-1 grid of the forward pass (and weight gradient), or null for plain loops. */
  private static Grid forwardGrid(WindowGeo g, ConvOp op) {
    if (op.sh() != 1 || op.sw() != 1 || !g.unroll() || !op.symmetric()) {
      return null; // the grid pads both sides of an axis equally
    }
    Grid grid = new Grid(g.c(), g.h(), g.w(), op.ph(), op.pw(), op.kh(), op.kw(), op.dh(),
        op.dw());
    return grid.scratch(g.k()) + (long) g.k() * grid.length() <= Grid.BUDGET ? grid : null;
  }

  /** The fewest input and output channels for which a convolution runs on tiles. */
  static final int WINOGRAD_MIN_CHANNELS = 16;

  /**
   * The most positions the tiles' products run over per position of the input gradient's plane
   * ({@code 4·th·(tw + 1) / (h·w)}) for which a convolution runs on tiles.
   */
  static final double WINOGRAD_MAX_WASTE = 1.4;

  /**
   * The grid of the input gradient: a stride-1 correlation of dz, padded by {@code (k-1)·d - p},
   * with the kernel rotated by 180° and input and output channels swapped; or null.
   */
  private static Grid backwardGrid(WindowGeo g, ConvOp op) {
    int ph = (op.kh() - 1) * op.dh() - op.ph();
    int pw = (op.kw() - 1) * op.dw() - op.pw();
    if (ph < 0 || pw < 0) {
      return null;
    }
    Grid grid = new Grid(g.k(), g.oh(), g.ow(), ph, pw, op.kh(), op.kw(), op.dh(), op.dw());
    return grid.scratch(g.c()) <= Grid.BUDGET ? grid : null;
  }

  /**
   * The length of one patch row, {@code C·kh·kw}: also the length of one output channel's
   * kernel.
   */
  int row() {
    return geo.c() * op.kh() * op.kw();
  }

  /** The kernel's taps per channel, {@code kh·kw}. */
  int taps() {
    return op.kh() * op.kw();
  }
}
