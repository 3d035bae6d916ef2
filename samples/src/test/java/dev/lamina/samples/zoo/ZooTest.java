package dev.lamina.samples.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.runtime.LayerSummary;
import dev.lamina.runtime.NetworkSummary;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The classic architectures, declared with the DSL: parameter counts equal to the reference
 * implementations' and published receptive fields, output sizes and multiply-adds, read from the
 * generated summaries (no network is instantiated: their parameters alone take 14 to 553 MB); and
 * their generated classes within the JVM's limits.
 *
 * <p>Parameter counts: torchvision's models ({@code sum(p.numel() for p in m.parameters())}):
 * alexnet 61,100,840; vgg16 138,357,544; resnet18 11,689,512; googlenet (aux_logits=False)
 * 6,624,904; mobilenet_v2 3,504,872 (batch normalization's running statistics are buffers there,
 * not parameters, and are not counted here either). Caffe's bvlc_alexnet 60,965,224 (the blob
 * shapes of its prototxt); ZFNet 62,357,608 (the layer shapes of its Fig. 3, summed in the test).
 *
 * <p>Receptive fields: the forward recurrence {@code r += (k-1)·j, j *= s} of Araujo, Norris and
 * Sim, "Computing Receptive Fields of Convolutional Neural Networks", Distill 2019, whose table
 * gives alexnet_v2 195 at pool5, vgg_16 212 at pool5 and resnet_v1 435 for the last block of
 * ResNet-18/34 (torchvision layouts: the same kernels and strides). The per-layer table of
 * TensorFlow's receptive_field library (TF-Slim's models) gives alexnet_v2 11, 19, 51, 99, 131,
 * 163 from conv1 to conv5 (the kernels and strides of Caffe's AlexNet too) and inception_v2's stem
 * 7, 11, 11, 19, 27 (those of GoogLeNet's). Where no table covers a layer, a comment derives the
 * value by the recurrence. The largest over all paths is taken at an Add or a Concat.
 *
 * <p>Multiply-adds of the convolutions and fully connected layers (bias terms, pooling and
 * normalization left out): Sze, Chen, Yang and Emer, "Efficient Processing of Deep Neural
 * Networks: A Tutorial and Survey", Proc. IEEE 2017, for AlexNet (666M in the convolutions, 58.6M
 * in the fully connected layers, 724M in all); the MobileNetV2 paper's Table 4 (300M); forward
 * hooks on torchvision 0.14's models count 1,498,376,192 for googlenet and 300,774,272 for
 * mobilenet_v2.
 */
class ZooTest {
  private static LayerSummary layer(NetworkSummary s, String name) {
    return s.layer(name);
  }

  private static void assertRf(NetworkSummary s, String layer, int rf) {
    assertArrayEquals(new int[] {rf, rf}, layer(s, layer).receptiveField(),
        s.networkName() + " " + layer);
  }

  private static void assertShape(NetworkSummary s, String layer, int... shape) {
    assertArrayEquals(shape, layer(s, layer).outputShape(), s.networkName() + " " + layer);
  }

  /** Multiply-adds of the layers of a kind, bias terms left out. */
  private static long multiplyAdds(NetworkSummary s, String kind) {
    return s.layers().stream().filter(l -> l.kind().equals(kind))
        .mapToLong(LayerSummary::multiplyAdds).sum();
  }

  /** Parameters of the batch normalization statistics (2 per channel), not counted as trained. */
  private static long statistics(NetworkSummary s) {
    return s.parameterTensors().stream()
        .filter(t -> t.role() == dev.lamina.runtime.ParameterTensor.Role.STATISTIC)
        .mapToLong(t -> t.size()).sum();
  }

  @Test
  void alexNet() {
    NetworkSummary s = Lamina_AlexNet.SUMMARY;
    assertEquals(61_100_840L, s.totalParameters());
    assertArrayEquals(new int[] {256, 6, 6}, layer(s, "pool5").outputShape());
    assertRf(s, "conv1", 11);
    assertRf(s, "conv5", 163);
    assertRf(s, "pool5", 195);
  }

  @Test
  void vgg16() {
    NetworkSummary s = Lamina_Vgg16.SUMMARY;
    assertEquals(138_357_544L, s.totalParameters());
    assertArrayEquals(new int[] {512, 7, 7}, layer(s, "stage5.pool").outputShape());
    assertRf(s, "stage1.conv2", 5);
    assertRf(s, "stage5.conv3", 196);
    assertRf(s, "stage5.pool", 212);
  }

  @Test
  void resNet18() {
    NetworkSummary s = Lamina_ResNet18.SUMMARY;
    assertEquals(11_689_512L, s.totalParameters());
    // 20 batch norms keep 2 statistics per channel beside their 2 parameters per channel.
    assertEquals(9_600L, statistics(s));
    assertEquals(11_689_512L + 9_600L, Lamina_ResNet18.PARAMETER_COUNT);
    assertArrayEquals(new int[] {512, 7, 7}, layer(s, "layer4b.out").outputShape());
    assertRf(s, "maxpool", 11);
    assertRf(s, "layer1b.out", 43);
    assertRf(s, "layer2b.out", 99);
    assertRf(s, "layer3b.out", 211);
    assertRf(s, "layer4b.out", 435);
  }

  @Test
  void alexNetCaffe() {
    NetworkSummary s = Lamina_AlexNetCaffe.SUMMARY;
    assertEquals(60_965_224L, s.totalParameters());
    // Two groups: each filter of conv2, conv4 and conv5 reads half of the channels
    // (weights 256x48x5x5, 384x192x3x3, 256x192x3x3 in the prototxt), plus the biases.
    assertEquals(256L * 48 * 25 + 256, layer(s, "conv2").parameters());
    assertEquals(384L * 192 * 9 + 384, layer(s, "conv4").parameters());
    assertEquals(256L * 192 * 9 + 256, layer(s, "conv5").parameters());
    // The prototxt's arithmetic: (227 - 11) / 4 + 1 = 55, then ceil((55 - 3) / 2) + 1 = 27,
    // ceil((27 - 3) / 2) + 1 = 13, ceil((13 - 3) / 2) + 1 = 6.
    assertShape(s, "conv1", 96, 55, 55);
    assertShape(s, "norm1", 96, 55, 55);
    assertShape(s, "pool1", 96, 27, 27);
    assertShape(s, "conv2", 256, 27, 27);
    assertShape(s, "norm2", 256, 27, 27);
    assertShape(s, "pool2", 256, 13, 13);
    assertShape(s, "conv3", 384, 13, 13);
    assertShape(s, "conv4", 384, 13, 13);
    assertShape(s, "conv5", 256, 13, 13);
    assertShape(s, "pool5", 256, 6, 6);
    assertRf(s, "conv1", 11);
    assertRf(s, "norm1", 11);
    assertRf(s, "pool1", 19);
    assertRf(s, "conv2", 51);
    assertRf(s, "conv3", 99);
    assertRf(s, "conv4", 131);
    assertRf(s, "conv5", 163);
    assertRf(s, "pool5", 195);
    long conv = multiplyAdds(s, "Conv");
    long fc = multiplyAdds(s, "Affine");
    assertEquals(666, Math.round(conv / 1e6), "convolutions: " + conv);
    assertEquals(586, Math.round(fc / 1e5), "fully connected: " + fc);
    assertEquals(724, Math.round((conv + fc) / 1e6), "all: " + (conv + fc));
  }

  @Test
  void zfNet() {
    NetworkSummary s = Lamina_ZfNet.SUMMARY;
    // Fig. 3's shapes: conv1 96x3x7x7, conv2 256x96x5x5, conv3 384x256x3x3, conv4 384x384x3x3,
    // conv5 256x384x3x3, fc6 9216x4096, fc7 4096x4096, fc8 4096x1000, each with its biases.
    long expected = (96L * 3 * 49 + 96) + (256L * 96 * 25 + 256) + (384L * 256 * 9 + 384)
        + (384L * 384 * 9 + 384) + (256L * 384 * 9 + 256) + (9216L * 4096 + 4096)
        + (4096L * 4096 + 4096) + (4096L * 1000 + 1000);
    assertEquals(62_357_608L, expected);
    assertEquals(expected, s.totalParameters());
    assertShape(s, "conv1", 96, 110, 110);
    assertShape(s, "pool1", 96, 55, 55);
    assertShape(s, "conv2", 256, 26, 26);
    assertShape(s, "pool2", 256, 13, 13);
    assertShape(s, "conv3", 384, 13, 13);
    assertShape(s, "conv4", 384, 13, 13);
    assertShape(s, "conv5", 256, 13, 13);
    assertShape(s, "pool5", 256, 6, 6);
    // r += (k-1)·j, j *= s: conv1 7 (j 2), pool1 7 + 2·2 = 11 (j 4), conv2 11 + 4·4 = 27 (j 8),
    // pool2 27 + 2·8 = 43 (j 16), conv3 to conv5 + 2·16 each, pool5 139 + 2·16 = 171.
    assertRf(s, "conv1", 7);
    assertRf(s, "pool1", 11);
    assertRf(s, "conv2", 27);
    assertRf(s, "pool2", 43);
    assertRf(s, "conv3", 75);
    assertRf(s, "conv5", 139);
    assertRf(s, "pool5", 171);
  }

  @Test
  void googLeNet() {
    NetworkSummary s = Lamina_GoogLeNet.SUMMARY;
    assertEquals(6_624_904L, s.totalParameters());
    // 57 batch norms over 7,280 channels (torchvision's running_mean and running_var: 14,560).
    assertEquals(57, s.layers().stream().filter(l -> l.kind().equals("BatchNorm")).count());
    assertEquals(14_560L, statistics(s));
    assertEquals(6_624_904L + 14_560L, Lamina_GoogLeNet.PARAMETER_COUNT);
    // The paper's Table 1 (torchvision's shapes too).
    assertShape(s, "conv1.bn", 64, 112, 112);
    assertShape(s, "maxpool1", 64, 56, 56);
    assertShape(s, "conv3.bn", 192, 56, 56);
    assertShape(s, "maxpool2", 192, 28, 28);
    assertShape(s, "inception3a.out", 256, 28, 28);
    assertShape(s, "inception3b.out", 480, 28, 28);
    assertShape(s, "maxpool3", 480, 14, 14);
    assertShape(s, "inception4a.out", 512, 14, 14);
    assertShape(s, "inception4b.out", 512, 14, 14);
    assertShape(s, "inception4c.out", 512, 14, 14);
    assertShape(s, "inception4d.out", 528, 14, 14);
    assertShape(s, "inception4e.out", 832, 14, 14);
    assertShape(s, "maxpool4", 832, 7, 7);
    assertShape(s, "inception5a.out", 832, 7, 7);
    assertShape(s, "inception5b.out", 1024, 7, 7);
    assertShape(s, "avgpool", 1024);
    // The stem as inception_v2's table gives it.
    assertRf(s, "conv1.bn", 7);
    assertRf(s, "maxpool1", 11);
    assertRf(s, "conv2.bn", 11);
    assertRf(s, "conv3.bn", 19);
    assertRf(s, "maxpool2", 27);
    // Each module's widest branch is a 3x3 (torchvision's) after 1x1s: + 2·j. At j 8: 43, 59;
    // maxpool3 + 2·8 = 75 (j 16); 4a to 4e + 32 each: 107 .. 235; maxpool4 (2x2) + 16 = 251
    // (j 32); 5a, 5b + 64 each.
    assertRf(s, "inception3a.out", 43);
    assertRf(s, "inception3b.out", 59);
    assertRf(s, "maxpool3", 75);
    assertRf(s, "inception4a.out", 107);
    assertRf(s, "inception4e.out", 235);
    assertRf(s, "maxpool4", 251);
    assertRf(s, "inception5a.out", 315);
    assertRf(s, "inception5b.out", 379);
    assertEquals(1_498_376_192L, multiplyAdds(s, "Conv") + multiplyAdds(s, "Affine"));
  }

  @Test
  void mobileNetV2() {
    NetworkSummary s = Lamina_MobileNetV2.SUMMARY;
    assertEquals(3_504_872L, s.totalParameters());
    // 52 batch norms; torchvision's running_mean and running_var hold 34,112 values.
    assertEquals(52, s.layers().stream().filter(l -> l.kind().equals("BatchNorm")).count());
    assertEquals(34_112L, statistics(s));
    // Depthwise: one 3x3 filter per channel (weight [96][1][3][3]), no bias.
    assertEquals(96L * 9, layer(s, "block2.depthwise").parameters());
    // A shortcut in every block but the first of each row of Table 2: 0+1+2+3+2+2+0.
    assertEquals(10, s.layers().stream().filter(l -> l.kind().equals("Add")).count());
    // Table 2's sizes: the input of each row is the output of the one before.
    assertShape(s, "conv0Bn", 32, 112, 112);
    assertShape(s, "block1.projectBn", 16, 112, 112);
    assertShape(s, "block3.out", 24, 56, 56);
    assertShape(s, "block6.out", 32, 28, 28);
    assertShape(s, "block10.out", 64, 14, 14);
    assertShape(s, "block13.out", 96, 14, 14);
    assertShape(s, "block16.out", 160, 7, 7);
    assertShape(s, "block17.projectBn", 320, 7, 7);
    assertShape(s, "conv18Bn", 1280, 7, 7);
    // One 3x3 per block: + 2·j. Stem 3 (j 2); block1 7; block2 (stride 2) 11 (j 4); block3 19;
    // block4 27 (j 8); 43, 59; block7 75 (j 16); 107, 139, 171, 203, 235, 267; block14 299
    // (j 32); 363, 427, 491.
    assertRf(s, "conv0Bn", 3);
    assertRf(s, "block1.projectBn", 7);
    assertRf(s, "block3.out", 19);
    assertRf(s, "block6.out", 59);
    assertRf(s, "block10.out", 171);
    assertRf(s, "block13.out", 267);
    assertRf(s, "block16.out", 427);
    assertRf(s, "conv18Bn", 491);
    long multiplyAdds = multiplyAdds(s, "Conv") + multiplyAdds(s, "Affine");
    assertEquals(300_774_272L, multiplyAdds);
    // The paper's "300M", to its precision.
    assertEquals(300e6, multiplyAdds, 0.005 * 300e6);
  }

  /**
   * The compact Fashion-MNIST network stays under the benchmark's 100,000 parameters: three 3×3
   * convolutions without bias (1→16, 16→32, 32→64), a scale and shift per batch-normalized
   * channel, 64×3×3 → 64 → 10 dense layers with bias.
   */
  @Test
  void compactCnnHasFewerThanOneHundredThousandParameters() {
    NetworkSummary s = Lamina_CompactCnn.SUMMARY;
    long convolutions = 9L * (1 * 16 + 16 * 32 + 32 * 64);
    long batchNorm = 2L * (16 + 32 + 64);
    long dense = (64 * 3 * 3 + 1) * 64L + (64 + 1) * 10L;
    assertEquals(convolutions + batchNorm + dense, s.totalParameters());
    assertTrue(s.totalParameters() < 100_000, s.totalParameters() + " parameters");
    assertArrayEquals(new int[] {64, 3, 3}, layer(s, "p3").outputShape());
  }

  /**
   * Bytecode of every method, constructors included, below HotSpot's 8000-byte limit (beyond it
   * the JIT leaves a method interpreted); constant pools far from 65535.
   */
  @Test
  void generatedClassesStayWithinJvmLimits() throws IOException {
    for (String name : new String[] {"Lamina_AlexNet", "Lamina_Vgg16", "Lamina_ResNet18",
        "Lamina_SmallResNet", "Lamina_SmallInception", "Lamina_CompactCnn", "Lamina_AlexNetCaffe",
        "Lamina_ZfNet", "Lamina_GoogLeNet", "Lamina_MobileNetV2"}) {
      for (String cls : new String[] {name, name + "$Workspace"}) {
        byte[] bytes;
        try (InputStream in = ZooTest.class.getResourceAsStream(cls + ".class")) {
          bytes = in.readAllBytes();
        }
        int[] limits = largestMethodsAndPool(bytes);
        assertTrue(limits[0] < 8000, cls + ": a method has " + limits[0] + " bytes");
        assertTrue(limits[1] < 8000, cls + ": a constructor has " + limits[1] + " bytes");
        assertTrue(limits[2] < 65535 / 4, cls + ": constant pool of " + limits[2]);
        assertTrue(bytes.length < 1 << 20, cls + ": " + bytes.length + " bytes");
      }
    }
  }

  /**
   * {largest code_length of a method, of a constructor or static initializer, constant pool
   * count} of a class file (JVMS §4).
   */
  static int[] largestMethodsAndPool(byte[] classFile) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile));
    in.readInt();
    in.readUnsignedShort();
    in.readUnsignedShort();
    int count = in.readUnsignedShort();
    String[] utf8 = new String[count];
    for (int i = 1; i < count; i++) {
      int tag = in.readUnsignedByte();
      switch (tag) {
        case 1 -> utf8[i] = in.readUTF();
        case 3, 4, 9, 10, 11, 12, 17, 18 -> in.readInt();
        case 5, 6 -> {
          in.readLong();
          i++;
        }
        case 7, 8, 16, 19, 20 -> in.readUnsignedShort();
        case 15 -> {
          in.readUnsignedByte();
          in.readUnsignedShort();
        }
        default -> throw new IOException("constant pool tag " + tag);
      }
    }
    in.skipNBytes(6);
    in.skipNBytes(2L * in.readUnsignedShort());
    int fields = in.readUnsignedShort();
    for (int i = 0; i < fields; i++) {
      in.skipNBytes(6);
      int attributes = in.readUnsignedShort();
      for (int a = 0; a < attributes; a++) {
        in.skipNBytes(2);
        in.skipNBytes(in.readInt());
      }
    }
    int[] largest = new int[2];
    int methods = in.readUnsignedShort();
    for (int i = 0; i < methods; i++) {
      in.skipNBytes(2);
      String name = utf8[in.readUnsignedShort()];
      int kind = name.equals("<init>") || name.equals("<clinit>") ? 1 : 0;
      in.skipNBytes(2);
      int attributes = in.readUnsignedShort();
      for (int a = 0; a < attributes; a++) {
        String attr = utf8[in.readUnsignedShort()];
        int length = in.readInt();
        if (attr.equals("Code")) {
          in.skipNBytes(4);
          largest[kind] = Math.max(largest[kind], in.readInt());
          in.skipNBytes(length - 8);
        } else {
          in.skipNBytes(length);
        }
      }
    }
    return new int[] {largest[0], largest[1], count};
  }

  /**
   * SmallResNet's 16-channel 14×14 convolutions run their forward pass and input gradient on
   * Winograd F(2×2, 3×3) tiles without the Vector API, as the processor's plan says, so that its
   * training on JDK 17 ({@code FashionZooTest}) and its inference against ONNX Runtime ({@code
   * OnnxRuntimeExportTest}) run that path; the 32-channel 7×7 ones and the one-channel stem keep
   * the direct loops.
   */
  @Test
  void smallResNetTakesWinogradTilesWhereThePlanSays() {
    Set<String> methods = new HashSet<>();
    for (Class<?> c : Lamina_SmallResNet.class.getDeclaredClasses()) {
      for (Method m : c.getDeclaredMethods()) {
        methods.add(m.getName());
      }
    }
    for (String layer : new String[] {"res1_conv1", "res1_conv2"}) {
      assertTrue(methods.contains(layer + "WinoProducts"), layer + " on tiles");
      assertTrue(methods.contains(layer + "WinoBackProducts"), layer + " gradient on tiles");
      assertTrue(methods.contains(layer + "ForwardDirect"), layer + " direct on the Vector API");
      assertTrue(methods.contains(layer + "BackwardDataDirect"),
          layer + " gradient direct on the Vector API");
    }
    for (String layer : new String[] {"stem", "res2_conv2", "res3_conv1", "res3_conv2"}) {
      assertFalse(methods.contains(layer + "WinoProducts"), layer + " direct");
    }
  }
}
