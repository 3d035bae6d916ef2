#!/usr/bin/env python3
"""Recurrent benchmark: Lamina's RowLstm / RowGru against PyTorch's nn.LSTM / nn.GRU (issue 18).

Both sides run the same network: 28 steps of 28 features into one LSTM or GRU layer of 96 units,
its last step into an affine layer of 10, softmax cross-entropy, on one thread
(torch.set_num_threads(1), OPENBLAS_NUM_THREADS=1; Lamina's generated trainStep and workspace
forward are single-threaded). Figures:

  train b1, train b64   training steps/s (forward, loss, backward through time, SGD lr 0.01)
  latency               single-sequence inference, forward and arg-max (seconds per sequence)

Each round measures Lamina (a fresh JVM running dev.lamina.samples.bench.SeqBench) and then
PyTorch, with the same warm-up and run length, so that both sides of a round see the same load.
The ratio of each round is Lamina's speed over PyTorch's (for latency: PyTorch's time over
Lamina's); the table gives the median of the per-round ratios with their range, and the load
average before and after. A benchmark only: never a dependency of the product or its tests. Needs an interpreter with
torch (Debian python3-torch: /usr/bin/python3).

  /usr/bin/python3 samples/bench/seq_bench.py --jar samples/target/lamina-samples.jar --rounds 5
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

STEPS, FEATURES, UNITS, CLASSES = 28, 28, 96, 10


class RowNet(nn.Module):
    def __init__(self, cell):
        super().__init__()
        kind = {"lstm": nn.LSTM, "gru": nn.GRU}[cell]
        self.rnn = kind(FEATURES, UNITS, batch_first=True)
        self.out = nn.Linear(UNITS, CLASSES)

    def forward(self, x):
        seq, _ = self.rnn(x)
        return self.out(seq[:, -1])


def seconds_per_call(body, seconds, warmup):
    """Warm up for `warmup` seconds, then seconds per call over a run of at least `seconds`."""
    end = time.perf_counter() + warmup
    while time.perf_counter() < end:
        body()
    n = 0
    t0 = time.perf_counter()
    while True:
        body()
        n += 1
        now = time.perf_counter()
        if now - t0 >= seconds:
            return (now - t0) / n


def torch_round(cells, batches, seconds, warmup):
    torch.set_num_threads(1)
    torch.manual_seed(1)
    results = []
    for cell in cells:
        for batch in batches:
            net = RowNet(cell)
            opt = torch.optim.SGD(net.parameters(), lr=0.01)
            x = torch.rand(batch, STEPS, FEATURES) * 2 - 1
            y = torch.randint(0, CLASSES, (batch,))

            def step():
                opt.zero_grad()
                F.cross_entropy(net(x), y).backward()
                opt.step()

            results.append((cell, "train", batch, 1 / seconds_per_call(step, seconds, warmup)))
        net = RowNet(cell).eval()
        x1 = torch.rand(1, STEPS, FEATURES) * 2 - 1

        def infer():
            with torch.no_grad():
                net(x1).argmax(1)

        results.append((cell, "latency", 1, seconds_per_call(infer, seconds, warmup)))
    return {(c, w, b): v for c, w, b, v in results}


def lamina_round(args):
    cmd = [args.java, *args.java_opts.split(), "-cp", args.jar, "dev.lamina.samples.bench.SeqBench",
           "--cells", ",".join(args.cells), "--batches", ",".join(map(str, args.batches)),
           "--seconds", str(args.seconds), "--warmup", str(args.warmup)]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    out = {}
    for line in done.stdout.splitlines():
        o = json.loads(line)
        out[(o["cell"], o["what"], o["batch"])] = o["value"]
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--jar", default="samples/target/lamina-samples.jar")
    p.add_argument("--java", default="java")
    p.add_argument("--java-opts", default="")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--cells", type=lambda s: s.split(","), default=["lstm", "gru"])
    p.add_argument("--batches", type=lambda s: [int(b) for b in s.split(",")], default=[1, 64])
    p.add_argument("--seconds", type=float, default=2)
    p.add_argument("--warmup", type=float, default=3)
    p.add_argument("--json", help="also write every measurement here, one JSON object a line")
    args = p.parse_args()
    if not os.path.isfile(args.jar):
        sys.exit(f"seq_bench.py: {args.jar} not found; build it with"
                 " mvn -q -pl samples -am package -DskipTests")

    load_before = os.getloadavg()
    rounds = []
    for r in range(args.rounds):
        lam = lamina_round(args)
        tor = torch_round(args.cells, args.batches, args.seconds, args.warmup)
        rounds.append((lam, tor))
        print(f"round {r + 1}/{args.rounds} done, load {os.getloadavg()[0]:.2f}", file=sys.stderr)
    load_after = os.getloadavg()

    if args.json:
        with open(args.json, "w") as f:
            for r, (lam, tor) in enumerate(rounds):
                for side, d in (("lamina", lam), ("torch", tor)):
                    for (c, w, b), v in d.items():
                        f.write(json.dumps({"round": r + 1, "side": side, "cell": c, "what": w,
                                            "batch": b, "value": v}) + "\n")

    print(f"torch {torch.__version__}, {args.rounds} rounds, 1 thread each; load average"
          f" {load_before[0]:.2f} before, {load_after[0]:.2f} after")
    print(f"{'figure':<22}{'Lamina (median)':>18}{'PyTorch (median)':>18}"
          f"{'ratio median':>14}{'range':>16}")
    for key in rounds[0][0]:
        cell, what, batch = key
        lam = [r[0][key] for r in rounds]
        tor = [r[1][key] for r in rounds]
        if what == "latency":
            ratios = [t / l for l, t in zip(lam, tor)]
            fmt = lambda v: f"{v * 1e6:,.0f} us"  # noqa: E731
            name = f"{cell} latency"
        else:
            ratios = [l / t for l, t in zip(lam, tor)]
            fmt = lambda v: f"{v:,.2f} steps/s"  # noqa: E731
            name = f"{cell} train b{batch}"
        print(f"{name:<22}{fmt(statistics.median(lam)):>18}{fmt(statistics.median(tor)):>18}"
              f"{statistics.median(ratios):>13.2f}x{min(ratios):>8.2f}-{max(ratios):.2f}x")


if __name__ == "__main__":
    main()
