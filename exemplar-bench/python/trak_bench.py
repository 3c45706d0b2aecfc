#!/usr/bin/env python3
"""PyTorch twin of TrakBench (run by it; prints one JSON object).

  trak_bench.py WORK DAMPING REPEATS THREADS

Reads WORK/G.npy (n x d training gradients), Gt.npy (test gradients), q.npy (1 - p_i), P.npy (the d x k Rademacher
projection Exemplar generated) and java_scores.npy, then times in float64, best of REPEATS:
  project: Phi = G P
  kernel:  A = Phi (Phi^T Phi + damping I)^{-1}  (Cholesky factor and solve)
  score:   (Gt P) A^T * q
and, apart, the generation of a d x k Rademacher matrix with torch.randint (what PyTorch TRAK does instead of
reading P). Compares the scores with Exemplar's.
"""
import json
import sys
import time

import numpy as np


def main(work, damping, repeats, threads):
    import torch
    torch.set_num_threads(threads)
    load = lambda name: torch.from_numpy(np.load(f"{work}/{name}.npy"))
    g, gt, q, p = load("G"), load("Gt"), load("q"), load("P")
    java = np.load(f"{work}/java_scores.npy")
    k = p.shape[1]
    best = {"project": 1e30, "kernel": 1e30, "score": 1e30, "generate": 1e30}
    scores = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        phi = g @ p
        t1 = time.perf_counter()
        kern = phi.T @ phi + damping * torch.eye(k, dtype=torch.float64)
        chol = torch.linalg.cholesky(kern)
        a = torch.cholesky_solve(phi.T, chol).T
        t2 = time.perf_counter()
        s = ((gt @ p) @ a.T) * q
        t3 = time.perf_counter()
        gen = torch.randint(0, 2, p.shape, dtype=torch.float64) * 2 - 1
        t4 = time.perf_counter()
        best["project"] = min(best["project"], t1 - t0)
        best["kernel"] = min(best["kernel"], t2 - t1)
        best["score"] = min(best["score"], t3 - t2)
        best["generate"] = min(best["generate"], t4 - t3)
        scores = s.numpy()
        del gen
    diff = np.abs(scores - java)
    best.update({"max_rel_diff": float(diff.max() / np.abs(java).max()), "torch": torch.__version__,
                 "threads": torch.get_num_threads()})
    print(json.dumps(best))


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
