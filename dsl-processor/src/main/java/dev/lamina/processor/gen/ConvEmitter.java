package dev.lamina.processor.gen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import dev.lamina.processor.model.Op;
import dev.lamina.processor.model.Shape;
import java.util.List;

/**
 * Convolution (cross-correlation, zero padding, stride, dilation, any kernel shape):
 * {@code z[k,i,j] = b[k] + Σ_c Σ_u Σ_v w[k,c,u,v] · x[c, i·sh - ph + u·dh, j·sw - pw + v·dw]}.
 *
 * <p>Loops run over samples, output channels and input channels; kernels of up to {@value
 * #UNROLL_LIMIT} taps are unrolled tap by tap, each with its literal output range from {@link
 * Axis}; the innermost loop always runs along an output row. Larger kernels loop over the taps.
 */
final class ConvEmitter implements LayerEmitter {
  /** Kernels with at most this many taps (7×7) are unrolled. */
  static final int UNROLL_LIMIT = 49;

  private static final ClassName ARRAYS = ClassName.get("java.util", "Arrays");

  private final Op.Conv op;

  ConvEmitter(Op.Conv op) {
    this.op = op;
  }

  @Override
  public boolean hasParameters() {
    return true;
  }

  private record Geo(int c, int h, int w, int k, int oh, int ow, Axis rows, Axis cols,
      boolean unroll) {
    int hw() {
      return h * w;
    }

    int ohw() {
      return oh * ow;
    }
  }

  private Geo geo(LayerContext ctx) {
    Shape in = ctx.node().inputShape();
    Shape out = ctx.node().outputShape();
    return new Geo(in.channels(), in.height(), in.width(), out.channels(), out.height(),
        out.width(),
        new Axis(in.height(), out.height(), op.kh(), op.sh(), op.ph(), op.dh()),
        new Axis(in.width(), out.width(), op.kw(), op.sw(), op.pw(), op.dw()),
        op.kh() * op.kw() <= UNROLL_LIMIT);
  }

  private String weightIndex(Axis.Tap u, Axis.Tap v) {
    if (u.literal() && v.literal()) {
      return Integer.toString(u.value() * op.kw() + v.value());
    }
    return Src.times(u.index(), op.kw()) + " + " + v.index();
  }

  private String inputIndex(Axis.Tap v) {
    return Src.plus(Src.plus("xr", v.shift()), Src.times("j", op.sw()));
  }

  private String channelBase(Geo g) {
    String kc = g.c() == 1 ? "k" : "(k * " + g.c() + " + c)";
    int taps = op.kh() * op.kw();
    return taps == 1 ? kc.replace("(", "").replace(")", "") : kc + " * " + taps;
  }

  @Override
  public List<MethodSpec> forward(LayerContext ctx) {
    Geo g = geo(ctx);
    String t = ctx.num().t();
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("$L[] p = this.p", t);
    b.addStatement("$L[] z = this.$L", t, ctx.preBuffer());
    b.beginControlFlow("for (int n = 0; n < batch; n++)");
    b.addStatement("int xs = xOff + n * $L", ctx.inSize());
    b.addStatement("int zs = n * $L", ctx.outSize());
    b.beginControlFlow("for (int k = 0; k < $L; k++)", g.k());
    b.addStatement("int zk = zs + k * $L", g.ohw());
    b.addStatement("$T.fill(z, zk, zk + $L, $L)", ARRAYS, g.ohw(),
        op.bias() ? "p[" + ctx.offset("bias") + " + k]" : ctx.num().lit(0));
    b.beginControlFlow("for (int c = 0; c < $L; c++)", g.c());
    b.addStatement("int xc = xs + c * $L", g.hw());
    b.addStatement("int wb = $L + $L", ctx.offset("weight"), channelBase(g));
    g.rows().forEachTap(b, "u", g.unroll(), (b1, u) -> {
      b1.beginControlFlow("for (int i = $L; i < $L; i++)", u.lo(), u.hi());
      b1.addStatement("int zr = $L", Src.plus("zk", Src.times("i", g.ow())));
      b1.addStatement("int xr = $L", Src.plus("xc", Src.scaled("i", op.sh(), u.shift(), g.w())));
      g.cols().forEachTap(b1, "v", g.unroll(), (b2, v) -> {
        b2.add("{\n").indent();
        b2.addStatement("$L w = p[$L]", t, Src.plus("wb", weightIndex(u, v)));
        b2.beginControlFlow("for (int j = $L; j < $L; j++)", v.lo(), v.hi());
        b2.addStatement("z[zr + j] += w * x[$L]", inputIndex(v));
        b2.endControlFlow();
        b2.unindent().add("}\n");
      });
      b1.endControlFlow();
    });
    b.endControlFlow();
    b.endControlFlow();
    b.endControlFlow();
    return List.of(ctx.inputMethod("Forward")
        .addJavadoc("$L: forward, into $L.\n", ctx.header(), ctx.preBuffer())
        .addCode(b.build()).build());
  }

