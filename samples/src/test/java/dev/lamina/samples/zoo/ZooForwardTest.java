package dev.lamina.samples.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.runtime.FloatNetwork;
import dev.lamina.runtime.ParameterTensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * GoogLeNet, MobileNetV2, AlexNetCaffe and ZfNet as declared here compute what PyTorch computes
 * for torchvision's {@code googlenet} and {@code mobilenet_v2} and for Caffe's bvlc_alexnet and
 * ZFNet written out in PyTorch (grouped convolutions, {@code LocalResponseNorm}, ceil-mode pooling
 * whose last window overhangs the input): the same deterministic parameters (an integer hash of
 * each tensor's number and element index, no weight file), one input, inference with the running
 * statistics, and the 1000 logits compared with PyTorch's, written by {@code zoo_logits.py}
 * beside the expected values (which documents the hash and the scales).
 */
class ZooForwardTest {
  private static final long MASK = 0xFFFF_FFFFL;

  /** u(t, i) in [0, 1): the integer hash of zoo_logits.py. */
  static double uniform(long t, long i) {
    long h = (i * 2654435761L + t * 40503L + 12345L) & MASK;
    h ^= h >>> 15;
    h = (h * 2246822519L) & MASK;
    h ^= h >>> 13;
    h = (h * 3266489917L) & MASK;
    h ^= h >>> 16;
    return h / 4294967296.0;
  }

  /**
   * Fills the network's parameters and statistics as zoo_logits.py fills the PyTorch model's
   * state_dict, tensor by tensor in the same order (PyTorch's index of each element: a dense
   * layer's weight is stored transposed here, [in][out] against PyTorch's [out][in]).
   */
  static void fill(FloatNetwork net) {
    List<ParameterTensor> tensors = net.summary().parameterTensors();
    Set<String> normalized = new HashSet<>();
    for (ParameterTensor p : tensors) {
      if (p.name().equals("running_mean")) {
        normalized.add(p.layer());
      }
    }
    float[] w = net.parameters();
    for (int t = 0; t < tensors.size(); t++) {
      ParameterTensor p = tensors.get(t);
      int[] shape = p.shape();
      boolean dense = shape.length == 2;
      for (int i = 0; i < p.size(); i++) {
        double u = uniform(t, dense ? (long) (i % shape[1]) * shape[0] + i / shape[1] : i);
        double v = 2 * u - 1;
        double x;
        if (p.name().equals("running_mean")) {
          x = 0.1 * v;
        } else if (p.name().equals("running_var")) {
          x = 1 + 0.5 * u;
        } else if (shape.length >= 2) {
          int fanIn = dense ? shape[0] : p.size() / shape[0];
          x = v * Math.sqrt(6.0 / fanIn);
        } else if (p.name().equals("weight") && normalized.contains(p.layer())) {
          x = 1 + 0.1 * v;
        } else {
          x = 0.1 * v;
        }
        w[p.offset() + i] = (float) x;
      }
    }
  }

  static float[] input(int size) {
    float[] x = new float[size];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (2 * uniform(999, i) - 1);
    }
    return x;
  }

  static double[] expected(String name) throws IOException {
    try (InputStream in = ZooForwardTest.class.getResourceAsStream(name + ".logits")) {
      String[] lines = new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n");
      double[] y = new double[lines.length];
      for (int i = 0; i < y.length; i++) {
        y[i] = Double.parseDouble(lines[i].trim());
      }
      return y;
    }
  }

  /** The largest difference from PyTorch's logits, after checking there are 1000 of them. */
  static double largestDifference(FloatNetwork net, String name) throws IOException {
    double[] ref = expected(name);
    assertEquals(1000, ref.length, name + ".logits");
    fill(net);
    float[] y = new float[1000];
    net.forward(input(net.inputSize()), 1, y);
    double largest = 0;
    double scale = 0;
    for (int k = 0; k < ref.length; k++) {
      largest = Math.max(largest, Math.abs(y[k] - ref[k]));
      scale = Math.max(scale, Math.abs(ref[k]));
    }
    System.out.printf("%s: largest |logit| %.4f, largest difference %.3g%n", name, scale, largest);
    return largest / scale;
  }

  @Test
  void googLeNetComputesTorchvisionsLogits() throws IOException {
    double relative = largestDifference(new Lamina_GoogLeNet(1), "googlenet");
    assertTrue(relative < 2e-5, "relative difference " + relative);
  }

  @Test
  void mobileNetV2ComputesTorchvisionsLogits() throws IOException {
    double relative = largestDifference(new Lamina_MobileNetV2(1), "mobilenet_v2");
    assertTrue(relative < 2e-5, "relative difference " + relative);
  }

  @Test
  void alexNetCaffeComputesTheLogitsOfPyTorchsBvlcAlexNet() throws IOException {
    double relative = largestDifference(new Lamina_AlexNetCaffe(1), "alexnet_caffe");
    assertTrue(relative < 2e-5, "relative difference " + relative);
  }

  @Test
  void zfNetComputesTheLogitsOfPyTorchsZfNet() throws IOException {
    double relative = largestDifference(new Lamina_ZfNet(1), "zfnet");
    assertTrue(relative < 2e-5, "relative difference " + relative);
  }
}
