#!/usr/bin/env python3
"""The PyTorch side of `npm run bench`: the bench's models, trained like the engine, timed like the engine (wall
clock over an epoch's batches, the first batch excluded). Prints one JSON object on stdout.

  python3 bench/pytorch_bench.py --version
  python3 bench/pytorch_bench.py --data PREFIX --model mlp|cnn|bn-dropout|resnet --batch 64 [--repeats 3] [--no-warmup]
  python3 bench/pytorch_bench.py --data PREFIX --epoch-time [--bn] [--dropout P] [--l2 L] [--clip-norm T] [--swa]
                                 [--members K] --samples N --val N --batch 256 --epochs 2      (the trick-cost table)
  python3 bench/pytorch_bench.py --idx DIR | --data PREFIX --repeat-to 60000  --model bn-dropout --batch 256
                                 (the real-size workload: one epoch)

PREFIX.x.f32: float32 pixels in [0, 1], 784 per digit (the engine's scaleUnit); PREFIX.y.u8: the class of each.
Same models, initialisation family (Glorot uniform kernels, zero biases), loss (softmax cross-entropy on logits),
optimizer (Adam, lr 0.001), batch norm (momentum 0.99 in Keras terms, ε 1e-3), dropout, L2 penalty (λ·Σw² over the
kernels, added to the loss), clipping by global norm, weight averaging and ensembles as the engine.
"""
import argparse
import gzip
import json
import os
import re
import resource
import statistics
import sys
import time

# One BLAS thread: torch.set_num_threads sets the intra-op threads that matter on a small machine.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def build(torch, model, bn=False, dropout=None):
    nn = torch.nn

    def bn2(c):
        return [nn.BatchNorm2d(c, eps=1e-3, momentum=0.01)]

    if model == "mlp":
        net = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    elif model == "cnn":
        net = nn.Sequential(
            nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(16 * 5 * 5, 10),
        )
    elif model == "mnist-cnn":
        # resources/presets/mnist-cnn.json, with the batchNorm trick's expansion (conv/dense → BN → ReLU) and the
        # dropout trick's (after the hidden dense layer) when asked.
        net = nn.Sequential(
            nn.Conv2d(1, 8, 3), *(bn2(8) if bn else []), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3), *(bn2(16) if bn else []), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(400, 64), *([nn.BatchNorm1d(64, eps=1e-3, momentum=0.01)] if bn else []), nn.ReLU(),
            *([nn.Dropout(dropout)] if dropout else []),
            nn.Linear(64, 10),
        )
    elif model == "bn-dropout":
        # resources/presets/mnist-cnn-bn-dropout.json: convolutions without bias, BN before each ReLU, dropout 0.3.
        net = nn.Sequential(
            nn.Conv2d(1, 8, 3, bias=False), *bn2(8), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, bias=False), *bn2(16), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(400, 64), nn.ReLU(), nn.Dropout(0.3), nn.Linear(64, 10),
        )
    elif model == "resnet":
        net = MiniResNet(torch)
    else:
        raise SystemExit(f"unknown model {model!r}")
    for m in net.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            nn.init.xavier_uniform_(m.weight)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
    return net


def MiniResNet(torch):
    """resources/presets/mini-resnet.json: conv16 same, pool 2, two residual blocks (the second strided, with a
    1×1 projection), global average pooling, dense 10."""
    nn = torch.nn

    class Block(nn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.c1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1)
            self.c2 = nn.Conv2d(cout, cout, 3, padding=1)
            self.proj = nn.Conv2d(cin, cout, 1, stride=stride) if (cin != cout or stride != 1) else None

        def forward(self, x):
            y = self.c2(torch.relu(self.c1(x)))
            return torch.relu(y + (self.proj(x) if self.proj is not None else x))

    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        Block(16, 16, 1), Block(16, 32, 2),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, 10),
    )


