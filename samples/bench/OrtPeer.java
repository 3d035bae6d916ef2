import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import ai.onnxruntime.TensorInfo;
import dev.lamina.samples.bench.RoundServer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * ONNX Runtime's side of the peer benchmark (peers.py), through its Java package: Lamina's
 * RoundServer protocol with the tasks {@code infer64} (batch-64 images/s) and {@code latency}
 * (median microseconds of wrapping one image in a tensor, running it and taking the arg-max), on
 * the networks exported from PyTorch. Every session: all graph optimizations, sequential
 * execution, one inter-op thread, the request's thread count as intra-op threads.
 *
 * <p>Run as a single source file:
 * {@code java -cp onnxruntime.jar:lamina-samples.jar OrtPeer.java LeNet5=a.onnx SmallResNet=b.onnx}.
 * A benchmark only: ONNX Runtime is no dependency of Lamina.
 */
public final class OrtPeer {
  private OrtPeer() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> files = new HashMap<>();
    for (String a : args) {
      int eq = a.indexOf('=');
      if (eq < 1) {
        System.err.println("OrtPeer: expected <model>=<file.onnx>, got '" + a + "'");
        System.exit(2);
      }
      files.put(a.substring(0, eq), a.substring(eq + 1));
    }
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    String version = OrtEnvironment.class.getPackage().getImplementationVersion();
    RoundServer[] server = new RoundServer[1];
    server[0] = new RoundServer("onnxruntime " + version + " java " + Runtime.version(),
        (model, task, threads) -> {
          String file = files.get(model);
          if (file == null) {
            throw new IllegalArgumentException("unknown model '" + model + "' " + files.keySet());
          }
          if (!task.equals("infer64") && !task.equals("latency")) {
            throw new IllegalArgumentException("ONNX Runtime runs infer64 and latency, not '"
                + task + "'");
          }
          SessionOptions o = server[0].keep(new SessionOptions());
          o.setOptimizationLevel(SessionOptions.OptLevel.ALL_OPT);
          o.setExecutionMode(SessionOptions.ExecutionMode.SEQUENTIAL);
          o.setIntraOpNumThreads(threads);
          o.setInterOpNumThreads(1);
          OrtSession session = server[0].keep(env.createSession(file, o));
          String input = session.getInputNames().iterator().next();
          long[] dims = ((TensorInfo) session.getInputInfo().get(input).getInfo()).getShape();
          int per = 1;
          for (int i = 1; i < dims.length; i++) {
            per *= (int) dims[i];
          }
          float[] x = RoundServer.inputs(RoundServer.SAMPLES * per);
          int size = per;
          if (task.equals("infer64")) {
            int b = RoundServer.BATCH;
            dims[0] = b;
            OnnxTensor[] batches = new OnnxTensor[RoundServer.SAMPLES / b];
            for (int i = 0; i < batches.length; i++) {
              batches[i] = server[0].keep(OnnxTensor.createTensor(env,
                  FloatBuffer.wrap(Arrays.copyOfRange(x, i * b * size, (i + 1) * b * size)), dims));
            }
            int[] k = {0};
            return seconds -> RoundServer.throughput(seconds, b, () -> {
              try (OrtSession.Result r =
                  session.run(Map.of(input, batches[k[0]++ % batches.length]))) {
                ((float[][]) r.get(0).getValue())[0][0] += 0;
              }
            });
          }
          dims[0] = 1;
          float[][] samples = new float[64][];
          for (int i = 0; i < samples.length; i++) {
            samples[i] = Arrays.copyOfRange(x, i * size, (i + 1) * size);
          }
          return seconds -> RoundServer.latency(seconds, n -> {
            try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(samples[n & 63]),
                dims); OrtSession.Result r = session.run(Map.of(input, t))) {
              float[] logits = ((float[][]) r.get(0).getValue())[0];
              int best = 0;
              for (int i = 1; i < logits.length; i++) {
                if (logits[i] > logits[best]) {
                  best = i;
                }
              }
              return best;
            }
          });
        });
    server[0].serve();
  }
}
