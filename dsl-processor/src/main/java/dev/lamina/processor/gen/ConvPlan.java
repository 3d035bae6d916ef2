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
 */
record ConvPlan(ConvOp op, WindowGeo geo, Strategy strategy, Grid grid, Grid backGrid,
    boolean lanes, boolean channelLanes, boolean columns) {
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
      return new ConvPlan(op, g, Strategy.PLAIN, null, null, false, false, columns);
    }
    long row = (long) g.c() * op.kh() * op.kw();
    if (row >= ConvEmitter.COLS_MIN_ROW && (g.ohw() + (long) g.k()) * row <= Grid.BUDGET) {
      boolean channelLanes = ctx.num().isFloat() && g.k() >= ConvEmitter.CHANNEL_LANES_MIN;
      boolean columns = channelLanes && op.kh() * op.kw() <= ConvEmitter.COLUMNS_MAX_TAPS
          && (row + g.k()) * g.ohw() <= Grid.BUDGET;
      return new ConvPlan(op, g, Strategy.PATCH_ROWS, grid, null, false, channelLanes, columns);
    }
    boolean lanes = (long) g.k() * g.c() * grid.taps() * grid.length() <= Grid.BUDGET;
    return new ConvPlan(op, g, Strategy.GRID, grid, backwardGrid(g, op), lanes, false, false);
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