  @Override
  public List<MethodSpec> backwardParams(LayerContext ctx) {
    Geo g = geo(ctx);
    String t = ctx.num().t();
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("$L[] g = this.g", t);
    b.addStatement("$L[] dz = this.$L", t, ctx.deltaBuffer());
    b.beginControlFlow("for (int n = 0; n < batch; n++)");
    b.addStatement("int xs = xOff + n * $L", ctx.inSize());
    b.addStatement("int zs = n * $L", ctx.outSize());
    b.beginControlFlow("for (int k = 0; k < $L; k++)", g.k());
    b.addStatement("int zk = zs + k * $L", g.ohw());
    if (op.bias()) {
      b.addStatement("$L bacc = 0", t);
      b.beginControlFlow("for (int q = zk; q < zk + $L; q++)", g.ohw());
      b.addStatement("bacc += dz[q]");
      b.endControlFlow();
      b.addStatement("g[$L + k] += bacc", ctx.offset("bias"));
    }
    b.beginControlFlow("for (int c = 0; c < $L; c++)", g.c());
    b.addStatement("int xc = xs + c * $L", g.hw());
    b.addStatement("int wb = $L + $L", ctx.offset("weight"), channelBase(g));
    g.rows().forEachTap(b, "u", g.unroll(), (b1, u) ->
        g.cols().forEachTap(b1, "v", g.unroll(), (b2, v) -> {
          b2.add("{\n").indent();
          b2.addStatement("$L acc = 0", t);
          b2.beginControlFlow("for (int i = $L; i < $L; i++)", u.lo(), u.hi());
          b2.addStatement("int zr = $L", Src.plus("zk", Src.times("i", g.ow())));
          b2.addStatement("int xr = $L",
              Src.plus("xc", Src.scaled("i", op.sh(), u.shift(), g.w())));
          b2.beginControlFlow("for (int j = $L; j < $L; j++)", v.lo(), v.hi());
          b2.addStatement("acc += dz[zr + j] * x[$L]", inputIndex(v));
          b2.endControlFlow();
          b2.endControlFlow();
          b2.addStatement("g[$L] += acc", Src.plus("wb", weightIndex(u, v)));
          b2.unindent().add("}\n");
        }));
    b.endControlFlow();
    b.endControlFlow();
    b.endControlFlow();
    return List.of(ctx.inputMethod("BackwardParams")
        .addJavadoc("$L: adds dL/dweight and dL/dbias to the gradients.\n", ctx.header())
        .addCode(b.build()).build());
  }

  @Override
  public List<MethodSpec> backwardData(LayerContext ctx) {
    Geo g = geo(ctx);
    String t = ctx.num().t();
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("$L[] p = this.p", t);
    b.addStatement("$L[] dz = this.$L", t, ctx.deltaBuffer());
    b.beginControlFlow("for (int n = 0; n < batch; n++)");
    b.addStatement("int xs = n * $L", ctx.inSize());
    b.addStatement("int zs = n * $L", ctx.outSize());
    b.beginControlFlow("for (int k = 0; k < $L; k++)", g.k());
    b.addStatement("int zk = zs + k * $L", g.ohw());
    b.beginControlFlow("for (int c = 0; c < $L; c++)", g.c());
    b.addStatement("int xc = xs + c * $L", g.hw());
    b.addStatement("int wb = $L + $L", ctx.offset("weight"), channelBase(g));
    g.rows().forEachTap(b, "u", g.unroll(), (b1, u) -> {
      b1.beginControlFlow("for (int i = $L; i < $L; i++)", u.lo(), u.hi());
      b1.addStatement("int zr = $L", Src.plus("zk", Src.times("i", g.ow())));
      b1.addStatement("int xr = $L", Src.plus("xc", Src.scaled("i", op.sh(), u.shift(), g.w())));
      g.cols().forEachTap(b1, "v", g.unroll(), (b2, v) -> {
        b2.add("{\n").indent();
        b2.addStatement("$L w = p[$L]", t, Src.plus("wb", weightIndex(u, v)));
        b2.beginControlFlow("for (int j = $L; j < $L; j++)", v.lo(), v.hi());
        b2.addStatement("dx[$L] += w * dz[zr + j]", inputIndex(v));
        b2.endControlFlow();
        b2.unindent().add("}\n");
      });
      b1.endControlFlow();
    });
    b.endControlFlow();
    b.endControlFlow();
    b.endControlFlow();
    return List.of(ctx.dataMethod()
        .addJavadoc("$L: adds dL/dx to dx.\n", ctx.header())
        .addCode(b.build()).build());
  }
}
