package dev.lamina.processor.gen;

import com.palantir.javapoet.MethodSpec;
import java.util.List;

/** Reshape: the input's values copied as they are; dL/dx is dL/dz, added in the same order. */
public final class ReshapeEmitter implements LayerEmitter {
  @Override
  public boolean hasParameters() {
    return false;
  }

  @Override
  public List<MethodSpec> forward(LayerContext ctx) {
    return List.of(ctx.inputMethod("Forward")
        .addJavadoc("$L: forward, the values as they are into $L.\n", ctx.header(),
            ctx.preBuffer())
        .addStatement("System.arraycopy(x, xOff, this.$L, 0, batch * $L)", ctx.preBuffer(),
            ctx.outSize())
        .build());
  }

  @Override
  public List<MethodSpec> backwardData(LayerContext ctx) {
    String t = ctx.num().t();
    return List.of(ctx.dataMethod()
        .addJavadoc("$L: adds dL/dz to dL/dx, value by value.\n", ctx.header())
        .addStatement("$L[] dz = this.$L", t, ctx.deltaBuffer())
        .beginControlFlow("for (int i = 0, e = batch * $L; i < e; i++)", ctx.outSize())
        .addStatement("dx[i] += dz[i]")
        .endControlFlow()
        .build());
  }
}