def blas_in_use(torch):
    """What torch's dense layers call: torch.__config__.show()'s BLAS line, and the BLAS library mapped into this
    process once a product ran (Debian's torch links libblas.so.3, whichever alternative or LD_LIBRARY_PATH gives it;
    the reference netlib BLAS is ~30× slower than OpenBLAS on the MLP)."""
    torch.ones(64, 64) @ torch.ones(64, 64)
    found = re.search(r"BLAS_INFO=([^,\s]+)", torch.__config__.show())
    config = f"BLAS_INFO={found.group(1)}" if found else "no BLAS_INFO in torch.__config__.show()"
    try:
        with open("/proc/self/maps") as f:
            paths = sorted({line.split()[-1] for line in f if "blas" in line.lower() and "/" in line})
    except OSError:
        return "unknown", config, []
    real = [os.path.realpath(p) for p in paths]
    for p in real:
        if "openblas" in p.lower():
            return f"OpenBLAS ({p})", config, paths
    for p in real:
        if "mkl" in p.lower():
            return f"MKL ({p})", config, paths
        if "blis" in p.lower():
            return f"BLIS ({p})", config, paths
    for p in real:
        if "/blas/libblas" in p or p.endswith("libblas.so.3") or "libblas.so.3." in p:
            return f"reference BLAS, netlib ({p})", config, paths
    return ("unknown (" + ", ".join(real) + ")" if real else "unknown"), config, paths


def load_prefix(torch, np, prefix):
    x = torch.from_numpy(np.fromfile(prefix + ".x.f32", dtype=np.float32).reshape(-1, 1, 28, 28).copy())
    y = torch.from_numpy(np.fromfile(prefix + ".y.u8", dtype=np.uint8).astype(np.int64))
    return x, y


