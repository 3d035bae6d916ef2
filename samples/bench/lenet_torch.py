#!/usr/bin/env python3
"""PyTorch peer of Lamina's LeNet-5 benchmark (issue #5).

The same modern LeNet-5 as dev.lamina.samples.LeNet5 (conv 6@5x5 pad 2 ReLU, max pool 2/2,
conv 16@5x5 ReLU, max pool 2/2, affine 400->120 ReLU, 120->84 ReLU, 84->10; softmax cross
entropy), on Fashion-MNIST read straight from the IDX .gz files (pixels scaled to [0, 1], as the
Lamina app does). Measures, for each thread count T (torch.set_num_threads(T)):

  train_ips      training images/s at batch 1, 32, 64, 256 (plain SGD, lr 0.01)
  latency        single-image inference latency (forward + arg-max), median and p99
  infer_b64_ips  batch-64 inference images/s

and the "main job": the app's default `train` (epochs, batch, optimizer, learning rate, cosine
schedule, test evaluation after every epoch) with the thread count of --main-threads.

Each throughput figure is the median of --runs timed runs of at least --run-seconds each, after
--warmup-seconds of warm-up. Output: one JSON object per line on stdout (or --json FILE), and a
human table on stderr. A benchmark only: never a dependency of the product or its tests.

OPENBLAS_NUM_THREADS (and the OpenMP equivalents) are set to 1 before torch is imported, so that
the only parallelism is torch's own intra-op pool sized by torch.set_num_threads.
"""

import argparse
import gzip
import json
import math
import os
import platform
import statistics
import struct
import sys
import time

# Must happen before numpy/torch load their BLAS.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

DEFAULT_DATA = "/usr/share/datasets/fashion-mnist"


# ----------------------------------------------------------------------------------------------
# Data


