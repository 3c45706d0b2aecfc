#!/usr/bin/env python3
"""PyTorch twin of PbrfBench's PBRF step (run by it; prints one JSON object).

  pbrf_bench.py WORK EPS DAMPING L2 WARMUP REPEATS THREADS

The mini-batch gradient of the PBRF objective (Bae et al. 2022, eq. 8) that ResponseObjective.batchGradient
computes, for the MLP whose parameters PbrfBench wrote to WORK (theta: W0..W2, b0..b2; theta^s: Ws0.., bs0..;
W_k is (out, in) as in Exemplar), the batch (xb, tb labels) and the removed points (xz, tz labels), float64:

  (1/B) sum_{i in batch} D_L(f(theta, x_i), f(theta^s, x_i)) + ((l2 + damping)/2) ||theta - theta^s||^2
      - eps sum_z L(f(theta, x_z), t_z),
  D_L(y, y^s) = L(y) - L(y^s) - grad_y L(y^s)^T (y - y^s),   L = softmax cross-entropy,

differentiated by autograd (one backward pass, i.e. the VJP). As in Exemplar's training loop, f(theta^s, x_i) and
grad_y L(y^s) are computed once before the timing (Exemplar caches them for the whole training set). The timed
step is forward of batch and removed points, the objective, and backward. Compares the flat gradient (Exemplar's
order: W0 row-major, b0, W1, b1, W2, b2) with WORK/java_grad.npy.
"""
import json
import statistics
import sys
import time

import numpy as np


def main(work, eps, damping, l2, warmup, repeats, threads):
    import torch
    import torch.nn.functional as F
    torch.set_num_threads(threads)
    load = lambda name: torch.from_numpy(np.load(f"{work}/{name}.npy"))
    theta = []
    anchor = []
    for k in range(3):
        theta += [load(f"W{k}"), load(f"b{k}")]
        anchor += [load(f"Ws{k}"), load(f"bs{k}")]
    for p in theta:
        p.requires_grad_(True)
    xb, tb = load("xb"), load("tb").long()
    xz, tz = load("xz"), load("tz").long()

    def logits(ps, x):
        h = x
        for k in range(3):
            h = h @ ps[2 * k].T + ps[2 * k + 1]
            if k < 2:
                h = torch.relu(h)
        return h

    with torch.no_grad():
        ys = logits(anchor, xb)
        ls = F.cross_entropy(ys, tb, reduction="none")
        gs = torch.softmax(ys, dim=1) - F.one_hot(tb, ys.shape[1]).double()
    mu = l2 + damping

    def step():
        for p in theta:
            p.grad = None
        y = logits(theta, xb)
        breg = (F.cross_entropy(y, tb, reduction="none") - ls - ((y - ys) * gs).sum(dim=1)).mean()
        prox = 0.5 * mu * sum(((p - q) ** 2).sum() for p, q in zip(theta, anchor))
        removal = eps * F.cross_entropy(logits(theta, xz), tz, reduction="sum")
        (breg + prox - removal).backward()
        return torch.cat([p.grad.reshape(-1) for p in theta])

    for _ in range(warmup):
        step()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        g = step()
        times.append(time.perf_counter() - t0)
    g = g.numpy()
    ref = np.load(f"{work}/java_grad.npy")
    return {"torch": torch.__version__, "threads": torch.get_num_threads(),
            "median_seconds": statistics.median(times), "min_seconds": min(times),
            "max_abs_diff": float(np.abs(g - ref).max()),
            "max_rel_diff": float(np.abs(g - ref).max() / np.abs(ref).max()),
            "norm_rel_diff": float(np.linalg.norm(g - ref) / np.linalg.norm(ref)),
            "grad_norm": float(np.linalg.norm(g))}


if __name__ == "__main__":
    w, e, d, l2, wu, r, t = sys.argv[1:8]
    print(json.dumps(main(w, float(e), float(d), float(l2), int(wu), int(r), int(t))))
