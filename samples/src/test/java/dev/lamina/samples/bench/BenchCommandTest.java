package dev.lamina.samples.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code bench --quick} runs every section and writes parseable JSON lines. */
class BenchCommandTest {
  @TempDir Path dir;

  @Test
  void quickRunOfEverySectionWithRatiosAgainstAPyTorchFile() throws Exception {
    Path torch = dir.resolve("torch.json");
    Files.writeString(torch, String.join("\n",
        "{\"impl\": \"pytorch\", \"metric\": \"environment\", \"torch\": \"1.13\","
            + " \"blas_loaded\": [\"/x/libopenblasp-r0.3.21.so\"], \"nan\": NaN}",
        "{\"impl\": \"pytorch\", \"metric\": \"train_ips\", \"batch\": 1, \"threads\": 1,"
            + " \"value\": 1000.0}",
        "{\"impl\": \"pytorch\", \"metric\": \"train_ips\", \"batch\": 64, \"threads\": 2,"
            + " \"value\": 5000.0}",
        "{\"impl\": \"pytorch\", \"metric\": \"latency\", \"threads\": 1, \"median_us\": 130.0,"
            + " \"p99_us\": 300.0}",
        "{\"impl\": \"pytorch\", \"metric\": \"infer_ips\", \"batch\": 16, \"threads\": 2,"
            + " \"value\": 20000.0}",
        "{\"impl\": \"pytorch\", \"metric\": \"main_job\", \"seconds\": 10.0, \"epochs\": 1,"
            + " \"train_images\": 256, \"optimizer\": \"adam\"}", ""));
    Path json = dir.resolve("lamina.json");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new BenchCommand());
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int status = cl.execute("--quick", "--data", dir.resolve("no-such-folder").toString(),
        "--batches", "1,64", "--threads", "1,2", "--runs", "1", "--run-seconds", "0.05",
        "--warmup-seconds", "0.05", "--latency-iterations", "50", "--alloc-steps", "5",
        "--infer-batch", "16", "--layer-batch", "4", "--apt-runs", "1", "--main-train-limit",
        "256", "--json", json.toString(), "--torch-json", torch.toString(), "--label", "test");
    String text = out.toString();
    assertEquals(0, status, text + err);
    for (String expected : List.of("FP32 multiply-add peak", "data-parallel scaling",
        "1 and 2 threads in turn",
        "single-image latency median", "Per layer, batch 4", "annotation processing",
        "Main job:", "Lamina vs PyTorch", "libopenblasp-r0.3.21.so")) {
      assertTrue(text.contains(expected), "missing '" + expected + "' in\n" + text);
    }
    List<Map<String, Object>> records = Report.readJsonLines(json);
    assertFalse(records.isEmpty());
    for (String metric : List.of("environment", "peak", "layer", "train_ips",
        "scaling_in_turn", "latency", "infer_ips", "apt", "main_job")) {
      assertNotNull(Report.find(records, r -> metric.equals(r.get("metric"))), metric);
    }
    // The naive baseline ran too, and per-layer timing found the generated methods.
    assertNotNull(Report.find(records, Report.is("naive", "train_ips")));
    assertNotNull(Report.find(records,
        r -> "layer".equals(r.get("metric")) && "c3".equals(r.get("layer"))
            && "forward".equals(r.get("pass"))));
    // The processor is on the test class path: both declarations compile with it.
    for (Map<String, Object> apt : records) {
      if ("apt".equals(apt.get("metric"))) {
        assertEquals(null, apt.get("error"), apt.toString());
      }
    }
    assertTrue(Report.find(records, Report.is("lamina", "train_ips"))
        .containsKey("alloc_bytes_per_step"));
  }

  @Test
  void jsonRoundTrip() {
    Json.Obj o = Json.obj().put("a", 1.5).put("s", "x\"y\n").put("l", List.of(1, 2))
        .put("n", Double.NaN).put("i", 3);
    @SuppressWarnings("unchecked")
    Map<String, Object> m = (Map<String, Object>) Json.parse(o.toString());
    assertEquals(1.5, m.get("a"));
    assertEquals("x\"y\n", m.get("s"));
    assertEquals(List.of(1.0, 2.0), m.get("l"));
    assertEquals(null, m.get("n"));
    assertEquals(3.0, m.get("i"));
  }

  @Test
  void unknownSectionIsAUsageError() {
    CommandLine cl = new CommandLine(new BenchCommand());
    cl.setErr(new PrintWriter(new StringWriter()));
    assertEquals(2, cl.execute("--sections", "nope"));
  }
}