def read_idx(path):
    """An IDX file (optionally gzip-compressed) as a numpy array."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, dtype_code, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype_code != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if arr.size != math.prod(dims):
        raise ValueError(f"{path}: {arr.size} values, header says {dims}")
    return arr.reshape(dims)


def find(folder, name):
    for candidate in (name, name[:-3]):
        p = os.path.join(folder, candidate)
        if os.path.isfile(p):
            return p
    raise FileNotFoundError(f"{name} not found in {folder}")


def load_split(folder, prefix):
    images = read_idx(find(folder, f"{prefix}-images-idx3-ubyte.gz"))
    labels = read_idx(find(folder, f"{prefix}-labels-idx1-ubyte.gz"))
    x = torch.from_numpy(images.astype(np.float32) / 255.0).reshape(-1, 1, 28, 28).contiguous()
    y = torch.from_numpy(labels.astype(np.int64))
    return x, y


# ----------------------------------------------------------------------------------------------
# Model


def lenet5():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, 10),
    )


# ----------------------------------------------------------------------------------------------
# Timing helpers


def calls_per_second(step, seconds):
    """Calls of `step` per second over one run of at least `seconds`."""
    n = 0
    t0 = time.perf_counter()
    while True:
        step()
        n += 1
        elapsed = time.perf_counter() - t0
        if elapsed >= seconds:
            return n / elapsed


def timed_runs(step, items_per_step, warmup_s, run_s, runs):
    """Median items/s over `runs` runs of at least `run_s` seconds each, after a warm-up.

    The warm-up is the Java harness's: at least `warmup_s`, then windows of `warmup_s / 4` while
    the rate still improves by more than 2%, up to 10 * `warmup_s` in all.
    """
    start = time.perf_counter()
    while time.perf_counter() < start + warmup_s:
        step()

    def rate(seconds):
        return calls_per_second(step, seconds)

    window = max(0.001, warmup_s / 4)
    previous = rate(window)
    while time.perf_counter() < start + 10 * warmup_s:
        now = rate(window)
        if now <= previous * 1.02:
            break
        previous = now
    rates = []
    for _ in range(runs):
        rates.append(rate(run_s) * items_per_step)
    return statistics.median(rates), rates


def percentile(sorted_values, q):
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return float("nan")
    k = max(0, min(len(sorted_values) - 1, math.ceil(q / 100.0 * len(sorted_values)) - 1))
    return sorted_values[k]


class Cycler:
    """Walks through (x, y) in consecutive batches, wrapping around; slices are views."""

    def __init__(self, x, y, batch):
        self.x, self.y, self.batch = x, y, batch
        self.limit = (x.shape[0] // batch) * batch
        self.pos = 0

    def next(self):
        if self.pos + self.batch > self.limit:
            self.pos = 0
        i = self.pos
        self.pos += self.batch
        return self.x[i:i + self.batch], self.y[i:i + self.batch]


# ----------------------------------------------------------------------------------------------
# Measurements


def bench_training(x, y, batch, args):
    torch.manual_seed(args.seed)
    model = lenet5()
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    cyc = Cycler(x, y, batch)

    def step():
        xb, yb = cyc.next()
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()

    return timed_runs(step, batch, args.warmup_seconds, args.run_seconds, args.runs)


def bench_latency(x, args):
    torch.manual_seed(args.seed)
    model = lenet5().eval()
    n = min(256, x.shape[0])
    samples = [x[i:i + 1].clone() for i in range(n)]
    times = []
    with torch.inference_mode():
        end = time.perf_counter() + args.warmup_seconds
        i = 0
        while time.perf_counter() < end:
            model(samples[i % n]).argmax().item()
            i += 1
        for k in range(args.latency_iterations):
            s = samples[k % n]
            t0 = time.perf_counter_ns()
            model(s).argmax().item()
            times.append(time.perf_counter_ns() - t0)
    times.sort()
    return {
        "median_us": statistics.median(times) / 1e3,
        "p99_us": percentile(times, 99) / 1e3,
        "mean_us": sum(times) / len(times) / 1e3,
        "iterations": len(times),
    }


def bench_inference(x, batch, args):
    torch.manual_seed(args.seed)
    model = lenet5().eval()
    cyc = Cycler(x, x, batch)

    def step():
        xb, _ = cyc.next()
        model(xb)

    with torch.inference_mode():
        return timed_runs(step, batch, args.warmup_seconds, args.run_seconds, args.runs)


def cosine_rate(rate, min_rate, epochs, epoch, batch, batches):
    """Lamina's LearningRateSchedule.cosine: smooth per batch, from rate down to min_rate."""
    step = epoch * batches + batch
    total = epochs * batches
    progress = min(1.0, step / total)
    return min_rate + (rate - min_rate) * (1 + math.cos(math.pi * progress)) / 2


def main_job(train, test, args):
    """The app's default `train`: shuffled epochs, optimizer + cosine schedule, test eval each epoch."""
    x, y = train
    xt, yt = test
    if args.main_train_limit:
        x, y = x[:args.main_train_limit], y[:args.main_train_limit]
    torch.set_num_threads(args.main_threads)
    torch.manual_seed(args.seed)
    model = lenet5()
    lr = args.main_lr if args.main_lr is not None else {"adam": 1e-3, "momentum": 0.05, "sgd": 0.1}[
        args.main_optimizer]
    if args.main_optimizer == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=lr)
    elif args.main_optimizer == "momentum":
        opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    else:
        opt = torch.optim.SGD(model.parameters(), lr=lr)
    n = x.shape[0]
    b = args.main_batch
    batches = (n + b - 1) // b
    gen = torch.Generator().manual_seed(args.seed)
    epochs = []
    t_start = time.perf_counter()
    for e in range(args.main_epochs):
        t0 = time.perf_counter()
        model.train()
        order = torch.randperm(n, generator=gen)
        loss_sum = 0.0
        correct = 0
        for i in range(batches):
            for group in opt.param_groups:
                group["lr"] = cosine_rate(lr, lr / 100, args.main_epochs, e, i, batches)
            idx = order[i * b:(i + 1) * b]
            xb, yb = x[idx], y[idx]
            opt.zero_grad(set_to_none=True)
            out = model(xb)
            loss = F.cross_entropy(out, yb)
            loss.backward()
            opt.step()
            loss_sum += loss.item() * xb.shape[0]
            correct += (out.argmax(1) == yb).sum().item()
        train_s = time.perf_counter() - t0
        model.eval()
        with torch.inference_mode():
            test_correct = 0
            for i in range(0, xt.shape[0], 1000):
                test_correct += (model(xt[i:i + 1000]).argmax(1) == yt[i:i + 1000]).sum().item()
        epochs.append({
            "epoch": e + 1, "train_loss": loss_sum / n, "train_accuracy": correct / n,
            "test_accuracy": test_correct / xt.shape[0], "seconds": time.perf_counter() - t0,
            "train_images_per_s": n / train_s,
        })
        print(f"  epoch {e + 1}/{args.main_epochs}: loss {loss_sum / n:.4f}, test accuracy "
              f"{100 * test_correct / xt.shape[0]:.2f}%, {time.perf_counter() - t0:.1f} s",
              file=sys.stderr, flush=True)
    return {
        "seconds": time.perf_counter() - t_start, "epochs": args.main_epochs, "batch": b,
        "optimizer": args.main_optimizer, "lr": lr, "schedule": "cosine", "threads": args.main_threads,
        "train_images": n, "test_images": xt.shape[0],
        "final_test_accuracy": epochs[-1]["test_accuracy"], "per_epoch": epochs,
    }


