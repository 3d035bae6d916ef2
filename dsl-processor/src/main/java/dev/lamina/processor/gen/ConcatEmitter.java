package dev.lamina.processor.gen;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import java.util.List;

/**
 * Concatenation along the channels: per sample, the inputs' C_k×H×W blocks one after the other
 * (the C×H×W layout makes each a contiguous copy). Backward hands each input its slice of dL/dz.
 */
public final class ConcatEmitter implements LayerEmitter {
  @Override
  public boolean hasParameters() {
    return false;
  }

  @Override
  public List<MethodSpec> forward(LayerContext ctx) {
    String t = ctx.num().t();
    int out = ctx.outSize();
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("$L[] z = this.$L", t, ctx.preBuffer());
    b.beginControlFlow("for (int n = 0; n < batch; n++)");
    int at = 0;
    for (int k = 0; k < ctx.inputCount(); k++) {
      int size = ctx.inSize(k);
      b.addStatement("System.arraycopy(x$L, x$LOff + n * $L, z, $L, $L)", k, k, size,
          Src.plus("n * " + out, at), size);
      at += size;
    }
    b.endControlFlow();
    return List.of(ctx.inputMethod("Forward")
        .addJavadoc("$L: forward, into $L.\n", ctx.header(), ctx.preBuffer())
        .addCode(b.build()).build());
  }

  @Override
  public List<MethodSpec> backwardData(LayerContext ctx) {
    String t = ctx.num().t();
    int out = ctx.outSize();
    CodeBlock.Builder b = CodeBlock.builder();
    b.addStatement("$L[] dz = this.$L", t, ctx.deltaBuffer());
    int at = 0;
    for (int k = 0; k < ctx.inputCount(); k++) {
      int size = ctx.inSize(k);
      b.beginControlFlow("if (dx$L != null)", k);
      b.beginControlFlow("for (int n = 0; n < batch; n++)");
      b.addStatement("int zs = $L", Src.plus("n * " + out, at));
      b.addStatement("int xs = n * $L", size);
      b.beginControlFlow("for (int q = 0; q < $L; q++)", size);
      b.addStatement("dx$L[xs + q] += dz[zs + q]", k);
      b.endControlFlow();
      b.endControlFlow();
      b.endControlFlow();
      at += size;
    }
    return List.of(ctx.dataMethod()
        .addJavadoc("$L: adds each input's slice of dL/dz to its gradient.\n", ctx.header())
        .addCode(b.build()).build());
  }
}
