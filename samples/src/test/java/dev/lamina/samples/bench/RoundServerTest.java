package dev.lamina.samples.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The peer benchmark's Lamina side answers every task of both networks, and says what is wrong. */
class RoundServerTest {
  @Test
  void everyTaskOfBothNetworksAnswersWithAPositiveValue() throws Exception {
    List<String> requests = List.of("LeNet5 infer64 1 0.01", "LeNet5 infer64 2 0.01",
        "LeNet5 latency 1 0.01", "LeNet5 train64 2 0.01", "LeNet5 train1 1 0.01",
        "SmallResNet infer64 1 0.01", "SmallResNet infer64 2 0.01", "SmallResNet latency 1 0.01",
        "SmallResNet train64 2 0.01", "SmallResNet train1 1 0.01");
    List<String> lines = serve(String.join("\n", requests) + "\nquit\n");
    assertTrue(lines.get(0).startsWith("ready lamina java "), lines.get(0));
    assertEquals(requests.size() + 2, lines.size(), String.join("\n", lines));
    for (int i = 0; i < requests.size(); i++) {
      String[] f = lines.get(i + 1).split(" ");
      assertEquals("ok", f[0], requests.get(i) + ": " + lines.get(i + 1));
      assertEquals(2, f.length, requests.get(i) + ": " + lines.get(i + 1));
      double value = Double.parseDouble(f[1]);
      assertTrue(value > 0 && Double.isFinite(value), requests.get(i) + ": " + lines.get(i + 1));
    }
    assertTrue(lines.get(lines.size() - 1).startsWith("bye"));
  }

  @Test
  void badRequestsAreAnsweredWithWhatWasExpected() throws Exception {
    RoundServer server = new RoundServer();
    assertEquals("error unknown model 'VGG' (LeNet5, SmallResNet)",
        server.answer("VGG infer64 1 0.01"));
    assertEquals("error unknown task 'infer32' (infer64, latency, train64, train1)",
        server.answer("LeNet5 infer32 1 0.01"));
    assertEquals("error latency runs on 1 thread, got 2", server.answer("LeNet5 latency 2 0.01"));
    assertEquals("error expected '<model> <task> <threads> <seconds>', got 'LeNet5 infer64'",
        server.answer("LeNet5 infer64"));
    assertEquals("error threads and seconds must be numbers, got 'two' and '1'",
        server.answer("LeNet5 infer64 two 1"));
    assertEquals("error threads must be 1 to 64, got 0", server.answer("LeNet5 infer64 0 1"));
    assertEquals("error seconds must be 0.001 to 600, got 1e9",
        server.answer("LeNet5 infer64 1 1e9"));
  }

  private static List<String> serve(String input) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      new RoundServer().serve(new BufferedReader(new StringReader(input)), out);
    }
    return bytes.toString(StandardCharsets.UTF_8).lines().toList();
  }
}
