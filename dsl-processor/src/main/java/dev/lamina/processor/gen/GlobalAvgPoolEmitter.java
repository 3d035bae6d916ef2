package dev.lamina.processor.gen;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import java.util.List;

/** Mean of each channel, C×H×W to C; backward spreads dL/dz_c / (H·W) over the channel. */
public final class GlobalAvgPoolEmitter implements LayerEmitter {
  @Override
  public boolean hasParameters() {
    return false;
  }

  @Override
  public List<MethodSpec> forward(LayerContext ctx) {
    String t = ctx.num().t();
    int c = ctx.outSize();
    int hw = ctx.inSize() / c;
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("$L[] z = this.$L", t, ctx.preBuffer());
    b.beginControlFlow("for (int n = 0; n < batch; n++)");
    Loop ch = new Loop("c", c);
    ch.open(b);
    String plane = Src.plus(Src.times("n", c), ch.at());
    b.addStatement("int xs = $L", Src.plus("xOff", Src.product(plane, hw)));
    b.addStatement("$L s = 0", t);
    b.beginControlFlow("for (int i = 0; i < $L; i++)", hw);
    b.addStatement("s += x[xs + i]");
    b.endControlFlow();
    b.addStatement("z[$L] = s * $L", plane, ctx.num().lit(1.0 / hw));
    ch.close(b);
    b.endControlFlow();
    return List.of(ctx.inputMethod("Forward")
        .addJavadoc("$L: forward, into $L.\n", ctx.header(), ctx.preBuffer())
        .addCode(b.build()).build());
  }

  @Override
  public List<MethodSpec> backwardData(LayerContext ctx) {
    String t = ctx.num().t();
    int c = ctx.outSize();
    int hw = ctx.inSize() / c;
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("$L[] dz = this.$L", t, ctx.deltaBuffer());
    b.beginControlFlow("for (int q = 0, e = batch * $L; q < e; q++)", c);
    b.addStatement("$L d = dz[q] * $L", t, ctx.num().lit(1.0 / hw));
    b.addStatement("int xs = q * $L", hw);
    b.beginControlFlow("for (int i = 0; i < $L; i++)", hw);
    b.addStatement("dx[xs + i] += d");
    b.endControlFlow();
    b.endControlFlow();
    return List.of(ctx.dataMethod()
        .addJavadoc("$L: adds dL/dz / (H·W) to every input of each channel.\n", ctx.header())
        .addCode(b.build()).build());
  }
}