def read_idx(np, path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    rank = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


class Trainer:
    """One model, its optimizer and the step tricks (L2 penalty, clipping by global norm)."""

    def __init__(self, torch, a, seed=1):
        torch.manual_seed(seed)
        self.torch = torch
        self.net = build(torch, a.model, bn=a.bn, dropout=a.dropout)
        self.opt = torch.optim.Adam(self.net.parameters(), lr=0.001)
        self.loss_fn = torch.nn.CrossEntropyLoss()
        self.kernels = [m.weight for m in self.net.modules() if isinstance(m, (torch.nn.Linear, torch.nn.Conv2d))]
        self.a = a
        self.avg = None
        self.averaged = 0

    def step(self, xb, yb):
        self.net.train()
        self.opt.zero_grad(set_to_none=True)
        loss = self.loss_fn(self.net(xb), yb)
        if self.a.l2:
            loss = loss + self.a.l2 * sum((w * w).sum() for w in self.kernels)
        loss.backward()
        if self.a.clip_norm:
            self.torch.nn.utils.clip_grad_norm_(self.net.parameters(), self.a.clip_norm)
        self.opt.step()
        loss.item()  # the engine reads its loss every step too

    def average(self):
        """Weight averaging (SWA) at an epoch's end: avg += (w − avg)/(n + 1)."""
        with self.torch.no_grad():
            params = [p.detach() for p in self.net.state_dict().values() if p.is_floating_point()]
            if self.avg is None:
                self.avg = [p.clone() for p in params]
            else:
                for s, p in zip(self.avg, params):
                    s.add_((p - s) / (self.averaged + 1))
        self.averaged += 1

    def evaluate(self, x, y):
        self.net.eval()
        with self.torch.no_grad():
            return self.torch.softmax(self.net(x), dim=1)


def epoch_over(order, bs, step):
    """Runs step(idx) over the batches of `order`; returns (wall seconds from the end of the first batch to the end of
    the last, the same in this process's CPU time (all threads), timed rows)."""
    first = last = cpu_first = cpu_last = 0.0
    n = order.shape[0]
    for b in range((n + bs - 1) // bs):
        step(order[b * bs:(b + 1) * bs])
        last, cpu_last = time.perf_counter(), time.process_time()
        if b == 0:
            first, cpu_first = last, cpu_last
    return last - first, cpu_last - cpu_first, n - min(bs, n)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--version", action="store_true")
    p.add_argument("--data")
    p.add_argument("--idx")
    p.add_argument("--repeat-to", type=int, default=0)
    p.add_argument("--model", default="mlp")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--no-warmup", action="store_true")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--epoch-time", action="store_true")
    p.add_argument("--samples", type=int, default=0)
    p.add_argument("--val", type=int, default=256)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--bn", action="store_true")
    p.add_argument("--dropout", type=float, default=None)
    p.add_argument("--l2", type=float, default=0.0)
    p.add_argument("--clip-norm", type=float, default=0.0)
    p.add_argument("--swa", action="store_true")
    p.add_argument("--members", type=int, default=1)
    a = p.parse_args()

    import torch  # noqa: E402  (after OPENBLAS_NUM_THREADS)

    if a.version:
        blas, config, maps = blas_in_use(torch)
        print(json.dumps({"torch": torch.__version__, "blas": blas, "blasConfig": config, "blasMapped": maps}))
        return
    import numpy as np

    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    bs = a.batch
    rss = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # noqa: E731

    if a.epoch_time:
        # The trick-cost table: `epochs` epochs of the mnist-cnn preset on `samples` digits; the time of each epoch
        # (all members' steps, the validation pass, the epoch-end averaging), as the engine's epoch reports give it.
        a.model = "mnist-cnn"
        x, y = load_prefix(torch, np, a.data)
        xt, yt = x[:a.samples], y[:a.samples]
        xv = x[a.samples:a.samples + a.val]
        members = [Trainer(torch, a, seed=1 + i) for i in range(a.members)]
        times, cpu_times = [], []
        t0, c0 = time.perf_counter(), time.process_time()
        for e in range(a.epochs):
            for i, m in enumerate(members):
                order = torch.randperm(a.samples, generator=torch.Generator().manual_seed(100 * e + i))
                epoch_over(order, bs, lambda idx: m.step(xt[idx], yt[idx]))  # noqa: B023
            for m in members:
                m.evaluate(xv, None)
                if a.swa:
                    m.average()
            t1, c1 = time.perf_counter(), time.process_time()
            times.append((t1 - t0) * 1000)
            cpu_times.append((c1 - c0) * 1000)
            t0, c0 = t1, c1
        print(json.dumps({"epochMs": times, "epochCpuMs": cpu_times, "peakRssMb": rss(), "threads": torch.get_num_threads()}))
        return

    if a.idx or a.repeat_to:
        # The real-size workload: one epoch, then the validation pass. Fashion-MNIST kept as bytes and converted per
        # batch (as torchvision does); the stand-in digits come as float32 and are repeated to `repeat_to` rows.
        if a.idx:
            xu = torch.from_numpy(read_idx(np, os.path.join(a.idx, "train-images-idx3-ubyte.gz")).copy())
            y = torch.from_numpy(read_idx(np, os.path.join(a.idx, "train-labels-idx1-ubyte.gz")).astype(np.int64))
            xv = torch.from_numpy(read_idx(np, os.path.join(a.idx, "t10k-images-idx3-ubyte.gz"))[:5000].copy())
            fetch = lambda idx: xu[idx].unsqueeze(1).float().div_(255)  # noqa: E731
            xv = xv.unsqueeze(1).float().div_(255)
        else:
            x0, y0 = load_prefix(torch, np, a.data)
            reps = (a.repeat_to + x0.shape[0] - 1) // x0.shape[0]
            xf, y = x0.repeat(reps, 1, 1, 1)[:a.repeat_to], y0.repeat(reps)[:a.repeat_to]
            xv = x0[:1000]
            fetch = lambda idx: xf[idx]  # noqa: E731
        n = y.shape[0]
        m = Trainer(torch, a)
        order = torch.randperm(n, generator=torch.Generator().manual_seed(1))
        seconds, cpu, timed = epoch_over(order, bs, lambda idx: m.step(fetch(idx), y[idx]))
        for i in range(0, xv.shape[0], 512):
            m.evaluate(xv[i:i + 512], None)
        print(json.dumps({"samples": n, "samplesPerSecond": timed / seconds, "cpuSamplesPerSecond": timed / cpu,
                          "peakRssMb": rss(), "threads": torch.get_num_threads()}))
        return

    x, y = load_prefix(torch, np, a.data)
    n = y.shape[0]
    m = Trainer(torch, a)

    def epoch(seed, count):
        order = torch.randperm(count, generator=torch.Generator().manual_seed(seed))
        seconds, cpu, timed = epoch_over(order, bs, lambda idx: m.step(x[idx], y[idx]))
        return (timed / seconds, timed / cpu) if timed > 0 else (float("nan"), float("nan"))

    if not a.no_warmup:
        epoch(0, min(n, 2 * bs + n % bs))
    both = [epoch(seed, n) for seed in range(1, a.repeats + 1)]
    runs = [w for w, _ in both]
    sps = statistics.median(runs)
    print(json.dumps({
        "model": a.model,
        "batchSize": bs,
        "samples": n,
        "samplesPerSecond": sps,
        "cpuSamplesPerSecond": statistics.median([c for _, c in both]),
        "msPerStep": bs * 1000 / sps,
        "peakRssMb": rss(),
        "runs": runs,
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
    }))


if __name__ == "__main__":
    sys.exit(main())
