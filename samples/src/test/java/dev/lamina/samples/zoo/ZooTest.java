package dev.lamina.samples.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.runtime.LayerSummary;
import dev.lamina.runtime.NetworkSummary;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/**
 * The classic architectures on 3×224×224, declared with the DSL: parameter counts equal to the
 * reference implementations' and published receptive fields, read from the generated summaries
 * (no network is instantiated: their parameters alone take 47 to 553 MB); and their generated
 * classes within the JVM's limits.
 *
 * <p>Parameter counts: torchvision's models ({@code sum(p.numel() for p in m.parameters())}):
 * alexnet 61,100,840; vgg16 138,357,544; resnet18 11,689,512 (batch normalization's running
 * statistics are buffers there, not parameters, and are not counted here either).
 *
 * <p>Receptive fields: the forward recurrence {@code r += (k-1)·j, j *= s} of Araujo, Norris and
 * Sim, "Computing Receptive Fields of Convolutional Neural Networks", Distill 2019, whose table
 * gives alexnet_v2 195 at pool5, vgg_16 212 at pool5 and resnet_v1 435 for the last block of
 * ResNet-18/34 (torchvision layouts: the same kernels and strides). The largest over all paths is
 * taken at a residual Add.
 */
class ZooTest {
  private static LayerSummary layer(NetworkSummary s, String name) {
    return s.layer(name);
  }

  private static void assertRf(NetworkSummary s, String layer, int rf) {
    assertArrayEquals(new int[] {rf, rf}, layer(s, layer).receptiveField(),
        s.networkName() + " " + layer);
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
    long statistics = s.parameterTensors().stream()
        .filter(t -> t.role() == dev.lamina.runtime.ParameterTensor.Role.STATISTIC)
        .mapToLong(t -> t.size()).sum();
    assertEquals(9_600L, statistics);
    assertEquals(11_689_512L + 9_600L, Lamina_ResNet18.PARAMETER_COUNT);
    assertArrayEquals(new int[] {512, 7, 7}, layer(s, "layer4b.out").outputShape());
    assertRf(s, "maxpool", 11);
    assertRf(s, "layer1b.out", 43);
    assertRf(s, "layer2b.out", 99);
    assertRf(s, "layer3b.out", 211);
    assertRf(s, "layer4b.out", 435);
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
   * Bytecode of every method that runs per batch below HotSpot's 8000-byte limit (beyond it the
   * JIT leaves a method interpreted); the constructors, straight-line allocation code that runs
   * once per network or workspace, below a quarter of the JVM's 65535-byte limit on any method;
   * constant pools far from 65535.
   */
  @Test
  void generatedClassesStayWithinJvmLimits() throws IOException {
    for (String name : new String[] {"Lamina_AlexNet", "Lamina_Vgg16", "Lamina_ResNet18",
        "Lamina_SmallResNet", "Lamina_SmallInception", "Lamina_CompactCnn"}) {
      for (String cls : new String[] {name, name + "$Workspace"}) {
        byte[] bytes;
        try (InputStream in = ZooTest.class.getResourceAsStream(cls + ".class")) {
          bytes = in.readAllBytes();
        }
        int[] limits = largestMethodsAndPool(bytes);
        assertTrue(limits[0] < 8000, cls + ": a method has " + limits[0] + " bytes");
        assertTrue(limits[1] < 65535 / 4, cls + ": a constructor has " + limits[1] + " bytes");
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
}
