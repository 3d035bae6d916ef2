package demo;

import dev.lamina.dsl.*;
import static dev.lamina.dsl.Activation.*;

@Network(input = {1, 28, 28}, loss = Loss.SOFTMAX_CROSS_ENTROPY, classes = 10)
public abstract class Broken {
  @Conv(filters = 6, kernel = 5, activation = RELU) Layer c1;       // 6x24x24
  @Pool(size = 2) Layer s2;                                         // 6x12x12
  @Conv(filters = 16, kernel = 5, activation = RELU) Layer c3;      // 16x8x8
  @Pool(size = 2) Layer s4;                                         // 16x4x4
  @Conv(filters = 32, kernel = 5, activation = RELU) Layer c5;
  @Affine(units = 10) Layer out;
}
