#!/usr/bin/env python3
"""Lamina against its peers in alternating rounds (issue #25).

Peers: PyTorch eager, PyTorch TorchScript (scripted, frozen and optimize_for_inference) and ONNX
Runtime's Java package (a model exported from PyTorch, all graph optimizations). Networks: LeNet-5
and SmallResNet, the same layers as dev.lamina.samples.LeNet5 and ...zoo.SmallResNet. Tasks:

  infer64   batch-64 inference images/s, 1 and 2 threads (Lamina: 1 thread the workspace's
            forward, 2 threads Trainer.evaluate; PyTorch: torch.set_num_threads; ONNX Runtime:
            intra-op threads)
  latency   median microseconds of one single-image prediction (forward and arg-max), 1 thread
  train64   batch-64 training images/s on 2 threads (PyTorch eager; plain SGD, lr 0.01)
  train1    batch-1 training images/s on 1 thread (PyTorch eager)

Lamina runs in a JVM (dev.lamina.samples.bench.RoundServer), ONNX Runtime in another (OrtPeer.java),
PyTorch in this process. After one warm-up measurement of every side and task, each round
measures every side once for --seconds, Lamina first in even rounds and last in odd ones; a
round's ratio is Lamina's speed over the peer's (for latency the peer's time over Lamina's), and
the report gives the median of the per-round ratios with their range. Inputs are uniform in
[0, 1), labels uniform, seeded, on every side. Only one side runs at any time: the others wait
on their input.

A benchmark only: nothing here is a dependency of the product or of its tests. Normally started by
peers.sh, which builds the jar and fetches ONNX Runtime.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lenet_torch  # noqa: E402  (sets OPENBLAS_NUM_THREADS=1 before torch loads)
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

MODELS = ("LeNet5", "SmallResNet")
BATCH = 64
SAMPLES = 1024


# ----------------------------------------------------------------------------------------------
# SmallResNet as dev.lamina.samples.zoo.SmallResNet declares it


class Basic(nn.Module):
    """Two 3x3 convolutions with batch norm and an identity shortcut."""

    def __init__(self, c):
        super().__init__()
        self.conv1 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c)
        self.conv2 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c)

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(y)) + x)


class Down(nn.Module):
    """A stride-2 3x3 convolution, a 3x3 convolution, and a 1x1 stride-2 projection shortcut."""

    def __init__(self, cin, c):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, c, 3, stride=2, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c)
        self.conv2 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c)
        self.proj = nn.Conv2d(cin, c, 1, stride=2, bias=False)
        self.proj_bn = nn.BatchNorm2d(c)

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(y)) + self.proj_bn(self.proj(x)))


def small_resnet():
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU(),
        nn.MaxPool2d(2),
        Basic(16), Down(16, 32), Basic(32),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, 10),
    )


def build(name):
    torch.manual_seed(1)
    return lenet_torch.lenet5() if name == "LeNet5" else small_resnet()


# ----------------------------------------------------------------------------------------------
# PyTorch sides


def data():
    g = torch.Generator().manual_seed(7)
    x = torch.rand(SAMPLES, 1, 28, 28, generator=g)
    y = torch.randint(0, 10, (SAMPLES,), generator=g)
    return x, y


def throughput(step, batch, seconds):
    return lenet_torch.calls_per_second(step, seconds) * batch


def latency(predict, samples, seconds):
    times = []
    end = time.perf_counter() + seconds
    i = 0
    while not times or time.perf_counter() < end:
        t0 = time.perf_counter_ns()
        predict(samples[i % len(samples)])
        times.append(time.perf_counter_ns() - t0)
        i += 1
    return statistics.median_low(times) / 1e3


class TorchSide:
    """PyTorch eager ("eager") or TorchScript frozen for inference ("script")."""

    def __init__(self, kind):
        self.kind = kind
        self.x, self.y = data()
        self.samples = [self.x[i:i + 1].clone() for i in range(64)]
        self.cache = {}

    def task(self, model, task, threads):
        key = (model, task, threads)
        if key not in self.cache:
            self.cache[key] = self.make(model, task)
        return self.cache[key]

    def make(self, model, task):
        net = build(model)
        if task in ("infer64", "latency"):
            net.eval()
            if self.kind == "script":
                with torch.no_grad():
                    net = torch.jit.optimize_for_inference(torch.jit.freeze(torch.jit.script(net)))
            k = [0]

            def forward():
                i = k[0] % (SAMPLES // BATCH)
                k[0] += 1
                net(self.x[i * BATCH:(i + 1) * BATCH])

            def predict(s):
                return net(s).argmax().item()

            if task == "infer64":
                return lambda seconds: throughput(forward, BATCH, seconds)
            return lambda seconds: latency(predict, self.samples, seconds)
        if self.kind != "eager":
            raise ValueError(f"{self.kind} does not train")
        batch = 64 if task == "train64" else 1
        net.train()
        opt = torch.optim.SGD(net.parameters(), lr=0.01)
        k = [0]

        def step():
            i = k[0] % (SAMPLES // batch)
            k[0] += 1
            xb, yb = self.x[i * batch:(i + 1) * batch], self.y[i * batch:(i + 1) * batch]
            opt.zero_grad(set_to_none=True)
            F.cross_entropy(net(xb), yb).backward()
            opt.step()

        return lambda seconds: throughput(step, batch, seconds)

    def measure(self, model, task, threads, seconds):
        torch.set_num_threads(threads)
        run = self.task(model, task, threads)
        if task in ("infer64", "latency"):
            with torch.inference_mode():
                return run(seconds)
        return run(seconds)


class ProcessSide:
    """A JVM speaking RoundServer's protocol (Lamina, or ONNX Runtime through OrtPeer)."""

    def __init__(self, name, command, log):
        self.name = name
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=log, text=True, bufsize=1)
        self.ready = self.proc.stdout.readline().strip()
        if not self.ready.startswith("ready"):
            raise RuntimeError(f"{name} did not start ({' '.join(command)}): '{self.ready}'"
                               " (see the log)")

    def measure(self, model, task, threads, seconds):
        self.proc.stdin.write(f"{model} {task} {threads} {seconds}\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline().strip()
        parts = line.split()
        if len(parts) != 2 or parts[0] != "ok":
            raise RuntimeError(f"{self.name}: {model} {task} {threads}: '{line}'")
        return float(parts[1])

    def close(self):
        try:
            self.proc.stdin.write("quit\n")
            self.proc.stdin.flush()
            self.proc.wait(timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()


# ----------------------------------------------------------------------------------------------
# Configurations and rounds


def configurations(models, tasks):
    """(model, task, threads, peers) in measuring order."""
    out = []
    for m in models:
        for task, threads, peers in (
                ("infer64", 1, ("eager", "script", "ort")),
                ("infer64", 2, ("eager", "script", "ort")),
                ("latency", 1, ("eager", "script", "ort")),
                ("train64", 2, ("eager",)),
                ("train1", 1, ("eager",))):
            if task in tasks:
                out.append((m, task, threads, peers))
    return out


def ratio(task, lamina, peer):
    """How many times as fast as the peer Lamina was (for latency: the peer's time over Lamina's)."""
    return peer / lamina if task == "latency" else lamina / peer


def run(args, sides, emit):
    configs = configurations(args.models, args.tasks)
    names = ["lamina"] + sorted({p for c in configs for p in c[3]})
    names = [n for n in names if n in sides]
    print(f"warm-up: {args.warmup} s per side and task", file=sys.stderr)
    for model, task, threads, peers in configs:
        for n in ["lamina"] + [p for p in peers if p in sides]:
            sides[n].measure(model, task, threads, args.warmup)
    results = {c[:3]: {n: [] for n in names} for c in configs}
    loads = [os.getloadavg()]
    for r in range(args.rounds):
        for model, task, threads, peers in configs:
            order = ["lamina"] + [p for p in peers if p in sides]
            if r % 2 == 1:
                order.reverse()
            for n in order:
                value = sides[n].measure(model, task, threads, args.seconds)
                results[(model, task, threads)][n].append(value)
                emit({"round": r, "side": n, "model": model, "task": task, "threads": threads,
                      "value": value, "load": os.getloadavg()[0]})
        loads.append(os.getloadavg())
        print(f"round {r + 1}/{args.rounds} done, load average {loads[-1][0]:.2f}",
              file=sys.stderr)
    return configs, results, loads


LABELS = {"eager": "PyTorch eager", "script": "TorchScript frozen", "ort": "ONNX Runtime"}
TASKS = {"infer64": "inference, batch 64", "latency": "single-image latency (us)",
         "train64": "training, batch 64", "train1": "training, batch 1"}


def report(configs, results, loads, header, out):
    print(header, file=out)
    print("", file=out)
    print("| network | task | threads | Lamina | peer | peer's | Lamina / peer: median "
          "[range] |", file=out)
    print("|---|---|---:|---:|---|---:|---|", file=out)
    summary = []
    for model, task, threads, peers in configs:
        res = results[(model, task, threads)]
        lam = res["lamina"]
        for p in peers:
            if not res.get(p):
                continue
            ratios = [ratio(task, a, b) for a, b in zip(lam, res[p])]
            med = statistics.median(ratios)
            print(f"| {model} | {TASKS[task]} | {threads} | {statistics.median(lam):,.1f} | "
                  f"{LABELS[p]} | {statistics.median(res[p]):,.1f} | **{med:.2f}x** "
                  f"[{min(ratios):.2f}-{max(ratios):.2f}] |", file=out)
            summary.append({"model": model, "task": task, "threads": threads, "peer": p,
                            "lamina_median": statistics.median(lam),
                            "peer_median": statistics.median(res[p]),
                            "ratio_median": med, "ratio_min": min(ratios),
                            "ratio_max": max(ratios), "rounds": len(ratios)})
    print("", file=out)
    print("Ratios: Lamina's images/s over the peer's (latency: the peer's time over Lamina's); "
          "above 1, Lamina is faster.", file=out)
    print("Load average (1, 5, 15 min) before the rounds: %.2f %.2f %.2f; after: %.2f %.2f %.2f"
          % (loads[0] + loads[-1]), file=out)
    return summary


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--java", default="java", help="java running Lamina and ONNX Runtime")
    p.add_argument("--java-options", default="",
                   help="options for Lamina's JVM, e.g. '--add-modules jdk.incubator.vector'")
    p.add_argument("--jar", default="samples/target/lamina-samples.jar")
    p.add_argument("--ort-jar", default="", help="ONNX Runtime's jar (no ONNX Runtime if empty)")
    p.add_argument("--models", default=",".join(MODELS))
    p.add_argument("--tasks", default="infer64,latency,train64,train1")
    p.add_argument("--rounds", type=int, default=9)
    p.add_argument("--seconds", type=float, default=1.0, help="per side, task and round")
    p.add_argument("--warmup", type=float, default=8.0, help="per side and task, before the rounds")
    p.add_argument("--out", default="samples/target/bench/peers")
    p.add_argument("--label", default="")
    a = p.parse_args(argv)
    a.models = [m for m in a.models.split(",") if m]
    a.tasks = [t for t in a.tasks.split(",") if t]
    for m in a.models:
        if m not in MODELS:
            p.error(f"unknown model '{m}' (choose from {', '.join(MODELS)})")
    for t in a.tasks:
        if t not in TASKS:
            p.error(f"unknown task '{t}' (choose from {', '.join(TASKS)})")
    if a.rounds < 1 or a.seconds <= 0 or a.warmup < 0:
        p.error("--rounds must be at least 1, --seconds positive, --warmup not negative")
    return a


def main(argv):
    args = parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    tag = args.label.replace(" ", "-").replace(",", "") or "run"
    env = lenet_torch.environment()
    env.pop("libraries_loaded", None)
    sides = {"eager": TorchSide("eager"), "script": TorchSide("script")}
    log = open(os.path.join(args.out, f"{tag}.jvm.log"), "w")
    lamina_cmd = [args.java] + args.java_options.split() + [
        "-cp", args.jar, "dev.lamina.samples.bench.RoundServer"]
    sides["lamina"] = ProcessSide("Lamina", lamina_cmd, log)
    if args.ort_jar:
        paths = []
        for m in args.models:
            path = os.path.join(args.out, f"{m.lower()}.onnx")
            net = build(m).eval()
            torch.onnx.export(net, torch.rand(1, 1, 28, 28), path, input_names=["x"],
                              output_names=["logits"], dynamic_axes={"x": {0: "n"}},
                              opset_version=13)
            paths.append(f"{m}={path}")
        here = os.path.dirname(os.path.abspath(__file__))
        sides["ort"] = ProcessSide("ONNX Runtime",
                                   [args.java, "-cp", args.ort_jar + os.pathsep + args.jar,
                                    os.path.join(here, "OrtPeer.java")] + paths, log)
    jsonl = open(os.path.join(args.out, f"{tag}.jsonl"), "w")

    def emit(o):
        jsonl.write(json.dumps(o) + "\n")
        jsonl.flush()

    emit({"environment": env, "lamina": sides["lamina"].ready,
          "ort": sides["ort"].ready if "ort" in sides else None, "args": vars(args)})
    try:
        configs, results, loads = run(args, sides, emit)
    finally:
        for n in ("lamina", "ort"):
            if n in sides:
                sides[n].close()
    header = (f"## {args.label or 'Lamina'}: {args.rounds} alternating rounds of "
              f"{args.seconds:g} s\n\n"
              f"Lamina: {sides['lamina'].ready[6:]}; PyTorch {torch.__version__} "
              f"(OpenBLAS threads {os.environ.get('OPENBLAS_NUM_THREADS')}, oneDNN "
              f"{'on' if env['mkldnn_enabled'] else 'off'}); "
              + (f"{sides['ort'].ready[6:]}; " if "ort" in sides else "")
              + f"CPU {env['cpu']}, {env['logical_cpus']} logical CPUs")
    with open(os.path.join(args.out, f"{tag}.md"), "w") as md:
        summary = report(configs, results, loads, header, md)
    report(configs, results, loads, header, sys.stdout)
    for s in summary:
        emit({"summary": s})


if __name__ == "__main__":
    main(sys.argv[1:])
