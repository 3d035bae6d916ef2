package demo;

import dev.lamina.dsl.*;
import static dev.lamina.dsl.Activation.*;

@Network(input = {1, 28, 28}, loss = Loss.SOFTMAX_CROSS_ENTROPY, classes = 10)  // C, H, W
public abstract class LeNet5 {
  @Conv(filters = 6, kernel = 5, padding = 2, activation = RELU) Layer c1;
  @Pool(size = 2, stride = 2) Layer s2;               // MAX unless kind = AVG / SUBSAMPLE
  @Conv(filters = 16, kernel = 5, activation = RELU) Layer c3;
  @Pool(size = 2, stride = 2) Layer s4;
  @Affine(units = 120, activation = RELU) Layer f5;   // flattens 16x5x5 = 400
  @Affine(units = 84, activation = RELU) Layer f6;
  @Affine(units = 10) Layer out;
}
