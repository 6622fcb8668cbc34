#!/usr/bin/env python3
"""The PyTorch side of `npm run bench`: the bench's models, trained one epoch at a time on the digits that
bench/run.ts exported, timed like the engine (wall clock over an epoch's batches, the first batch excluded).

  python3 bench/pytorch_bench.py --version
  python3 bench/pytorch_bench.py --data PREFIX --model mlp|cnn|resnet --batch 64 [--repeats 3] [--no-warmup]

PREFIX.x.f32: float32 pixels in [0, 1], 784 per digit (the engine's scaleUnit); PREFIX.y.u8: the class of each.
Same models, initialisation family (Glorot uniform kernels, zero biases), loss (softmax cross-entropy on logits),
optimizer (Adam, lr 0.001) and batching (a seeded shuffle per epoch, the last batch partial) as the engine.
Prints one JSON object on stdout.
"""
import argparse
import json
import os
import resource
import statistics
import sys
import time

# One BLAS thread: torch.set_num_threads(2) sets the intra-op threads that matter on a 2-core machine.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def build(torch, model):
    nn = torch.nn
    if model == "mlp":
        net = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    elif model == "cnn":
        net = nn.Sequential(
            nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(16 * 5 * 5, 10),
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
    """The BLAS library torch's dense layers call (Debian's torch links libblas.so.3, whichever alternative or
    LD_LIBRARY_PATH provides it): the reference netlib BLAS is ~30x slower than OpenBLAS on the MLP."""
    torch.ones(64, 64) @ torch.ones(64, 64)
    try:
        with open("/proc/self/maps") as f:
            paths = sorted({line.split()[-1] for line in f if "blas" in line.lower() and "/" in line})
    except OSError:
        return "unknown"
    paths = [os.path.realpath(p) for p in paths]
    for p in paths:
        if "openblas" in p.lower():
            return f"OpenBLAS ({p})"
    for p in paths:
        if "mkl" in p.lower():
            return f"MKL ({p})"
        if "blis" in p.lower():
            return f"BLIS ({p})"
    for p in paths:
        if "/blas/libblas" in p or p.endswith("libblas.so.3") or "libblas.so.3." in p:
            return f"reference BLAS, netlib ({p})"
    return "unknown (" + ", ".join(paths) + ")" if paths else "unknown"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--version", action="store_true")
    p.add_argument("--data")
    p.add_argument("--model", default="mlp")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--no-warmup", action="store_true")
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()

    import torch  # noqa: E402  (after OPENBLAS_NUM_THREADS)

    if a.version:
        print(json.dumps({"torch": torch.__version__, "blas": blas_in_use(torch)}))
        return
    import numpy as np

    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    x = torch.from_numpy(np.fromfile(a.data + ".x.f32", dtype=np.float32).reshape(-1, 1, 28, 28).copy())
    y = torch.from_numpy(np.fromfile(a.data + ".y.u8", dtype=np.uint8).astype(np.int64))
    n = y.shape[0]
    net = build(torch, a.model)
    opt = torch.optim.Adam(net.parameters(), lr=0.001)
    loss_fn = torch.nn.CrossEntropyLoss()
    bs = a.batch

    def epoch(seed, count):
        order = torch.randperm(count, generator=torch.Generator().manual_seed(seed))
        first = last = 0.0
        for b in range((count + bs - 1) // bs):
            idx = order[b * bs:(b + 1) * bs]
            xb, yb = x[idx], y[idx]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(net(xb), yb)
            loss.backward()
            opt.step()
            loss.item()  # the engine reads its loss every step too
            last = time.perf_counter()
            if b == 0:
                first = last
        timed = count - min(bs, count)
        return timed / (last - first) if timed > 0 else float("nan")

    if not a.no_warmup:
        epoch(0, min(n, 2 * bs + n % bs))
    runs = [epoch(seed, n) for seed in range(1, a.repeats + 1)]
    sps = statistics.median(runs)
    print(json.dumps({
        "model": a.model,
        "batchSize": bs,
        "samples": n,
        "samplesPerSecond": sps,
        "msPerStep": bs * 1000 / sps,
        "peakRssMb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "runs": runs,
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
    }))


if __name__ == "__main__":
    sys.exit(main())
