#!/usr/bin/env python3
"""DCGAN training step: Lamina's FashionGan against the same DCGAN in PyTorch, rounds in turn.

The networks are dev.lamina.samples.FashionGan's:

  generator      noise 64 -> affine 3136 (no bias) -> 64x7x7 -> batch norm, ReLU
                 -> transposed conv 32@4x4 stride 2 pad 1 (no bias) -> batch norm, ReLU
                 -> transposed conv 1@4x4 stride 2 pad 1 -> tanh  (1x28x28)
  discriminator  1x28x28 -> conv 32@4x4 stride 2 pad 1, LeakyReLU 0.2
                 -> conv 64@4x4 stride 2 pad 1 (no bias) -> batch norm, LeakyReLU 0.2
                 -> affine 1 (logit), binary cross-entropy on logits

and one step is PyTorch's DCGAN example's: B normal noise vectors, G forward, D's loss on the real
batch (target 1) and on the detached fake batch (target 0), D's Adam step (lr 2e-4, betas 0.5 and
0.999), then G's non-saturating loss through D (target 1), G's backward and Adam step. Lamina runs
the same step with dev.lamina.runtime.gan.GanTrainer (dev.lamina.samples.bench.GanBench, a JVM
kept running and asked for rounds over stdin).

For each thread count T, both sides warm up, then --rounds rounds alternate: a Lamina round, then
a PyTorch round, each of at least --round-seconds. The figure is the median over the rounds of the
ratio of Lamina's images/s to PyTorch's in the same round, with the lowest and highest ratio: a
busy shared machine slows both sides of a round alike. A benchmark only: never a dependency of the
product or its tests.

OPENBLAS_NUM_THREADS (and the OpenMP equivalents) are set to 1 before torch is imported, so that
the only parallelism is torch's own intra-op pool sized by torch.set_num_threads, as in
lenet_torch.py.
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

NOISE = 64


def generator():
    return nn.Sequential(
        nn.Linear(NOISE, 64 * 7 * 7, bias=False),
        nn.Unflatten(1, (64, 7, 7)),
        nn.BatchNorm2d(64), nn.ReLU(),
        nn.ConvTranspose2d(64, 32, 4, 2, 1, bias=False),
        nn.BatchNorm2d(32), nn.ReLU(),
        nn.ConvTranspose2d(32, 1, 4, 2, 1), nn.Tanh())


def discriminator():
    return nn.Sequential(
        nn.Conv2d(1, 32, 4, 2, 1), nn.LeakyReLU(0.2),
        nn.Conv2d(32, 64, 4, 2, 1, bias=False),
        nn.BatchNorm2d(64), nn.LeakyReLU(0.2),
        nn.Flatten(), nn.Linear(64 * 7 * 7, 1))


class TorchGan:
    """One PyTorch DCGAN training step at a time, as PyTorch's DCGAN example takes it."""

    def __init__(self, batch):
        torch.manual_seed(1)
        self.batch = batch
        self.g = generator()
        self.d = discriminator()
        self.opt_g = torch.optim.Adam(self.g.parameters(), lr=2e-4, betas=(0.5, 0.999))
        self.opt_d = torch.optim.Adam(self.d.parameters(), lr=2e-4, betas=(0.5, 0.999))
        self.loss = nn.BCEWithLogitsLoss()
        self.real = torch.rand(batch, 1, 28, 28) * 2 - 1
        self.ones = torch.ones(batch, 1)
        self.zeros = torch.zeros(batch, 1)

    def step(self):
        noise = torch.randn(self.batch, NOISE)
        fake = self.g(noise)
        self.opt_d.zero_grad(set_to_none=True)
        loss_d = self.loss(self.d(self.real), self.ones) + self.loss(self.d(fake.detach()),
                                                                     self.zeros)
        loss_d.backward()
        self.opt_d.step()
        self.opt_g.zero_grad(set_to_none=True)
        loss_g = self.loss(self.d(fake), self.ones)
        loss_g.backward()
        self.opt_g.step()

    def seconds_per_step(self, seconds):
        n = 0
        t0 = time.perf_counter()
        while True:
            self.step()
            n += 1
            now = time.perf_counter()
            if now - t0 >= seconds:
                return (now - t0) / n


class LaminaGan:
    """The JVM running dev.lamina.samples.bench.GanBench."""

    def __init__(self, java, jar, batch, threads, jvm_args):
        self.proc = subprocess.Popen(
            [java] + jvm_args + ["-cp", jar, "dev.lamina.samples.bench.GanBench", str(batch),
                                 str(threads)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def ask(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline()
        if not answer:
            raise RuntimeError("GanBench exited (status %s)" % self.proc.wait())
        return answer.strip()

    def warm_up(self, seconds):
        self.ask("warmup %s" % seconds)

    def seconds_per_step(self, seconds):
        return float(self.ask("round %s" % seconds))

    def close(self):
        self.proc.stdin.write("quit\n")
        self.proc.stdin.close()
        self.proc.wait()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--jar", default="samples/target/lamina-samples.jar")
    ap.add_argument("--java", default="java")
    ap.add_argument("--jvm-arg", action="append", default=[],
                    help="an argument for the JVM (repeatable)")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--threads", default="1,2", help="thread counts, comma-separated")
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--round-seconds", type=float, default=3)
    ap.add_argument("--warmup-seconds", type=float, default=10)
    args = ap.parse_args()
    print("load average at start: %.2f %.2f %.2f" % os.getloadavg(), file=sys.stderr)
    for threads in [int(t) for t in args.threads.split(",")]:
        torch.set_num_threads(threads)
        pt = TorchGan(args.batch)
        lam = LaminaGan(args.java, args.jar, args.batch, threads, args.jvm_arg)
        try:
            lam.warm_up(args.warmup_seconds)
            t_end = time.perf_counter() + args.warmup_seconds
            while time.perf_counter() < t_end:
                pt.step()
            ratios, lam_ips, pt_ips = [], [], []
            for _ in range(args.rounds):
                lam_ips.append(args.batch / lam.seconds_per_step(args.round_seconds))
                pt_ips.append(args.batch / pt.seconds_per_step(args.round_seconds))
                ratios.append(lam_ips[-1] / pt_ips[-1])
        finally:
            lam.close()
        result = {
            "bench": "dcgan_step", "batch": args.batch, "threads": threads,
            "rounds": args.rounds, "round_seconds": args.round_seconds,
            "lamina_ips_median": statistics.median(lam_ips),
            "torch_ips_median": statistics.median(pt_ips),
            "ratio_median": statistics.median(ratios),
            "ratio_min": min(ratios), "ratio_max": max(ratios),
            "torch": torch.__version__, "load_average": os.getloadavg(),
        }
        print(json.dumps(result))
        print("T=%d batch %d: Lamina %.0f img/s, PyTorch %.0f img/s (medians); Lamina/PyTorch"
              " %.2fx (median of %d rounds, range %.2f-%.2f)"
              % (threads, args.batch, result["lamina_ips_median"], result["torch_ips_median"],
                 result["ratio_median"], args.rounds, result["ratio_min"], result["ratio_max"]),
              file=sys.stderr)
        sys.stdout.flush()
    print("load average at end: %.2f %.2f %.2f" % os.getloadavg(), file=sys.stderr)


if __name__ == "__main__":
    main()
