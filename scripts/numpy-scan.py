#!/usr/bin/env python3
# The numpy reference for ServerBench's exact scan (docs/benchmarks.md, issue 13): the same mapped index files,
# score = alpha * (F @ q) by one BLAS gemv, top-10 of both signs by argpartition; p50 of 10 queries after 2 warm-ups.
# usage: python3 scripts/numpy-scan.py INDEX_DIR   (an rps-l2 index: keys.npy, alpha.npy)
import numpy as np, time, sys, os
d = sys.argv[1]
F = np.load(os.path.join(d, "keys.npy"), mmap_mode="r")
A = np.load(os.path.join(d, "alpha.npy"), mmap_mode="r").reshape(F.shape[0], -1)[:, 0].astype(np.float64)
rng = np.random.default_rng(1)
ts = []
for rep in range(12):
    q = rng.uniform(-1, 1, F.shape[1]).astype(F.dtype)
    t0 = time.perf_counter()
    s = A * (F @ q)                      # one BLAS gemv over the mapped rows (OpenBLAS threads), alpha in double
    top = np.argpartition(-s, 10)[:10]; top = top[np.argsort(-s[top])]
    bot = np.argpartition(s, 10)[:10]; bot = bot[np.argsort(s[bot])]
    ts.append((time.perf_counter() - t0) * 1e3)
ts = sorted(ts[2:])
print(f"numpy {np.__version__} {F.dtype} {F.shape}: p50 {ts[len(ts)//2]:.1f} ms, best {ts[0]:.1f} ms (10 queries after 2 warm-up)")