# ----------------------------------------------------------------------------------------------
# Environment: which BLAS is loaded


def loaded_libraries(needles=("blas", "lapack", "mkl", "omp", "gomp", "dnnl", "mkldnn")):
    """Shared libraries mapped into this process whose names mention a BLAS/OpenMP runtime."""
    found = set()
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                parts = line.split()
                if len(parts) >= 6 and "/" in parts[-1]:
                    base = os.path.basename(parts[-1]).lower()
                    if any(n in base for n in needles):
                        found.add(parts[-1])
    except OSError:
        pass
    return sorted(found)


def environment():
    # A matmul first, so that a lazily loaded BLAS is mapped by now.
    a = torch.randn(64, 64)
    (a @ a).sum().item()
    libs = loaded_libraries()
    resolved = sorted({os.path.realpath(p) for p in libs})
    blas = [p for p in resolved if "blas" in os.path.basename(p).lower()
            or "mkl" in os.path.basename(p).lower()]
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "torch": torch.__version__, "numpy": np.__version__, "python": platform.python_version(),
        "cpu": cpu, "logical_cpus": os.cpu_count(),
        "blas_loaded": blas, "libraries_loaded": resolved,
        "torch_config": torch.__config__.show(),
        "torch_parallel_info": torch.__config__.parallel_info(),
        "mkldnn_enabled": bool(torch.backends.mkldnn.is_available() and torch.backends.mkldnn.enabled),
        "env": {k: os.environ.get(k) for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                                               "MKL_NUM_THREADS")},
    }


# ----------------------------------------------------------------------------------------------


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default=DEFAULT_DATA, help="Fashion-MNIST folder (IDX files, .gz or not)")
    p.add_argument("--threads", default="1,2", help="comma-separated thread counts (default 1,2)")
    p.add_argument("--batches", default="1,32,64,256", help="training batch sizes (default 1,32,64,256)")
    p.add_argument("--infer-batch", type=int, default=64, help="batch of the inference throughput")
    p.add_argument("--runs", type=int, default=5, help="timed runs per figure; the median is reported")
    p.add_argument("--run-seconds", type=float, default=2.0, help="minimum length of one timed run")
    p.add_argument("--warmup-seconds", type=float, default=2.0, help="warm-up before each figure")
    p.add_argument("--latency-iterations", type=int, default=20000, help="timed single-image calls")
    p.add_argument("--main-epochs", type=int, default=12, help="main job: epochs (app default 12)")
    p.add_argument("--main-batch", type=int, default=64, help="main job: batch (app default 64)")
    p.add_argument("--main-optimizer", default="adam", choices=["adam", "momentum", "sgd"],
                   help="main job: optimizer (app default adam)")
    p.add_argument("--main-lr", type=float, default=None,
                   help="main job: learning rate (default as the app: adam 1e-3, momentum 0.05, sgd 0.1)")
    p.add_argument("--main-threads", type=int, default=2, help="main job: torch threads")
    p.add_argument("--main-train-limit", type=int, default=0,
                   help="main job: use only the first N training images (0: all)")
    p.add_argument("--skip", default="", help="comma-separated sections to skip: train,latency,infer,main")
    p.add_argument("--only-main", action="store_true", help="run only the main job")
    p.add_argument("--quick", action="store_true",
                   help="smoke run: short runs, batches 1 and 64, main job of 1 epoch on 6,000 images")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--json", help="also write the JSON lines to this file")
    args = p.parse_args(argv)
    if args.quick:
        args.runs = 3
        args.run_seconds = 0.3
        args.warmup_seconds = 0.3
        args.latency_iterations = 2000
        args.main_epochs = 1
        args.main_train_limit = args.main_train_limit or 6000
    return args


