package dev.lamina.processor.gen;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lamina.runtime.FloatNetwork;
import org.junit.jupiter.api.Test;

class SmokeTest {
  @Test
  void lenetCompilesAndRuns() {
    Compiled c = Compiled.of(Models.lenetModern());
    System.out.println(c.source(dev.lamina.dsl.Precision.FLOAT));
    FloatNetwork net = c.floatNetwork(1);
    float[] out = new float[20];
    net.forward(new float[2 * 784], 2, out);
    assertEquals(61706, net.parameterCount());
  }
}
