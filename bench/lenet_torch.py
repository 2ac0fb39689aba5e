#!/usr/bin/env python3
"""PyTorch reference for bench/train.bench.js: LeNet-5 training speed on the CPU.

Same model as the course (conv 5x5x6 'same' tanh, avg-pool 2, conv 5x5x16 tanh,
avg-pool 2, conv 5x5x120 tanh, dense 84 tanh, dense 10 softmax: 61,706 parameters),
same optimiser (Adam, learning rate 1e-3), batch size and digits. Never a runtime
dependency of the course: the benchmark runs it only when `import torch` works.

Usage: lenet_torch.py DIGITS.bin N BATCH
DIGITS.bin holds N*784 float32 pixels then N int32 labels (written by the benchmark).
Then reads commands on stdin, one a line, and answers each with one JSON line:
  epoch THREADS    one epoch over the digits -> {"imagesPerSecond": ..., "loss": ...}
  profile THREADS  torch.profiler over one training step -> {"ops": [{"name", "ms", "calls"}], "stepMs"}
  quit
"""
import json
import sys
import time

import numpy as np
import torch
from torch import nn


def lenet5():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.Tanh(), nn.AvgPool2d(2),
        nn.Conv2d(6, 16, 5), nn.Tanh(), nn.AvgPool2d(2),
        nn.Conv2d(16, 120, 5), nn.Tanh(), nn.Flatten(),
        nn.Linear(120, 84), nn.Tanh(),
        nn.Linear(84, 10),  # softmax is inside the cross-entropy loss
    )


def main():
    path, n, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    torch.manual_seed(0)
    raw = np.fromfile(path, dtype=np.uint8)
    x = torch.from_numpy(raw[: n * 784 * 4].view(np.float32).reshape(n, 1, 28, 28).copy())
    y = torch.from_numpy(raw[n * 784 * 4 :].view(np.int32).astype(np.int64))
    model = lenet5()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()

    def step(idx):
        opt.zero_grad()
        loss = loss_fn(model(x[idx]), y[idx])
        loss.backward()
        opt.step()
        return loss.item()

    def answer(obj):
        print(json.dumps(obj), flush=True)

    answer({"ready": True, "torch": torch.__version__, "params": sum(p.numel() for p in model.parameters())})
    for line in sys.stdin:
        words = line.split()
        if not words or words[0] == "quit":
            break
        torch.set_num_threads(int(words[1]))
        if words[0] == "epoch":
            start = time.perf_counter()
            order = torch.randperm(n)
            total = 0.0
            for i in range(0, n - batch + 1, batch):
                total += step(order[i : i + batch])
            seconds = time.perf_counter() - start
            answer({"imagesPerSecond": (n // batch) * batch / seconds, "loss": total / (n // batch)})
        elif words[0] == "profile":
            idx = torch.arange(batch)
            for _ in range(5):
                step(idx)
            steps = 10
            with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
                start = time.perf_counter()
                for _ in range(steps):
                    step(idx)
                step_ms = (time.perf_counter() - start) * 1000 / steps
            ops = [
                {"name": e.key, "ms": e.self_cpu_time_total / 1000 / steps, "calls": e.count / steps}
                for e in prof.key_averages()
            ]
            ops.sort(key=lambda o: -o["ms"])
            answer({"ops": ops, "stepMs": step_ms})


if __name__ == "__main__":
    main()