def main(argv):
    args = parse_args(argv)
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    if args.only_main:
        skip |= {"train", "latency", "infer"}
    threads = [int(t) for t in args.threads.split(",") if t]
    batches = [int(b) for b in args.batches.split(",") if b]
    records = []
    json_file = open(args.json, "w") if args.json else None

    def emit(rec):
        rec = {"impl": "pytorch", **rec}
        records.append(rec)
        line = json.dumps(rec, sort_keys=False)
        print(line, flush=True)
        if json_file:
            json_file.write(line + "\n")
            json_file.flush()

    env = environment()
    emit({"metric": "environment", **env})
    print(f"torch {env['torch']}, BLAS loaded: {', '.join(env['blas_loaded']) or 'none found'}",
          file=sys.stderr)

    t0 = time.perf_counter()
    train = load_split(args.data, "train")
    test = load_split(args.data, "t10k")
    emit({"metric": "data_load", "seconds": time.perf_counter() - t0,
          "train_images": train[0].shape[0], "test_images": test[0].shape[0]})

    for t in threads:
        torch.set_num_threads(t)
        if "train" not in skip:
            for b in batches:
                median, rates = bench_training(*train, b, args)
                emit({"metric": "train_ips", "batch": b, "threads": t, "value": median, "runs": rates})
                print(f"  train batch {b:>3}, {t} thread(s): {median:,.0f} images/s", file=sys.stderr)
        if "latency" not in skip:
            lat = bench_latency(test[0], args)
            emit({"metric": "latency", "threads": t, **lat})
            print(f"  latency, {t} thread(s): median {lat['median_us']:.1f} us, p99 {lat['p99_us']:.1f} us",
                  file=sys.stderr)
        if "infer" not in skip:
            median, rates = bench_inference(test[0], args.infer_batch, args)
            emit({"metric": "infer_ips", "batch": args.infer_batch, "threads": t, "value": median,
                  "runs": rates})
            print(f"  inference batch {args.infer_batch}, {t} thread(s): {median:,.0f} images/s",
                  file=sys.stderr)
    if "main" not in skip:
        print(f"main job: {args.main_epochs} epoch(s), batch {args.main_batch}, {args.main_optimizer},"
              f" {args.main_threads} thread(s)", file=sys.stderr)
        emit({"metric": "main_job", **main_job(train, test, args)})

    print_table(records, sys.stderr)
    if json_file:
        json_file.close()


def print_table(records, out):
    rows = []
    for r in records:
        m = r["metric"]
        if m == "train_ips":
            rows.append((f"training images/s, batch {r['batch']}", r["threads"], f"{r['value']:,.0f}"))
        elif m == "latency":
            rows.append(("single-image latency median / p99 (us)", r["threads"],
                         f"{r['median_us']:.1f} / {r['p99_us']:.1f}"))
        elif m == "infer_ips":
            rows.append((f"inference images/s, batch {r['batch']}", r["threads"], f"{r['value']:,.0f}"))
        elif m == "main_job":
            rows.append((f"main job ({r['epochs']} ep, batch {r['batch']}, {r['optimizer']}) s",
                         r["threads"], f"{r['seconds']:.1f}"))
    if not rows:
        return
    w = max(len(a) for a, _, _ in rows)
    print(f"\nPyTorch {torch.__version__}", file=out)
    print(f"{'figure':<{w}}  threads  value", file=out)
    for a, t, v in rows:
        print(f"{a:<{w}}  {t:>7}  {v}", file=out)


if __name__ == "__main__":
    main(sys.argv[1:])
