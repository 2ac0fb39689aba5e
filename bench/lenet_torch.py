#!/usr/bin/env python3
"""PyTorch reference for bench/train.bench.js: LeNet-5 training speed on the CPU.

Same model as the course (conv 5x5x6 'same' tanh, avg-pool 2, conv 5x5x16 tanh,
avg-pool 2, conv 5x5x120 tanh, dense 84 tanh, dense 10 softmax: 61,706 parameters),
same optimiser (Adam, learning rate 1e-3), batch size and digits. Never a runtime
dependency of the course: the benchmark runs it only when `import torch` works.

Usage: lenet_torch.py DIGITS.bin N EPOCHS BATCH THREADS
DIGITS.bin holds N*784 float32 pixels then N int32 labels (written by the benchmark).
Prints one JSON line: {"imagesPerSecond": [...one per epoch...], "params": 61706, ...}.
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
    path, n, epochs, batch, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    raw = np.fromfile(path, dtype=np.uint8)
    x = torch.from_numpy(raw[: n * 784 * 4].view(np.float32).reshape(n, 1, 28, 28).copy())
    y = torch.from_numpy(raw[n * 784 * 4 :].view(np.int32).astype(np.int64))
    model = lenet5()
    params = sum(p.numel() for p in model.parameters())
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    rates, losses = [], []
    for _ in range(epochs):
        start = time.perf_counter()
        order = torch.randperm(n)
        total = 0.0
        for i in range(0, n - batch + 1, batch):
            idx = order[i : i + batch]
            opt.zero_grad()
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
            total += loss.item()
        seconds = time.perf_counter() - start
        rates.append((n // batch) * batch / seconds)
        losses.append(total / (n // batch))
    print(json.dumps({"imagesPerSecond": rates, "loss": losses, "params": params, "threads": threads, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
